/*
 * Text requests (client-protocol.md 4.1) and the JSON we answer with
 * (4.2).  Parsing is jansson's, on a message wslay has already bounded
 * to max_message_size; every field is type- and range-checked here.
 * Replies have fixed shapes and are printed directly.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "clientd.h"
#include "gwcrypto.h"
#include "jsonbytes.h"
#include "log.h"
#include "util.h"

#define ERR_ONLY	"Only 'Register' or 'Authenticate' requests are allowed"
#define ERR_LEGACY	"the legacy authentication method is no longer " \
			"supported. please update your client"
#define ERR_CONTEXT	"The received request is not valid in the current " \
			"context: "
#define ENC_REQ_MAX	4096	/* ForgetMe / RememberMe are tiny */
#define B64_FIELD_MAX	256	/* authenticateV2's ciphertext and nonce */

int
json_escape(const char *s, char *out, size_t outlen)
{
	size_t	 o = 0;
	int	 n;

	for (; *s != '\0'; s++) {
		unsigned char	 ch = (unsigned char)*s;

		if (outlen - o < 8)
			return -1;
		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20) {
			n = snprintf(out + o, outlen - o, "\\u%04x", ch);
			o += (size_t)n;
		} else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
	return (int)o;
}


/*
 * A standard-base64 string member: its decoded length (at most max bytes
 * are kept; max + 1 means longer), or -1 if it is missing or not base64
 * (to Nym's serde the request then does not parse at all).
 */
int
json_b64(const void *json, const char *key, uint8_t *buf, size_t max)
{
	json_t	*s = json_object_get(json, key);
	uint8_t	 tmp[B64_FIELD_MAX];
	size_t	 n;

	if (!json_is_string(s) || max >= sizeof(tmp))
		return -1;
	/* A longer string is too long whatever it decodes to. */
	if (json_string_length(s) > sizeof(tmp) * 4 / 3)
		return (int)max + 1;
	if (sodium_base642bin(tmp, sizeof(tmp), json_string_value(s),
	    json_string_length(s), NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	if (n > max)
		return (int)max + 1;
	memcpy(buf, tmp, n);
	return (int)n;
}

int
send_json_bytes(struct conn *c, const char *prefix, const uint8_t *b,
    size_t n, const char *suffix)
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

int
send_supported(struct conn *c)
{
	static const char s[] =
	    "{\"type\":\"supportedProtocol\",\"version\":6}";

	return conn_send_text(c, s, sizeof(s) - 1);
}

int
send_bandwidth(struct conn *c, int64_t avail)
{
	return send_bandwidth_mode(c, avail, c->cd->upgrade_mode);
}

/* avail is the real balance; upgrade mode reports at least 40000001. */
int
send_bandwidth_mode(struct conn *c, int64_t avail, int upgrade)
{
	char	 out[128];
	int	 n;

	n = snprintf(out, sizeof(out), "{\"type\":\"bandwidth\","
	    "\"available_total\":%" PRId64 ",\"upgrade_mode\":%s}",
	    bw_report(upgrade, avail), bw_upgrade_json(upgrade));
	return conn_send_text(c, out, (size_t)n);
}

static int
is_handshake(const char *type)
{
	return strcmp(type, "handshakePayload") == 0 ||
	    strcmp(type, "registerHandshakeInitRequest") == 0;
}

static void
requests_handshake(struct conn *c, json_t *o, int final)
{
	json_t	*v = json_object_get(o, "protocol_version");
	uint8_t	 data[CLIENT_HS_REPLY_LEN];
	int	 n, version = 0;

	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 255)
			version = -1;
		else
			version = (int)json_integer_value(v);
	}
	n = json_bytes(o, "data", data, sizeof(data));
	if (final) {
		handshake_final(c, data, n < 0 || version < 0 ? 0 : (size_t)n);
		return;
	}
	if (n < 0 || version < 0) {
		*c->cd->c_reg_fail += 1;
		hs_error(c, "sent request was malformed");
		return;
	}
	handshake_start(c, data, (size_t)n, version);
}

/*
 * ecashCredential: enc_credential = AEAD(k, iv, CredentialSpendingData
 * bytes) (spec 6.3).  Only clientd holds the session key, so the ticket
 * goes to credd decrypted.
 */
