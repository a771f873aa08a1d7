/*
 * tool_mixnode: a small test mix network in one process, to drive a
 * gatewayd's mix port from the outside.
 *
 * It runs -n mix nodes on 127.0.0.1 (ephemeral ports), each with its own
 * x25519 Sphinx key.  A node accepts v7 and v8 frames, unwraps one hop
 * (sphinx_process, forward or final) and forwards a forward hop to its
 * next hop at once (Sphinx delays are ignored), framed as it came.  A
 * final hop at a node is a SURB-ack coming home: counted.
 *
 * With -S it serves as a persistent test mixnet for another client (Nym's
 * own, in regress/interop): each node also gets an ed25519 identity, and
 * one line per node tells a test what to put in its topology.  It runs
 * until SIGTERM, SIGINT or -t, and then reports what each node saw.
 *
 * It can inject -N packets for the route mix1 -> mix2 -> mix3 -> gateway
 * (or, with -d, straight to the gateway as a one-hop route), to a client
 * id (-c, 64 hex digits; random if absent), each carrying a SURB-ack
 * whose route is the single hop mix1, so every ack the gateway forwards
 * comes back to mix1 and is counted.  It waits for the acks and exits 0
 * when all came back within -t seconds.
 *
 *	tool_mixnode -g 127.0.0.1:1789 -k keys/x25519_sphinx.pub [options]
 *
 *	-n NODES   mix nodes (default 3; at least 3 unless -d)
 *	-g ADDR    the gateway's mix address (host:port)
 *	-k FILE    the gateway's Sphinx public key, PEM (x25519_sphinx.pub)
 *	-c HEX     destination client id (32 bytes as hex)
 *	-N COUNT   packets to send (default 0)
 *	-o FIRST   the first message's sequence number (default 0)
 *	-d         send straight to the gateway (one-hop route)
 *	-s SIZE    packet size (default 2413; 8557, 16749, 33133 too)
 *	-f VER     frame version 7 or 8 (default 7); -r ROT rotation byte
 *	-R         send every packet twice (replays; implies -d)
 *	-W         build for a random key instead of the gateway's (wrong
 *		   key: expect no acks)
 *	-G COUNT   on one extra connection, COUNT frames with valid headers
 *		   and random packets (Sphinx MAC failures)
 *	-B COUNT   COUNT connections that each send one bad frame header
 *	-a COUNT   acks to wait for (default: N, or 0 with -W)
 *	-C CONNS   with -d: spread the packets over CONNS connections
 *	-t SECS    give up after SECS (default 30)
 *	-b         bench: print the single-core final-hop unwrap rate and
 *		   the rate at which acks for the -N packets came back
 *	-S         serve: no -g; print the nodes' keys, run until a signal
 *		   or -t (0: no limit) and then print per-node counters
 *	-v         log every packet a node unwraps (stderr)
 *	-m BYTES   messages of BYTES (default 40; at most what the packet
 *		   size holds after the SURB-ack), text then zeros
 *	-A FILE    append "ack SEQ" to FILE (flushed at once) for every ack
 *		   that comes back: SEQ is the number of the packet it
 *		   belongs to, whose message reads "tool_mixnode message SEQ"
 *
 * Output: "nodes ADDR...", "sent N", then "acks A forwarded F" and, with
 * -b, "bench ..." lines.  Exit 0 if the expected acks arrived.
 *
 * With -S: "nodes ADDR...", then per node (layer L = index + 1)
 * "node L ADDR IDENTITY SPHINX" (keys base58) and "ready"; at the end,
 * per node, "stats L received R forwarded F final A errors E".
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <sodium.h>

#include "base58.h"
#include "keys.h"
#include "mixframe.h"
#include "nodeaddr.h"
#include "sphinx.h"
#include "sphinx_create.h"
#include "testlib.h"

#define MAX_NODES	16
#define MAX_OUT		256

struct node {
	int			 idx;
	struct sphinx_key	 key;
	uint8_t			 pk[32];
	uint8_t			 id_pk[crypto_sign_PUBLICKEYBYTES];
	struct nodeaddr		 addr;
	struct evconnlistener	*l;
	uint64_t		 received, forwarded, acks, errors;
};

struct out {
	struct nodeaddr		 addr;
	struct bufferevent	*bev;
};

static struct event_base	*base;
static struct sphinx_ctx	*ctx;
static struct node		 nodes[MAX_NODES];
static int			 nnodes = 3;
static struct out		 outs[MAX_OUT];
static int			 nouts;
static uint8_t			 scratch[SPHINX_MAX_PACKET];
static uint8_t			 sender_id[32];
static uint64_t			 acks_total, expect_acks;
static double			 t_first, t_last_ack;
static int			 bench_mode, verbose;
static FILE			*ack_log;
static size_t			 msg_len = 40;

static void
out_event(struct bufferevent *bev, short what, void *arg)
{
	struct out	*o = arg;
	char		 a[NODEADDR_STRLEN];

	(void)bev;
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
		fprintf(stderr, "tool_mixnode: connection to %s: %s\n",
		    nodeaddr_fmt(&o->addr, a, sizeof(a)),
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		bufferevent_free(o->bev);
		o->bev = NULL;
	}
}

static struct bufferevent *
out_connect(struct out *o)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;

	if (nodeaddr_to_sockaddr(&o->addr, &ss, &sl) == -1)
		t_die("bad address");
	o->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (o->bev == NULL)
		t_die("bufferevent_socket_new");
	bufferevent_setcb(o->bev, NULL, NULL, out_event, o);
	if (bufferevent_socket_connect(o->bev, (struct sockaddr *)&ss,
	    (int)sl) == -1)
		t_die("connect");
	return o->bev;
}

/* The shared connection to an address (one per peer, like a node). */
static struct bufferevent *
out_get(const struct nodeaddr *a)
{
	int	 i;

	for (i = 0; i < nouts; i++)
		if (nodeaddr_eq(&outs[i].addr, a)) {
			if (outs[i].bev == NULL)
				out_connect(&outs[i]);
			return outs[i].bev;
		}
	if (nouts == MAX_OUT)
		t_die("too many peers");
	outs[nouts].addr = *a;
	return out_connect(&outs[nouts++]);
}

