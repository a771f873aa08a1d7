/*
 * The RFC 6455 opening handshake, as a pure function over the bytes
 * read so far: a strict HTTP/1.1 GET with Upgrade: websocket,
 * Connection: upgrade, Sec-WebSocket-Version: 13 and a 16-byte key.
 * Nym checks no path, Origin or subprotocol (spec 1), nor do we.  The
 * head is bounded (CLIENTD_HTTP_MAX); anything odd is a 400.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gcrypt.h>
#include <sodium.h>

#include "clientd.h"

#define WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

int
ws_http_accept_key(const char *key, size_t keylen, char out[29])
{
	uint8_t	 buf[64 + sizeof(WS_GUID)], sha[20];

	if (keylen > 64)
		return -1;
	memcpy(buf, key, keylen);
	memcpy(buf + keylen, WS_GUID, sizeof(WS_GUID) - 1);
	gcry_md_hash_buffer(GCRY_MD_SHA1, sha, buf, keylen +
	    sizeof(WS_GUID) - 1);
	sodium_bin2base64(out, 29, sha, sizeof(sha),
	    sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

/* Does a comma-separated header value hold token (any case)? */
static int
has_token(const char *v, size_t len, const char *token)
{
	size_t	 tl = strlen(token), i = 0, s, e;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < len && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(v + s, token, tl) == 0)
			return 1;
	}
	return 0;
}

/*
 * WS_HTTP_MORE: the head is not complete (status 0), or it is too big
 * (status 431).  WS_HTTP_DONE: *headlen bytes were the head and *status
 * is 101 (accept filled in) or the HTTP error to answer with.
 */
int
ws_http_parse(const char *buf, size_t len, size_t *headlen, int *status,
    char accept[29])
{
	const char	*end = NULL, *p, *eol, *colon, *v;
	const char	*key = NULL;
	size_t		 i, keylen = 0, vlen;
	int		 upgrade = 0, connection = 0, version = 0, nkey = 0;
	uint8_t		 raw[32];
	size_t		 rawlen;

	*status = 0;
	for (i = 0; i + 3 < len; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
			end = buf + i + 2;	/* at the empty line */
			*headlen = i + 4;
			break;
		}
	if (end == NULL) {
		if (len >= CLIENTD_HTTP_MAX)
			*status = 431;
		return WS_HTTP_MORE;
	}
	*status = 400;
	if ((eol = memchr(buf, '\r', (size_t)(end - buf))) == NULL ||
	    eol[1] != '\n')
		return WS_HTTP_DONE;
	/* "GET <target> HTTP/1.1": one space each side of the target. */
	if ((size_t)(eol - buf) < 14 || memcmp(buf, "GET ", 4) != 0 ||
	    memcmp(eol - 9, " HTTP/1.1", 9) != 0 ||
	    memchr(buf + 4, ' ', (size_t)(eol - 9 - (buf + 4))) != NULL)
		return WS_HTTP_DONE;
	for (p = eol + 2; p < end; p = eol + 2) {
		if ((eol = memchr(p, '\r', (size_t)(end - p))) == NULL ||
		    eol[1] != '\n')
			return WS_HTTP_DONE;
		if ((colon = memchr(p, ':', (size_t)(eol - p))) == NULL ||
		    colon == p)
			return WS_HTTP_DONE;
		for (v = p; v < colon; v++)
			if (!isgraph((unsigned char)*v))
				return WS_HTTP_DONE;
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		vlen = (size_t)(eol - v);
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		for (i = 0; i < vlen; i++)
			if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
				return WS_HTTP_DONE;
#define HDR(n)	((size_t)(colon - p) == sizeof(n) - 1 && \
		    strncasecmp(p, n, sizeof(n) - 1) == 0)
		if (HDR("Upgrade"))
			upgrade |= has_token(v, vlen, "websocket");
		else if (HDR("Connection"))
			connection |= has_token(v, vlen, "upgrade");
		else if (HDR("Sec-WebSocket-Version"))
			version = vlen == 2 && memcmp(v, "13", 2) == 0;
		else if (HDR("Sec-WebSocket-Key")) {
			key = v;
			keylen = vlen;
			nkey++;
		}
#undef HDR
	}
	if (!upgrade || !connection || nkey != 1)
		return WS_HTTP_DONE;
	if (!version) {
		*status = 426;
		return WS_HTTP_DONE;
	}
	/* The key is base64 of 16 bytes: 24 characters. */
	if (keylen != 24 || sodium_base642bin(raw, sizeof(raw), key, keylen,
	    NULL, &rawlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    rawlen != 16)
		return WS_HTTP_DONE;
	if (ws_http_accept_key(key, keylen, accept) == -1)
		return WS_HTTP_DONE;
	*status = 101;
	return WS_HTTP_DONE;
}

int
ws_http_response(int status, const char *accept, char *out, size_t outlen)
{
	int	 n;

	if (status == 101)
		n = snprintf(out, outlen, "HTTP/1.1 101 Switching Protocols\r\n"
		    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		    "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
	else
		n = snprintf(out, outlen, "HTTP/1.1 %d %s\r\n%s"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n", status,
		    status == 426 ? "Upgrade Required" : status == 431 ?
		    "Request Header Fields Too Large" : "Bad Request",
		    status == 426 ? "Sec-WebSocket-Version: 13\r\n" : "");
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}
