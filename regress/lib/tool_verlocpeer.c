/*
 * tool_verlocpeer: a Nym node measuring a gatewayd's verloc port as
 * nym-node's sender does (doc/spec/verloc.md; Nym's
 * common/verloc/src/measurements/sender.rs): one connection, -n echo
 * packets with consecutive sequence numbers, each reply read whole and
 * checked (the echo returned as sent, signed by the gateway's identity
 * key) before the next is sent.
 *
 *	tool_verlocpeer -g IP:PORT -k IDENTITY [-n COUNT] [-m MODE] [-t SECS]
 *	tool_verlocpeer -l IP:PORT [-m MODE] [-k MEASURER]
 *
 *	-k IDENTITY  the gateway's ed25519 identity key (base58)
 *	-m MODE      good (default); garbage: 104 random bytes; badsig: an
 *		     echo with one signature bit flipped; short: half a
 *		     packet, then shut the write side.  Every mode but good
 *		     expects the gateway to close the connection unanswered.
 *
 * Output: "replies N rtt_min_us A rtt_max_us B" or "closed by gateway".
 * Exit 0 when the mode's expectation was met within -t seconds.
 *
 * -l: a node being measured, as nym-node's listener answers (Nym's
 * listener.rs): a key pair of its own, each 104-byte echo verified
 * and answered with echo || its signature of it.  Prints "listening
 * PORT identity KEY" (port 0 picks a free one), then one line per
 * connection: "served N echoes from KEY" (or "refused ..." when an
 * echo does not verify, or is not from -k MEASURER).  -m: good;
 * badsig: the reply's signature has a bit flipped; wrongseq: the reply
 * carries an echo of its own, one sequence number on; silent: reads
 * and never answers.  Runs until killed.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base58.h"
#include "testlib.h"
#include "verloc.h"

static int
dial(const char *addr)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	char			 host[128], *colon;
	socklen_t		 len;
	int			 fd;

	if (strlen(addr) >= sizeof(host))
		t_die("address too long");
	strcpy(host, addr);
	if ((colon = strrchr(host, ':')) == NULL)
		t_die("no port in %s", addr);
	*colon++ = '\0';
	memset(&ss, 0, sizeof(ss));
	if (host[0] == '[') {
		host[strlen(host) - 1] = '\0';
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)atoi(colon));
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			t_die("bad address %s", addr);
		len = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)atoi(colon));
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			t_die("bad address %s", addr);
		len = sizeof(*sin);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&ss, len) == -1)
		t_die("connect %s: %s", addr, strerror(errno));
	return fd;
}

/* Reads exactly len bytes by the deadline: 0, or -1 at EOF/error. */
static int
read_full(int fd, uint8_t *p, size_t len, double deadline)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	ssize_t		 n;

	while (len > 0) {
		int ms = (int)((deadline - t_now()) * 1000);

		if (ms <= 0)
			t_die("timed out waiting for the gateway");
		if (poll(&pfd, 1, ms) <= 0)
			continue;
		if ((n = read(fd, p, len)) <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
expect_close(int fd, double deadline)
{
	uint8_t	 b[VERLOC_REPLY_LEN];

	if (read_full(fd, b, 1, deadline) == -1) {
		printf("closed by gateway\n");
		return 0;
	}
	printf("answered a bad packet\n");
	return 1;
}

/* One measurer's connection, served to its end. */
static void
serve_conn(int fd, const char *mode, const uint8_t sk[64],
    const uint8_t *measurer)
{
	uint8_t			 in[VERLOC_ECHO_LEN], out[VERLOC_REPLY_LEN];
	uint8_t			 sig[VERLOC_SIG_LEN], mine[VERLOC_ECHO_LEN];
	char			 from[64] = "?";
	struct verloc_echo	 e;
	enum verloc_err		 err;
	size_t			 off;
	ssize_t			 n;
	long			 served = 0;

	for (;;) {
		for (off = 0; off < sizeof(in); off += (size_t)n)
			if ((n = read(fd, in + off, sizeof(in) - off)) <= 0)
				goto done;
		if ((err = verloc_echo_parse(in, sizeof(in), &e)) !=
		    VERLOC_OK) {
			printf("refused an echo: %s\n", verloc_strerror(err));
			goto out;
		}
		base58_encode(e.sender, sizeof(e.sender), from, sizeof(from));
		if (measurer != NULL && memcmp(e.sender, measurer, 32) != 0) {
			printf("refused an echo from %s\n", from);
			goto out;
		}
		if (strcmp(mode, "silent") == 0) {
			served++;
			continue;
		}
		if (strcmp(mode, "wrongseq") == 0) {
			/* A valid echo, but not the one sent. */
			verloc_echo_make(e.seq + 1, sk, mine);
			memcpy(in, mine, sizeof(in));
		}
		crypto_sign_detached(sig, NULL, in, sizeof(in), sk);
		if (strcmp(mode, "badsig") == 0)
			sig[0] ^= 1;
		verloc_reply_make(in, sig, out);
		if (write(fd, out, sizeof(out)) != (ssize_t)sizeof(out))
			goto done;
		served++;
	}
done:
	printf("served %ld echoes from %s\n", served, from);
out:
	fflush(stdout);
	close(fd);
}

static int
listen_mode(const char *addr, const char *mode, const char *key)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	uint8_t			 pk[32], sk[64], m[32];
	char			 host[64], *colon, id[64];
	int			 lfd, fd, one = 1;

	if (key != NULL && base58_decode(key, m, sizeof(m)) != (int)sizeof(m))
		t_die("bad measurer key %s", key);
	if (strlen(addr) >= sizeof(host) ||
	    (colon = strrchr(strcpy(host, addr), ':')) == NULL)
		t_die("bad address %s", addr);
	*colon++ = '\0';
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(colon));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		t_die("bad address %s", addr);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) == -1)
		t_die("listen %s: %s", addr, strerror(errno));
	crypto_sign_keypair(pk, sk);
	base58_encode(pk, sizeof(pk), id, sizeof(id));
	printf("listening %u identity %s\n", ntohs(sin.sin_port), id);
	fflush(stdout);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			t_die("accept: %s", strerror(errno));
		}
		serve_conn(fd, mode, sk, key != NULL ? m : NULL);
	}
}

