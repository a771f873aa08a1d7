/*
 * credd: zk-nym tickets and every question the gateway asks nym-api.
 * The only process that links libcurl and reaches the outside network;
 * whatever it reads there is parsed and bounded here before any of it
 * reaches a sibling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "credd.h"
#include "log.h"
#include "util.h"

/* A CA bundle: the system's is ~200 KiB. */
#define CREDD_CA_MAX	(4 * 1024 * 1024)

static struct worker	 credd_worker;
static struct credd	 credd_state;

static void
credd_reconf(struct worker *w, const void *conf)
{
	struct credd			*cd = w->role;
	const struct gw_conf_credd	*c = conf;
	uint32_t			 i;

	if (conf != &w->conf.credd)
		memcpy(&w->conf.credd, c, sizeof(w->conf.credd));
	cd->nbases = 0;
	for (i = 0; i < w->conf.credd.n_nym_api_urls && i < GW_MAX_APIURLS;
	    i++) {
		w->conf.credd.nym_api_urls[i][GW_URL_MAX - 1] = '\0';
		cd->bases[cd->nbases++] = w->conf.credd.nym_api_urls[i];
	}
	/* New URLs may list other signers. */
	cd->signers_known = 0;
	cd->nsets = 0;
	vkeys_forget();
	w->conf.credd.nyxd_url[GW_URL_MAX - 1] = '\0';
	w->conf.credd.dkg_contract[GW_COSMOS_ADDR_MAX - 1] = '\0';
	dkg_forget();
	if (cd->upgrade != NULL)
		upgrade_reconf(cd);
	refresh_reconf(cd);
}

static void
credd_start(struct worker *w)
{
	struct credd	*cd = w->role;

	verify_start(cd);
	topology_start(cd);
	upgrade_start(cd);
	keyrotation_start(cd);
	refresh_start(cd);
}

static void
credd_stop(struct worker *w)
{
	struct credd	*cd = w->role;

	verify_free();
	refresh_free();
	upgrade_free(cd);
	nymapi_free(cd->api);
	cd->api = NULL;
	resolver_free(cd->resolver);
	cd->resolver = NULL;
}

static const struct worker_ops credd_ops = {
	.dispatch = {
		[PROC_PARENT] = credd_dispatch_parent,
		[PROC_CLIENTD] = credd_dispatch_clientd,
		[PROC_STORAGED] = credd_dispatch_storaged,
	},
	.start = credd_start,
	.reconf = credd_reconf,
	.stop = credd_stop,
};

/*
 * nym_api.ca_file, read whole before the sandbox (which would still let
 * us open it, but a chroot or a Landlock rule added later would not):
 * libcurl gets it as a blob.  Its absence is fatal: silently falling
 * back to the system store would trust what the operator did not.
 */
static char *
credd_read_ca(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf;
	size_t	 n;

	if (path[0] == '\0')
		return NULL;
	if ((fp = fopen(path, "re")) == NULL)
		fatal("nym_api.ca_file %s", path);
	buf = xmalloc(CREDD_CA_MAX + 1);
	n = fread(buf, 1, CREDD_CA_MAX + 1, fp);
	if (ferror(fp))
		fatal("nym_api.ca_file %s", path);
	fclose(fp);
	if (n > CREDD_CA_MAX)
		fatalx("nym_api.ca_file %s: larger than %d bytes", path,
		    CREDD_CA_MAX);
	buf[n] = '\0';
	if (strstr(buf, "-----BEGIN CERTIFICATE-----") == NULL)
		fatalx("nym_api.ca_file %s: no PEM certificate in it", path);
	*len = n;
	return buf;
}

int
main(int argc, char *argv[])
{
	struct worker	*w = &credd_worker;
	struct credd	*cd = &credd_state;
	char		*ca;
	size_t		 calen = 0;

	worker_init(w, PROC_CREDD, &credd_policy, argc, argv);
	if (sodium_init() == -1)
		fatalx("sodium_init");
	/* Before the first JSON object: see clientd's main. */
	json_object_seed(randombytes_random() | 1);
	/* Loads OpenSSL's config: must happen before the sandbox. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init");
	/* libgcrypt's and the curve's set-up: before the sandbox too. */
	if (ecash_init() == -1)
		fatalx("ecash_init");
	cd->w = w;
	w->role = cd;
	credd_reconf(w, &w->conf.credd);
	cd->retry_ms = credd_interval("GW_TEST_CREDD_RETRY_MS",
	    VERIFY_RETRY_MS);
	cd->topology_ms = credd_interval("GW_TEST_CREDD_TOPOLOGY_MS",
	    TOPOLOGY_REFRESH_MS);
	cd->vk_retry_s = credd_interval("GW_TEST_CREDD_VK_RETRY_MS",
	    VKEY_RETRY_S * 1000) / 1000;
	cd->dkg_retry_s = credd_interval("GW_TEST_CREDD_DKG_RETRY_MS",
	    DKG_RETRY_S * 1000) / 1000;
	if (cd->dkg_retry_s == 0)
		cd->dkg_retry_s = 1;
	w->conf.credd.nym_api_ca_file[PATH_MAX - 1] = '\0';
	ca = credd_read_ca(w->conf.credd.nym_api_ca_file, &calen);
	credd_counters_init(cd);
	cd->resolver = resolver_new(w->base, w->conf.credd.nym_api_timeout_ms ?
	    w->conf.credd.nym_api_timeout_ms : 10000, cd->c_dns_lookups,
	    cd->c_dns_failures);
	cd->api = nymapi_new(w->base, cd->resolver,
	    w->conf.credd.nym_api_timeout_ms, ca, calen);
	free(ca);
	verify_init(cd);
	upgrade_init(cd);
	worker_sandbox(w, "", &credd_policy);
	worker_run(w, &credd_ops);
	nymapi_free(cd->api);
	resolver_free(cd->resolver);
	curl_global_cleanup();
	return 0;
}
