/*
 * tool_wsclient: a Nym client for shell tests, over regress/lib/nymclient.
 *
 *	tool_wsclient -a IP:PORT [-g GATEWAY_ID] [-t MS] COMMAND [args]
 *
 *	-a IP:PORT  the gateway's client WebSocket address
 *	-g ID       the gateway's Ed25519 identity, base58 (gatewayctl
 *		    node-details "Identity Key"); needed to register a new
 *		    state file, read from the state file otherwise
 *	-t MS       timeout of each step (default 5000)
 *
 * Commands (STATE is a key file: identity, gateway, shared key, last
 * authenticateV2 timestamp; written mode 0600):
 *
 *	register -s STATE [-c] [-X]
 *		Register (a new identity if STATE does not exist, else the
 *		stored one again) and save the shared key.  -c: then claim
 *		free bandwidth.  Prints "client HEX" (the 32-byte identity,
 *		as tool_mixnode -c takes it), "registered", with -c
 *		"bandwidth N".  -X: sign handshake message 3 with another
 *		key; on failure the gateway's frames print as in raw,
 *		then "eof" or "open".
 *	auth -s STATE [-c] [-n COUNT] [-w SECS] [-T]
 *		Authenticate with the saved key, -c claim free bandwidth,
 *		then print every pushed message as "msg HEX" (-T: "msg
 *		TEXT", the payload up to its first NUL with unprintable
 *		bytes as '.'), until COUNT arrived or SECS (default 1)
 *		passed without one.  Prints "authenticated bandwidth N"
 *		first and "received K" last.  Other frames print as in raw.
 *	replay-auth -s STATE
 *		One authenticateV2 request sent on a connection (must
 *		succeed), the same bytes again on a new one (prints
 *		"replay: TEXT" with the gateway's error), then a fresh
 *		request with a later timestamp ("fresh: ok").  Exit 0 only
 *		if the first and the fresh one succeed and the replay fails.
 *	forget -s STATE [-C CLIENT] [-S STATS] [-P MS]
 *		Authenticate and send encryptedRequest
 *		{"ForgetMe":{"client":CLIENT,"stats":STATS}} (default true,
 *		false); prints "reply PLAINTEXT" and "received K" (pushed
 *		messages that arrived before the ack and within a second
 *		after it).  -P: read nothing for MS after sending it, so a
 *		large inbox cannot drain meanwhile.
 *	remember -s STATE [-t TYPE] [-H MS]
 *		Authenticate, send encryptedRequest
 *		{"RememberMe":{"session_type":TYPE}} (default Vpn), print
 *		"reply PLAINTEXT", stay connected MS (default 0), close.
 *	forward -s STATE -h IP:PORT [-N COUNT] [-z SIZE] [-T TICKET]
 *		Authenticate; with -T first spend the ticket in file TICKET
 *		(CredentialSpendingData bytes, as an ecashCredential) and
 *		print "ticket: TEXT" with the answer; then send COUNT
 *		(default 1) ForwardSphinx
 *		frames, each a MixPacket v1 of SIZE (default 2413) random
 *		bytes for next hop IP:PORT, and print the gateway's text
 *		answers as in raw until COUNT "send" or "error" answers
 *		or a typed error came, or the timeout passed.  Prints
 *		"authenticated bandwidth N" first, "answered K" last.
 *	pingflood -s STATE [-N COUNT] [-H SECS]
 *		Authenticate, then write COUNT (default 100000) masked ping
 *		frames of 125 bytes straight to the socket and read nothing,
 *		as fast as
 *		the gateway takes them (giving up when it takes nothing for
 *		5 s); hold the connection SECS (default 15) more, reading
 *		nothing.  Prints "pings SENT" and "closed yes|no" (whether
 *		the gateway dropped the connection meanwhile).
 *	raw [-s STATE | -S STATE] [-w SECS] MESSAGE...
 *		Connect (and, with -s, authenticate first; -S only loads
 *		the key, for "auth-ts:"), send each
 *		MESSAGE as a Text frame; "hex:HEX" sends a Binary frame,
 *		"fill:N" a Text frame of N 'a' bytes, "auth-ts:SECS" an
 *		authenticateV2 request with that timestamp offset from now.
 *		Then print what comes back until the connection closes or
 *		SECS (default 2) pass without a frame: "text JSON",
 *		"pushed HEX", "binary HEX", "close CODE", and last "eof"
 *		(the gateway dropped us) or "open" (still connected).
 *
 * Exit status 0 on success, 1 when an answer is not the expected one,
 * 2 on an error (reason on stderr) or bad usage.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
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
#include "mixpacket.h"
#include "nodeaddr.h"
#include "nymclient.h"
#include "util.h"
#include "testlib.h"

static char		 ip[64];
static uint16_t		 port;
static uint8_t		 gw_id[32];
static int		 have_gw;
static int		 timeout_ms = 5000;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: tool_wsclient -a IP:PORT [-g ID] [-t MS] "
	    "register|auth|replay-auth|forget|remember|raw|forward [args]\n");
	exit(2);
}

static void
print_hex(const char *prefix, const uint8_t *b, size_t len)
{
	size_t	 i;

	printf("%s", prefix);
	for (i = 0; i < len; i++)
		printf("%02x", b[i]);
	putchar('\n');
}

static void
print_text(const char *prefix, const uint8_t *b, size_t len)
{
	size_t	 i;

	printf("%s", prefix);
	for (i = 0; i < len && b[i] != '\0'; i++)
		putchar(isprint(b[i]) ? b[i] : '.');
	putchar('\n');
}

/* One received frame as the raw command prints it. */
static void
print_msg(const struct nymclient_msg *m, int text)
{
	switch (m->kind) {
	case NCM_TEXT:
		printf("text %s\n", (const char *)m->data);
		break;
	case NCM_PUSHED:
		if (text)
			print_text("msg ", m->data, m->len);
		else
			print_hex("msg ", m->data, m->len);
		break;
	case NCM_BINARY:
		print_hex("binary ", m->data, m->len);
		break;
	case NCM_CLOSE:
		printf("close %u\n", m->len == 2 ?
		    (unsigned)(m->data[0] << 8 | m->data[1]) : 0);
		break;
	}
	fflush(stdout);
}

