/*
 * nymclient: the client side of client-protocol.md, for tests and
 * benchmarks (see nymclient.h for the two ways to drive it).  Every
 * client is a non-blocking socket, a wslay client context (masked
 * frames, ping answers, reassembly) and a state machine moved by the
 * frames that arrive; the blocking calls poll and step it.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gcrypt.h>
#include <jansson.h>
#include <sodium.h>
#include <wslay/wslay.h>

#include "client_crypto.h"
#include "gwcrypto.h"
#include "jsonbytes.h"
#include "nymclient.h"

#define NC_VERSION		6	/* what we propose (spec 2.4) */
#define NC_HTTP_MAX		4096	/* the gateway's 101 response */
#define NC_MSG_MAX		(1024 * 1024)	/* our wslay receive cap */
#define NC_WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

struct ncmsg {
	struct nymclient_msg	 m;
	struct ncmsg		*next;
};

struct nymclient {
	int			 fd;
	enum nymclient_state	 state;
	int			 connected;	/* TCP connect finished */
	int			 eof;		/* peer closed or I/O error */
	wslay_event_context_ptr	 ws;

	/* Upgrade: our request out, the response head in. */
	char			 req[512];
	size_t			 reqlen, reqoff;
	char			 accept[29];
	char			 head[NC_HTTP_MAX + 1];
	size_t			 headlen;
	uint8_t			*pre;		/* bytes read past the head */
	size_t			 prelen, preoff;

	/* Keys. */
	uint8_t			 sign_sk[crypto_sign_SECRETKEYBYTES];
	uint8_t			 id[32];
	uint8_t			 gw_id[32];
	uint8_t			 key[32];
	int			 has_key;
	struct gwcrypto_aead	*aead;
	uint8_t			 eph_sk[32];
	uint8_t			 salt[16];
	int64_t			 last_ts;
	int			 bad_sig;	/* test: sign msg 3 wrongly */

	int			 version;
	int64_t			 bandwidth;
	char			 err[512];

	struct ncmsg		*qhead, **qtail;
	size_t			 qlen;
	uint8_t			*frame;		/* scratch: NC_MSG_MAX + 64 */
};

static void
nc_fail(struct nymclient *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
nc_fail(struct nymclient *c, const char *fmt, ...)
{
	va_list	 ap;

	/* The first reason is the interesting one. */
	if (c->state != NC_FAILED) {
		va_start(ap, fmt);
		vsnprintf(c->err, sizeof(c->err), fmt, ap);
		va_end(ap);
	}
	c->state = NC_FAILED;
}

static void
nc_queue(struct nymclient *c, enum nymclient_msg_kind kind,
    const uint8_t *data, size_t len)
{
	struct ncmsg	*q;

	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (q->m.data = malloc(len + 1)) == NULL) {
		free(q);
		nc_fail(c, "out of memory");
		return;
	}
	q->m.kind = kind;
	if (len > 0)
		memcpy(q->m.data, data, len);
	q->m.data[len] = '\0';
	q->m.len = len;
	*c->qtail = q;
	c->qtail = &q->next;
	c->qlen++;
}

static int
nc_set_key(struct nymclient *c, const uint8_t key[32])
{
	if (c->aead != NULL)
		gwcrypto_aead_free(c->aead);
	memcpy(c->key, key, sizeof(c->key));
	if ((c->aead = gwcrypto_aead_new(c->key)) == NULL)
		return -1;
	c->has_key = 1;
	return 0;
}

static struct nymclient *
nc_alloc(void)
{
	struct nymclient	*c;

	if (gwcrypto_init() == -1 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->frame = malloc(NC_MSG_MAX + 64)) == NULL) {
		free(c);
		return NULL;
	}
	c->fd = -1;
	c->qtail = &c->qhead;
	c->bandwidth = -1;
	c->version = -1;
	return c;
}

struct nymclient *
nymclient_new(const uint8_t gw_id[32])
{
	struct nymclient	*c;

	if ((c = nc_alloc()) == NULL)
		return NULL;
	crypto_sign_keypair(c->id, c->sign_sk);
	memcpy(c->gw_id, gw_id, sizeof(c->gw_id));
	return c;
}

static void
nc_disconnect(struct nymclient *c)
{
	if (c->ws != NULL)
		wslay_event_context_free(c->ws);
	c->ws = NULL;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	free(c->pre);
	c->pre = NULL;
	c->prelen = c->preoff = 0;
	c->headlen = c->reqlen = c->reqoff = 0;
	c->connected = c->eof = 0;
}

void
nymclient_msg_free(struct nymclient_msg *m)
{
	free(m->data);
	m->data = NULL;
	m->len = 0;
}

void
nymclient_free(struct nymclient *c)
{
	struct nymclient_msg	 m;

	if (c == NULL)
		return;
	nc_disconnect(c);
	while (nymclient_next(c, &m))
		nymclient_msg_free(&m);
	if (c->aead != NULL)
		gwcrypto_aead_free(c->aead);
	free(c->frame);
	sodium_memzero(c, sizeof(*c));
	free(c);
}

/* --- keys on disk ---------------------------------------------------- */

