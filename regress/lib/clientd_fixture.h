/*
 * A clientd without its process: the daemon's own layers and sibling
 * dispatchers (clientd/siblings.c), socketpairs standing for the master,
 * mixd, storaged and credd, and clients on socketpairs speaking
 * WebSocket frames.  The event loop never runs: input goes in through
 * conn_input and the dispatchers, output is read off the other ends.
 * Header only, for the unit tests and the fuzzers alike.
 */
#ifndef CLIENTD_FIXTURE_H
#define CLIENTD_FIXTURE_H

#include <sys/socket.h>

#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "clientd/clientd.h"
#include "dispatch_fixture.h"
#include "gwcrypto.h"
#include "roles.h"
#include "util.h"

struct cdfix {
	struct worker	 w;
	struct clientd	 cd;
	struct imsgbuf	 sib[PROC_MAX];	/* the siblings' ends */
};

static const enum gw_proc cdfix_sibs[] = {
	PROC_PARENT, PROC_MIXD, PROC_STORAGED, PROC_CREDD
};

static inline int
cdfix_open(struct cdfix *f)
{
	static const imsgev_dispatch_cb cb[PROC_MAX] = {
		[PROC_PARENT] = clientd_dispatch_parent,
		[PROC_MIXD] = clientd_dispatch_mixd,
		[PROC_STORAGED] = clientd_dispatch_storaged,
		[PROC_CREDD] = clientd_dispatch_credd,
	};
	struct gw_conf_clientd	*k;
	unsigned		 i;

	memset(f, 0, sizeof(*f));
	if (gwcrypto_init() == -1 || (f->w.base = event_base_new()) == NULL)
		return -1;
	f->w.self = PROC_CLIENTD;
	f->w.name = "clientd";
	k = &f->w.conf.clientd;
	k->max_connections = 64;
	k->max_connections_per_address = 64;
	k->max_unauthenticated = 64;
	k->max_unauthenticated_per_address = 64;
	k->max_message_size = 64 * 1024;
	k->handshake_timeout_ms = 10000;
	k->idle_timeout_ms = 60000;
	k->ipv6_prefix = 64;
	clientd_init(&f->cd, &f->w);
	for (i = 0; i < nitems(cdfix_sibs); i++) {
		enum gw_proc p = cdfix_sibs[i];

		f->w.peer[p] = fixture_channel(f->w.base, p, cb[p], &f->w,
		    &f->sib[p]);
	}
	gw_msg_set_self(PROC_CLIENTD);
	return 0;
}

/* Every connection, channel and event freed. */
static inline void
cdfix_close(struct cdfix *f)
{
	struct conn	*c;
	unsigned	 i;

	while ((c = TAILQ_FIRST(&f->cd.conns)) != NULL)
		conn_free(c);
	for (i = 0; i < nitems(cdfix_sibs); i++) {
		enum gw_proc p = cdfix_sibs[i];

		imsgev_free(f->w.peer[p]);
		f->w.peer[p] = NULL;
		close(f->sib[p].fd);
		imsgbuf_clear(&f->sib[p]);
	}
	if (f->cd.flow_ev != NULL)
		event_free(f->cd.flow_ev);
	if (f->cd.settle_ev != NULL)
		event_free(f->cd.settle_ev);
	if (f->cd.sweep_ev != NULL)
		event_free(f->cd.sweep_ev);
	if (f->cd.stats_ev != NULL)
		event_free(f->cd.stats_ev);
	free(f->cd.stats.users);
	event_base_free(f->w.base);
}

/* A sibling's message (dispatch_fixture.h). */
static inline const char *
cdfix_from(struct cdfix *f, enum gw_proc from, uint32_t type,
    uint32_t peerid, const void *data, size_t len)
{
	return fixture_deliver(f->w.peer[from], from, type, peerid, data,
	    len);
}

/* The next message clientd sent `to', 1; none, 0. */
static inline int
cdfix_to(struct cdfix *f, enum gw_proc to, struct imsg *imsg)
{
	fixture_flush(f->w.peer[to], &f->sib[to]);
	return imsg_get(&f->sib[to], imsg) == 1;
}

/* Drop everything clientd sent `to' so far. */
static inline void
cdfix_drain(struct cdfix *f, enum gw_proc to)
{
	fixture_drain(f->w.peer[to], &f->sib[to]);
}

/* --- a client ------------------------------------------------------ */

struct cdclient {
	struct conn	*c;
	int		 fd;		/* the client's end */
	uint8_t		 in[1 << 20];	/* frames read, not yet taken */
	size_t		 inlen;
};

