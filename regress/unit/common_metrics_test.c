/*
 * The Prometheus exposition (metrics.c) follows the conventions
 * promtool checks: HELP and TYPE for every family, counters named
 * _total, gauges typed gauge; and the name table (metric_names.c) is
 * sorted, unique and described, so metric_name_find finds every row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	return t_done();
}