static void
requests_ecash(struct conn *c, json_t *o)
{
	uint8_t	*ct, *pt, nonce[CLIENT_NONCE_LEN];
	int	 n, nl;

	ct = xmalloc(GW_CRED_MAX + CLIENT_TAG_LEN);
	pt = xmalloc(GW_CRED_MAX + CLIENT_TAG_LEN);
	n = json_bytes(o, "enc_credential", ct, GW_CRED_MAX + CLIENT_TAG_LEN);
	nl = json_bytes(o, "iv", nonce, sizeof(nonce) + 1);
	if (nl < 0)
		nl = json_bytes(o, "nonce", nonce, sizeof(nonce) + 1);
	if (nl != CLIENT_NONCE_LEN)
		session_error(c, "the provided nonce (or legacy IV) did not "
		    "have the expected length");
	else if (n <= CLIENT_TAG_LEN || gwcrypto_aead_open(c->aead, nonce,
	    ct, (size_t)n, pt) == -1)
		session_error(c, "failed to decrypt provided credential");
	else
		bw_ecash(c, pt, (size_t)n - CLIENT_TAG_LEN);
	sodium_memzero(pt, GW_CRED_MAX + CLIENT_TAG_LEN);
	free(ct);
	free(pt);
}

/* {"type":"encryptedResponse"} carrying ack under the session key. */
static void
send_encrypted_response(struct conn *c, const char *ack)
{
	uint8_t	 nonce[CLIENT_NONCE_LEN], out[64];

	if (strlen(ack) + CLIENT_TAG_LEN > sizeof(out))
		return;
	randombytes_buf(nonce, sizeof(nonce));
	if (gwcrypto_aead_seal(c->aead, nonce, (const uint8_t *)ack,
	    strlen(ack), out) == -1)
		return;
	/* Two arrays: the helper writes the first, we append the nonce. */
	{
		char	 tail[96], *t = tail;
		size_t	 i;

		t += snprintf(t, sizeof(tail), ",\"nonce\":[");
		for (i = 0; i < sizeof(nonce); i++)
			t += snprintf(t, sizeof(tail) - (size_t)(t - tail),
			    i ? ",%u" : "%u", nonce[i]);
		snprintf(t, sizeof(tail) - (size_t)(t - tail), "]}");
		send_json_bytes(c, "{\"type\":\"encryptedResponse\","
		    "\"ciphertext\":", out, strlen(ack) + CLIENT_TAG_LEN, tail);
	}
}

/*
 * ForgetMe with client true: storaged deletes the inbox, the balance
 * and the key; the ack waits for its commit.  The session stays (as
 * Nym's does) but owns no balance any more, so nothing it later
 * flushes brings the row back.
 */
static int
requests_forget(struct conn *c, json_t *args)
{
	struct gw_client_forget	 f;
	json_t			*cl = json_object_get(args, "client");

	if (!json_is_object(args) || !json_is_boolean(cl) ||
	    !json_is_boolean(json_object_get(args, "stats")))
		return -1;
	if (!json_is_true(cl)) {
		send_encrypted_response(c, "{\"ForgetMeAck\":{}}");
		return 0;
	}
	delivery_flush_deletes(c);
	memset(&f, 0, sizeof(f));
	memcpy(f.client, c->client, sizeof(f.client));
	f.flags = GW_FORGET_INBOX | GW_FORGET_BANDWIDTH | GW_FORGET_KEY;
	if (clientd_send(c->cd, PROC_STORAGED, IMSG_CLIENT_FORGET,
	    REQ_ID(c, REQ_PLAIN), &f, sizeof(f)) == -1) {
		session_error(c, "Internal gateway storage error");
		return 0;
	}
	c->bw_avail = c->bw_delta = 0;
	c->forgetting++;
	return 0;
}

/* storaged has committed a ForgetMe. */
void
requests_forgotten(struct conn *c, const struct gw_client_result *r)
{
	if (c->forgetting == 0)
		return;
	c->forgetting--;
	if (!r->ok) {
		session_error(c, "Internal gateway storage error");
		return;
	}
	send_encrypted_response(c, "{\"ForgetMeAck\":{}}");
}

/* ForgetMe / RememberMe under the session key (spec 4.1). */
static void
requests_encrypted(struct conn *c, json_t *o)
{
	uint8_t	 ct[ENC_REQ_MAX], pt[ENC_REQ_MAX], nonce[CLIENT_NONCE_LEN];
	json_t	*p;
	const char *ack = NULL, *key;
	int	 n;

	n = json_bytes(o, "ciphertext", ct, sizeof(ct));
	if (json_bytes(o, "nonce", nonce, sizeof(nonce) + 1) !=
	    CLIENT_NONCE_LEN) {
		session_error(c, "the provided nonce (or legacy IV) did not "
		    "have the expected length");
		return;
	}
	if (n < CLIENT_TAG_LEN || gwcrypto_aead_open(c->aead, nonce, ct,
	    (size_t)n, pt) == -1) {
		session_error(c, "failed to decrypt provided text request");
		return;
	}
	p = json_loadb((const char *)pt, (size_t)n - CLIENT_TAG_LEN, 0, NULL);
	if (json_is_object(p) && json_object_size(p) == 1) {
		key = json_object_iter_key(json_object_iter(p));
		if (strcmp(key, "ForgetMe") == 0) {
			if (requests_forget(c, json_object_iter_value(
			    json_object_iter(p))) == 0)
				ack = "";	/* answered there */
		} else if (strcmp(key, "RememberMe") == 0)
			ack = "{\"RememberMeAck\":{}}";
	}
	json_decref(p);
	sodium_memzero(pt, sizeof(pt));
	if (ack == NULL) {
		session_error(c, "failed to decrypt provided text request");
		return;
	}
	if (*ack != '\0')
		send_encrypted_response(c, ack);
}

