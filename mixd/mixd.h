/*
 * mixd: the mix port.  Shared state of its concerns:
 *   mixd.c		main, sibling dispatch, counters, start/stop
 *   mix_listen.c	accepting, inbound connections, read pause/resume
 *   mix_conn.c		framing of one inbound byte stream (no sockets)
 *   mix_inbound.c	Sphinx unwrap, replay filter, ack and hand-off
 *   mix_acks.c		SURB-acks held until their message is safe
 *   mix_replay.c	replay tags to the master, filters back at start
 *   mix_peers.c	outbound connection pool, one per next hop
 *   mix_topology.c	the known mix nodes (routing filter, Noise keys)
 *   mix_noise.c		Noise sessions on mix connections (no sockets)
 *   mix_cpupool.c	the threads that unwrap Sphinx packets
 */
#ifndef MIXD_H
#define MIXD_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "accept.h"
#include "nodeaddr.h"
#include "noise.h"
#include "ratelog.h"
#include "replay.h"
#include "noise_frame.h"
#include "sandbox.h"
#include "sphinx.h"
#include "worker.h"

extern const struct sandbox_policy mixd_policy;

/* Replay filter per key rotation: items and false-positive target. */
#define MIXD_REPLAY_ITEMS	REPLAY_DEFAULT_ITEMS
#define MIXD_REPLAY_FP		REPLAY_DEFAULT_FP
/* New replay tags go to the master at least this often (mix_replay.c):
 * well inside mixnet.ack_delay, so a packet's tag is usually saved
 * before its ack leaves. */
#define MIXD_REPLAY_FLUSH_MS	50
/* Outbound queue per peer: frames and bytes, whichever comes first. */
#define MIXD_PEER_QUEUE_FRAMES	2000
#define MIXD_PEER_QUEUE_BYTES	(4 * 1024 * 1024)
/* Of max_mix_connections, the share kept for nodes of the topology:
 * addresses nobody listed may use the rest. */
#define MIXD_RESERVE_DIV	8
/* Outbound peers at most (each one socket and a queue). */
#define MIXD_MAX_PEERS		4096
/* Known mix nodes at most in one topology. */
#define MIXD_TOPOLOGY_MAX	65536
/* Own mix addresses (listeners) at most. */
#define MIXD_MAX_SELF		8
/* Noise handshake, either side: nym-node's initial_connection_timeout. */
#define MIXD_NOISE_HS_MS	1500
/* SURB-acks held (mix_acks.c): reading pauses above HIGH, resumes
 * below LOW; MAX is the ring's hard cap. */
#define MIXD_ACKS_HIGH		16384
#define MIXD_ACKS_LOW		8192
#define MIXD_ACKS_MAX		65536
/* An ack whose message clientd never settles is dropped this late. */
#define MIXD_ACK_GIVEUP_MS	30000
/* The Noise version we initiate (the only one there is). */
#define MIXD_NOISE_VERSION	NOISE_NYM_VERSION_1

/*
 * A Noise session on one mix connection (mix_noise.c): the handshake,
 * then the two transport CipherStates, and the Nym frames read so far.
 */
enum mix_noise_state {
	MIX_NOISE_HS = 1,	/* handshake under way */
	MIX_NOISE_UP,		/* transport */
	MIX_NOISE_DEAD		/* failed: close the connection */
};
#define MIX_NOISE_E_SINK	-100	/* the sink refused the plaintext */

struct mix_noise {
	enum mix_noise_state	 state;
	int			 initiator;
	int			 started;	/* hs initialised */
	int			 established;	/* handshake completed */
	uint8_t			 version;	/* Nym Noise version */
	const uint8_t		*sk;		/* our static key (mixd's) */
	struct noise_hs		 hs;
	struct noise_cs		 tx, rx;
	uint8_t			*buf;		/* Nym frames read */
	size_t			 cap, len;
};
/* Where decrypted transport bytes go; -1 aborts the session. */
typedef int (*mix_noise_sink)(void *, const uint8_t *, size_t);

