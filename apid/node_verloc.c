/*
 * nym-node's VerlocStats (node_verloc.h), field for field from
 * nym-node-requests api/v1/metrics/models.rs: serde's externally
 * tagged VerlocResult with camelCase variants ("unavailable",
 * "measurementInProgress", {"data": VerlocResultData}), times in RFC
 * 3339, durations as humantime strings, a failed node's
 * latest_measurement null.  nym-node shows `previous' only once it has
 * finished; `current' is in progress until it ends.  (nym-node's
 * handler then shows the previous run's data as current, verloc.rs;
 * we show the current run's own, which is what the field says.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base58.h"
#include "log.h"
#include "node_verloc.h"
#include "util.h"
#include "verloc.h"

static void
run_clear(struct node_verloc_run *r)
{
	free(r->r);
	memset(r, 0, sizeof(*r));
}

/* RFC 3339 as Rust's time crate writes it: UTC, "Z", the fraction
 * only when there is one, without trailing zeros. */
static void
rfc3339_us(char *buf, size_t len, int64_t us)
{
	struct tm	 tm;
	time_t		 t = (time_t)(us / 1000000);
	long		 frac = (long)(us % 1000000);
	char		 f[16] = "";
	size_t		 n;

	if (us < 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "1970-01-01T00:00:00Z");
		return;
	}
	if (frac != 0) {
		snprintf(f, sizeof(f), ".%06ld", frac);
		for (n = strlen(f); f[n - 1] == '0'; n--)
			f[n - 1] = '\0';
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%sZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, f);
}

static void
write_duration(FILE *fp, const char *name, uint64_t us, int comma)
{
	char	 b[96];

	if (verloc_humantime(us, b, sizeof(b)) == -1)
		snprintf(b, sizeof(b), "0s");
	fprintf(fp, "%s\"%s\":\"%s\"", comma ? "," : "", name, b);
}

static void
write_result(FILE *fp, const struct gw_verloc_result *e)
{
	char	 id[64];

	if (base58_encode(e->identity, sizeof(e->identity), id, sizeof(id)) ==
	    -1)
		id[0] = '\0';
	fprintf(fp, "{\"node_identity\":\"%s\",\"latest_measurement\":", id);
	if (!e->measured) {
		fprintf(fp, "null}");
		return;
	}
	fprintf(fp, "{");
	write_duration(fp, "minimum", e->minimum_us, 0);
	write_duration(fp, "mean", e->mean_us, 1);
	write_duration(fp, "maximum", e->maximum_us, 1);
	write_duration(fp, "standard_deviation", e->stddev_us, 1);
	fprintf(fp, "}}");
}

static void
write_run(FILE *fp, const struct node_verloc_run *r, int current)
{
	char		 t0[40], t1[40];
	uint32_t	 i;

	if (r->h.state == GW_VERLOC_NONE ||
	    (r->h.state == GW_VERLOC_RUNNING && !current)) {
		fprintf(fp, "\"unavailable\"");
		return;
	}
	if (r->h.state == GW_VERLOC_RUNNING) {
		fprintf(fp, "\"measurementInProgress\"");
		return;
	}
	rfc3339_us(t0, sizeof(t0), r->h.started_us);
	rfc3339_us(t1, sizeof(t1), r->h.finished_us);
	fprintf(fp, "{\"data\":{\"nodes_tested\":%u,\"run_started\":\"%s\","
	    "\"run_finished\":\"%s\",\"results\":[", r->h.nodes_tested, t0,
	    t1);
	for (i = 0; i < r->h.total; i++) {
		if (i > 0)
			fputc(',', fp);
		write_result(fp, &r->r[i]);
	}
	fprintf(fp, "]}}");
}

static void
node_verloc_write(struct node_verloc *nv)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		fatal("open_memstream");
	fprintf(fp, "{\"previous\":");
	write_run(fp, &nv->shown[0], 0);
	fprintf(fp, ",\"current\":");
	write_run(fp, &nv->shown[1], 1);
	fprintf(fp, "}");
	if (fclose(fp) != 0)
		fatal("open_memstream");
	free(nv->json);
	nv->json = buf;
	nv->len = len;
}

void
node_verloc_init(struct node_verloc *nv)
{
	memset(nv, 0, sizeof(*nv));
	node_verloc_write(nv);
}

void
node_verloc_free(struct node_verloc *nv)
{
	int	 i;

	for (i = 0; i < 2; i++) {
		run_clear(&nv->arriving[i]);
		run_clear(&nv->shown[i]);
	}
	free(nv->json);
	nv->json = NULL;
}

static int
header_ok(const struct gw_verloc_results *h, size_t len)
{
	if (h->run > 1 || h->state > GW_VERLOC_FINISHED ||
	    h->total > GW_VERLOC_NODES_MAX || h->n > GW_VERLOC_CHUNK ||
	    h->first > h->total || h->n > h->total - h->first ||
	    len != sizeof(*h) + (size_t)h->n *
	    sizeof(struct gw_verloc_result))
		return 0;
	/* A run without results states nothing but that it is none. */
	if (h->state == GW_VERLOC_NONE && h->total != 0)
		return 0;
	return h->total <= h->nodes_tested || h->state == GW_VERLOC_NONE;
}

int
node_verloc_feed(struct node_verloc *nv, const void *data, size_t len)
{
	struct gw_verloc_results	 h;
	struct node_verloc_run		*a;
	const uint8_t			*p = data;

	if (len < sizeof(h))
		return -1;
	memcpy(&h, p, sizeof(h));
	if (!header_ok(&h, len))
		return -1;
	a = &nv->arriving[h.run];
	if (h.first == 0) {
		run_clear(a);
		a->h = h;
		a->r = xcalloc(h.total ? h.total : 1, sizeof(*a->r));
	} else if (a->r == NULL || h.first != a->got ||
	    h.total != a->h.total || h.state != a->h.state ||
	    h.started_us != a->h.started_us)
		return -1;
	/* The bytes as they came: no alignment promised. */
	memcpy(a->r + h.first, p + sizeof(h), (size_t)h.n * sizeof(*a->r));
	a->got += h.n;
	if (a->got < a->h.total)
		return 0;
	run_clear(&nv->shown[h.run]);
	nv->shown[h.run] = *a;
	memset(a, 0, sizeof(*a));
	node_verloc_write(nv);
	return 0;
}
