/*
 * tool_noisepeer: a mix node that speaks Noise (sphinx-mixport.md 6.3)
 * to a gatewayd's mix port, in both directions.
 *
 * As initiator it connects to the gateway's mix port from -b (so the
 * gateway sees a source IP the test's topology lists with a Noise key),
 * runs Noise_XKpsk3 with the gateway's Noise key and sends -N final-hop
 * Sphinx packets for client -c, the mix frames cut into Noise data
 * frames at random places (the gateway must treat them as a stream).
 * Each packet carries a SURB-ack whose one hop is our own node at -l,
 * which the test's topology also lists with our Noise key (-s): so
 * the gateway must initiate Noise to us to deliver each ack.  We play
 * the responder there, unwrap every ack and count it.
 *
 *	tool_noisepeer -g ADDR -n NOISE.pub -k SPHINX.pub -l ADDR -s HEX
 *	    [-b IP] [-N COUNT] [-c HEX] [-m MODE] [-a ACKS] [-t SECS]
 *	tool_noisepeer -P HEX	print our Noise public key (base58)
 *
 *	-g ADDR  the gateway's mix address; -n, -k its Noise and Sphinx
 *		 public keys (PEM .pub files)
 *	-l ADDR  our node's mix address (listened on; the acks' hop)
 *	-s HEX   our Noise static secret key (64 hex digits)
 *	-b IP    source address of our connection to the gateway
 *	-m MODE  good (default); psk: a wrong PSK; key: a wrong gateway
 *		 key; raw: plain mix frames, no Noise; silent: connect and
 *		 send nothing.  Every mode but good expects the gateway to
 *		 close our connection.
 *	-a ACKS  acks to wait for (default -N in good mode, else 0)
 *
 * Output: "handshake ok" or "closed by gateway: ...", "sent N",
 * "acks A handshakes H" (H: the gateway's handshakes to us).  Exit 0
 * when the mode's expectation was met within -t seconds.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base58.h"
#include "gwcrypto.h"
#include "keys.h"
#include "mixframe.h"
#include "nodeaddr.h"
#include "noise.h"
#include "noise_frame.h"
#include "sphinx.h"
#include "sphinx_create.h"
#include "testlib.h"

#define MAX_IN		8
#define FRAME_SPACE	(MIXFRAME_MAX_HDR_LEN + SPHINX_SIZE_REGULAR)

struct in_conn {
	int		 fd;
	struct noise_hs	 hs;
	struct noise_cs	 tx, rx;
	int		 up, started;
	uint8_t		 version;
	uint8_t		 nbuf[NOISE_FRAME_MAX];
	size_t		 nlen;
	uint8_t		 mbuf[2 * NOISE_MAX_MSG];
	size_t		 mlen;
};

static struct sphinx_ctx	*ctx;
static struct sphinx_key	 ack_key;
static uint8_t			 noise_sk[32];
static struct in_conn		 ins[MAX_IN];
static unsigned long		 acks, in_handshakes;
static uint8_t			 scratch[SPHINX_MAX_PACKET];

static void
hex32(const char *s, uint8_t out[32])
{
	size_t	 len;

	if (sodium_hex2bin(out, 32, s, strlen(s), NULL, &len, NULL) != 0 ||
	    len != 32)
		t_die("not 64 hex digits: %s", s);
}

static void
read_pub(const char *path, uint8_t out[32])
{
	char	 err[512];

	if (keys_pem_read_n(path, "X25519 PUBLIC KEY", out, 32, err,
	    sizeof(err)) == -1)
		t_die("%s", err);
}

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes within deadline: 0, or -1 on EOF/error/time. */
static int
read_all(int fd, uint8_t *p, size_t len, double deadline)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	ssize_t		 n;
	int		 ms;

	while (len > 0) {
		ms = (int)((deadline - t_now()) * 1000);
		if (ms <= 0 || poll(&pfd, 1, ms) <= 0)
			return -1;
		if ((n = read(fd, p, len)) <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Wait for the gateway to close fd: 1 closed, 0 still open at deadline. */
static int
wait_closed(int fd, double deadline)
{
	uint8_t	 b[256];

	for (;;) {
		if (read_all(fd, b, 1, deadline) == -1)
			return t_now() < deadline;
	}
}

/*
 * One packet for the gateway (one hop, final there) to client, with a
 * SURB-ack over the one-hop route to our node.
 */
static void
build_packet(const struct sphinx_route_hop *gw, const struct nodeaddr *self,
    const uint8_t self_pk[32], const uint8_t client[32], uint8_t *out)
{
	struct sphinx_route_hop	 ackroute;
	uint8_t			 msg[SPHINX_SURB_ACK_LEN + 64];
	uint8_t			 ackmsg[SPHINX_ACK_MSG_LEN], id[SPHINX_ID_LEN];
	uint8_t			 sender[32];

	memset(&ackroute, 0, sizeof(ackroute));
	if (nodeaddr_encode(self, ackroute.address,
	    sizeof(ackroute.address)) < 0)
		t_die("%s", "nodeaddr_encode");
	memcpy(ackroute.pubkey, self_pk, 32);
	randombytes_buf(ackmsg, sizeof(ackmsg));
	randombytes_buf(sender, sizeof(sender));
	memset(id, 0, sizeof(id));
	if (sphinx_surb_ack_create(ctx, SPHINX_VERSION_EXPLICIT_KEYS,
	    &ackroute, 1, sender, ackmsg, sizeof(ackmsg), NULL, msg) !=
	    SPHINX_OK)
		t_die("%s", "surb ack");
	memset(msg + SPHINX_SURB_ACK_LEN, 0, 64);
	snprintf((char *)msg + SPHINX_SURB_ACK_LEN, 64, "over noise");
	if (sphinx_create(ctx, SPHINX_VERSION_EXPLICIT_KEYS, gw, 1, client,
	    id, msg, SPHINX_SURB_ACK_LEN + 40, SPHINX_SIZE_REGULAR, NULL,
	    out) != SPHINX_OK)
		t_die("%s", "sphinx_create");
}

/* --- the responder side: the gateway connects to us ----------------- */

static void
in_close(struct in_conn *c)
{
	close(c->fd);
	noise_hs_free(&c->hs);
	noise_cs_free(&c->tx);
	noise_cs_free(&c->rx);
	c->fd = -1;
}

/* Every whole mix frame in the decrypted stream. */
static int
in_mixframes(struct in_conn *c)
{
	const struct sphinx_key	*k = &ack_key;
	struct sphinx_result	 res;
	struct mixframe		 f;
	size_t			 off = 0;
	int			 n;

	while ((n = mixframe_decode(c->mbuf + off, c->mlen - off, &f)) > 0) {
		if (sphinx_process(ctx, &k, 1, SPHINX_ACCEPT_FINAL, f.packet,
		    f.packet_len, scratch, &res) == SPHINX_OK)
			acks++;
		else
			fprintf(stderr, "tool_noisepeer: an ack did not "
			    "unwrap\n");
		off += (size_t)n;
	}
	if (n < 0)
		return -1;
	memmove(c->mbuf, c->mbuf + off, c->mlen - off);
	c->mlen -= off;
	return 0;
}

/* Whole Noise frames in c->nbuf: -1 on any failure. */
static int
in_frames(struct in_conn *c)
{
	struct noise_frame_hdr	 h;
	uint8_t			 out[NOISE_FRAME_HDR_LEN + NOISE_MSG2_LEN];
	size_t			 off = 0, want, olen, pt;

	while (c->nlen - off >= NOISE_FRAME_HDR_LEN) {
		if (noise_frame_hdr_decode(c->nbuf + off, &h) != NOISE_OK)
			return -1;
		want = NOISE_FRAME_HDR_LEN + h.len;
		if (c->nlen - off < want)
			break;
		if (!c->up) {
			if (!c->started) {
				if (noise_nym_hs_responder(&c->hs, &h,
				    noise_sk) != NOISE_OK)
					return -1;
				c->version = h.version;
				c->started = 1;
			}
			if (noise_frame_hs_read(&c->hs, c->version, &h,
			    c->nbuf + off + NOISE_FRAME_HDR_LEN) != NOISE_OK)
				return -1;
			if (noise_hs_step(&c->hs) == NOISE_HS_WRITE) {
				if (noise_frame_hs_write(&c->hs, c->version,
				    out, sizeof(out), &olen) != NOISE_OK ||
				    write_all(c->fd, out, olen) == -1)
					return -1;
			} else if (noise_hs_step(&c->hs) == NOISE_HS_SPLIT) {
				if (noise_hs_split(&c->hs, &c->tx, &c->rx) !=
				    NOISE_OK)
					return -1;
				c->up = 1;
				in_handshakes++;
			}
		} else {
			if (c->mlen + h.len > sizeof(c->mbuf) ||
			    noise_frame_open(&c->rx, c->version, &h,
			    c->nbuf + off + NOISE_FRAME_HDR_LEN,
			    c->mbuf + c->mlen, sizeof(c->mbuf) - c->mlen,
			    &pt) != NOISE_OK)
				return -1;
			c->mlen += pt;
			if (in_mixframes(c) == -1)
				return -1;
		}
		off += want;
	}
	memmove(c->nbuf, c->nbuf + off, c->nlen - off);
	c->nlen -= off;
	return 0;
}

static void
in_read(struct in_conn *c)
{
	ssize_t	 n;

	n = read(c->fd, c->nbuf + c->nlen, sizeof(c->nbuf) - c->nlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		in_close(c);
		return;
	}
	c->nlen += (size_t)n;
	if (in_frames(c) == -1) {
		fprintf(stderr, "tool_noisepeer: inbound Noise failed\n");
		in_close(c);
	}
}

/* Serve the listener and inbound connections until deadline or acks. */
static void
serve(int lfd, unsigned long want, double deadline)
{
	struct pollfd	 pfd[1 + MAX_IN];
	int		 i, n, ms, fd;

	while (acks < want && (ms = (int)((deadline - t_now()) * 1000)) > 0) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < MAX_IN; i++) {
			pfd[1 + i].fd = ins[i].fd;
			pfd[1 + i].events = POLLIN;
		}
		if ((n = poll(pfd, 1 + MAX_IN, ms)) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			fd = accept(lfd, NULL, NULL);
			for (i = 0; fd != -1 && i < MAX_IN; i++)
				if (ins[i].fd == -1) {
					memset(&ins[i], 0, sizeof(ins[i]));
					ins[i].fd = fd;
					fd = -1;
				}
			if (fd != -1)
				close(fd);
		}
		for (i = 0; i < MAX_IN; i++)
			if (ins[i].fd != -1 && pfd[1 + i].revents)
				in_read(&ins[i]);
	}
}

