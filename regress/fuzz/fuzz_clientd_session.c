/*
 * clientd's client side on arbitrary bytes, without sockets or
 * siblings: the HTTP upgrade, then wslay framing and the state machine
 * (text catalogue, handshake start, authenticateV2 parsing), and, for
 * inputs whose first byte is odd, an authenticated session with a fixed
 * key (request catalogue, binary forward frames, bandwidth).  A client
 * must never crash clientd or make it read or write out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clientd/clientd.h"
#include "gwcrypto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char upgrade[] = "GET / HTTP/1.1\r\nHost: x\r\n"
    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct worker	 w;
	static struct clientd	 cd;
	static int		 init;
	static const uint8_t	 key[32] = { 1, 2, 3 };
	struct conn		*c;
	struct sockaddr_in	 sin;

	if (!init) {
		gwcrypto_init();
		w.conf.clientd.max_connections = 10;
		w.conf.clientd.max_connections_per_address = 10;
		w.conf.clientd.max_message_size = 64 * 1024;
		w.conf.clientd.handshake_timeout_ms = 10000;
		w.conf.clientd.idle_timeout_ms = 10000;
		clientd_init(&cd, &w);
		init = 1;
	}
	if (len == 0)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if ((c = conn_new(&cd, -1, (struct sockaddr *)&sin)) == NULL)
		return 0;
	if (data[0] & 1) {
		conn_input(c, (const uint8_t *)upgrade, sizeof(upgrade) - 1);
		if (c->link == LINK_WS && c->state == CS_FRESH) {
			/* Authenticated, along the transitions the session
			 * table allows. */
			c->aead = gwcrypto_aead_new(key);
			memset(c->client, 7, sizeof(c->client));
			c->bw_avail = data[0] & 2 ? 1 << 20 : 0;
			c->bw_expiry = INT64_MAX;
			session_set_state(c, CS_AUTH_LOOKUP);
			session_set_state(c, CS_AUTH_STORE);
			session_set_state(c, CS_AUTH_BW);
			session_activate(c);
			session_ready(c);
		}
	}
	/* In pieces, as a network delivers them. */
	data++;
	len--;
	while (len > 0 && !conn_closing(c)) {
		size_t	 n = len < 997 ? len : 997;

		conn_input(c, data, n);
		conn_flush(c);
		if ((c = conn_by_id(&cd, cd.next_id)) == NULL)
			return 0;
		data += n;
		len -= n;
	}
	conn_free(c);
	return 0;
}