/* A fresh connection of our own (garbage, bad headers, bench). */
static struct bufferevent *
out_new(const struct nodeaddr *a)
{
	struct out	*o;

	if (nouts == MAX_OUT)
		t_die("too many connections");
	o = &outs[nouts++];
	o->addr = *a;
	return out_connect(o);
}

static void
send_frame(struct bufferevent *bev, uint8_t version, uint8_t rotation,
    const uint8_t *pkt, size_t len)
{
	uint8_t	 hdr[MIXFRAME_MAX_HDR_LEN];
	int	 h;

	h = mixframe_encode_header(version, mixframe_tag_for(
	    MIXFRAME_TYPE_SPHINX, len), MIXFRAME_TYPE_SPHINX, rotation, hdr);
	if (h < 0)
		t_die("frame header: %s", mixframe_strerror(h));
	bufferevent_write(bev, hdr, (size_t)h);
	bufferevent_write(bev, pkt, len);
}

static void
node_packet(struct node *n, const struct mixframe *f)
{
	const struct sphinx_key	*k = &n->key;
	struct sphinx_result	 res;
	struct nodeaddr		 next;
	int			 rc;

	n->received++;
	/* Bench: an ack-size frame at mix1 is an ack; spare our core the
	 * unwrap so the figure is mixd's, not ours. */
	if (bench_mode && n->idx == 0 && f->packet_len == SPHINX_SIZE_ACK) {
		res.flag = SPHINX_FLAG_FINAL;
		goto final;
	}
	rc = sphinx_process(ctx, &k, 1, SPHINX_ACCEPT_ANY, f->packet,
	    f->packet_len, scratch, &res);
	if (rc != SPHINX_OK) {
		n->errors++;
		fprintf(stderr, "tool_mixnode: node %d: %s (%zu-byte packet)\n",
		    n->idx, sphinx_strerror(rc), f->packet_len);
		return;
	}
	if (res.flag == SPHINX_FLAG_FINAL) {
		if (verbose)
			fprintf(stderr, "tool_mixnode: node %d: final hop, "
			    "%zu bytes\n", n->idx, f->packet_len);
final:
		if (ack_log != NULL && !bench_mode &&
		    res.plaintext_len >= sizeof(uint64_t)) {
			uint64_t seq;

			memcpy(&seq, res.plaintext, sizeof(seq));
			fprintf(ack_log, "ack %llu\n", (unsigned long long)seq);
			fflush(ack_log);
		}
		n->acks++;
		acks_total++;
		t_last_ack = t_now();
		if (expect_acks > 0 && acks_total >= expect_acks)
			event_base_loopexit(base, NULL);
		return;
	}
	if (nodeaddr_decode(res.next_hop, sizeof(res.next_hop), &next) < 0) {
		n->errors++;
		fprintf(stderr, "tool_mixnode: node %d: bad next hop\n",
		    n->idx);
		return;
	}
	if (verbose) {
		char	 a[NODEADDR_STRLEN];

		fprintf(stderr, "tool_mixnode: node %d: v%u frame, %zu bytes, "
		    "forward to %s\n", n->idx, f->version, f->packet_len,
		    nodeaddr_fmt(&next, a, sizeof(a)));
	}
	n->forwarded++;
	send_frame(out_get(&next), f->version, f->rotation, scratch,
	    res.packet_len);
}