int
main(int argc, char *argv[])
{
	const char	*gw = NULL, *key = NULL, *mode = "good", *lis = NULL;
	uint8_t		 node[VERLOC_KEY_LEN], pk[32], sk[64];
	uint8_t		 echo[VERLOC_ECHO_LEN], reply[VERLOC_REPLY_LEN];
	struct verloc_echo e;
	enum verloc_err	 err;
	double		 deadline, t0, rtt, lo = 1e9, hi = 0;
	uint64_t	 seq;
	long		 count = 10, i;
	int		 ch, fd, secs = 20;

	while ((ch = getopt(argc, argv, "g:k:l:n:m:t:")) != -1)
		switch (ch) {
		case 'l': lis = optarg; break;
		case 'g': gw = optarg; break;
		case 'k': key = optarg; break;
		case 'n': count = atol(optarg); break;
		case 'm': mode = optarg; break;
		case 't': secs = atoi(optarg); break;
		default: t_die("usage");
		}
	if (lis != NULL && sodium_init() != -1)
		return listen_mode(lis, mode, key);
	if (gw == NULL || key == NULL || sodium_init() == -1)
		t_die("usage: tool_verlocpeer -g ADDR -k IDENTITY");
	if (base58_decode(key, node, sizeof(node)) != (int)sizeof(node))
		t_die("bad identity key %s", key);
	deadline = t_now() + secs;
	crypto_sign_keypair(pk, sk);
	fd = dial(gw);
	/* As Nym: a random start the count cannot overflow. */
	randombytes_buf(&seq, sizeof(seq));
	seq >>= 1;
	if (strcmp(mode, "garbage") == 0) {
		randombytes_buf(echo, sizeof(echo));
		if (write(fd, echo, sizeof(echo)) != (ssize_t)sizeof(echo))
			t_die("write");
		return expect_close(fd, deadline);
	}
	if (strcmp(mode, "badsig") == 0 || strcmp(mode, "short") == 0) {
		verloc_echo_make(seq, sk, echo);
		echo[VERLOC_SIGNED_LEN] ^= 1;
		if (write(fd, echo, mode[0] == 'b' ? sizeof(echo) :
		    sizeof(echo) / 2) < 0)
			t_die("write");
		if (mode[0] == 's')
			shutdown(fd, SHUT_WR);
		return expect_close(fd, deadline);
	}
	for (i = 0; i < count; i++, seq++) {
		verloc_echo_make(seq, sk, echo);
		t0 = t_now();
		if (write(fd, echo, sizeof(echo)) != (ssize_t)sizeof(echo))
			t_die("write: %s", strerror(errno));
		if (read_full(fd, reply, sizeof(reply), deadline) == -1)
			t_die("closed by gateway after %ld replies", i);
		rtt = t_now() - t0;
		err = verloc_reply_parse(reply, sizeof(reply), node, &e);
		if (err != VERLOC_OK)
			t_die("reply %ld: %s", i, verloc_strerror(err));
		if (e.seq != seq || memcmp(reply, echo, sizeof(echo)) != 0)
			t_die("reply %ld: not our echo", i);
		lo = rtt < lo ? rtt : lo;
		hi = rtt > hi ? rtt : hi;
	}
	printf("replies %ld rtt_min_us %.0f rtt_max_us %.0f\n", count,
	    lo * 1e6, hi * 1e6);
	close(fd);
	return 0;
}
