/*
 * A Prometheus histogram carried as ordinary counters, so the status
 * record (struct gw_counter) and gatewayctl status need no new shape:
 * "<name>_bucket_le_<us>" (cumulative: observations <= us microseconds),
 * "<name>_sum_us" and "<name>_count".  metrics_write renders them as one
 * histogram family <name> with le in seconds and +Inf = _count.  Bounds
 * are fixed per histogram (metric_names.c documents them); observing is
 * O(buckets) increments and allocates nothing.
 */
#ifndef GW_HISTOGRAM_H
#define GW_HISTOGRAM_H

#include <stdint.h>

#include "proc.h"

#define HISTOGRAM_BUCKETS_MAX	16

struct histogram {
	unsigned	 n;
	uint32_t	 le_us[HISTOGRAM_BUCKETS_MAX];
	uint64_t	*bucket[HISTOGRAM_BUCKETS_MAX];
	uint64_t	*sum_us, *count;
};

/* delivery_seconds, in clientd and storaged alike: 0.1 ms to 10 s. */
#define GW_DELIVERY_NBOUNDS	13
extern const uint32_t	gw_delivery_bounds[GW_DELIVERY_NBOUNDS];

/* bounds: n ascending microsecond bounds, n <= HISTOGRAM_BUCKETS_MAX. */
void		histogram_init(struct histogram *, struct gw_counters *,
		    const char *name, const uint32_t *bounds, unsigned n);
void		histogram_observe(struct histogram *, uint64_t us);
/* CLOCK_MONOTONIC in microseconds. */
uint64_t	histogram_now_us(void);

#endif
