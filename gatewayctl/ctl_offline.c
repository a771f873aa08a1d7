/*
 * Commands that work on the files alone: init, node-details (signing
 * and bonding-information are in ctl_bond.c).
 */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "base58.h"
#include "gatewayctl.h"
#include "keys.h"
#include "util.h"

int
ctl_load_config(struct ctl_opts *o, struct gw_config *conf)
{
	if (config_parse_file(conf, o->conffile, stderr) != 0) {
		fprintf(stderr, "gatewayctl: %s: config has errors\n",
		    o->conffile);
		return -1;
	}
	return 0;
}

static int
ctl_join(char *dst, size_t len, const char *dir, const char *name)
{
	int	 n = snprintf(dst, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The development layout `make run` uses: everything under one dir. */
static int
ctl_dev_config(struct gw_config *c, const char *dir)
{
	struct gw_listen_set	*sets[] = { &c->listen_clients,
				    &c->listen_mix, &c->listen_http,
				    &c->listen_verloc };
	static const uint16_t	 ports[] = { 9000, 1789, 8080, 1790 };
	size_t			 i;

	config_defaults(c);
	if (ctl_join(c->keys_dir, sizeof(c->keys_dir), dir, "keys") == -1 ||
	    ctl_join(c->data_dir, sizeof(c->data_dir), dir, "data") == -1 ||
	    ctl_join(c->chroot_dir, sizeof(c->chroot_dir), dir, "empty") ==
	    -1 || ctl_join(c->control_socket, sizeof(c->control_socket), dir,
	    "gatewayd.sock") == -1) {
		fprintf(stderr, "gatewayctl: %s: path too long\n", dir);
		return -1;
	}
	gw_strlcpy(c->announce_host, "127.0.0.1", sizeof(c->announce_host));
	for (i = 0; i < nitems(sets); i++) {
		struct gw_listen *l = &sets[i]->addr[0];
		struct sockaddr_in *sin = (struct sockaddr_in *)&l->ss;

		memset(l, 0, sizeof(*l));
		sin->sin_family = AF_INET;
		sin->sin_port = htons(ports[i]);
		sin->sin_addr.s_addr = htonl(0x7f000001);
		l->sslen = sizeof(*sin);
		snprintf(l->text, sizeof(l->text), "127.0.0.1:%u", ports[i]);
		sets[i]->n = 1;
	}
	c->enforce_zk_nyms = 0;
	c->testnet = 1;
	/* A development gateway does not probe the whole network. */
	c->verloc_measure = 0;
	return 0;
}

static int
ctl_write_config(const char *path, const struct gw_config *c)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;
	int	 rv;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return -1;
	fprintf(fp, "# gatewayd.yaml: written by gatewayctl init; see "
	    "gatewayd.conf(5)\n");
	config_print(c, fp);
	fclose(fp);
	rv = gw_write_file_excl(path, buf, len, 0640);
	if (rv == -1)
		fprintf(stderr, "gatewayctl: %s: %s\n", path, strerror(errno));
	free(buf);
	return rv;
}

/* The config's directory (e.g. /etc/gatewayd), 0755, if missing. */
static int
ctl_mkdir_parent(const char *path)
{
	char	 dir[PATH_MAX], *slash;

	if (gw_strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return -1;
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "gatewayctl: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* The identity key decides whether this is a new gateway. */
static int
ctl_keys_exist(const char *keys_dir)
{
	char	 p[PATH_MAX + 32];

	return ctl_join(p, sizeof(p), keys_dir, KEYS_IDENTITY_FILE) == 0 &&
	    access(p, F_OK) == 0;
}

int
ctl_init(struct ctl_opts *o, int argc, char *argv[])
{
	struct gw_config	*conf = xcalloc(1, sizeof(*conf));
	char			 dir[PATH_MAX], path[PATH_MAX + 16];
	char			 err[PATH_MAX + 128];
	const char		*devdir = NULL, *host = NULL;
	int			 ch, rv = -1;

	while ((ch = getopt(argc, argv, "D:H:")) != -1) {
		switch (ch) {
		case 'D':
			devdir = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		default:
			fprintf(stderr, "usage: gatewayctl init [-D dir] "
			    "[-H host]\n");
			goto out;
		}
	}
	if (devdir != NULL) {
		if (mkdir(devdir, 0755) == -1 && errno != EEXIST) {
			fprintf(stderr, "gatewayctl: %s: %s\n", devdir,
			    strerror(errno));
			goto out;
		}
		if (realpath(devdir, dir) == NULL) {
			fprintf(stderr, "gatewayctl: %s: %s\n", devdir,
			    strerror(errno));
			goto out;
		}
		if (ctl_join(path, sizeof(path), dir, "gatewayd.yaml") == -1 ||
		    ctl_dev_config(conf, dir) == -1)
			goto out;
		if (!o->conf_given)
			o->conffile = path;
	} else
		config_defaults(conf);
	if (host != NULL && gw_strlcpy(conf->announce_host, host,
	    sizeof(conf->announce_host)) >= sizeof(conf->announce_host)) {
		fprintf(stderr, "gatewayctl: host name too long\n");
		goto out;
	}
	if (access(o->conffile, F_OK) == -1) {
		/* With wildcard listeners only, the host must be given. */
		if (conf->announce_host[0] == '\0' && devdir == NULL) {
			fprintf(stderr, "gatewayctl: give the host name or "
			    "address clients reach this gateway at: "
			    "gatewayctl init -H host\n");
			goto out;
		}
		if (ctl_mkdir_parent(o->conffile) == -1 ||
		    ctl_write_config(o->conffile, conf) == -1)
			goto out;
		printf("wrote %s\n", o->conffile);
	} else if (host != NULL)
		fprintf(stderr, "gatewayctl: %s exists: -H ignored; edit "
		    "announce.host there\n", o->conffile);
	if (ctl_load_config(o, conf) == -1)
		goto out;
	/*
	 * Keys of a gateway made before Noise existed: add the Noise key
	 * alone and keep the rest, so init is the one command an operator
	 * needs.  With every key there, refuse as before.
	 */
	if (ctl_keys_exist(conf->keys_dir)) {
		if (keys_x25519_exists(conf->keys_dir, KEYS_NOISE_FILE)) {
			fprintf(stderr, "gatewayctl: keys exist in %s; "
			    "refusing to overwrite a key\n", conf->keys_dir);
			goto out;
		}
		if (keys_x25519_create(conf->keys_dir, KEYS_NOISE_FILE, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "gatewayctl: %s\n", err);
			goto out;
		}
		printf("added a Noise key in %s (existing keys kept)\n",
		    conf->keys_dir);
		rv = 0;
		goto out;
	}
	if (keys_generate(conf->keys_dir, err, sizeof(err)) == -1 ||
	    keys_x25519_create(conf->keys_dir, KEYS_NOISE_FILE, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "gatewayctl: %s\n", err);
		goto out;
	}
	printf("created identity, sphinx and noise keys in %s\n",
	    conf->keys_dir);
	rv = 0;
out:
	free(conf);
	return rv;
}

uint16_t
ctl_listen_port(const struct gw_listen_set *set)
{
	const struct sockaddr_in *sin;

	if (set->n == 0)
		return 0;
	/* sin_port sits at the same offset in sockaddr_in6. */
	sin = (const struct sockaddr_in *)&set->addr[0].ss;
	return ntohs(sin->sin_port);
}

int
ctl_node_details(struct ctl_opts *o, int argc, char *argv[])
{
	struct gw_config	*conf = xcalloc(1, sizeof(*conf));
	struct gw_identity	 id;
	struct gw_x25519	 sx;
	struct gw_x25519	 nz;
	char			 idb58[64], sxb58[64], err[PATH_MAX + 128];
	char			 nzb58[64];
	char			 hostbuf[GW_HOST_MAX];
	const char		*host;
	uint16_t		 ws;
	int			 rv = -1;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: gatewayctl node-details\n");
		goto out;
	}
	if (ctl_load_config(o, conf) == -1)
		goto out;
	if (keys_load_identity(conf->keys_dir, &id, err, sizeof(err)) == -1 ||
	    keys_load_sphinx(conf->keys_dir, &sx, err, sizeof(err)) == -1) {
		fprintf(stderr, "gatewayctl: %s\n", err);
		goto out;
	}
	/* No Noise key: announced as null (mixnet.noise off, or not added
	 * yet), so say so rather than fail. */
	nzb58[0] = '\0';
	if (conf->noise && keys_x25519_load(conf->keys_dir, KEYS_NOISE_FILE,
	    &nz, err, sizeof(err)) == 0)
		base58_encode(nz.pk, sizeof(nz.pk), nzb58, sizeof(nzb58));
	sodium_memzero(&nz, sizeof(nz));
	base58_encode(id.pk, sizeof(id.pk), idb58, sizeof(idb58));
	base58_encode(sx.pk, sizeof(sx.pk), sxb58, sizeof(sxb58));
	sodium_memzero(&id, sizeof(id));
	sodium_memzero(&sx, sizeof(sx));
	ws = config_announce_ws_port(conf);
	host = config_announce_host(conf, hostbuf, sizeof(hostbuf));
	if (o->json) {
		json_t *j = json_pack("{s:s, s:s, s:s?, s:s, s:i, s:i, s:i, "
		    "s:i, s:s}", "identity_key", idb58, "sphinx_key", sxb58,
		    "noise_key", nzb58[0] ? nzb58 : NULL,
		    "host", host ? host : "", "mix_port",
		    ctl_listen_port(&conf->listen_mix), "clients_ws_port", ws,
		    "clients_wss_port", conf->announce_wss_port,
		    "http_api_port", ctl_listen_port(&conf->listen_http), "version",
		    GW_VERSION);
		if (j == NULL)
			goto out;
		json_dumpf(j, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(j);
	} else {
		printf("Identity Key: %s\n", idb58);
		printf("Sphinx Key: %s\n", sxb58);
		printf("Noise Key: %s\n", nzb58[0] ? nzb58 :
		    "(none: Noise off or no key; see gatewayctl init)");
		printf("Host: %s\n", host ? host : "(none: set announce.host)");
		printf("Mix Port: %u\n", ctl_listen_port(&conf->listen_mix));
		printf("Clients WS Port: %u\n", ws);
		if (conf->announce_wss_port)
			printf("Clients WSS Port: %u\n",
			    conf->announce_wss_port);
		printf("HTTP API Port: %u\n", ctl_listen_port(&conf->listen_http));
		printf("Version: %s\n", GW_VERSION);
	}
	rv = 0;
out:
	free(conf);
	return rv;
}