/* Framing state of one inbound byte stream (mix_conn.c). */
struct mix_rx {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 len;
	uint64_t	 frames;	/* whole frames decoded */
};

/* An inbound connection from a mix node (mix_listen.c). */
struct mix_in {
	TAILQ_ENTRY(mix_in)	 entry;
	struct mixd		*md;
	int			 fd;
	struct event		*ev;
	struct mix_rx		 rx;
	struct nodeaddr		 from;
	struct mix_noise	*nz;		/* NULL: raw TCP */
	int			 known;		/* from a node of the topology */
	uint64_t		 frame_start_ms;	/* 0: between frames */
};
TAILQ_HEAD(mix_in_list, mix_in);

struct mix_peer;
struct mix_peers;
struct mix_topology;
struct mix_acks;
struct mix_replay;
struct mix_cpupool;

/*
 * Where the inbound path's results go: the daemon sends them to clientd
 * and the peer pool, the fuzzer and unit tests catch them.
 */
struct mixd_out {
	/* ack_id: the held ack to settle once the message is safe (0:
	 * none waits) */
	void	(*deliver)(struct mixd *, const uint8_t client[32],
		    const uint8_t *msg, size_t len, uint64_t ack_id);
	void	(*forward)(struct mixd *, const struct nodeaddr *,
		    uint8_t packet_type, uint8_t rotation,
		    const uint8_t *pkt, size_t len);
};

/* Counters, as pointers into the worker's table (counter_get). */
struct mixd_counters {
	uint64_t	*packets_in, *packets_out, *bytes_in;
	uint64_t	*final_deliveries, *acks_forwarded, *self_deliveries;
	uint64_t	*replays, *sphinx_mac, *sphinx_no_key, *sphinx_length;
	uint64_t	*sphinx_other, *non_final_dropped, *payload_bad;
	uint64_t	*message_empty, *deliver_no_clientd;
	uint64_t	*frames_bad_header, *frames_bad_size, *frames_outfox;
	uint64_t	*connections_in, *connections_in_open;
	uint64_t	*connections_refused, *read_timeouts;
	uint64_t	*connections_out, *connect_failures, *peers_open;
	uint64_t	*peer_queue_full, *peer_lost_drops, *peer_queue_max;
	uint64_t	*forward_unknown_node, *forward_no_topology;
	uint64_t	*forward_bad_address, *peers_full;
	uint64_t	*read_pauses, *replay_filter_bytes;
	uint64_t	*topology_nodes, *topology_updates;
	uint64_t	*noise_in_ok, *noise_in_failed, *noise_in_timeouts;
	uint64_t	*noise_out_ok, *noise_out_failed, *noise_raw_in;
	uint64_t	*noise_out_timeouts;
	uint64_t	*noise_bad_frames;
	uint64_t	*key_updates;
	uint64_t	*acks_held, *acks_withheld, *acks_late, *acks_expired;
	uint64_t	*acks_dropped_full, *deliver_queue_full;
	uint64_t	*accept_backoffs;
	uint64_t	*replay_tags_unsaved, *replay_tags_restored;
	uint64_t	*frame_deadlines, *unknown_evicted, *unknown_refused;
};

struct mixd {
	struct worker		*w;
	struct sphinx_ctx	*sphinx;
	struct sphinx_key	 keys[WORKER_MAX_KEYS];
	size_t			 nkeys;		/* [0] primary */
	uint8_t			*scratch;	/* SPHINX_MAX_PACKET */
	int			 depth;		/* self-delivery nesting */
	const struct mixd_out	*out;
	struct mixd_counters	 c;

	/* mix_listen.c */
	struct event		*listen_ev[WORKER_MAX_LISTENERS];
	struct event		*pause_ev;
	struct accept_pause	 accept_pause;
	struct mix_in_list	 conns;		/* oldest first */
	unsigned		 nconns;
	unsigned		 nconns_unknown;
	struct ratelog		 rl_deadline, rl_refused, rl_evicted;
	int			 paused;
	uint64_t		 paused_at_ms;	/* when reading paused */
	struct nodeaddr		 self[MIXD_MAX_SELF];
	int			 self_any[MIXD_MAX_SELF];
	unsigned		 nself;

