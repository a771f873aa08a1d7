/*
 * mixd: the mix port.  Holds the Sphinx keys, talks TCP to mix nodes,
 * unwraps final-hop packets and hands messages on for delivery.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "mixd.h"

static struct worker	 mixd_worker;

static const struct worker_ops mixd_ops = {
	.start = NULL,
};

int
main(int argc, char *argv[])
{
	struct worker	*w = &mixd_worker;

	if (argc == 2 && strcmp(argv[1], "-S") == 0) {
		sandbox_print(&mixd_policy, stdout);
		return 0;
	}
	worker_init(w, PROC_MIXD, argc, argv);
	if (sodium_init() == -1)
		fatalx("sodium_init");
	if (w->nkeys == 0)
		fatalx("no Sphinx key from master");
	worker_sandbox(w, worker_common(w)->chroot_dir, &mixd_policy);
	worker_run(w, &mixd_ops);
	return 0;
}