static void
node_read(struct bufferevent *bev, void *arg)
{
	struct node	*n = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	struct mixframe	 f;
	size_t		 len;
	int		 r;

	while ((len = evbuffer_get_length(in)) > 0) {
		r = mixframe_decode(evbuffer_pullup(in, -1), len, &f);
		if (r < 0) {
			n->errors++;
			fprintf(stderr, "tool_mixnode: node %d: %s\n", n->idx,
			    mixframe_strerror(r));
			bufferevent_free(bev);
			return;
		}
		if (r == 0)
			break;
		node_packet(n, &f);
		evbuffer_drain(in, (size_t)r);
	}
}

static void
node_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF))
		bufferevent_free(bev);
}

static void
node_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct bufferevent	*bev;

	(void)l;
	(void)sa;
	(void)salen;
	bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		t_die("bufferevent_socket_new");
	bufferevent_setcb(bev, node_read, NULL, node_event, arg);
	bufferevent_enable(bev, EV_READ);
}

/*
 * A topology names a node by its ed25519 identity as well; nothing here
 * signs, so only the public half is kept.
 */
static void
node_identity(struct node *n)
{
	uint8_t	 seed[crypto_sign_SEEDBYTES];
	uint8_t	 sk[crypto_sign_SECRETKEYBYTES];

	randombytes_buf(seed, sizeof(seed));
	if (crypto_sign_seed_keypair(n->id_pk, sk, seed) != 0)
		t_die("crypto_sign_seed_keypair");
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
}

static void
print_key(const uint8_t *k, size_t len)
{
	char	 b[BASE58_ENCODED_MAX(64)];

	if (base58_encode(k, len, b, sizeof(b)) < 0)
		t_die("base58_encode");
	printf(" %s", b);
}

static void
node_start(struct node *n, int idx)
{
	struct sockaddr_in	 sin;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);

	n->idx = idx;
	randombytes_buf(n->key.sk, sizeof(n->key.sk));
	crypto_scalarmult_base(n->pk, n->key.sk);
	node_identity(n);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n->l = evconnlistener_new_bind(base, node_accept, n,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
	    (struct sockaddr *)&sin, sizeof(sin));
	if (n->l == NULL)
		t_die("listen: %s", strerror(errno));
	if (getsockname(evconnlistener_get_fd(n->l), (struct sockaddr *)&ss,
	    &sl) == -1 || nodeaddr_from_sockaddr((struct sockaddr *)&ss,
	    &n->addr) == -1)
		t_die("getsockname");
}