static int	drain(struct nymclient *, int, int, int, int *);

static struct nymclient *
load_or_new(const char *state)
{
	struct nymclient	*c;

	if (access(state, F_OK) == 0) {
		if ((c = nymclient_load(state)) == NULL)
			t_die("%s: cannot load", state);
		return c;
	}
	if (!have_gw)
		t_die("-g is needed for a new identity");
	if ((c = nymclient_new(gw_id)) == NULL)
		t_die("nymclient_new");
	return c;
}

static void
save(struct nymclient *c, const char *state)
{
	if (nymclient_save(c, state) == -1)
		t_die("%s: cannot save", state);
}

static void
connect_or_die(struct nymclient *c)
{
	if (nymclient_connect(c, ip, port, timeout_ms) == -1)
		t_die("connect: %s", nymclient_error(c));
}

static void
authenticate_or_die(struct nymclient *c, const char *state)
{
	connect_or_die(c);
	if (nymclient_authenticate(c, timeout_ms) == -1) {
		/* The timestamp is spent even if refused. */
		save(c, state);
		t_die("authenticate: %s", nymclient_error(c));
	}
	save(c, state);
	printf("authenticated bandwidth %" PRId64 "\n", nymclient_bandwidth(c));
	fflush(stdout);
}

static void
claim(struct nymclient *c)
{
	int64_t	 bw;

	if (nymclient_claim_free(c, timeout_ms, &bw) == -1)
		t_die("claim: %s", nymclient_error(c));
	printf("bandwidth %" PRId64 "\n", bw);
}