	struct mix_peers	*peers;
	struct mix_topology	*topo;
	struct mix_acks		*acks;
	uint32_t		 ack_delay_ms;
	struct mix_replay	*replay;
	struct mix_cpupool	*pool;		/* NULL: unwrap inline */
	uint64_t		 rx_us;		/* packet read, 0: none */

	/* Noise (mix_noise.c): off unless the master sent a key */
	int			 noise_on;
	uint8_t			 noise_sk[NOISE_KEY_LEN];
	uint8_t			 noise_pk[NOISE_KEY_LEN];
	time_t			 noise_log_t;
	unsigned		 noise_log_quiet;
};

/* mixd.c */
void	mixd_counters_init(struct mixd *, struct gw_counters *);

/* mix_inbound.c */
void	mixd_keys_init(struct mixd *, const struct gw_key_sphinx *, size_t);
void	mixd_keys_update(struct mixd *, const struct gw_key_update *);
void	mixd_keys_wipe(struct mixd *);
/* One packet from a frame: unwrap, replay check, ack, hand-off. */
void	mixd_inbound_packet(struct mixd *, uint8_t packet_type,
	    uint8_t rotation, const uint8_t *pkt, size_t len);
/* The rest once unwrapped (on the loop, any thread's result). */
void	mixd_inbound_result(struct mixd *, uint8_t packet_type,
	    uint8_t rotation, size_t len, int rc, uint32_t rotation_id,
	    const struct sphinx_result *);
/* Send a packet on: to ourselves, or through the routing filter. */
void	mixd_route(struct mixd *, const struct nodeaddr *,
	    uint8_t packet_type, uint8_t rotation, const uint8_t *pkt,
	    size_t len);
int	mixd_is_self(const struct mixd *, const struct nodeaddr *);

/* mix_conn.c */
void	mix_rx_init(struct mix_rx *);
void	mix_rx_free(struct mix_rx *);
/* Room to read into (grows to one whole frame); NULL len 0: none. */
uint8_t	*mix_rx_space(struct mix_rx *, size_t *room);
/* Process what was read; -1: the stream is broken, close it. */
int	mix_rx_commit(struct mixd *, struct mix_rx *, size_t n);
/* Whole buffer at once (fuzzer, tests): -1 as above. */
int	mixd_inbound_feed(struct mixd *, struct mix_rx *, const uint8_t *,
	    size_t);

/* mix_listen.c */
void	mix_listen_start(struct mixd *);
void	mix_listen_stop(struct mixd *);
/* Backpressure: stop or resume reading every inbound connection. */
void	mix_listen_flow(struct mixd *);

/* mix_peers.c */
struct mix_peers *mix_peers_new(struct mixd *);
void	mix_peers_free(struct mix_peers *);
/* Queue a framed packet for addr; counts and drops when full. */
void	mix_peers_send(struct mix_peers *, const struct nodeaddr *,
	    uint8_t packet_type, uint8_t rotation, const uint8_t *pkt,
	    size_t len);

/* mix_acks.c */
struct mix_acks *mix_acks_new(struct mixd *);
void	mix_acks_free(struct mix_acks *);
/* Hold an ack until its message is settled; its id, or 0 if full. */
uint64_t mix_acks_hold(struct mix_acks *, const struct nodeaddr *,
	    uint8_t packet_type, uint8_t rotation, const uint8_t *pkt);
/* The message of ack id was kept (safe) or not. */
void	mix_acks_settle(struct mix_acks *, uint64_t id, int safe);
uint64_t mix_acks_held(const struct mix_acks *);
void	mix_acks_timer(int, short, void *);
/* clientd: IMSG_MIX_SETTLED */
void	mix_acks_settled(struct mixd *, struct imsgev *, struct imsg *);

