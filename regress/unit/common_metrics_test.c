/*
 * The Prometheus exposition (metrics.c) follows the conventions
 * promtool checks: HELP and TYPE for every family, counters named
 * _total, gauges typed gauge; and the name table (metric_names.c) is
 * sorted, unique and described, so metric_name_find finds every row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/histogram.h"
#include "common/metric_names.h"
#include "common/metrics.h"
#include "testlib.h"

static void
proc(struct metrics_proc *m, const char *role, const char **names,
    const uint64_t *vals, unsigned n)
{
	unsigned	 i;

	memset(m, 0, sizeof(*m));
	snprintf(m->p.role, sizeof(m->p.role), "%s", role);
	m->p.started = 100;
	m->p.ncounters = n;
	for (i = 0; i < n; i++) {
		snprintf(m->c[i].name, sizeof(m->c[i].name), "%s", names[i]);
		m->c[i].value = vals[i];
	}
}

/* Every sample line's family has "# HELP f " and "# TYPE f " before it. */
static int
described(const char *text)
{
	char	*copy = strdup(text), *line, *save, fam[128], want[160];
	int	 ok = 1;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		size_t n;

		if (line[0] == '#')
			continue;
		n = strcspn(line, "{ ");
		if (n >= sizeof(fam))
			return 0;
		memcpy(fam, line, n);
		fam[n] = '\0';
		snprintf(want, sizeof(want), "# TYPE %s histogram", fam);
		/* A histogram's samples are <family>_bucket, _sum, _count. */
		if (strstr(text, want) == NULL) {
			static const char *suf[] = { "_bucket", "_sum",
			    "_count" };
			size_t k, sl;

			for (k = 0; k < 3; k++) {
				sl = strlen(suf[k]);
				if (n > sl &&
				    strcmp(fam + n - sl, suf[k]) == 0) {
					fam[n - sl] = '\0';
					break;
				}
			}
		}
		snprintf(want, sizeof(want), "# HELP %s ", fam);
		if (strstr(text, want) == NULL || strstr(text, want) > strstr(
		    text, line))
			ok = 0;
		snprintf(want, sizeof(want), "# TYPE %s ", fam);
		if (strstr(text, want) == NULL)
			ok = 0;
	}
	free(copy);
	return ok;
}

