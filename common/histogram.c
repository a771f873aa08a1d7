/* Histograms as counters (histogram.h). */
#include <stdio.h>
#include <time.h>

#include "histogram.h"
#include "log.h"
#include "proc.h"

const uint32_t gw_delivery_bounds[GW_DELIVERY_NBOUNDS] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 1000000, 10000000
};

void
histogram_init(struct histogram *h, struct gw_counters *cs,
    const char *name, const uint32_t *bounds, unsigned n)
{
	char		 cn[GW_COUNTER_NAME_MAX];
	unsigned	 i;

	if (n > HISTOGRAM_BUCKETS_MAX)
		fatalx("%s: %s: %u buckets", __func__, name, n);
	h->n = n;
	for (i = 0; i < n; i++) {
		if (i > 0 && bounds[i] <= bounds[i - 1])
			fatalx("%s: %s: bounds not ascending", __func__, name);
		h->le_us[i] = bounds[i];
		snprintf(cn, sizeof(cn), "%s_bucket_le_%u", name, bounds[i]);
		h->bucket[i] = counter_get(cs, cn);
	}
	snprintf(cn, sizeof(cn), "%s_sum_us", name);
	h->sum_us = counter_get(cs, cn);
	snprintf(cn, sizeof(cn), "%s_count", name);
	h->count = counter_get(cs, cn);
}

void
histogram_observe(struct histogram *h, uint64_t us)
{
	unsigned	 i;

	/* Cumulative, as Prometheus's buckets are. */
	for (i = 0; i < h->n; i++)
		if (us <= h->le_us[i])
			*h->bucket[i] += 1;
	*h->sum_us += us;
	*h->count += 1;
}

uint64_t
histogram_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
