/*
 * clientd: Nym clients over WebSocket and the node HTTP API.  Everything
 * it reads comes from the internet.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "clientd.h"
#include "log.h"

static struct worker	 clientd_worker;

static const struct worker_ops clientd_ops = {
	.start = NULL,
};

int
main(int argc, char *argv[])
{
	struct worker	*w = &clientd_worker;

	if (argc == 2 && strcmp(argv[1], "-S") == 0) {
		sandbox_print(&clientd_policy, stdout);
		return 0;
	}
	worker_init(w, PROC_CLIENTD, argc, argv);
	if (sodium_init() == -1)
		fatalx("sodium_init");
	worker_sandbox(w, worker_common(w)->chroot_dir, &clientd_policy);
	worker_run(w, &clientd_ops);
	return 0;
}
