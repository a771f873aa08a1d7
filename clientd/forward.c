/*
 * Client -> mixnet (client-protocol.md 4.4): open the binary frame with
 * the session key, parse the MixPacket, charge its packet bytes (not in
 * upgrade mode, spec 6.6), hand (next hop, packet) to mixd and answer
 * "send" for every packet.  Errors here never end the session: Nym's
 * client treats "error" as fatal, so a bad frame gets one but the
 * connection stays.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clientd.h"
#include "log.h"
#include "mixpacket.h"

#define ERR_BIN		"Provided binary request was malformed - "

static void
forward_error(struct conn *c, const char *detail)
{
	char	 why[200];

	*c->cd->c_fwd_malformed += 1;
	snprintf(why, sizeof(why), ERR_BIN "%s", detail);
	reply_error(c, why);
}

void
forward_binary(struct conn *c, const uint8_t *msg, size_t len)
{
	struct clientd		*cd = c->cd;
	struct gw_mix_forward	 fwd;
	struct mixpacket	 mp;
	uint8_t			 kind;
	size_t			 ptlen;
	int64_t			 avail;
	char			 out[160];
	int			 rv, n;

	if (len > sizeof(cd->frame)) {
		forward_error(c, "the request is too long");
		return;
	}
	rv = client_frame_open(c->aead, msg, len, &kind, cd->frame, &ptlen);
	if (rv != CLIENT_OK) {
		forward_error(c, rv == CLIENT_ERR_FRAME_SHORT ?
		    "the request is too short" : rv == CLIENT_ERR_ENC_FLAG ?
		    "the encryption flag had an unexpected value" :
		    "failed to either encrypt or decrypt provided message");
		return;
	}
	if (kind != CLIENT_KIND_FORWARD_V1 && kind != CLIENT_KIND_FORWARD_V2) {
		snprintf(out, sizeof(out), "received request with an unknown "
		    "kind: %u", kind);
		forward_error(c, out);
		return;
	}
	rv = mixpacket_decode(kind == CLIENT_KIND_FORWARD_V1 ? MIXPACKET_V1 :
	    MIXPACKET_V2, cd->frame, ptlen, &mp);
	if (rv != MIXPACKET_OK) {
		forward_error(c, mixpacket_strerror(rv));
		return;
	}
	if (bw_charge(c, (int64_t)mp.packet_len, &avail) == -1) {
		*cd->c_fwd_no_bandwidth += 1;
		n = snprintf(out, sizeof(out), "{\"type\":\"typedError\","
		    "\"error\":{\"out_of_bandwidth\":{\"required\":%zu,"
		    "\"available\":%" PRId64 "}}}", mp.packet_len, avail);
		conn_send_text(c, out, (size_t)n);
		return;
	}
	memset(&fwd, 0, sizeof(fwd));
	fwd.family = mp.next_hop.family;
	fwd.packet_type = mp.packet_type;
	fwd.key_rotation = mp.key_rotation;
	fwd.port = mp.next_hop.port;
	memcpy(fwd.ip, mp.next_hop.ip, sizeof(fwd.ip));
	if (clientd_send2(cd, PROC_MIXD, IMSG_MIX_FORWARD, 0, &fwd, sizeof(fwd),
	    mp.packet, mp.packet_len) == -1)
		*cd->c_fwd_dropped += 1;
	else {
		*cd->c_fwd_packets += 1;
		*cd->c_fwd_bytes += mp.packet_len;
	}
	n = snprintf(out, sizeof(out), "{\"type\":\"send\","
	    "\"remaining_bandwidth\":%" PRId64 ",\"upgrade_mode\":%s}",
	    reply_balance(cd->upgrade_mode, avail),
	    reply_upgrade_json(cd->upgrade_mode));
	conn_send_text(c, out, (size_t)n);
	clientd_flow_check(cd);
}