static void
nc_hex(FILE *fp, const char *name, const uint8_t *b, size_t len)
{
	size_t	 i;

	fprintf(fp, "%s ", name);
	for (i = 0; i < len; i++)
		fprintf(fp, "%02x", b[i]);
	fputc('\n', fp);
}

int
nymclient_save(const struct nymclient *c, const char *path)
{
	uint8_t	 seed[32];
	FILE	*fp;
	int	 fd, rv;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	crypto_sign_ed25519_sk_to_seed(seed, c->sign_sk);
	nc_hex(fp, "identity_seed", seed, sizeof(seed));
	sodium_memzero(seed, sizeof(seed));
	nc_hex(fp, "gateway", c->gw_id, sizeof(c->gw_id));
	if (c->has_key)
		nc_hex(fp, "shared_key", c->key, sizeof(c->key));
	fprintf(fp, "last_auth %" PRId64 "\n", c->last_ts);
	rv = ferror(fp) ? -1 : 0;
	if (fclose(fp) != 0)
		rv = -1;
	return rv;
}

static int
nc_unhex(const char *s, uint8_t *out, size_t len)
{
	size_t	 n;

	if (sodium_hex2bin(out, len, s, strlen(s), NULL, &n, NULL) != 0 ||
	    n != len)
		return -1;
	return 0;
}

struct nymclient *
nymclient_load(const char *path)
{
	struct nymclient	*c;
	char			 line[256], *v;
	uint8_t			 seed[32], key[32];
	int			 have_seed = 0, have_gw = 0, bad = 0;
	FILE			*fp;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	if ((c = nc_alloc()) == NULL) {
		fclose(fp);
		return NULL;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((v = strchr(line, ' ')) == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "identity_seed") == 0) {
			if (nc_unhex(v, seed, sizeof(seed)) == -1)
				bad = 1;
			have_seed = 1;
		} else if (strcmp(line, "gateway") == 0) {
			if (nc_unhex(v, c->gw_id, sizeof(c->gw_id)) == -1)
				bad = 1;
			have_gw = 1;
		} else if (strcmp(line, "shared_key") == 0) {
			if (nc_unhex(v, key, sizeof(key)) == -1 ||
			    nc_set_key(c, key) == -1)
				bad = 1;
		} else if (strcmp(line, "last_auth") == 0)
			c->last_ts = strtoll(v, NULL, 10);
	}
	fclose(fp);
	sodium_memzero(line, sizeof(line));
	sodium_memzero(key, sizeof(key));
	if (!have_seed || !have_gw || bad) {
		sodium_memzero(seed, sizeof(seed));
		nymclient_free(c);
		errno = EINVAL;
		return NULL;
	}
	crypto_sign_seed_keypair(c->id, c->sign_sk, seed);
	sodium_memzero(seed, sizeof(seed));
	return c;
}

void
nymclient_identity(const struct nymclient *c, uint8_t out[32])
{
	memcpy(out, c->id, 32);
}

int
nymclient_has_key(const struct nymclient *c)
{
	return c->has_key;
}

void
nymclient_test_bad_signature(struct nymclient *c, int on)
{
	c->bad_sig = on;
}

void
nymclient_drop_key(struct nymclient *c)
{
	if (c->aead != NULL)
		gwcrypto_aead_free(c->aead);
	c->aead = NULL;
	sodium_memzero(c->key, sizeof(c->key));
	c->has_key = 0;
}

enum nymclient_state
nymclient_state(const struct nymclient *c)
{
	return c->state;
}

const char *
nymclient_state_name(enum nymclient_state s)
{
	static const char *const names[] = {
		"idle", "connecting", "open", "handshake-reply",
		"handshake-final", "handshake-register", "authenticating",
		"ready", "closed", "failed",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ?
	    names[s] : "?";
}

const char *
nymclient_error(const struct nymclient *c)
{
	return c->err[0] != '\0' ? c->err : nymclient_state_name(c->state);
}

int
nymclient_version(const struct nymclient *c)
{
	return c->version;
}

int64_t
nymclient_bandwidth(const struct nymclient *c)
{
	return c->bandwidth;
}

int
nymclient_fd(const struct nymclient *c)
{
	return c->fd;
}

size_t
nymclient_pending(const struct nymclient *c)
{
	return c->qlen;
}

int
nymclient_next(struct nymclient *c, struct nymclient_msg *m)
{
	struct ncmsg	*q;

	if ((q = c->qhead) == NULL)
		return 0;
	if ((c->qhead = q->next) == NULL)
		c->qtail = &c->qhead;
	c->qlen--;
	*m = q->m;
	free(q);
	return 1;
}

/* --- wslay glue ---------------------------------------------------- */

static ssize_t
nc_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
    void *arg)
{
	struct nymclient	*c = arg;
	ssize_t			 n;

	(void)flags;
	if (c->preoff < c->prelen) {
		/* Frames that came with the 101 response. */
		if (len > c->prelen - c->preoff)
			len = c->prelen - c->preoff;
		memcpy(buf, c->pre + c->preoff, len);
		c->preoff += len;
		return (ssize_t)len;
	}
	n = recv(c->fd, buf, len, 0);
	if (n > 0)
		return n;
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR)) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	c->eof = 1;
	wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static ssize_t