/* --- the initiator side: we connect to the gateway ------------------ */

static int
connect_gw(const struct nodeaddr *gw, const char *bindip)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	 sin;
	socklen_t		 sslen;
	int			 fd;

	if (nodeaddr_to_sockaddr(gw, &ss, &sslen) == -1)
		t_die("%s", "gateway address");
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
		t_die("socket: %s", strerror(errno));
	if (bindip != NULL) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		if (inet_pton(AF_INET, bindip, &sin.sin_addr) != 1)
			t_die("bad -b %s", bindip);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			t_die("bind: %s", strerror(errno));
	}
	if (connect(fd, (struct sockaddr *)&ss, sslen) == -1)
		t_die("connect: %s", strerror(errno));
	return fd;
}

/* The initiator handshake in the given mode: 0 ok, -1 refused. */
static int
handshake(int fd, const char *mode, const uint8_t gw_noise[32],
    struct noise_hs *hs, double deadline)
{
	struct noise_frame_hdr	 h;
	uint8_t			 buf[NOISE_FRAME_HDR_LEN + NOISE_MSG3_LEN];
	uint8_t			 rs[32], psk[32];
	size_t			 len;
	int			 rc;

	memcpy(rs, gw_noise, 32);
	if (strcmp(mode, "key") == 0)
		randombytes_buf(rs, sizeof(rs));	/* psk follows it */
	if (strcmp(mode, "psk") == 0) {
		randombytes_buf(psk, sizeof(psk));
		rc = noise_hs_init(hs, 1, noise_sk, rs, psk, NULL, 0);
	} else
		rc = noise_nym_hs_initiator(hs, NOISE_NYM_VERSION_1,
		    noise_sk, rs);
	if (rc != NOISE_OK ||
	    noise_frame_hs_write(hs, NOISE_NYM_VERSION_1, buf, sizeof(buf),
	    &len) != NOISE_OK || write_all(fd, buf, len) == -1)
		t_die("%s", "handshake message 1");
	if (read_all(fd, buf, NOISE_FRAME_HDR_LEN, deadline) == -1)
		return -1;
	if (noise_frame_hdr_decode(buf, &h) != NOISE_OK ||
	    h.len > NOISE_MSG3_LEN ||
	    read_all(fd, buf + NOISE_FRAME_HDR_LEN, h.len, deadline) == -1 ||
	    noise_frame_hs_read(hs, NOISE_NYM_VERSION_1, &h,
	    buf + NOISE_FRAME_HDR_LEN) != NOISE_OK)
		t_die("%s", "bad handshake message 2 from the gateway");
	if (noise_frame_hs_write(hs, NOISE_NYM_VERSION_1, buf, sizeof(buf),
	    &len) != NOISE_OK || write_all(fd, buf, len) == -1)
		t_die("%s", "handshake message 3");
	return 0;
}