int
main(void)
{
	static struct metrics_proc	 m[2];
	const char			*mixn[] = { "packets_in", "bytes_in",
					    "peers_open", "not_a_known_one" };
	const uint64_t			 mixv[] = { 7, 700, 3, 1 };
	const char			*cln[] = { "connections_open",
					    "accept_backoffs" };
	const uint64_t			 clv[] = { 2, 5 };
	char				*text = NULL;
	size_t				 len = 0;
	unsigned			 i;
	FILE				*fp;

	T_BEGIN("name table: sorted, unique, described, found");
	for (i = 0; i < metric_nnames; i++) {
		CHECKF(i == 0 || strcmp(metric_names[i - 1].name,
		    metric_names[i].name) < 0, "%s", metric_names[i].name);
		CHECKF(metric_names[i].help[0] != '\0' &&
		    strchr(metric_names[i].help, '\n') == NULL &&
		    strchr(metric_names[i].help, '\\') == NULL, "%s",
		    metric_names[i].name);
		CHECKF(strlen(metric_names[i].name) < GW_COUNTER_NAME_MAX,
		    "%s", metric_names[i].name);
		CHECK(metric_name_find(metric_names[i].name) ==
		    &metric_names[i]);
	}
	CHECK(metric_name_find("packets_i") == NULL);
	CHECK(metric_name_find("") == NULL);
	T_END();

	proc(&m[0], "mixd", mixn, mixv, 4);
	proc(&m[1], "clientd", cln, clv, 2);
	fp = open_memstream(&text, &len);
	metrics_write(fp, m, 2, 160);
	fclose(fp);

	T_BEGIN("exposition: HELP and TYPE before every family's samples");
	CHECKF(described(text), "%s", text);
	T_END();

	T_BEGIN("exposition: counters _total, gauges gauge, units named");
	CHECK(strstr(text, "# TYPE gatewayd_packets_in_total counter\n"));
	CHECK(strstr(text, "gatewayd_packets_in_total{process=\"mixd\"} 7\n"));
	CHECK(strstr(text, "# TYPE gatewayd_mix_received_bytes_total "
	    "counter\n"));
	CHECK(strstr(text, "gatewayd_mix_received_bytes_total{process="
	    "\"mixd\"} 700\n"));
	CHECK(strstr(text, "# TYPE gatewayd_peers_open gauge\n"));
	CHECK(strstr(text, "# TYPE gatewayd_connections_open gauge\n"));
	CHECK(strstr(text, "gatewayd_accept_backoffs_total{process="
	    "\"clientd\"} 5\n"));
	CHECK(strstr(text, "gatewayd_process_uptime_seconds{process="
	    "\"clientd\"} 60\n"));
	/* Only the name no row describes is untyped. */
	CHECK(strstr(text, " untyped\n") == strstr(text,
	    "# TYPE gatewayd_not_a_known_one untyped\n") + 31);
	CHECK(strstr(text, "gatewayd_packets_in{") == NULL);
	T_END();
	free(text);

	T_BEGIN("histogram: observe is cumulative; rendered le, +Inf, sum");
	{
		static struct gw_counters	 cs;
		static const uint32_t		 b[] = { 1000, 5000, 10000 };
		struct histogram		 h;
		const uint64_t			 obs[] = { 0, 1000, 1001, 7000,
						    20000 };

		histogram_init(&h, &cs, "storage_commit_seconds", b, 3);
		for (i = 0; i < 5; i++)
			histogram_observe(&h, obs[i]);
		CHECK(*h.bucket[0] == 2 && *h.bucket[1] == 3 &&
		    *h.bucket[2] == 4 && *h.count == 5 &&
		    *h.sum_us == 29001);
		memset(&m[0], 0, sizeof(m[0]));
		snprintf(m[0].p.role, sizeof(m[0].p.role), "storaged");
		m[0].p.ncounters = cs.n;
		memcpy(m[0].c, cs.c, cs.n * sizeof(cs.c[0]));
		text = NULL;
		fp = open_memstream(&text, &len);
		metrics_write(fp, m, 1, 0);
		fclose(fp);
		CHECKF(described(text), "%s", text);
		CHECK(strstr(text, "# TYPE gatewayd_storage_commit_seconds "
		    "histogram\n"));
		CHECK(strstr(text, "gatewayd_storage_commit_seconds_bucket{"
		    "process=\"storaged\",le=\"0.001\"} 2\n"
		    "gatewayd_storage_commit_seconds_bucket{"
		    "process=\"storaged\",le=\"0.005\"} 3\n"
		    "gatewayd_storage_commit_seconds_bucket{"
		    "process=\"storaged\",le=\"0.01\"} 4\n"
		    "gatewayd_storage_commit_seconds_bucket{"
		    "process=\"storaged\",le=\"+Inf\"} 5\n"
		    "gatewayd_storage_commit_seconds_sum{"
		    "process=\"storaged\"} 0.029001\n"
		    "gatewayd_storage_commit_seconds_count{"
		    "process=\"storaged\"} 5\n"));
		CHECK(strstr(text, "_bucket_le_") == NULL &&
		    strstr(text, "_sum_us") == NULL);
		CHECK(metric_name_known("storage_commit_seconds_count") &&
		    metric_name_known("storage_commit_seconds_bucket_le_7") &&
		    !metric_name_known("storage_commit_seconds") &&
		    !metric_name_known("packets_in_count") &&
		    !metric_name_known("storage_commit_seconds_bucket_le_x"));
		free(text);
	}
	T_END();
	return t_done();
}