nc_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *arg)
{
	struct nymclient	*c = arg;
	ssize_t			 n;

	(void)flags;
	n = send(c->fd, data, len, MSG_NOSIGNAL);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
	else {
		c->eof = 1;
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	}
	return -1;
}

static int
nc_genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    void *arg)
{
	(void)ctx;
	(void)arg;
	randombytes_buf(buf, len);
	return 0;
}

static int
nc_send_frame(struct nymclient *c, uint8_t opcode, const void *data,
    size_t len)
{
	struct wslay_event_msg	 m = { opcode, data, len };

	if (c->ws == NULL) {
		nc_fail(c, "not connected");
		return -1;
	}
	/* wslay copies the message: the caller's buffer may go. */
	if (wslay_event_queue_msg(c->ws, &m) != 0) {
		nc_fail(c, "cannot queue a frame");
		return -1;
	}
	return 0;
}

/* {"type":"handshakePayload","protocol_version":V,"data":[...]} */
static int
nc_send_handshake(struct nymclient *c, const uint8_t *data, size_t len)
{
	char	 out[64 + 4 * 128];
	size_t	 o, i;

	if (len > 128)
		return -1;
	o = (size_t)snprintf(out, sizeof(out), "{\"type\":\"handshakePayload\","
	    "\"protocol_version\":%d,\"data\":[", c->version);
	for (i = 0; i < len; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, i ? ",%u" : "%u",
		    data[i]);
	o += (size_t)snprintf(out + o, sizeof(out) - o, "]}");
	return nc_send_frame(c, WSLAY_TEXT_FRAME, out, o);
}


static void
nc_hs_reply(struct nymclient *c, json_t *o)
{
	uint8_t	 reply[CLIENT_HS_REPLY_LEN + 1], nonce[CLIENT_NONCE_LEN];
	uint8_t	 key[32], msg3[CLIENT_HS_FINAL_LEN];
	json_t	*v;
	int	 n, rc;

	v = json_object_get(o, "protocol_version");
	if (json_is_integer(v)) {
		if (json_integer_value(v) > NC_VERSION ||
		    json_integer_value(v) < 0) {
			nc_fail(c, "the gateway requests protocol version "
			    "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			return;
		}
		c->version = (int)json_integer_value(v);
	}
	n = json_bytes(o, "data", reply, sizeof(reply));
	randombytes_buf(nonce, sizeof(nonce));
	if (c->bad_sig) {
		uint8_t	 other_pk[32], other_sk[crypto_sign_SECRETKEYBYTES];

		crypto_sign_keypair(other_pk, other_sk);
		rc = client_hs_client_finish(other_sk, c->gw_id, c->eph_sk,
		    c->salt, reply, n < 0 ? 0 : (size_t)n, nonce, key, msg3);
		sodium_memzero(other_sk, sizeof(other_sk));
	} else
		rc = client_hs_client_finish(c->sign_sk, c->gw_id, c->eph_sk,
		    c->salt, reply, n < 0 ? 0 : (size_t)n, nonce, key, msg3);
	sodium_memzero(c->eph_sk, sizeof(c->eph_sk));
	if (rc != CLIENT_OK) {
		nc_fail(c, "handshake message 2: %s",
		    client_crypto_strerror(rc));
		return;
	}
	rc = nc_set_key(c, key);
	sodium_memzero(key, sizeof(key));
	if (rc == -1 || nc_send_handshake(c, msg3, sizeof(msg3)) == -1) {
		nc_fail(c, "handshake message 3 not sent");
		return;
	}
	c->state = NC_HS_FINAL;
}

/* A text frame: the state machine takes what it waits for. */
static void
nc_text(struct nymclient *c, const uint8_t *msg, size_t len)
{
	json_t		*o, *v;
	const char	*type = NULL, *text;
	uint8_t		 fin[2];
	int		 consumed = 0;

	o = json_loadb((const char *)msg, len, 0, NULL);
	if (json_is_object(o))
		type = json_string_value(json_object_get(o, "type"));
	if (type == NULL)
		type = "";
	if (strcmp(type, "error") == 0 || strcmp(type, "handshakeError") == 0) {
		text = json_string_value(json_object_get(o, "message"));
		if (c->state >= NC_HS_REPLY && c->state <= NC_AUTH)
			nc_fail(c, "%s", text != NULL ? text : "(no message)");
		else if (text != NULL)
			snprintf(c->err, sizeof(c->err), "%s", text);
	} else if (strcmp(type, "handshakePayload") == 0 &&
	    c->state == NC_HS_REPLY) {
		nc_hs_reply(c, o);
		consumed = 1;
	} else if (strcmp(type, "handshakePayload") == 0 &&
	    c->state == NC_HS_FINAL) {
		if (json_bytes(o, "data", fin, sizeof(fin)) != 1 ||
		    fin[0] != CLIENT_HS_FINALIZE_OK)
			nc_fail(c, "handshake finalization was not [1]");
		else
			c->state = NC_HS_REGISTER;
		consumed = 1;
	} else if (strcmp(type, "register") == 0 &&
	    c->state == NC_HS_REGISTER) {
		if (json_is_true(json_object_get(o, "status")))
			c->state = NC_READY;
		else
			nc_fail(c, "register: status false");
		consumed = 1;
	} else if (strcmp(type, "authenticate") == 0 && c->state == NC_AUTH) {
		v = json_object_get(o, "bandwidth_remaining");
		if (json_is_integer(v))
			c->bandwidth = json_integer_value(v);
		if (json_is_true(json_object_get(o, "status")))
			c->state = NC_READY;
		else
			nc_fail(c, "authenticate: status false");
		consumed = 1;
	} else if (strcmp(type, "bandwidth") == 0) {
		v = json_object_get(o, "available_total");
		if (json_is_integer(v))
			c->bandwidth = json_integer_value(v);
	} else if (strcmp(type, "send") == 0) {
		v = json_object_get(o, "remaining_bandwidth");
		if (json_is_integer(v))
			c->bandwidth = json_integer_value(v);
	}
	json_decref(o);
	if (!consumed)
		nc_queue(c, NCM_TEXT, msg, len);
}

static void
nc_msg_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *a, void *arg)
{
	struct nymclient	*c = arg;
	uint8_t			 kind, code[2];
	size_t			 outlen;

	(void)ctx;
	switch (a->opcode) {
	case WSLAY_TEXT_FRAME:
		nc_text(c, a->msg, a->msg_length);
		break;
	case WSLAY_BINARY_FRAME:
		if (c->aead != NULL && a->msg_length <= NC_MSG_MAX &&
		    client_frame_open(c->aead, a->msg, a->msg_length, &kind,
		    c->frame, &outlen) == CLIENT_OK &&
		    kind == CLIENT_KIND_PUSHED)
			nc_queue(c, NCM_PUSHED, c->frame, outlen);
		else
			nc_queue(c, NCM_BINARY, a->msg, a->msg_length);
		break;
	case WSLAY_CONNECTION_CLOSE:
		code[0] = a->status_code >> 8;
		code[1] = a->status_code & 0xff;
		nc_queue(c, NCM_CLOSE, code, sizeof(code));
		if (c->state != NC_FAILED)
			c->state = NC_CLOSED;
		break;
	default:
		break;	/* pings are answered by wslay */
	}
}