/* One masked client frame into clientd, and what it sends is flushed. */
static inline void
cdclient_send(struct cdclient *k, uint8_t opcode, const void *data,
    size_t len)
{
	uint8_t	*b = xmalloc(len + 14), mask[4];
	size_t	 o = 0, i;

	b[o++] = 0x80 | opcode;
	if (len < 126)
		b[o++] = 0x80 | (uint8_t)len;
	else {
		b[o++] = 0x80 | 126;
		b[o++] = (uint8_t)(len >> 8);
		b[o++] = (uint8_t)len;
	}
	randombytes_buf(mask, 4);
	memcpy(b + o, mask, 4);
	o += 4;
	for (i = 0; i < len; i++)
		b[o + i] = ((const uint8_t *)data)[i] ^ mask[i % 4];
	conn_input(k->c, b, o + len);
	conn_flush(k->c);
	free(b);
}

static inline void
cdclient_text(struct cdclient *k, const char *s)
{
	cdclient_send(k, 1, s, strlen(s));
}

/* The next frame clientd sent this client: its opcode and payload
 * (NUL-ended copy in out); -1 if none. */
static inline int
cdclient_frame(struct cdclient *k, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	ssize_t	 n;
	size_t	 hl = 2, len;

	while ((n = read(k->fd, k->in + k->inlen, sizeof(k->in) - k->inlen))
	    > 0)
		k->inlen += (size_t)n;
	if (k->inlen < 2)
		return -1;
	len = k->in[1] & 0x7f;
	if (len == 126) {
		hl = 4;
		len = (size_t)k->in[2] << 8 | k->in[3];
	} else if (len == 127)
		return -1;
	if (k->inlen < hl + len || len + 1 > outmax)
		return -1;
	memcpy(out, k->in + hl, len);
	out[len] = '\0';
	*outlen = len;
	n = k->in[0] & 0x0f;
	memmove(k->in, k->in + hl + len, k->inlen - hl - len);
	k->inlen -= hl + len;
	return (int)n;
}

/* Every frame clientd has sent this client so far, dropped. */
static inline void
cdclient_drain(struct cdclient *k)
{
	static uint8_t	 b[70000];
	size_t		 len;

	while (cdclient_frame(k, b, sizeof(b), &len) != -1)
		;
}

/* Connected and upgraded; the 101 read off. */
static inline int
cdclient_open(struct cdfix *f, struct cdclient *k)
{
	static const char up[] = "GET / HTTP/1.1\r\nHost: x\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n";
	struct sockaddr_in	 sin;
	char			 resp[512];
	ssize_t			 n;
	int			 sv[2];

	memset(k, 0, sizeof(*k));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    gw_set_nonblock(sv[0]) == -1 || gw_set_nonblock(sv[1]) == -1)
		return -1;
	if ((k->c = conn_new(&f->cd, sv[0], (struct sockaddr *)&sin)) ==
	    NULL)
		return -1;
	k->fd = sv[1];
	conn_input(k->c, (const uint8_t *)up, sizeof(up) - 1);
	conn_flush(k->c);
	n = read(k->fd, resp, sizeof(resp) - 1);
	if (n <= 0)
		return -1;
	resp[n] = '\0';
	return strstr(resp, " 101 ") != NULL ? 0 : -1;
}

/* Authenticated as `id' with `key', along the session's transitions,
 * and live with this balance (router_live, as storaged's answer). */
static inline int
cdclient_live(struct cdfix *f, struct cdclient *k, const uint8_t id[32],
    const uint8_t key[32], int64_t balance)
{
	struct gw_bandwidth	 b;
	struct conn		*c = k->c;

	if ((c->aead = gwcrypto_aead_new(key)) == NULL)
		return -1;
	memcpy(c->client, id, 32);
	c->version = 6;
	session_set_state(c, CS_AUTH_LOOKUP);
	session_set_state(c, CS_AUTH_STORE);
	session_set_state(c, CS_AUTH_BW);
	memset(&b, 0, sizeof(b));
	memcpy(b.client, id, 32);
	b.ok = 1;
	b.available = balance;
	b.expiry = INT64_MAX / 2;
	int			 rv;

	cdfix_from(f, PROC_STORAGED, IMSG_BANDWIDTH_RESULT,
	    REQ_ID(c, REQ_PLAIN), &b, sizeof(b));
	rv = c->state == CS_READY && !conn_closing(c) ? 0 : -1;
	conn_flush(c);		/* may free c */
	return rv;
}

#endif
