/*
 * Prometheus text exposition (format 0.0.4) of the processes' counters,
 * shared by `gatewayctl metrics` and the node HTTP API's /metrics.
 */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stdio.h>
#include <time.h>

#include "gw_imsg.h"

struct metrics_proc {
	struct gw_ctl_proc	 p;
	struct gw_counter	 c[GW_COUNTERS_MAX];
};

/*
 * Check and copy one IMSG_CTL_STATUS_PROC payload (struct gw_ctl_proc +
 * ncounters x struct gw_counter); every string is NUL-ended after.
 * 0, or -1 if the sizes disagree.
 */
int	metrics_proc_decode(const uint8_t *data, size_t len,
	    struct metrics_proc *);
/*
 * Counter names become gatewayd_<name>{process="<role>"}, with the
 * HELP, TYPE, unit and _total of their row in metric_names.c.
 */
void	metrics_write(FILE *, const struct metrics_proc *, size_t n,
	    time_t now);

#endif