static const struct wslay_event_callbacks nc_callbacks = {
	.recv_callback = nc_recv_cb,
	.send_callback = nc_send_cb,
	.genmask_callback = nc_genmask_cb,
	.on_msg_recv_callback = nc_msg_cb,
};

/* --- connection ------------------------------------------------------ */

int
nymclient_connect_start(struct nymclient *c, const char *ip, uint16_t port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	uint8_t			 nonce[16];
	char			 key[32], hash_in[96];
	uint8_t			 sha1[20];
	int			 one = 1;

	nc_disconnect(c);
	c->err[0] = '\0';
	c->state = NC_CONNECTING;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr)
	    == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		sslen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, ip,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		sslen = sizeof(struct sockaddr_in6);
	} else {
		nc_fail(c, "%s: not an IP address", ip);
		return -1;
	}
	if ((c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		nc_fail(c, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&ss, sslen) == 0)
		c->connected = 1;
	else if (errno != EINPROGRESS) {
		nc_fail(c, "connect: %s", strerror(errno));
		return -1;
	}
	randombytes_buf(nonce, sizeof(nonce));
	sodium_bin2base64(key, sizeof(key), nonce, sizeof(nonce),
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(hash_in, sizeof(hash_in), "%s%s", key, NC_WS_GUID);
	gcry_md_hash_buffer(GCRY_MD_SHA1, sha1, hash_in, strlen(hash_in));
	sodium_bin2base64(c->accept, sizeof(c->accept), sha1, sizeof(sha1),
	    sodium_base64_VARIANT_ORIGINAL);
	c->reqlen = (size_t)snprintf(c->req, sizeof(c->req),
	    "GET / HTTP/1.1\r\nHost: %s:%u\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", ip, port, key);
	return 0;
}

/* The 101 response: status and Sec-WebSocket-Accept checked. */
static int
nc_upgrade_done(struct nymclient *c, size_t headend)
{
	char	*p, *line, *save = NULL;
	int	 accepted = 0, first = 1;

	c->head[headend] = '\0';
	for (line = strtok_r(c->head, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save)) {
		if (first) {
			if (strncmp(line, "HTTP/1.1 101", 12) != 0) {
				nc_fail(c, "upgrade refused: %.80s", line);
				return -1;
			}
			first = 0;
			continue;
		}
		if (strncasecmp(line, "Sec-WebSocket-Accept:", 21) == 0) {
			for (p = line + 21; *p == ' '; p++)
				;
			accepted = strcmp(p, c->accept) == 0;
		}
	}
	if (!accepted) {
		nc_fail(c, "upgrade: bad or missing Sec-WebSocket-Accept");
		return -1;
	}
	if (wslay_event_context_client_init(&c->ws, &nc_callbacks, c) != 0) {
		nc_fail(c, "wslay");
		return -1;
	}
	wslay_event_config_set_max_recv_msg_length(c->ws, NC_MSG_MAX);
	c->state = NC_OPEN;
	return 0;
}

static int
nc_step_upgrade(struct nymclient *c)
{
	struct pollfd	 pfd = { c->fd, POLLOUT, 0 };
	socklen_t	 sl = sizeof(int);
	ssize_t		 n;
	char		*end;
	int		 err = 0;

	if (!c->connected) {
		if (poll(&pfd, 1, 0) <= 0)
			return 0;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1 ||
		    err != 0) {
			nc_fail(c, "connect: %s", strerror(err ? err : errno));
			return -1;
		}
		c->connected = 1;
	}
	while (c->reqoff < c->reqlen) {
		n = send(c->fd, c->req + c->reqoff, c->reqlen - c->reqoff,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			nc_fail(c, "send: %s", strerror(errno));
			return -1;
		}
		c->reqoff += (size_t)n;
	}
	for (;;) {
		if (c->headlen == NC_HTTP_MAX) {
			nc_fail(c, "upgrade response too long");
			return -1;
		}
		n = recv(c->fd, c->head + c->headlen, NC_HTTP_MAX - c->headlen,
		    0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			nc_fail(c, "upgrade: connection closed");
			return -1;
		}
		c->headlen += (size_t)n;
		c->head[c->headlen] = '\0';
		if ((end = strstr(c->head, "\r\n\r\n")) != NULL)
			break;
	}
	end += 4;
	if ((size_t)(end - c->head) < c->headlen) {
		c->prelen = c->headlen - (size_t)(end - c->head);
		if ((c->pre = malloc(c->prelen)) == NULL) {
			nc_fail(c, "out of memory");
			return -1;
		}
		memcpy(c->pre, end, c->prelen);
	}
	return nc_upgrade_done(c, (size_t)(end - c->head));
}

