/*
 * Every counter name a process registers (counter_get), with what
 * Prometheus needs to know of it: its kind, its help text, and its name
 * there when the status name lacks a unit.  metrics_write renders from
 * it; a name without a row is a defect test builds stop on.
 */
#ifndef GW_METRIC_NAMES_H
#define GW_METRIC_NAMES_H

enum metric_kind {
	METRIC_COUNTER,		/* only goes up: rendered <name>_total */
	METRIC_GAUGE		/* a level, up and down */
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

#endif