static void
hop_of(struct sphinx_route_hop *h, const struct nodeaddr *a,
    const uint8_t pk[32])
{
	memset(h, 0, sizeof(*h));
	if (nodeaddr_encode(a, h->address, sizeof(h->address)) < 0)
		t_die("nodeaddr_encode");
	memcpy(h->pubkey, pk, 32);
}

/* A PEM public key file ("gatewayctl init"'s x25519_sphinx.pub). */
static void
read_pem_key(const char *path, uint8_t key[32])
{
	char	 err[512];

	if (keys_pem_read_n(path, "X25519 PUBLIC KEY", key, 32, err,
	    sizeof(err)) == -1)
		t_die("%s", err);
}

/* -o: so that two runs for one client send distinct messages. */
static uint64_t	seq_base;

/*
 * One packet for route (nhops) to client, carrying a SURB-ack over the
 * one-hop route mix1 (final there) and a short message.
 */
static void
build_packet(const struct sphinx_route_hop *route, size_t nhops,
    const uint8_t client[32], size_t size, uint64_t seq, uint8_t *out)
{
	struct sphinx_route_hop	 ackroute;
	static uint8_t		 msg[SPHINX_MAX_PACKET];
	uint8_t			 ackmsg[SPHINX_ACK_MSG_LEN];
	uint8_t			 id[SPHINX_ID_LEN];
	int			 rc;

	memset(id, 0, sizeof(id));
	/* The text leaves the rest unset. */
	memset(msg, 0, SPHINX_SURB_ACK_LEN + msg_len);
	randombytes_buf(ackmsg, sizeof(ackmsg));
	/* The packet's number, for -A: the ack comes back with it. */
	memcpy(ackmsg, &seq, sizeof(seq));
	hop_of(&ackroute, &nodes[0].addr, nodes[0].pk);
	rc = sphinx_surb_ack_create(ctx, SPHINX_VERSION_EXPLICIT_KEYS,
	    &ackroute, 1, sender_id, ackmsg, sizeof(ackmsg), NULL, msg);
	if (rc != SPHINX_OK)
		t_die("surb ack: %s", sphinx_strerror(rc));
	snprintf((char *)msg + SPHINX_SURB_ACK_LEN, 64,
	    "tool_mixnode message %llu", (unsigned long long)seq);
	rc = sphinx_create(ctx, SPHINX_VERSION_EXPLICIT_KEYS, route, nhops,
	    client, id, msg, SPHINX_SURB_ACK_LEN + msg_len, size, NULL, out);
	if (rc != SPHINX_OK)
		t_die("sphinx_create: %s", sphinx_strerror(rc));
}

/* Final-hop unwraps per second on one core, with a key of our own. */
static void
bench_floor(size_t size)
{
	struct sphinx_key	 k;
	const struct sphinx_key	*kp = &k;
	struct sphinx_route_hop	 hop;
	struct sphinx_result	 res;
	struct nodeaddr		 a;
	uint8_t			 pk[32], client[32];
	uint8_t			*pool;
	const size_t		 npool = 256;
	size_t			 i, done = 0;
	double			 t0, t;

	memset(&k, 0, sizeof(k));
	randombytes_buf(k.sk, sizeof(k.sk));
	crypto_scalarmult_base(pk, k.sk);
	randombytes_buf(client, sizeof(client));
	nodeaddr_parse("127.0.0.1:1789", &a);
	hop_of(&hop, &a, pk);
	pool = malloc(npool * size);
	if (pool == NULL)
		t_die("malloc");
	for (i = 0; i < npool; i++)
		build_packet(&hop, 1, client, size, seq_base + i, pool + i * size);
	t0 = t_now();
	do {
		for (i = 0; i < npool; i++)
			if (sphinx_process(ctx, &kp, 1, SPHINX_ACCEPT_FINAL,
			    pool + i * size, size, scratch, &res) != SPHINX_OK)
				t_die("bench unwrap failed");
		done += npool;
	} while ((t = t_now() - t0) < 1.0);
	printf("bench crypto floor: %.0f final-hop unwraps/s on one core "
	    "(%zu-byte packets)\n", (double)done / t, size);
	free(pool);
}

