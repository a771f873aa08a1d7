/*
 * Every counter name a process registers (counter_get), with what
 * Prometheus needs to know of it: its kind, its help text, and its name
 * there when the status name lacks a unit.  metrics_write renders from
 * it; a name without a row is a defect test builds stop on.
 */
#ifndef GW_METRIC_NAMES_H
#define GW_METRIC_NAMES_H

#include <stdint.h>

enum metric_kind {
	METRIC_COUNTER,		/* only goes up: rendered <name>_total */
	METRIC_GAUGE,		/* a level, up and down */
	METRIC_HISTOGRAM	/* histogram.h's counters, one family */
};

enum metric_part {
	METRIC_PART_NONE,
	METRIC_PART_BUCKET,	/* <name>_bucket_le_<us> */
	METRIC_PART_SUM,	/* <name>_sum_us */
	METRIC_PART_COUNT	/* <name>_count */
};

struct metric_name {
	const char		*name;	/* as gatewayctl status shows it */
	const char		*prom;	/* NULL: name; without _total */
	enum metric_kind	 kind;
	const char		*help;
};

extern const struct metric_name	metric_names[];
extern const unsigned		metric_nnames;

/* The row of a status name, or NULL. */
const struct metric_name	*metric_name_find(const char *);
/*
 * Whether counter `name' is a part of a histogram with a row: then its
 * row in *row, the bucket bound in *le_us for a bucket.
 */
enum metric_part	 metric_hist_part(const char *name,
			    const struct metric_name **row, uint32_t *le_us);
/* A name a process may register: a row's, or a histogram's part. */
int			 metric_name_known(const char *);

#endif
