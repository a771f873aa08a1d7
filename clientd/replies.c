/*
 * What the client is answered (client-protocol.md 4.2).  Replies that
 * carry text go through jansson, which escapes it; the shapes that
 * carry only numbers and fixed words (bandwidth, byte arrays) are
 * printed directly, as they are on the forwarding path where a reply
 * goes out per packet.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "clientd.h"
#include "gwcrypto.h"
#include "log.h"

/* A message for the client as a JSON string; bytes that are not UTF-8
 * (a client's text cut short) become '?'. */
static json_t *
reply_text(const char *msg)
{
	json_t	*s;
	char	 safe[512];
	size_t	 i;

	if ((s = json_string(msg)) != NULL)
		return s;
	for (i = 0; msg[i] != '\0' && i < sizeof(safe) - 1; i++)
		safe[i] = (unsigned char)msg[i] < 0x80 ? msg[i] : '?';
	safe[i] = '\0';
	return json_string(safe);
}

/* {"type": type, "message": msg} */
static int
reply_message(struct conn *c, const char *type, const char *msg)
{
	json_t	*o;
	char	*s;
	int	 rv = -1;

	o = json_pack("{s:s,s:o}", "type", type, "message", reply_text(msg));
	if (o != NULL &&
	    (s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)) != NULL) {
		rv = conn_send_text(c, s, strlen(s));
		free(s);
	}
	json_decref(o);
	return rv;
}

int
reply_error(struct conn *c, const char *msg)
{
	return reply_message(c, "error", msg);
}

int
reply_fatal(struct conn *c, const char *msg)
{
	*c->cd->c_proto_errors += 1;
	reply_error(c, msg);
	conn_close(c, 1000, msg);
	return -1;
}

int
reply_handshake_error(struct conn *c, const char *msg)
{
	return reply_message(c, "handshakeError", msg);
}

int
reply_supported(struct conn *c)
{
	static const char s[] =
	    "{\"type\":\"supportedProtocol\",\"version\":6}";

	return conn_send_text(c, s, sizeof(s) - 1);
}

int
reply_bytes(struct conn *c, const char *prefix, const uint8_t *b, size_t n,
    const char *suffix)
{
	char	*out = (char *)c->cd->scratch;
	size_t	 max = sizeof(c->cd->scratch), o, i;
	int	 k;

	o = strlen(prefix);
	if (o + n * 4 + strlen(suffix) + 3 > max)
		return -1;
	memcpy(out, prefix, o);
	out[o++] = '[';
	for (i = 0; i < n; i++) {
		k = snprintf(out + o, max - o, i ? ",%u" : "%u", b[i]);
		o += (size_t)k;
	}
	out[o++] = ']';
	memcpy(out + o, suffix, strlen(suffix));
	o += strlen(suffix);
	return conn_send_text(c, out, o);
}

/*
 * The balance a response reports: during upgrade mode at least
 * GW_UPGRADE_BANDWIDTH, so a client never thinks it ran out while it
 * is not being charged.
 */
int64_t
reply_balance(int upgrade, int64_t avail)
{
	if (upgrade && avail < GW_UPGRADE_BANDWIDTH)
		return GW_UPGRADE_BANDWIDTH;
	return avail;
}

const char *
reply_upgrade_json(int upgrade)
{
	return upgrade ? "true" : "false";
}

int
reply_bandwidth(struct conn *c, int64_t avail)
{
	return reply_bandwidth_mode(c, avail, c->cd->upgrade_mode);
}

/* avail is the real balance; upgrade mode reports at least 40000001. */
int
reply_bandwidth_mode(struct conn *c, int64_t avail, int upgrade)
{
	char	 out[128];
	int	 n;

	n = snprintf(out, sizeof(out), "{\"type\":\"bandwidth\","
	    "\"available_total\":%" PRId64 ",\"upgrade_mode\":%s}",
	    reply_balance(upgrade, avail), reply_upgrade_json(upgrade));
	return conn_send_text(c, out, (size_t)n);
}

void
reply_encrypted(struct conn *c, const char *ack)
{
	uint8_t	 nonce[CLIENT_NONCE_LEN], out[64];
	char	 tail[96], *t = tail;
	size_t	 i;

	if (strlen(ack) + CLIENT_TAG_LEN > sizeof(out))
		return;
	randombytes_buf(nonce, sizeof(nonce));
	if (gwcrypto_aead_seal(c->aead, nonce, (const uint8_t *)ack,
	    strlen(ack), out) == -1)
		return;
	/* Two arrays: reply_bytes writes the first, the nonce follows. */
	t += snprintf(t, sizeof(tail), ",\"nonce\":[");
	for (i = 0; i < sizeof(nonce); i++)
		t += snprintf(t, sizeof(tail) - (size_t)(t - tail),
		    i ? ",%u" : "%u", nonce[i]);
	snprintf(t, sizeof(tail) - (size_t)(t - tail), "]}");
	reply_bytes(c, "{\"type\":\"encryptedResponse\",\"ciphertext\":", out,
	    strlen(ack) + CLIENT_TAG_LEN, tail);
}