/* Bad-header connections: opened a batch per tick, each closed by
 * mixd after its one frame, so they overlap with the good flow. */
static long long		 bad_left;
static struct nodeaddr		 bad_to;
static struct event		*bad_ev;

static void
bad_written(struct bufferevent *bev, void *arg)
{
	(void)arg;
	bufferevent_free(bev);
}

static void
bad_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF))
		bufferevent_free(bev);
}

static void
bad_tick(int fd, short what, void *arg)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	struct bufferevent	*bev;
	struct timeval		 tv = { 0, 5000 };
	uint8_t			 garbage[8];
	int			 i;

	(void)fd;
	(void)what;
	(void)arg;
	if (nodeaddr_to_sockaddr(&bad_to, &ss, &sl) == -1)
		t_die("bad address");
	for (i = 0; i < 25 && bad_left > 0; i++, bad_left--) {
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
		if (bev == NULL)
			t_die("bufferevent_socket_new");
		bufferevent_setcb(bev, NULL, bad_written, bad_event, NULL);
		if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss,
		    (int)sl) == -1)
			t_die("connect");
		garbage[0] = 0x09;	/* unknown frame version */
		randombytes_buf(garbage + 1, sizeof(garbage) - 1);
		bufferevent_write(bev, garbage, sizeof(garbage));
	}
	if (bad_left > 0)
		evtimer_add(bad_ev, &tv);
}

static void
timeout_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopexit(base, NULL);
}

/* Let writes drain before we go. */
static void
flush_all(double secs)
{
	struct timeval	 tv = { (time_t)secs,
			    (suseconds_t)((secs - (time_t)secs) * 1e6) };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	event_base_loopexit(base, NULL);
}

/*
 * Serve mode: keys out, forward until told to stop, counters out.  The
 * counters say where a packet got lost when the client's test fails.
 */
