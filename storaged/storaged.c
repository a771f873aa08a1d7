/*
 * storaged: the only process that opens LMDB.  Owns client keys,
 * inboxes, bandwidth, spent tickets and counters, and answers mixd,
 * clientd and credd over imsg.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "storaged.h"

static struct worker	 storaged_worker;
static struct storaged	 storaged_state;

static const struct worker_ops storaged_ops = {
	.start = NULL,
};

int
main(int argc, char *argv[])
{
	struct worker		*w = &storaged_worker;
	struct storaged		*sd = &storaged_state;
	const struct gw_conf_storaged *conf;

	if (argc == 2 && strcmp(argv[1], "-S") == 0) {
		sandbox_print(&storaged_policy, stdout);
		return 0;
	}
	worker_init(w, PROC_STORAGED, argc, argv);
	conf = &w->conf.storaged;
	sd->w = w;
	w->role = sd;
	/* As root: chroot into the data directory, then the storage user. */
	worker_drop(w, worker_common(w)->chroot_dir);
	db_open(sd, conf->data_dir, conf->map_size);
	worker_confine(w, &storaged_policy);
	worker_run(w, &storaged_ops);
	db_close(sd);
	return 0;
}