short
nymclient_events(const struct nymclient *c)
{
	short	 ev = 0;

	if (c->fd == -1)
		return 0;
	if (c->state == NC_CONNECTING)
		return c->connected && c->reqoff == c->reqlen ? POLLIN :
		    POLLOUT;
	if (c->ws == NULL)
		return 0;
	if (wslay_event_want_read(c->ws))
		ev |= POLLIN;
	if (wslay_event_want_write(c->ws))
		ev |= POLLOUT;
	return ev;
}

int
nymclient_step(struct nymclient *c)
{
	if (c->fd == -1)
		return -1;
	if (c->state == NC_CONNECTING && nc_step_upgrade(c) == -1) {
		nc_disconnect(c);
		return -1;
	}
	if (c->ws != NULL) {
		if (wslay_event_recv(c->ws) != 0)
			c->eof = 1;
		if (!c->eof && wslay_event_send(c->ws) != 0)
			c->eof = 1;
		if (c->eof || (!wslay_event_want_read(c->ws) &&
		    !wslay_event_want_write(c->ws))) {
			if (c->state != NC_FAILED && c->state != NC_CLOSED) {
				if (c->state >= NC_HS_REPLY &&
				    c->state <= NC_AUTH)
					nc_fail(c, "connection closed during "
					    "%s", nymclient_state_name(
					    c->state));
				else
					c->state = NC_CLOSED;
			}
			nc_disconnect(c);
		}
	}
	return c->state == NC_FAILED || c->state == NC_CLOSED ? -1 : 0;
}

/* --- requests ------------------------------------------------------ */

int
nymclient_register_start(struct nymclient *c)
{
	uint8_t	 msg1[CLIENT_HS_INIT_LEN];

	if (c->state != NC_OPEN) {
		nc_fail(c, "register: not in the fresh state");
		return -1;
	}
	randombytes_buf(c->eph_sk, sizeof(c->eph_sk));
	randombytes_buf(c->salt, sizeof(c->salt));
	c->version = NC_VERSION;
	if (client_hs_client_init(c->id, c->eph_sk, c->salt, msg1) !=
	    CLIENT_OK || nc_send_handshake(c, msg1, sizeof(msg1)) == -1) {
		nc_fail(c, "handshake message 1 not sent");
		return -1;
	}
	c->state = NC_HS_REPLY;
	return 0;
}

static size_t
nc_put_array(char *out, size_t max, const uint8_t *b, size_t len)
{
	size_t	 o = 0, i;

	o += (size_t)snprintf(out + o, max - o, "[");
	for (i = 0; i < len && o < max; i++)
		o += (size_t)snprintf(out + o, max - o, i ? ",%u" : "%u", b[i]);
	if (o < max)
		o += (size_t)snprintf(out + o, max - o, "]");
	return o;
}

