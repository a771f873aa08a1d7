/*
 * /api/v1/load: nym-node's NodeLoad, worked out as nym-node does
 * (nym-node/src/node/http/state/load.rs): the machine's tier is the
 * 5-minute load average per CPU, one tier up when memory (or, with
 * more than 1 GiB of it, swap) is in a higher tier; the network's is
 * the busier direction of the eth and en interfaces against 1 Gbit/s
 * since the last sample; the total is the machine's, one tier up unless
 * the machine is busier than the network.  (Where nym-node reads free
 * swap as used, this reads used.)  The master samples it, because
 * apid's chroot has no /proc, every GW_LOAD_INTERVAL_S and sends it to
 * apid.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "gatewayd.h"
#include "log.h"

struct load_sample {
	double		 load_per_cpu;
	double		 mem_used, swap_used;
	uint64_t	 swap_total;	/* bytes */
	uint64_t	 tx, rx;	/* bytes, eth* and en* */
	int		 have_net;
};

static struct load_state {
	struct event	*ev;
	uint64_t	 tx, rx;
	struct timespec	 at;
	int		 primed;
} load_st;

enum gw_load
load_tier(double v)
{
	if (v == 0.0 || v != v || v > 1e300 || v < -1e300)
		return GW_LOAD_UNKNOWN;
	if (v <= 0.1)
		return GW_LOAD_NEGLIGIBLE;
	if (v <= 0.3)
		return GW_LOAD_LOW;
	if (v <= 0.6)
		return GW_LOAD_MEDIUM;
	if (v <= 0.8)
		return GW_LOAD_HIGH;
	if (v <= 0.95)
		return GW_LOAD_VERY_HIGH;
	return GW_LOAD_AT_CAPACITY;
}

static enum gw_load
load_up(enum gw_load l)
{
	return l == GW_LOAD_UNKNOWN || l == GW_LOAD_AT_CAPACITY ? l : l + 1;
}

/* The machine's tier from a sample: CPU, then memory and swap. */
enum gw_load
load_machine(double per_cpu, double mem, double swap, uint64_t swap_total)
{
	enum gw_load	 base = load_tier(per_cpu);

	if (load_tier(mem) > base)
		base = load_up(base);
	if (swap_total > 1024ULL * 1024 * 1024 && load_tier(swap) > base)
		base = load_up(base);
	return base;
}

enum gw_load
load_total(enum gw_load machine, enum gw_load network)
{
	return machine > network ? machine : load_up(machine);
}

static void
load_read_cpu(struct load_sample *s)
{
	double	 one, five;
	long	 ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	FILE	*fp;

	if ((fp = fopen("/proc/loadavg", "r")) == NULL)
		return;
	if (fscanf(fp, "%lf %lf", &one, &five) == 2 && ncpu > 0)
		s->load_per_cpu = five / (double)ncpu;
	fclose(fp);
}

static void
load_read_mem(struct load_sample *s)
{
	char		 line[256];
	unsigned long long v, mt = 0, ma = 0, st = 0, sf = 0;
	FILE		*fp;

	if ((fp = fopen("/proc/meminfo", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "MemTotal: %llu", &v) == 1)
			mt = v;
		else if (sscanf(line, "MemAvailable: %llu", &v) == 1)
			ma = v;
		else if (sscanf(line, "SwapTotal: %llu", &v) == 1)
			st = v;
		else if (sscanf(line, "SwapFree: %llu", &v) == 1)
			sf = v;
	}
	fclose(fp);
	if (mt > 0 && ma <= mt)
		s->mem_used = (double)(mt - ma) / (double)mt;
	if (st > 0 && sf <= st)
		s->swap_used = (double)(st - sf) / (double)st;
	s->swap_total = st * 1024;
}

static void
load_read_net(struct load_sample *s)
{
	char		 line[512], name[64];
	unsigned long long rx, tx;
	FILE		*fp;

	if ((fp = fopen("/proc/net/dev", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		/* "  eth0: rx_bytes 7 more... tx_bytes ..." */
		if (sscanf(line, " %63[^:]: %llu %*u %*u %*u %*u %*u %*u %*u "
		    "%llu", name, &rx, &tx) != 3)
			continue;
		if (strncmp(name, "eth", 3) != 0 && strncmp(name, "en", 2) != 0)
			continue;
		s->rx += rx;
		s->tx += tx;
		s->have_net = 1;
	}
	fclose(fp);
}

static void
load_sample_now(struct gatewayd *gw)
{
	struct load_sample	 s;
	struct gw_node_load	 nl;
	struct timespec		 now;
	double			 dt, gbps = 0;
	enum gw_load		 net = GW_LOAD_UNKNOWN;

	memset(&s, 0, sizeof(s));
	load_read_cpu(&s);
	load_read_mem(&s);
	load_read_net(&s);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (load_st.primed && s.have_net && s.tx >= load_st.tx &&
	    s.rx >= load_st.rx) {
		dt = (double)(now.tv_sec - load_st.at.tv_sec) +
		    (double)(now.tv_nsec - load_st.at.tv_nsec) / 1e9;
		if (dt > 0) {
			gbps = (double)(s.tx - load_st.tx) * 8e-9 / dt;
			if ((double)(s.rx - load_st.rx) * 8e-9 / dt > gbps)
				gbps = (double)(s.rx - load_st.rx) * 8e-9 / dt;
			net = load_tier(gbps);
		}
	}
	load_st.tx = s.tx;
	load_st.rx = s.rx;
	load_st.at = now;
	memset(&nl, 0, sizeof(nl));
	nl.machine = load_machine(s.load_per_cpu, s.mem_used, s.swap_used,
	    s.swap_total);
	nl.network = net;
	/* nym-node's first sample has no network figure and no bump. */
	nl.total = load_st.primed ? load_total(nl.machine, net) : nl.machine;
	load_st.primed = 1;
	if (gw->workers[PROC_APID].iev != NULL &&
	    imsgev_compose(gw->workers[PROC_APID].iev, IMSG_NODE_LOAD, 0, -1,
	    &nl, sizeof(nl)) == -1)
		fatal("%s", __func__);
}

static void
load_timer(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	load_sample_now(arg);
}

void
load_start(struct gatewayd *gw)
{
	struct timeval	 tv = { GW_LOAD_INTERVAL_S, 0 };

	if ((load_st.ev = event_new(gw->base, -1, EV_PERSIST, load_timer,
	    gw)) == NULL || event_add(load_st.ev, &tv) == -1)
		fatalx("%s: event", __func__);
	load_sample_now(gw);
}