static int
cmd_register(int argc, char **argv)
{
	struct nymclient	*c;
	const char		*state = NULL;
	uint8_t			 id[32];
	int			 ch, doclaim = 0, badsig = 0;

	while ((ch = getopt(argc, argv, "cs:X")) != -1) {
		switch (ch) {
		case 'c':
			doclaim = 1;
			break;
		case 'X':
			badsig = 1;
			break;
		case 's':
			state = optarg;
			break;
		default:
			usage();
		}
	}
	if (state == NULL)
		usage();
	c = load_or_new(state);
	nymclient_identity(c, id);
	print_hex("client ", id, sizeof(id));
	nymclient_test_bad_signature(c, badsig);
	connect_or_die(c);
	if (nymclient_register(c, timeout_ms) == -1) {
		/* What the gateway said, then how it ended. */
		struct nymclient_msg	 m;
		int			 eof;

		fprintf(stderr, "register: %s\n", nymclient_error(c));
		while (nymclient_next(c, &m)) {
			print_msg(&m, 0);
			nymclient_msg_free(&m);
		}
		drain(c, -1, 2, 0, &eof);
		printf("%s\n", eof ? "eof" : "open");
		exit(1);
	}
	save(c, state);
	printf("registered\n");
	if (doclaim)
		claim(c);
	nymclient_free(c);
	return 0;
}

/* Print frames until count pushed messages, or secs without a frame. */
static int
drain(struct nymclient *c, int count, int secs, int text, int *eof)
{
	struct nymclient_msg	 m;
	int			 got = 0, rv;

	*eof = 0;
	while (count < 0 || got < count) {
		rv = nymclient_recv(c, &m, secs * 1000);
		if (rv == 0)
			break;
		if (rv == -1) {
			*eof = 1;
			break;
		}
		if (m.kind == NCM_PUSHED)
			got++;
		print_msg(&m, text);
		nymclient_msg_free(&m);
	}
	return got;
}

