#ifndef GATEWAYCTL_H
#define GATEWAYCTL_H

#include "config.h"

struct ctl_opts {
	const char	*conffile;
	const char	*socket;	/* NULL: from the config */
	int		 json;
	int		 conf_given;
};

/* ctl_offline.c: commands that need no running daemon */
int	ctl_init(struct ctl_opts *, int argc, char *argv[]);
int	ctl_node_details(struct ctl_opts *, int argc, char *argv[]);
int	ctl_load_config(struct ctl_opts *, struct gw_config *);
/* The port of a listen set's first address, 0 if none. */
uint16_t ctl_listen_port(const struct gw_listen_set *);

/* ctl_bond.c: what the wallet's bonding asks for */
int	ctl_sign(struct ctl_opts *, int argc, char *argv[]);
int	ctl_bonding_information(struct ctl_opts *, int argc, char *argv[]);

/* ctl_client.c: commands sent to gatewayd over its control socket */
int	ctl_status(struct ctl_opts *, int argc, char *argv[]);
int	ctl_reload(struct ctl_opts *, int argc, char *argv[]);
int	ctl_metrics(struct ctl_opts *, int argc, char *argv[]);
int	ctl_log(struct ctl_opts *, int argc, char *argv[]);
int	ctl_test_sandbox(struct ctl_opts *, int argc, char *argv[]);
int	ctl_test_connect(struct ctl_opts *, int argc, char *argv[]);

#endif
