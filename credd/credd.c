/*
 * credd: zk-nym tickets and every question the gateway asks nym-api.
 * The only process that links libcurl and reaches the outside network.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "credd.h"
#include "log.h"

static struct worker	 credd_worker;

static const struct worker_ops credd_ops = {
	.start = NULL,
};

int
main(int argc, char *argv[])
{
	struct worker	*w = &credd_worker;

	if (argc == 2 && strcmp(argv[1], "-S") == 0) {
		sandbox_print(&credd_policy, stdout);
		return 0;
	}
	worker_init(w, PROC_CREDD, argc, argv);
	if (sodium_init() == -1)
		fatalx("sodium_init");
	/* Loads OpenSSL's config: must happen before the sandbox. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init");
	worker_sandbox(w, "", &credd_policy);
	worker_run(w, &credd_ops);
	curl_global_cleanup();
	return 0;
}
