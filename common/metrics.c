/*
 * The status records every process sends, decoded as hostile input,
 * and their Prometheus text (metrics.h).
 */
#include <ctype.h>
#include <string.h>

#include "metric_names.h"
#include "metrics.h"

/* Metric names allow [a-zA-Z0-9_:]; anything else becomes '_'. */
static void
metrics_name(char *out, size_t len, const char *name)
{
	size_t	 i;

	for (i = 0; name[i] != '\0' && i + 1 < len; i++)
		out[i] = isalnum((unsigned char)name[i]) || name[i] == '_' ?
		    name[i] : '_';
	out[i] = '\0';
}

static int
metrics_seen(const struct metrics_proc *procs, size_t upto, size_t ci,
    const char *name)
{
	size_t	 i, j;

	for (i = 0; i <= upto; i++)
		for (j = 0; j < procs[i].p.ncounters; j++) {
			if (i == upto && j >= ci)
				return 0;
			if (strcmp(procs[i].c[j].name, name) == 0)
				return 1;
		}
	return 0;
}

/*
 * HELP and TYPE of one family from metric_names.c; its name, with the
 * _total a counter takes, into name.  A name with no row (a process
 * of another version) is still shown, untyped.
 */
static void
metrics_family(FILE *fp, const char *cn, char *name, size_t len)
{
	const struct metric_name	*mn = metric_name_find(cn);
	char				 base[GW_COUNTER_NAME_MAX];

	if (mn == NULL || mn->kind == METRIC_HISTOGRAM) {
		metrics_name(name, len, cn);
		fprintf(fp, "# HELP gatewayd_%s Not described by this "
		    "version.\n# TYPE gatewayd_%s untyped\n", name, name);
		return;
	}
	metrics_name(base, sizeof(base), mn->prom != NULL ? mn->prom : cn);
	snprintf(name, len, "%s%s", base,
	    mn->kind == METRIC_COUNTER ? "_total" : "");
	fprintf(fp, "# HELP gatewayd_%s %s\n# TYPE gatewayd_%s %s\n", name,
	    mn->help, name, mn->kind == METRIC_COUNTER ? "counter" : "gauge");
}

/*
 * Histogram `mn' of every process from `from' on that has its _count:
 * its buckets (registered in ascending order, cumulative), +Inf, _sum
 * in seconds and _count.
 */
static void
metrics_histogram(FILE *fp, const struct metrics_proc *procs,
    size_t n, size_t from, const struct metric_name *mn)
{
	const struct metric_name	*r;
	char				 fam[GW_COUNTER_NAME_MAX];
	size_t				 k;
	uint32_t			 m, le;
	uint64_t			 count, sum;

	metrics_name(fam, sizeof(fam), mn->name);
	fprintf(fp, "# HELP gatewayd_%s %s\n# TYPE gatewayd_%s histogram\n",
	    fam, mn->help, fam);
	for (k = from; k < n; k++) {
		const struct metrics_proc *p = &procs[k];
		int has = 0;

		count = sum = 0;
		for (m = 0; m < p->p.ncounters; m++) {
			switch (metric_hist_part(p->c[m].name, &r, &le)) {
			case METRIC_PART_COUNT:
				if (r == mn) {
					count = p->c[m].value;
					has = 1;
				}
				break;
			case METRIC_PART_SUM:
				if (r == mn)
					sum = p->c[m].value;
				break;
			default:
				break;
			}
		}
		if (!has)
			continue;
		for (m = 0; m < p->p.ncounters; m++)
			if (metric_hist_part(p->c[m].name, &r, &le) ==
			    METRIC_PART_BUCKET && r == mn)
				fprintf(fp, "gatewayd_%s_bucket{process=\"%s\","
				    "le=\"%.6g\"} %llu\n", fam, p->p.role,
				    le / 1e6,
				    (unsigned long long)p->c[m].value);
		fprintf(fp, "gatewayd_%s_bucket{process=\"%s\",le=\"+Inf\"} "
		    "%llu\ngatewayd_%s_sum{process=\"%s\"} %.6f\n"
		    "gatewayd_%s_count{process=\"%s\"} %llu\n", fam,
		    p->p.role, (unsigned long long)count, fam, p->p.role,
		    sum / 1e6, fam, p->p.role, (unsigned long long)count);
	}
}

int
metrics_proc_decode(const uint8_t *data, size_t len, struct metrics_proc *m)
{
	uint32_t	 i;

	memset(m, 0, sizeof(*m));
	if (len < sizeof(m->p))
		return -1;
	memcpy(&m->p, data, sizeof(m->p));
	if (m->p.ncounters > GW_COUNTERS_MAX ||
	    len != sizeof(m->p) + m->p.ncounters * sizeof(m->c[0]))
		return -1;
	m->p.role[sizeof(m->p.role) - 1] = '\0';
	memcpy(m->c, data + sizeof(m->p), m->p.ncounters * sizeof(m->c[0]));
	for (i = 0; i < m->p.ncounters; i++)
		m->c[i].name[sizeof(m->c[i].name) - 1] = '\0';
	return 0;
}

void
metrics_write(FILE *fp, const struct metrics_proc *in, size_t n, time_t now)
{
	struct metrics_proc	 procs[PROC_MAX];
	const struct metric_name *mn;
	char			 name[GW_COUNTER_NAME_MAX + 8];
	size_t			 i, j, k;
	uint32_t		 le;
	enum metric_part	 part;

	/* Label values too: a role is a word, whatever a process sent. */
	if (n > PROC_MAX)
		n = PROC_MAX;
	for (i = 0; i < n; i++) {
		procs[i] = in[i];
		metrics_name(procs[i].p.role, sizeof(procs[i].p.role),
		    in[i].p.role);
	}

	fprintf(fp, "# HELP gatewayd_process_uptime_seconds Seconds since "
	    "the process started.\n# TYPE gatewayd_process_uptime_seconds "
	    "gauge\n");
	for (i = 0; i < n; i++)
		fprintf(fp, "gatewayd_process_uptime_seconds{process=\"%s\"} "
		    "%lld\n", procs[i].p.role,
		    (long long)(now - procs[i].p.started));
	fprintf(fp, "# HELP gatewayd_process_sandboxed 1 if the process runs "
	    "under its seccomp allowlist.\n# TYPE gatewayd_process_sandboxed "
	    "gauge\n");
	for (i = 0; i < n; i++)
		fprintf(fp, "gatewayd_process_sandboxed{process=\"%s\"} %u\n",
		    procs[i].p.role, procs[i].p.sandboxed ? 1 : 0);
	/* One family per counter name, all processes that have it. */
	for (i = 0; i < n; i++)
		for (j = 0; j < procs[i].p.ncounters; j++) {
			const char *cn = procs[i].c[j].name;

			if (metrics_seen(procs, i, j, cn))
				continue;
			part = metric_hist_part(cn, &mn, &le);
			/* A histogram's parts: once, at its _count. */
			if (part == METRIC_PART_COUNT)
				metrics_histogram(fp, procs, n, i, mn);
			if (part != METRIC_PART_NONE)
				continue;
			metrics_family(fp, cn, name, sizeof(name));
			for (k = i; k < n; k++) {
				uint32_t m;

				for (m = 0; m < procs[k].p.ncounters; m++)
					if (strcmp(procs[k].c[m].name, cn) == 0)
						fprintf(fp, "gatewayd_%s{process="
						    "\"%s\"} %llu\n", name,
						    procs[k].p.role,
						    (unsigned long long)
						    procs[k].c[m].value);
			}
		}
}