int
nymclient_auth_request(struct nymclient *c, int64_t ts, char *out,
    size_t outlen)
{
	uint8_t	 nonce[CLIENT_NONCE_LEN], ct[CLIENT_AUTH_CT_LEN];
	uint8_t	 signed_msg[CLIENT_AUTH_MSG_LEN], sig[CLIENT_SIG_LEN];
	char	 ct64[sodium_base64_ENCODED_LEN(CLIENT_AUTH_CT_LEN,
		    sodium_base64_VARIANT_ORIGINAL)];
	char	 nonce64[sodium_base64_ENCODED_LEN(CLIENT_NONCE_LEN,
		    sodium_base64_VARIANT_ORIGINAL)];
	size_t	 o;

	if (!c->has_key || outlen < 1024)
		return -1;
	if (ts == 0) {
		ts = time(NULL);
		if (ts <= c->last_ts)
			ts = c->last_ts + 1;
	}
	randombytes_buf(nonce, sizeof(nonce));
	if (gwcrypto_aead_seal(c->aead, nonce, c->id, sizeof(c->id), ct) == -1
	    || client_auth_v2_message(NC_VERSION, c->id, ct, nonce,
	    (uint64_t)ts, signed_msg) != CLIENT_OK)
		return -1;
	crypto_sign_detached(sig, NULL, signed_msg, sizeof(signed_msg),
	    c->sign_sk);
	sodium_bin2base64(ct64, sizeof(ct64), ct, sizeof(ct),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(nonce64, sizeof(nonce64), nonce, sizeof(nonce),
	    sodium_base64_VARIANT_ORIGINAL);
	o = (size_t)snprintf(out, outlen, "{\"type\":\"authenticateV2\","
	    "\"protocolVersion\":%d,\"clientIdentity\":", NC_VERSION);
	o += nc_put_array(out + o, outlen - o, c->id, sizeof(c->id));
	o += (size_t)snprintf(out + o, outlen - o, ",\"addressCiphertext\":"
	    "\"%s\",\"nonce\":\"%s\",\"requestUnixTimestamp\":%" PRId64
	    ",\"requestSignature\":", ct64, nonce64, ts);
	o += nc_put_array(out + o, outlen - o, sig, sizeof(sig));
	o += (size_t)snprintf(out + o, outlen - o, "}");
	if (o >= outlen)
		return -1;
	if (ts > c->last_ts)
		c->last_ts = ts;
	return (int)o;
}

int
nymclient_auth_start(struct nymclient *c, int64_t ts)
{
	char	 req[1024];
	int	 n;

	if (c->state != NC_OPEN || !c->has_key) {
		nc_fail(c, "authenticate: %s", c->has_key ?
		    "not in the fresh state" : "no shared key");
		return -1;
	}
	if ((n = nymclient_auth_request(c, ts, req, sizeof(req))) == -1 ||
	    nc_send_frame(c, WSLAY_TEXT_FRAME, req, (size_t)n) == -1) {
		nc_fail(c, "authenticateV2 not sent");
		return -1;
	}
	c->version = NC_VERSION;
	c->state = NC_AUTH;
	return 0;
}

int
nymclient_send_text(struct nymclient *c, const void *s, size_t len)
{
	return nc_send_frame(c, WSLAY_TEXT_FRAME, s, len);
}

int
nymclient_send_binary(struct nymclient *c, const void *b, size_t len)
{
	return nc_send_frame(c, WSLAY_BINARY_FRAME, b, len);
}

int
nymclient_send_raw_text(struct nymclient *c, const char *s, size_t len)
{
	return nc_send_frame(c, WSLAY_TEXT_FRAME, s, len);
}

int
nymclient_send_raw_binary(struct nymclient *c, const uint8_t *b, size_t len)
{
	return nc_send_frame(c, WSLAY_BINARY_FRAME, b, len);
}

int
nymclient_claim_free_start(struct nymclient *c)
{
	static const char s[] = "{\"type\":\"claimFreeTestnetBandwidth\"}";

	return nc_send_frame(c, WSLAY_TEXT_FRAME, s, sizeof(s) - 1);
}

int
nymclient_forward_start(struct nymclient *c, uint8_t kind,
    const uint8_t *mixpacket, size_t len)
{
	uint8_t	 nonce[CLIENT_NONCE_LEN];
	int	 n;

	if (c->aead == NULL || len > NC_MSG_MAX) {
		nc_fail(c, "forward: no key or too long");
		return -1;
	}
	randombytes_buf(nonce, sizeof(nonce));
	n = client_frame_seal(c->aead, kind, nonce, mixpacket, len, c->frame,
	    NC_MSG_MAX + 64);
	if (n < 0) {
		nc_fail(c, "forward: %s", client_crypto_strerror(n));
		return -1;
	}
	return nc_send_frame(c, WSLAY_BINARY_FRAME, c->frame, (size_t)n);
}

int
nymclient_encrypted_start(struct nymclient *c, const char *json)
{
	uint8_t	 nonce[CLIENT_NONCE_LEN], *ct;
	char	*out;
	size_t	 len = strlen(json), max, o;
	int	 rv;

	if (c->aead == NULL || len > 16384) {
		nc_fail(c, "encryptedRequest: no key or too long");
		return -1;
	}
	max = (len + CLIENT_TAG_LEN) * 4 + 256;
	if ((ct = malloc(len + CLIENT_TAG_LEN)) == NULL ||
	    (out = malloc(max)) == NULL) {
		free(ct);
		return -1;
	}
	randombytes_buf(nonce, sizeof(nonce));
	rv = gwcrypto_aead_seal(c->aead, nonce, (const uint8_t *)json, len, ct);
	if (rv != -1) {
		o = (size_t)snprintf(out, max, "{\"type\":\"encryptedRequest\","
		    "\"ciphertext\":");
		o += nc_put_array(out + o, max - o, ct, len + CLIENT_TAG_LEN);
		o += (size_t)snprintf(out + o, max - o, ",\"nonce\":");
		o += nc_put_array(out + o, max - o, nonce, sizeof(nonce));
		o += (size_t)snprintf(out + o, max - o, "}");
		rv = nc_send_frame(c, WSLAY_TEXT_FRAME, out, o);
	}
	free(ct);
	free(out);
	return rv == -1 ? -1 : 0;
}

/* ecashCredential: the ticket bytes sealed under the session key. */
int
nymclient_ticket_start(struct nymclient *c, const uint8_t *ticket,
    size_t len)
{
	uint8_t	 nonce[CLIENT_NONCE_LEN], *ct;
	char	*out;
	size_t	 max, o;
	int	 rv;

	if (c->aead == NULL || len == 0 || len > 32768) {
		nc_fail(c, "ecashCredential: no key or bad length");
		return -1;
	}
	max = (len + CLIENT_TAG_LEN) * 4 + 256;
	if ((ct = malloc(len + CLIENT_TAG_LEN)) == NULL ||
	    (out = malloc(max)) == NULL) {
		free(ct);
		return -1;
	}
	randombytes_buf(nonce, sizeof(nonce));
	rv = gwcrypto_aead_seal(c->aead, nonce, ticket, len, ct);
	if (rv != -1) {
		o = (size_t)snprintf(out, max, "{\"type\":\"ecashCredential\","
		    "\"enc_credential\":");
		o += nc_put_array(out + o, max - o, ct, len + CLIENT_TAG_LEN);
		o += (size_t)snprintf(out + o, max - o, ",\"iv\":");
		o += nc_put_array(out + o, max - o, nonce, sizeof(nonce));
		o += (size_t)snprintf(out + o, max - o, "}");
		rv = nc_send_frame(c, WSLAY_TEXT_FRAME, out, o);
	}
	free(ct);
	free(out);
	return rv == -1 ? -1 : 0;
}

int
nymclient_encrypted_open(struct nymclient *c, const char *text, size_t len,
    char *out, size_t outlen)
{
	uint8_t	 ct[4096], nonce[CLIENT_NONCE_LEN + 1];
	json_t	*o;
	int	 n, nl, rv = -1;

	if (c->aead == NULL ||
	    (o = json_loadb(text, len, 0, NULL)) == NULL)
		return -1;
	n = json_bytes(o, "ciphertext", ct, sizeof(ct));
	nl = json_bytes(o, "nonce", nonce, sizeof(nonce));
	json_decref(o);
	if (n < CLIENT_TAG_LEN || nl != CLIENT_NONCE_LEN ||
	    (size_t)n - CLIENT_TAG_LEN >= outlen)
		return -1;
	if (gwcrypto_aead_open(c->aead, nonce, ct, (size_t)n,
	    (uint8_t *)out) == 0) {
		rv = n - CLIENT_TAG_LEN;
		out[rv] = '\0';
	}
	return rv;
}

int
nymclient_close_start(struct nymclient *c, uint16_t code)
{
	if (c->ws == NULL)
		return -1;
	return wslay_event_queue_close(c->ws, code, NULL, 0) == 0 ? 0 : -1;
}

/* --- blocking ------------------------------------------------------ */

static int64_t
nc_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Poll and step until done(c, arg) holds (0), the client fails or
 * closes (-1), or the time runs out (1).
 */
static int
nc_wait(struct nymclient *c, int (*done)(struct nymclient *, void *),
    void *arg, int timeout_ms, int until_eof)
{
	int64_t		 end = nc_now_ms() + timeout_ms, left;
	struct pollfd	 pfd;

	for (;;) {
		if (c->fd != -1)
			nymclient_step(c);
		if (done(c, arg))
			return 0;
		/* A reader goes on until the socket is gone: the error
		 * texts and the close frame that follow a failure count. */
		if (c->fd == -1 || (!until_eof && (c->state == NC_FAILED ||
		    c->state == NC_CLOSED)))
			return -1;
		if ((left = end - nc_now_ms()) <= 0)
			return 1;
		pfd.fd = c->fd;
		pfd.events = nymclient_events(c);
		pfd.revents = 0;
		if (pfd.events == 0)
			pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(left > 100 ? 100 : left)) == -1 &&
		    errno != EINTR) {
			nc_fail(c, "poll: %s", strerror(errno));
			return -1;
		}
	}
}