int
main(int argc, char *argv[])
{
	struct nodeaddr		 gw, self;
	struct sphinx_route_hop	 gwhop;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct noise_hs		 hs;
	struct noise_cs		 tx, rx;
	uint8_t			 gw_noise[32], gw_sphinx[32], client[32];
	uint8_t			 ack_pk[32], pub[32], *stream;
	uint8_t			 sealed[NOISE_FRAME_MAX];
	char			 b58[64];
	const char		*noisefile = NULL, *sphinxfile = NULL;
	const char		*bindip = NULL, *mode = "good";
	size_t			 slen = 0, off, chunk, olen;
	unsigned long		 n = 0, want = (unsigned long)-1, i;
	double			 deadline, secs = 20;
	int			 ch, fd, lfd, on = 1, good, have_gw = 0;
	int			 have_self = 0;

	if (sodium_init() == -1 || gwcrypto_init() == -1 ||
	    (ctx = sphinx_ctx_new()) == NULL)
		t_die("%s", "crypto init");
	randombytes_buf(client, sizeof(client));
	randombytes_buf(noise_sk, sizeof(noise_sk));
	while ((ch = getopt(argc, argv, "a:b:c:g:k:l:m:n:N:P:s:t:")) != -1) {
		switch (ch) {
		case 'a':
			want = strtoul(optarg, NULL, 10);
			break;
		case 'b':
			bindip = optarg;
			break;
		case 'c':
			hex32(optarg, client);
			break;
		case 'g':
			if (nodeaddr_parse(optarg, &gw) == -1)
				t_die("bad -g %s", optarg);
			have_gw = 1;
			break;
		case 'k':
			sphinxfile = optarg;
			break;
		case 'l':
			if (nodeaddr_parse(optarg, &self) == -1)
				t_die("bad -l %s", optarg);
			have_self = 1;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'n':
			noisefile = optarg;
			break;
		case 'N':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'P':
			hex32(optarg, noise_sk);
			crypto_scalarmult_base(pub, noise_sk);
			base58_encode(pub, 32, b58, sizeof(b58));
			printf("%s\n", b58);
			return 0;
		case 's':
			hex32(optarg, noise_sk);
			break;
		case 't':
			secs = atof(optarg);
			break;
		default:
			t_die("%s", "bad usage (see the source)");
		}
	}
	if (!have_gw || !have_self || noisefile == NULL || sphinxfile == NULL)
		t_die("%s", "-g, -l, -n and -k are required");
	good = strcmp(mode, "good") == 0;
	if (want == (unsigned long)-1)
		want = good ? n : 0;
	read_pub(noisefile, gw_noise);
	read_pub(sphinxfile, gw_sphinx);
	memset(&ack_key, 0, sizeof(ack_key));
	randombytes_buf(ack_key.sk, sizeof(ack_key.sk));
	crypto_scalarmult_base(ack_pk, ack_key.sk);
	for (i = 0; i < MAX_IN; i++)
		ins[i].fd = -1;
	deadline = t_now() + secs;

	/* Our node first: the gateway connects here to deliver the acks. */
	if (nodeaddr_to_sockaddr(&self, &ss, &sslen) == -1 ||
	    (lfd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1)
		t_die("%s", "listen socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(lfd, (struct sockaddr *)&ss, sslen) == -1 ||
	    listen(lfd, 16) == -1)
		t_die("listen: %s", strerror(errno));

	fd = connect_gw(&gw, bindip);
	memset(&hs, 0, sizeof(hs));
	if (strcmp(mode, "silent") == 0) {
		if (!wait_closed(fd, deadline))
			t_die("%s", "the gateway kept a silent peer open");
		printf("closed by gateway: silent peer\n");
		return 0;
	}
	if (strcmp(mode, "raw") != 0) {
		if (handshake(fd, mode, gw_noise, &hs, deadline) == -1) {
			printf("closed by gateway: during the handshake\n");
			noise_hs_free(&hs);
			return good ? 1 : 0;
		}
		if (noise_hs_split(&hs, &tx, &rx) != NOISE_OK)
			t_die("%s", "split");
		noise_hs_free(&hs);
		if (!good) {
			/* Message 3 was wrong: the gateway must hang up. */
			noise_cs_free(&tx);
			noise_cs_free(&rx);
			if (!wait_closed(fd, deadline))
				t_die("%s", "the gateway kept a bad peer open");
			printf("closed by gateway: after message 3\n");
			return 0;
		}
		printf("handshake ok\n");
	}

	memset(&gwhop, 0, sizeof(gwhop));
	if (nodeaddr_encode(&gw, gwhop.address, sizeof(gwhop.address)) < 0)
		t_die("%s", "gateway address");
	memcpy(gwhop.pubkey, gw_sphinx, 32);
	if ((stream = malloc(n * FRAME_SPACE + 1)) == NULL)
		t_die("%s", "malloc");
	for (i = 0; i < n; i++) {
		int h = mixframe_encode_header(MIXFRAME_V7,
		    mixframe_tag_for(MIXFRAME_TYPE_SPHINX, SPHINX_SIZE_REGULAR),
		    MIXFRAME_TYPE_SPHINX, 0, stream + slen);

		if (h < 0)
			t_die("%s", "frame header");
		build_packet(&gwhop, &self, ack_pk, client, stream + slen + h);
		slen += (size_t)h + SPHINX_SIZE_REGULAR;
	}
	if (strcmp(mode, "raw") == 0) {
		if (write_all(fd, stream, slen) == -1 ||
		    !wait_closed(fd, deadline))
			t_die("%s", "the gateway kept a raw peer open");
		free(stream);
		printf("closed by gateway: raw frames\n");
		return 0;
	}
	/* Cut the stream at random places: Noise frames are not mix frames. */
	for (off = 0; off < slen; off += chunk) {
		chunk = 1 + randombytes_uniform(3 * SPHINX_SIZE_REGULAR);
		if (chunk > slen - off)
			chunk = slen - off;
		if (noise_frame_seal(&tx, NOISE_NYM_VERSION_1, stream + off,
		    chunk, sealed, sizeof(sealed), &olen) != NOISE_OK ||
		    write_all(fd, sealed, olen) == -1)
			t_die("%s", "send");
	}
	printf("sent %lu\n", n);
	serve(lfd, want, deadline);
	printf("acks %lu handshakes %lu\n", acks, in_handshakes);
	noise_cs_free(&tx);
	noise_cs_free(&rx);
	free(stream);
	close(fd);
	return acks >= want ? 0 : 1;
}
