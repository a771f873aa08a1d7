/*
 * gatewayctl: set up a gateway's keys and config, print what the
 * operator needs for bonding, and ask a running gatewayd for status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "gatewayctl.h"
#include "util.h"

static const struct {
	const char	*name;
	int		(*fn)(struct ctl_opts *, int, char **);
	int		 hidden;
} ctl_commands[] = {
	{ "init", ctl_init, 0 },
	{ "node-details", ctl_node_details, 0 },
	{ "bonding-information", ctl_bonding_information, 0 },
	{ "sign", ctl_sign, 0 },
	{ "status", ctl_status, 0 },
	{ "metrics", ctl_metrics, 0 },
	{ "reload", ctl_reload, 0 },
	{ "log", ctl_log, 0 },
	{ "test-sandbox", ctl_test_sandbox, 1 },
	{ "test-connect", ctl_test_connect, 1 },
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: gatewayctl [-j] [-f file] [-s socket] command [args]\n"
	    "commands:\n"
	    "  init [-D dir] [-H host]  create keys (and a config if none)\n"
	    "  node-details          keys and ports of this gateway\n"
	    "  bonding-information   host and identity key for the wallet\n"
	    "  sign --contract-msg payload\n"
	    "                        sign the wallet's base58 contract message\n"
	    "  sign --text text      sign text with the identity key\n"
	    "  status                processes, uptime and counters\n"
	    "  metrics               the same in Prometheus text format\n"
	    "  reload                reload the configuration\n"
	    "  log verbose|brief     change log verbosity\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct ctl_opts	 o;
	size_t		 i;
	int		 ch;

	memset(&o, 0, sizeof(o));
	o.conffile = GW_CONF_DEFAULT;
	while ((ch = getopt(argc, argv, "+f:js:")) != -1) {
		switch (ch) {
		case 'f':
			o.conffile = optarg;
			o.conf_given = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 's':
			o.socket = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (sodium_init() == -1) {
		fprintf(stderr, "gatewayctl: sodium_init failed\n");
		return 1;
	}
	for (i = 0; i < nitems(ctl_commands); i++)
		if (strcmp(argv[0], ctl_commands[i].name) == 0) {
			optind = 1;	/* each command parses its own flags */
			return ctl_commands[i].fn(&o, argc, argv) == 0 ? 0 : 1;
		}
	fprintf(stderr, "gatewayctl: unknown command %s\n", argv[0]);
	usage();
}