static void
requests_fresh(struct conn *c, json_t *o, const char *type)
{
	if (type == NULL) {
		session_fatal(c, ERR_ONLY);
		return;
	}
	if (strcmp(type, "supportedProtocol") == 0) {
		send_supported(c);
	} else if (is_handshake(type)) {
		requests_handshake(c, o, 0);
	} else if (strcmp(type, "authenticateV2") == 0) {
		auth_request(c, o);
	} else if (strcmp(type, "authenticate") == 0) {
		session_fatal(c, ERR_LEGACY);
	} else
		session_fatal(c, ERR_ONLY);
}

/*
 * upgradeModeJWT {"token": JWT} (spec 6.6): already in upgrade mode,
 * the answer is at once (step 1); otherwise credd decides.
 */
static void
requests_upgrade_jwt(struct conn *c, json_t *o)
{
	json_t	*t = json_object_get(o, "token");

	if (!json_is_string(t)) {
		*c->cd->c_requests_bad += 1;
		session_error(c, t == NULL ? "Provided text request was "
		    "malformed - missing field `token`" : "Provided text "
		    "request was malformed - invalid type for `token`, "
		    "expected a string");
		return;
	}
	if (c->cd->upgrade_mode)
		send_bandwidth(c, c->bw_avail);
	else
		bw_upgrade_jwt(c, json_string_value(t), json_string_length(t));
}

static void
requests_ready(struct conn *c, json_t *o, const char *type)
{
	char	 why[160];

	if (strcmp(type, "supportedProtocol") == 0)
		send_supported(c);
	else if (strcmp(type, "claimFreeTestnetBandwidth") == 0)
		bw_claim_free(c);
	else if (strcmp(type, "ecashCredential") == 0)
		requests_ecash(c, o);
	else if (strcmp(type, "encryptedRequest") == 0)
		requests_encrypted(c, o);
	else if (is_handshake(type))
		session_error(c, ERR_CONTEXT "received illegal message of "
		    "type RegisterHandshakeInitRequest in an authenticated "
		    "client");
	else if (strcmp(type, "authenticateV2") == 0)
		session_error(c, ERR_CONTEXT "received illegal message of "
		    "type AuthenticateV2 in an authenticated client");
	else if (strcmp(type, "authenticate") == 0)
		session_fatal(c, ERR_LEGACY);
	else if (strcmp(type, "bandwidthCredential") == 0 ||
	    strcmp(type, "bandwidthCredentialV2") == 0)
		session_error(c, ERR_CONTEXT "coconut credential are not "
		    "longer supported");
	else if (strcmp(type, "upgradeModeJWT") == 0)
		requests_upgrade_jwt(c, o);
	else {
		*c->cd->c_requests_bad += 1;
		snprintf(why, sizeof(why), "Provided text request was "
		    "malformed - unknown variant `%.64s`", type);
		session_error(c, why);
	}
}

void
requests_text(struct conn *c, const uint8_t *msg, size_t len)
{
	json_error_t	 err;
	json_t		*o;
	const char	*type = NULL;
	char		 why[300];

	o = json_loadb((const char *)msg, len, JSON_REJECT_DUPLICATES, &err);
	if (json_is_object(o))
		type = json_string_value(json_object_get(o, "type"));
	switch (c->state) {
	case CS_FRESH:
		requests_fresh(c, o, type);
		break;
	case CS_HS_FINAL:
		/* Text that is not a handshake message is skipped. */
		if (type != NULL && is_handshake(type))
			requests_handshake(c, o, 1);
		break;
	case CS_READY:
		if (type != NULL) {
			requests_ready(c, o, type);
			break;
		}
		*c->cd->c_requests_bad += 1;
		snprintf(why, sizeof(why), "Provided text request was "
		    "malformed - %.200s", o == NULL ? err.text :
		    "missing field `type`");
		session_error(c, why);
		break;
	default:
		break;
	}
	json_decref(o);
}