/* mix_replay.c */
struct mix_replay *mix_replay_new(struct mixd *);
void	mix_replay_free(struct mix_replay *);
/* The tag was new to rotation's filter: it goes to the master. */
void	mix_replay_note(struct mixd *, uint32_t rotation, const uint8_t *tag);
void	mix_replay_flush(struct mixd *);
/* master: IMSG_REPLAY_RESTORE, _CHUNK, _DONE, _FLUSH */
void	mix_replay_dispatch(struct mixd *, struct imsgev *, struct imsg *);

/* mix_cpupool.c */
/* Threads for a configured count (0: the CPUs we may run on). */
unsigned mix_cpupool_size(uint32_t configured);
/* NULL for fewer than 2 threads: the loop unwraps inline. */
struct mix_cpupool *mix_cpupool_new(struct mixd *, unsigned nthreads);
/* worker->start_threads: inside the sandbox, before seccomp. */
void	mix_cpupool_start(void *);
void	mix_cpupool_free(struct mix_cpupool *);
unsigned mix_cpupool_threads(const struct mix_cpupool *);
/* 0: queued for a thread; -1: unwrap inline (no pool, or nested). */
int	mix_cpupool_submit(struct mix_cpupool *, uint8_t packet_type,
	    uint8_t rotation, const uint8_t *pkt, size_t len);
/* Let every job under way finish (keys change next). */
void	mix_cpupool_drain(struct mix_cpupool *);

/* mix_noise.c */
void	mix_noise_init(struct mix_noise *, const uint8_t sk[NOISE_KEY_LEN]);
void	mix_noise_free(struct mix_noise *);
/* Initiator: start, message 1 (a whole frame) into out. */
int	mix_noise_initiate(struct mix_noise *, uint8_t version,
	    const uint8_t rs_pub[NOISE_KEY_LEN], uint8_t *out, size_t outmax,
	    size_t *outlen);
/* Room to read into (grows to one whole Nym frame). */
uint8_t	*mix_noise_space(struct mix_noise *, size_t *room);
/*
 * n bytes were read into the space: run every whole frame.  Handshake
 * replies (whole frames) go to out, *outlen bytes to write at once;
 * transport plaintext goes to sink.  NOISE_OK, or a negative code
 * (NOISE_E_*, MIX_NOISE_E_SINK) after which the session is dead.
 */
int	mix_noise_commit(struct mix_noise *, size_t n, uint8_t *out,
	    size_t outmax, size_t *outlen, mix_noise_sink, void *);
/* One data frame carrying len <= NOISE_MAX_PLAINTEXT bytes. */
int	mix_noise_seal(struct mix_noise *, const uint8_t *pt, size_t len,
	    uint8_t *out, size_t outmax, size_t *outlen);
const char *mix_noise_strerror(int);
void	mix_noise_log_fail(struct mixd *, const struct nodeaddr *,
	    const char *dir, const char *why);

/* mix_topology.c */
struct mix_topology *mix_topology_new(void);
void	mix_topology_free(struct mix_topology *);
/* 1 known, 0 unknown, -1 no topology yet. */
int	mix_topology_known(const struct mix_topology *,
	    const struct nodeaddr *);
/* 1 if the address's IP (port ignored) is a node announcing Noise. */
int	mix_topology_noise_ip(const struct mix_topology *,
	    const struct nodeaddr *);
/* 1 if the address's IP (port ignored) is a node's of the topology. */
int	mix_topology_ip_known(const struct mix_topology *,
	    const struct nodeaddr *);
/* 1 and its key and version if this mix address announces Noise. */
int	mix_topology_noise_key(const struct mix_topology *,
	    const struct nodeaddr *, uint8_t key[NOISE_KEY_LEN],
	    uint8_t *version);
/* IPv4-mapped IPv6 addresses as IPv4, nothing past the family's IP. */
void	mix_addr_canon(struct nodeaddr *);
int	mixd_dispatch_credd(struct imsgev *, struct imsg *);
/* dispatch.c (iev->arg: the worker) */
int	mixd_dispatch_clientd(struct imsgev *, struct imsg *);
int	mixd_dispatch_parent(struct imsgev *, struct imsg *);

#endif