static int
cmd_auth(int argc, char **argv)
{
	struct nymclient	*c;
	const char		*state = NULL, *errstr;
	int			 ch, doclaim = 0, count = -1, secs = 1, text = 0;
	int			 got, eof;

	while ((ch = getopt(argc, argv, "cn:s:Tw:")) != -1) {
		switch (ch) {
		case 'c':
			doclaim = 1;
			break;
		case 'n':
			count = (int)gw_strtonum(optarg, 0, 1000000, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 's':
			state = optarg;
			break;
		case 'T':
			text = 1;
			break;
		case 'w':
			secs = (int)gw_strtonum(optarg, 1, 3600, &errstr);
			if (errstr != NULL)
				usage();
			break;
		default:
			usage();
		}
	}
	if (state == NULL)
		usage();
	c = load_or_new(state);
	authenticate_or_die(c, state);
	if (doclaim)
		claim(c);
	got = drain(c, count, secs, text, &eof);
	printf("received %d\n", got);
	nymclient_free(c);
	return count >= 0 && got != count ? 1 : 0;
}

static int
cmd_replay(int argc, char **argv)
{
	struct nymclient	*c;
	struct nymclient_msg	 m;
	const char		*state = NULL;
	char			 req[1024];
	int			 ch, n, rv, replay_refused = 0, first_ok, fresh_ok;

	while ((ch = getopt(argc, argv, "s:")) != -1) {
		if (ch != 's')
			usage();
		state = optarg;
	}
	if (state == NULL)
		usage();
	c = load_or_new(state);
	if ((n = nymclient_auth_request(c, 0, req, sizeof(req))) == -1)
		t_die("no shared key in %s", state);
	save(c, state);

	/* The request, as a real client would send it. */
	connect_or_die(c);
	nymclient_send_raw_text(c, req, (size_t)n);
	first_ok = 0;
	while ((rv = nymclient_recv(c, &m, timeout_ms)) == 1) {
		if (m.kind == NCM_TEXT && strstr((char *)m.data,
		    "\"type\":\"authenticate\"") != NULL &&
		    strstr((char *)m.data, "\"status\":true") != NULL)
			first_ok = 1;
		nymclient_msg_free(&m);
		if (first_ok)
			break;
	}
	printf("first: %s\n", first_ok ? "ok" : "failed");
	nymclient_close_start(c, 1000);
	nymclient_flush(c, timeout_ms);

	/* The same bytes on a new connection. */
	connect_or_die(c);
	nymclient_send_raw_text(c, req, (size_t)n);
	while ((rv = nymclient_recv(c, &m, timeout_ms)) == 1) {
		if (m.kind == NCM_TEXT && !replay_refused) {
			printf("replay: %s\n", (char *)m.data);
			replay_refused = strstr((char *)m.data,
			    "\"type\":\"error\"") != NULL;
		}
		nymclient_msg_free(&m);
	}
	printf("replay connection: %s\n", rv == -1 ? "dropped" : "open");

	/* A fresh request: a later timestamp. */
	connect_or_die(c);
	fresh_ok = nymclient_authenticate(c, timeout_ms) == 0;
	save(c, state);
	printf("fresh: %s\n", fresh_ok ? "ok" : nymclient_error(c));
	nymclient_free(c);
	return first_ok && replay_refused && rv == -1 && fresh_ok ? 0 : 1;
}

static int
cmd_remember(int argc, char **argv)
{
	struct nymclient	*c;
	static const char *const types[] = { "encryptedResponse", "error",
	    NULL };
	const char		*state = NULL, *type = "Vpn", *errstr;
	char			 req[160], reply[256];
	int			 ch, hold = 0;
	struct nymclient_msg	 m;

	while ((ch = getopt(argc, argv, "H:s:t:")) != -1) {
		switch (ch) {
		case 'H':
			hold = (int)gw_strtonum(optarg, 0, 60000, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 's':
			state = optarg;
			break;
		case 't':
			type = optarg;
			break;
		default:
			usage();
		}
	}
	if (state == NULL || strlen(type) > 64)
		usage();
	c = load_or_new(state);
	authenticate_or_die(c, state);
	snprintf(req, sizeof(req), "{\"RememberMe\":{\"session_type\":"
	    "\"%s\"}}", type);
	if (nymclient_encrypted_start(c, req) == -1 ||
	    nymclient_flush(c, timeout_ms) == -1)
		t_die("remember: %s", nymclient_error(c));
	if (nymclient_wait_text(c, types, &m, timeout_ms) == -1)
		t_die("remember: %s", nymclient_error(c));
	if (nymclient_encrypted_open(c, (const char *)m.data, m.len, reply,
	    sizeof(reply)) == -1)
		t_die("remember: %s", (char *)m.data);
	nymclient_msg_free(&m);
	printf("reply %s\n", reply);
	fflush(stdout);
	if (hold > 0)
		usleep((useconds_t)hold * 1000);
	nymclient_free(c);
	return 0;
}

static int
cmd_forget(int argc, char **argv)
{
	struct nymclient	*c;
	static const char *const types[] = { "encryptedResponse", "error",
	    NULL };
	const char		*state = NULL, *client = "true", *stats = "false";
	const char		*errstr;
	char			 req[128], reply[256];
	int			 ch, got = 0, eof, pause = 0, rv;
	struct nymclient_msg	 m;

	while ((ch = getopt(argc, argv, "C:P:s:S:")) != -1) {
		switch (ch) {
		case 'C':
			client = optarg;
			break;
		case 'P':
			pause = (int)gw_strtonum(optarg, 0, 60000, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 's':
			state = optarg;
			break;
		case 'S':
			stats = optarg;
			break;
		default:
			usage();
		}
	}
	if (state == NULL)
		usage();
	c = load_or_new(state);
	authenticate_or_die(c, state);
	snprintf(req, sizeof(req), "{\"ForgetMe\":{\"client\":%s,"
	    "\"stats\":%s}}", client, stats);
	if (nymclient_encrypted_start(c, req) == -1 ||
	    nymclient_flush(c, timeout_ms) == -1)
		t_die("forget: %s", nymclient_error(c));
	if (pause > 0)
		usleep((useconds_t)pause * 1000);
	if (nymclient_wait_text(c, types, &m, timeout_ms) == -1)
		t_die("forget: %s", nymclient_error(c));
	rv = nymclient_encrypted_open(c, (const char *)m.data, m.len, reply,
	    sizeof(reply));
	if (rv == -1)
		t_die("forget: %s", (char *)m.data);
	nymclient_msg_free(&m);
	printf("reply %s\n", reply);
	/* Pushed messages queued before the ack are counted, not shown. */
	while (nymclient_next(c, &m)) {
		if (m.kind == NCM_PUSHED)
			got++;
		else
			print_msg(&m, 0);
		nymclient_msg_free(&m);
	}
	/* What was in flight before the ack: also drained. */
	got += drain(c, -1, 1, 0, &eof);
	printf("received %d\n", got);
	nymclient_free(c);
	return 0;
}

static int
send_one(struct nymclient *c, const char *arg)
{
	uint8_t		*b;
	char		*s, req[1024];
	size_t		 len, n;
	const char	*errstr;
	long long	 off;
	int		 rv;

	if (strncmp(arg, "hex:", 4) == 0) {
		len = strlen(arg + 4) / 2;
		if ((b = malloc(len + 1)) == NULL ||
		    sodium_hex2bin(b, len + 1, arg + 4, strlen(arg + 4), NULL,
		    &n, NULL) != 0)
			t_die("bad hex: %s", arg);
		rv = nymclient_send_raw_binary(c, b, n);
		free(b);
		return rv;
	}
	if (strncmp(arg, "fill:", 5) == 0) {
		len = (size_t)gw_strtonum(arg + 5, 1, 64 * 1024 * 1024, &errstr);
		if (errstr != NULL || (s = malloc(len)) == NULL)
			t_die("bad fill: %s", arg);
		memset(s, 'a', len);
		rv = nymclient_send_raw_text(c, s, len);
		free(s);
		return rv;
	}
	if (strncmp(arg, "auth-ts:", 8) == 0) {
		off = gw_strtonum(arg + 8, -100000, 100000, &errstr);
		if (errstr != NULL)
			t_die("bad auth-ts: %s", arg);
		if ((rv = nymclient_auth_request(c, (int64_t)time(NULL) + off,
		    req, sizeof(req))) == -1)
			t_die("auth-ts: no key");
		return nymclient_send_raw_text(c, req, (size_t)rv);
	}
	return nymclient_send_raw_text(c, arg, strlen(arg));
}

/* Send the ticket in path and print the gateway's answer. */
static void
spend_ticket(struct nymclient *c, const char *path)
{
	struct nymclient_msg	 m;
	uint8_t			*t;
	size_t			 len;

	if (gw_read_file(path, &t, &len, 32768) == -1)
		t_die("ticket %s: %s", path, strerror(errno));
	if (nymclient_ticket_start(c, t, len) == -1 ||
	    nymclient_flush(c, timeout_ms) == -1)
		t_die("ticket: %s", nymclient_error(c));
	free(t);
	while (nymclient_recv(c, &m, timeout_ms) == 1) {
		if (m.kind == NCM_TEXT) {
			printf("ticket: %.*s\n", (int)m.len, (char *)m.data);
			nymclient_msg_free(&m);
			return;
		}
		nymclient_msg_free(&m);
	}
	printf("ticket: no answer\n");
}

static int
cmd_forward(int argc, char **argv)
{
	struct nymclient	*c;
	struct nymclient_msg	 m;
	struct mixpacket	 mp;
	const char		*state = NULL, *errstr, *ticket = NULL;
	uint8_t			*pkt, *buf;
	size_t			 size = 2413, buflen;
	int			 ch, i, count = 1, got = 0, n;

	memset(&mp, 0, sizeof(mp));
	while ((ch = getopt(argc, argv, "h:N:s:T:z:")) != -1) {
		switch (ch) {
		case 'T':
			ticket = optarg;
			break;
		case 'h':
			if (nodeaddr_parse(optarg, &mp.next_hop) == -1)
				usage();
			break;
		case 'N':
			count = (int)gw_strtonum(optarg, 1, 100000, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 's':
			state = optarg;
			break;
		case 'z':
			size = (size_t)gw_strtonum(optarg, 1, 64 * 1024,
			    &errstr);
			if (errstr != NULL)
				usage();
			break;
		default:
			usage();
		}
	}
	if (state == NULL || mp.next_hop.family == 0)
		usage();
	mp.packet_type = MIXPACKET_TYPE_SPHINX;
	mp.packet_len = size;
	if ((pkt = malloc(size)) == NULL ||
	    (buflen = mixpacket_encoded_len(MIXPACKET_V1, &mp)) == 0 ||
	    (buf = malloc(buflen)) == NULL)
		t_die("forward: out of memory");
	c = load_or_new(state);
	authenticate_or_die(c, state);
	if (ticket != NULL)
		spend_ticket(c, ticket);
	for (i = 0; i < count; i++) {
		/* Random bytes: the next hop cannot unwrap them, but the
		 * gateway charges and forwards them all the same. */
		randombytes_buf(pkt, size);
		mp.packet = pkt;
		if ((n = mixpacket_encode(MIXPACKET_V1, &mp, buf,
		    buflen)) < 0)
			t_die("forward: %s", mixpacket_strerror(n));
		if (nymclient_forward_start(c, MIXPACKET_V1, buf,
		    (size_t)n) == -1 || nymclient_flush(c, timeout_ms) == -1)
			t_die("forward: %s", nymclient_error(c));
	}
	while (got < count && nymclient_recv(c, &m, timeout_ms) == 1) {
		if (m.kind == NCM_TEXT && (strstr((char *)m.data,
		    "\"type\":\"send\"") != NULL || strstr((char *)m.data,
		    "\"type\":\"error\"") != NULL || strstr((char *)m.data,
		    "\"type\":\"typedError\"") != NULL))
			got++;
		print_msg(&m, 0);
		nymclient_msg_free(&m);
	}
	printf("answered %d\n", got);
	save(c, state);
	nymclient_free(c);
	free(pkt);
	free(buf);
	return got == count ? 0 : 1;
}

/* 1 if the peer's end of file (or a reset) comes within ms of reading. */
static int
drain_to_eof(int fd, int ms)
{
	uint8_t		 buf[65536];
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	double		 end = t_now() + ms / 1000.0;
	ssize_t		 n;

	while (t_now() < end) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			return 1;
	}
	return 0;
}

/* A client that talks but never listens: the gateway must bound it. */
static int
cmd_pingflood(int argc, char **argv)
{
	struct nymclient	*c;
	const char		*state = NULL, *errstr;
	/* FIN + ping, masked, 125 bytes: the largest a control frame
	 * may carry, so each pong costs the gateway 127 bytes. */
	uint8_t			 ping[2 + 4 + 125] = { 0x89, 0x80 | 125 };
	struct pollfd		 pfd;
	long			 count = 100000, sent = 0;
	int			 ch, hold = 15, fd, closed = 0, stalls = 0;
	double			 end;

	while ((ch = getopt(argc, argv, "H:N:s:")) != -1) {
		switch (ch) {
		case 'H':
			hold = (int)gw_strtonum(optarg, 0, 3600, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 'N':
			count = (long)gw_strtonum(optarg, 1, 100000000, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 's':
			state = optarg;
			break;
		default:
			usage();
		}
	}
	if (state == NULL)
		usage();
	randombytes_buf(ping + 2, sizeof(ping) - 2);
	c = load_or_new(state);
	authenticate_or_die(c, state);
	fd = nymclient_fd(c);
	/*
	 * A reader's window of 128 KiB, not loopback's autotuned
	 * megabytes, so the pongs stay in the gateway.  Not smaller: a
	 * window below loopback's 64 KiB segments sets TCP retransmitting
	 * with backoff, and the flood stalls in the kernel, not in the
	 * gateway.
	 */
	ch = 128 * 1024;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &ch, sizeof(ch));
	pfd.fd = fd;
	pfd.events = POLLOUT;
	while (sent < count && !closed) {
		ssize_t n = send(fd, ping, sizeof(ping), MSG_NOSIGNAL |
		    MSG_DONTWAIT);

		if (n == (ssize_t)sizeof(ping)) {
			sent++;
			stalls = 0;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			closed = 1;
			break;
		}
		/* A partial frame would desync us: the rest goes first. */
		if (n > 0) {
			size_t off = (size_t)n;

			/* The gateway takes the rest or drops us; give it
			 * the hold time to do either. */
			while (off < sizeof(ping) && !closed &&
			    stalls < 10 * hold) {
				ssize_t m = send(fd, ping + off, sizeof(ping) -
				    off, MSG_NOSIGNAL | MSG_DONTWAIT);

				if (m > 0) {
					off += (size_t)m;
					stalls = 0;
				} else if (m == -1 && errno != EAGAIN &&
				    errno != EINTR)
					closed = 1;
				else if (poll(&pfd, 1, 100) == 0)
					stalls++;
			}
			if (off < sizeof(ping)) {
				hold = 0;	/* held long enough */
				break;
			}
			sent++;
			continue;
		}
		if (poll(&pfd, 1, 100) == 0 && ++stalls >= 50)
			break;		/* nothing taken for 5 s */
	}
	printf("pings %ld\n", sent);
	fflush(stdout);
	/*
	 * Hold on without reading.  A FIN would wait behind the unread
	 * pongs, but a byte written to a dropped connection draws a reset
	 * and the next write fails.
	 */
	end = t_now() + hold;
	while (!closed && t_now() < end) {
		if (send(fd, ping, sizeof(ping), MSG_NOSIGNAL | MSG_DONTWAIT) ==
		    -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
			closed = 1;
			break;
		}
		poll(NULL, 0, 200);
	}
	/*
	 * A gateway that read all we sent before dropping us closes
	 * gracefully: its FIN waits behind the pongs we never read, and
	 * our writes wait behind its zero window.  Reading now lets the
	 * FIN through; a connection still served would keep sending
	 * pongs and give no end of file.
	 */
	if (!closed) {
		ch = 1 << 20;	/* read fast now: the queue may be MBs */
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &ch, sizeof(ch));
		closed = drain_to_eof(fd, 10000);
	}
	printf("closed %s\n", closed ? "yes" : "no");
	nymclient_free(c);
	return 0;
}

static int
cmd_raw(int argc, char **argv)
{
	struct nymclient	*c;
	const char		*state = NULL, *errstr;
	int			 ch, i, secs = 2, eof, noauth = 0;

	while ((ch = getopt(argc, argv, "s:S:w:")) != -1) {
		switch (ch) {
		case 'S':
			noauth = 1;
			/* FALLTHROUGH */
		case 's':
			state = optarg;
			break;
		case 'w':
			secs = (int)gw_strtonum(optarg, 1, 3600, &errstr);
			if (errstr != NULL)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (state != NULL) {
		c = load_or_new(state);
		if (noauth)
			connect_or_die(c);
		else
			authenticate_or_die(c, state);
	} else {
		if (!have_gw)
			memset(gw_id, 0, sizeof(gw_id));
		if ((c = nymclient_new(gw_id)) == NULL)
			t_die("nymclient_new");
		connect_or_die(c);
	}
	for (i = 0; i < argc; i++)
		if (send_one(c, argv[i]) == -1)
			t_die("send: %s", nymclient_error(c));
	if (state != NULL)
		save(c, state);
	drain(c, -1, secs, 0, &eof);
	printf("%s\n", eof ? "eof" : "open");
	nymclient_free(c);
	return 0;
}

int
main(int argc, char **argv)
{
	const char	*cmd, *errstr;
	char		*colon;
	int		 ch;

	if (gwcrypto_init() == -1)
		t_die("crypto libraries unusable");
	while ((ch = getopt(argc, argv, "+a:g:t:")) != -1) {
		switch (ch) {
		case 'a':
			if (strlen(optarg) >= sizeof(ip) ||
			    (colon = strrchr(optarg, ':')) == NULL)
				usage();
			*colon = '\0';
			gw_strlcpy(ip, optarg, sizeof(ip));
			port = (uint16_t)gw_strtonum(colon + 1, 1, 65535, &errstr);
			if (errstr != NULL)
				usage();
			break;
		case 'g':
			if (base58_decode(optarg, gw_id, sizeof(gw_id)) != 32)
				t_die("-g: not a base58 32-byte key");
			have_gw = 1;
			break;
		case 't':
			timeout_ms = (int)gw_strtonum(optarg, 100, 600000, &errstr);
			if (errstr != NULL)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || port == 0)
		usage();
	cmd = argv[0];
	optind = 1;
	if (strcmp(cmd, "register") == 0)
		return cmd_register(argc, argv);
	if (strcmp(cmd, "auth") == 0)
		return cmd_auth(argc, argv);
	if (strcmp(cmd, "replay-auth") == 0)
		return cmd_replay(argc, argv);
	if (strcmp(cmd, "forget") == 0)
		return cmd_forget(argc, argv);
	if (strcmp(cmd, "remember") == 0)
		return cmd_remember(argc, argv);
	if (strcmp(cmd, "raw") == 0)
		return cmd_raw(argc, argv);
	if (strcmp(cmd, "pingflood") == 0)
		return cmd_pingflood(argc, argv);
	if (strcmp(cmd, "forward") == 0)
		return cmd_forward(argc, argv);
	usage();
}