static int
nc_is_state(struct nymclient *c, void *arg)
{
	return c->state == *(enum nymclient_state *)arg;
}

static int
nc_wait_state(struct nymclient *c, enum nymclient_state want, int timeout_ms,
    const char *what)
{
	int	 rv = nc_wait(c, nc_is_state, &want, timeout_ms, 0);

	if (rv == 1)
		nc_fail(c, "%s: timed out in state %s", what,
		    nymclient_state_name(c->state));
	else if (rv == -1 && c->state == NC_CLOSED)
		nc_fail(c, "%s: connection closed", what);
	return rv == 0 ? 0 : -1;
}

int
nymclient_connect(struct nymclient *c, const char *ip, uint16_t port,
    int timeout_ms)
{
	if (nymclient_connect_start(c, ip, port) == -1)
		return -1;
	return nc_wait_state(c, NC_OPEN, timeout_ms, "connect");
}

int
nymclient_register(struct nymclient *c, int timeout_ms)
{
	if (nymclient_register_start(c) == -1)
		return -1;
	return nc_wait_state(c, NC_READY, timeout_ms, "register");
}

int
nymclient_authenticate(struct nymclient *c, int timeout_ms)
{
	if (nymclient_auth_start(c, 0) == -1)
		return -1;
	return nc_wait_state(c, NC_READY, timeout_ms, "authenticate");
}