static int
serve(int secs)
{
	struct event	*sigterm, *sigint, *tev = NULL;
	struct timeval	 tv = { secs, 0 };
	char		 a[NODEADDR_STRLEN];
	int		 j;

	if ((sigterm = evsignal_new(base, SIGTERM, stop_cb, NULL)) == NULL ||
	    (sigint = evsignal_new(base, SIGINT, stop_cb, NULL)) == NULL ||
	    evsignal_add(sigterm, NULL) == -1 ||
	    evsignal_add(sigint, NULL) == -1)
		t_die("evsignal");
	if (secs > 0) {
		if ((tev = evtimer_new(base, timeout_cb, NULL)) == NULL)
			t_die("evtimer_new");
		evtimer_add(tev, &tv);
	}
	for (j = 0; j < nnodes; j++) {
		printf("node %d %s", j + 1,
		    nodeaddr_fmt(&nodes[j].addr, a, sizeof(a)));
		print_key(nodes[j].id_pk, sizeof(nodes[j].id_pk));
		print_key(nodes[j].pk, sizeof(nodes[j].pk));
		printf("\n");
	}
	printf("ready\n");
	fflush(stdout);
	event_base_dispatch(base);
	for (j = 0; j < nnodes; j++) {
		printf("stats %d received %llu forwarded %llu final %llu "
		    "errors %llu\n", j + 1,
		    (unsigned long long)nodes[j].received,
		    (unsigned long long)nodes[j].forwarded,
		    (unsigned long long)nodes[j].acks,
		    (unsigned long long)nodes[j].errors);
		sodium_memzero(&nodes[j].key, sizeof(nodes[j].key));
	}
	fflush(stdout);
	if (tev != NULL)
		event_free(tev);
	event_free(sigterm);
	event_free(sigint);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: tool_mixnode [-bdRSvW] [-a acks] [-B n] "
	    "[-C conns] [-c client] [-f 7|8] [-G n] [-g addr] [-k keyfile]\n"
	    "\t[-N packets] [-n nodes] [-r rotation] [-s size] [-t secs]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sphinx_route_hop	 route[MAX_NODES + 1];
	struct nodeaddr		 gw;
	struct bufferevent	*bev, *conns[64];
	struct event		*tev;
	struct timeval		 tv;
	uint8_t			 gwpk[32], client[32], *pkt;
	const char		*gwaddr = NULL, *keyfile = NULL;
	size_t			 size = SPHINX_SIZE_REGULAR, nhops, clen;
	long long		 npkts = 0, ngarbage = 0, nbad = 0;
	long long		 want_acks = -1, i;
	int			 ch, direct = 0, replay = 0, wrong = 0, bench = 0;
	int			 version = 7, rotation = 0, secs = 30, nconns = 1;
	int			 have_client = 0, serving = 0, j;
	double			 t_sent;

	while ((ch = getopt(argc, argv, "A:a:bB:C:c:dG:g:f:k:m:N:n:o:Rr:Ss:t:vW"))
	    != -1) {
		switch (ch) {
		case 'm': msg_len = (size_t)atoll(optarg); break;
		case 'o': seq_base = strtoull(optarg, NULL, 10); break;
		case 'A':
			if ((ack_log = fopen(optarg, "a")) == NULL)
				t_die("-A %s: %s", optarg, strerror(errno));
			break;
		case 'a': want_acks = atoll(optarg); break;
		case 'b': bench = bench_mode = 1; break;
		case 'B': nbad = atoll(optarg); break;
		case 'C': nconns = atoi(optarg); break;
		case 'c':
			if (sodium_hex2bin(client, 32, optarg, strlen(optarg),
			    NULL, &clen, NULL) != 0 || clen != 32)
				t_die("-c wants 64 hex digits");
			have_client = 1;
			break;
		case 'd': direct = 1; break;
		case 'G': ngarbage = atoll(optarg); break;
		case 'g': gwaddr = optarg; break;
		case 'f': version = atoi(optarg); break;
		case 'k': keyfile = optarg; break;
		case 'N': npkts = atoll(optarg); break;
		case 'n': nnodes = atoi(optarg); break;
		case 'R': replay = 1; direct = 1; break;
		case 'r': rotation = atoi(optarg); break;
		case 'S': serving = 1; break;
		case 's': size = (size_t)atoll(optarg); break;
		case 't': secs = atoi(optarg); break;
		case 'v': verbose = 1; break;
		case 'W': wrong = 1; break;
		default: usage();
		}
	}
	if (nnodes < 1 || nnodes > MAX_NODES || (!direct && nnodes < 3) ||
	    nconns < 1 || nconns > (int)(sizeof(conns) / sizeof(conns[0])) ||
	    (version != 7 && version != 8) || rotation < 0 || rotation > 2 ||
	    sphinx_tag_of_size(size) == 0 || npkts < 0 || ngarbage < 0 ||
	    nbad < 0 || secs < 0 || (serving && (gwaddr != NULL || bench)))
		usage();
	if (msg_len < 40 || SPHINX_SURB_ACK_LEN + msg_len >
	    sphinx_max_message(size))
		t_die("-m: 40 to %zu bytes for this packet size",
		    sphinx_max_message(size) - SPHINX_SURB_ACK_LEN);
	if (sodium_init() == -1 || (ctx = sphinx_ctx_new()) == NULL ||
	    (base = event_base_new()) == NULL)
		t_die("init");
	randombytes_buf(sender_id, sizeof(sender_id));
	if (!have_client)
		randombytes_buf(client, sizeof(client));
	for (j = 0; j < nnodes; j++)
		node_start(&nodes[j], j);
	if (bench)
		bench_floor(size);
	printf("nodes");
	for (j = 0; j < nnodes; j++) {
		char	 a[NODEADDR_STRLEN];

		printf(" %s", nodeaddr_fmt(&nodes[j].addr, a, sizeof(a)));
	}
	printf("\n");
	fflush(stdout);
	if (serving)
		return serve(secs);
	if (gwaddr == NULL) {
		/* Nodes only: run until the time is up. */
		flush_all(secs);
		return 0;
	}
	if (nodeaddr_parse(gwaddr, &gw) == -1)
		t_die("bad gateway address %s", gwaddr);
	if (keyfile == NULL)
		t_die("-k: the gateway's Sphinx key is needed");
	read_pem_key(keyfile, gwpk);
	if (wrong)
		randombytes_buf(gwpk, sizeof(gwpk));

	nhops = 0;
	if (!direct)
		for (j = 0; j < 3; j++)
			hop_of(&route[nhops++], &nodes[j].addr, nodes[j].pk);
	hop_of(&route[nhops++], &gw, gwpk);
	expect_acks = want_acks >= 0 ? (uint64_t)want_acks :
	    wrong ? 0 : (uint64_t)npkts;

	/* Bad frames first, so the good flow runs beside their fallout. */
	if (nbad > 0) {
		bad_left = nbad;
		bad_to = gw;
		if ((bad_ev = evtimer_new(base, bad_tick, NULL)) == NULL)
			t_die("evtimer_new");
		bad_tick(-1, 0, NULL);
	}
	if (ngarbage > 0) {
		bev = out_new(&gw);
		for (i = 0; i < ngarbage; i++) {
			randombytes_buf(scratch, size);
			send_frame(bev, (uint8_t)version, (uint8_t)rotation,
			    scratch, size);
		}
	}

	if ((pkt = malloc(size)) == NULL)
		t_die("malloc");
	for (j = 0; j < nconns; j++)
		conns[j] = direct ? out_new(&gw) : out_get(&nodes[0].addr);
	t_first = t_now();
	for (i = 0; i < npkts; i++) {
		build_packet(route, nhops, client, size, seq_base + (uint64_t)i,
		    pkt);
		bev = conns[i % nconns];
		send_frame(bev, (uint8_t)version, (uint8_t)rotation, pkt,
		    size);
		if (replay)
			send_frame(bev, (uint8_t)version, (uint8_t)rotation,
			    pkt, size);
	}
	free(pkt);
	t_sent = t_now();
	printf("sent %lld%s\n", npkts, replay ? " (each twice)" : "");
	fflush(stdout);

	tv.tv_sec = secs;
	tv.tv_usec = 0;
	tev = evtimer_new(base, timeout_cb, NULL);
	evtimer_add(tev, &tv);
	if (expect_acks > 0)
		event_base_dispatch(base);
	else
		flush_all(1.0);
	/* A little longer, to see acks that should not come. */
	if (expect_acks > 0 && acks_total >= expect_acks)
		flush_all(0.3);
	while (bad_left > 0 && t_now() - t_first < secs)
		flush_all(0.05);
	if (nbad > 0)
		flush_all(0.3);	/* the last bad frames reach mixd */
	if (bad_left > 0)
		fprintf(stderr, "tool_mixnode: %lld bad connections not "
		    "opened\n", bad_left);
	printf("acks %llu forwarded", (unsigned long long)acks_total);
	for (j = 0; j < nnodes; j++)
		printf(" %llu", (unsigned long long)nodes[j].forwarded);
	printf("\n");
	if (bench && acks_total > 0)
		printf("bench through gatewayd: %llu final-hop packets in "
		    "%.3f s = %.0f packets/s (built in %.3f s before)\n",
		    (unsigned long long)acks_total, t_last_ack - t_sent,
		    (double)acks_total / (t_last_ack - t_sent),
		    t_sent - t_first);
	event_free(tev);
	return acks_total >= expect_acks ? 0 : 1;
}
