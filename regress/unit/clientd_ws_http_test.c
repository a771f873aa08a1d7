/*
 * The WebSocket upgrade parser: RFC 6455's own example key, the strict
 * checks that make a 400 or 426, and the size bound.
 */
#include <stdio.h>
#include <string.h>

#include "clientd/clientd.h"
#include "gwcrypto.h"
#include "testlib.h"

static int
parse(const char *req, int *status, char accept[29])
{
	size_t	 used = 0;

	return ws_http_parse(req, strlen(req), &used, status, accept);
}

int
main(void)
{
	char	 acc[29], big[CLIENTD_HTTP_MAX + 16];
	int	 st;

	gwcrypto_init();
	T_BEGIN("Sec-WebSocket-Accept of RFC 6455 section 1.3");
	CHECK(ws_http_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, acc) == 0);
	CHECK(strcmp(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
	T_END();

	T_BEGIN("a browser-style upgrade is accepted");
	CHECK(parse("GET /?x HTTP/1.1\r\nHost: a\r\nUpgrade: WebSocket\r\n"
	    "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: "
	    "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
	    &st, acc) == WS_HTTP_DONE);
	CHECK(st == 101);
	T_END();

	T_BEGIN("incomplete heads wait, oversized ones are refused");
	CHECK(parse("GET / HTTP/1.1\r\nUpgrade: websocket\r\n", &st, acc) ==
	    WS_HTTP_MORE && st == 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(parse(big, &st, acc) == WS_HTTP_MORE && st == 431);
	T_END();

	T_BEGIN("bad upgrades get 400 or 426");
	CHECK(parse("POST / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: "
	    "upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", &st, acc) == WS_HTTP_DONE &&
	    st == 400);
	CHECK(parse("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: "
	    "upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 8\r\n\r\n", &st, acc) == WS_HTTP_DONE &&
	    st == 426);
	CHECK(parse("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: "
	    "upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", &st, acc) == WS_HTTP_DONE &&
	    st == 400);
	CHECK(parse("GET / HTTP/1.1\r\nConnection: upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", &st, acc) == WS_HTTP_DONE &&
	    st == 400);
	T_END();
	return t_done();
}