/* Find (and unlink) the first queued text whose type is one of types. */
struct nc_find {
	const char	*const *types;
	struct nymclient_msg	 m;
};

static int
nc_find_text(struct nymclient *c, void *arg)
{
	struct nc_find	*f = arg;
	struct ncmsg	**pp, *q;
	json_t		*o;
	const char	*type;
	size_t		 i;
	int		 hit;

	for (pp = &c->qhead; (q = *pp) != NULL; pp = &q->next) {
		if (q->m.kind != NCM_TEXT)
			continue;
		o = json_loadb((const char *)q->m.data, q->m.len, 0, NULL);
		type = json_string_value(json_object_get(o, "type"));
		hit = 0;
		for (i = 0; type != NULL && f->types[i] != NULL; i++)
			if (strcmp(type, f->types[i]) == 0)
				hit = 1;
		json_decref(o);
		if (!hit)
			continue;
		if ((*pp = q->next) == NULL)
			c->qtail = pp;
		c->qlen--;
		f->m = q->m;
		free(q);
		return 1;
	}
	return 0;
}

static int
nc_wait_text(struct nymclient *c, const char *const *types,
    struct nymclient_msg *m, int timeout_ms, const char *what)
{
	struct nc_find	 f = { types, { NCM_TEXT, NULL, 0 } };
	int		 rv;

	if ((rv = nc_wait(c, nc_find_text, &f, timeout_ms, 0)) != 0) {
		if (rv == 1)
			nc_fail(c, "%s: no answer in time", what);
		return -1;
	}
	*m = f.m;
	return 0;
}

int
nymclient_wait_text(struct nymclient *c, const char *const *types,
    struct nymclient_msg *m, int timeout_ms)
{
	return nc_wait_text(c, types, m, timeout_ms, "wait");
}

int
nymclient_claim_free(struct nymclient *c, int timeout_ms, int64_t *avail)
{
	static const char *const types[] = { "bandwidth", "error", NULL };
	struct nymclient_msg	 m;
	json_t			*o;
	int			 rv = -1;

	if (nymclient_claim_free_start(c) == -1 ||
	    nc_wait_text(c, types, &m, timeout_ms, "claim") == -1)
		return -1;
	o = json_loadb((const char *)m.data, m.len, 0, NULL);
	if (strcmp(json_string_value(json_object_get(o, "type")), "error")
	    == 0)
		snprintf(c->err, sizeof(c->err), "%s", json_string_value(
		    json_object_get(o, "message")) ? json_string_value(
		    json_object_get(o, "message")) : "error");
	else if (json_is_integer(json_object_get(o, "available_total"))) {
		if (avail != NULL)
			*avail = json_integer_value(json_object_get(o,
			    "available_total"));
		rv = 0;
	}
	json_decref(o);
	nymclient_msg_free(&m);
	return rv;
}

int
nymclient_encrypted(struct nymclient *c, const char *json, char *reply,
    size_t replylen, int timeout_ms)
{
	static const char *const types[] = { "encryptedResponse", "error",
	    NULL };
	struct nymclient_msg	 m;
	int			 rv;

	if (nymclient_encrypted_start(c, json) == -1 ||
	    nc_wait_text(c, types, &m, timeout_ms, "encryptedRequest") == -1)
		return -1;
	rv = nymclient_encrypted_open(c, (const char *)m.data, m.len, reply,
	    replylen);
	if (rv == -1)
		snprintf(c->err, sizeof(c->err), "%.400s", (char *)m.data);
	nymclient_msg_free(&m);
	return rv == -1 ? -1 : 0;
}

static int
nc_has_msg(struct nymclient *c, void *arg)
{
	(void)arg;
	return c->qhead != NULL;
}

int
nymclient_recv(struct nymclient *c, struct nymclient_msg *m, int timeout_ms)
{
	int	 rv;

	if (nymclient_next(c, m))
		return 1;
	rv = nc_wait(c, nc_has_msg, NULL, timeout_ms, 1);
	if (nymclient_next(c, m))
		return 1;
	return rv == 1 ? 0 : -1;
}

static int
nc_flushed(struct nymclient *c, void *arg)
{
	(void)arg;
	return c->ws == NULL || !wslay_event_want_write(c->ws);
}

int
nymclient_flush(struct nymclient *c, int timeout_ms)
{
	return nc_wait(c, nc_flushed, NULL, timeout_ms, 0) == 0 ? 0 : -1;
}
