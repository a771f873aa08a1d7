/*
 * credd's parsers of hostile bytes: the ticket a client sent (through
 * clientd), what nym-api, the signers and nyxd (the DKG contract)
 * answer, the upgrade-mode attestation and a client's upgradeModeJWT.
 * The first byte picks the parser; none may crash, leak or read past
 * its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credd/credd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct signer_set	 ss;
	static struct gw_topology_node	 nodes[64];
	struct topo_rewarded		 rw;
	struct ticket			 t;
	struct attestation		 a;
	struct gw_rotation_info		 ri;
	const char			*why;
	char				*json, next[DKG_OWNER_MAX];
	size_t				 jlen;
	uint64_t			 thr;
	int				 more;
	uint8_t				 issuer[32];
	char				*body, *s;
	size_t				 n = 0;
	uint64_t			 total;

	if (len < 1)
		return 0;
	/* The JSON parsers take text with a length: no NUL needed. */
	s = malloc(len);
	memcpy(s, data + 1, len - 1);
	switch (data[0] % 10) {
	case 0:
		if (ticket_parse(data + 1, len - 1, &t) == 0 &&
		    t.nserials > TICKET_SERIAL_MAX)
			abort();
		break;
	case 1:
		if ((body = ticket_verify_body(data + 1, len - 1, "n1x")))
			free(body);
		break;
	case 2:
		ticket_parse_verdict(s, len - 1);
		break;
	case 3:
		if (signers_parse(s, len - 1, &ss) == 0 && ss.n > SIGNERS_MAX)
			abort();
		break;
	case 4:
		memset(&rw, 0, sizeof(rw));
		if (topology_parse_rewarded(s, len - 1, &rw) == 0) {
			topology_parse_nodes(s, len - 1, &rw, nodes, &n,
			    64, &total);
			if (n > 64)
				abort();
		}
		topology_rewarded_free(&rw);
		break;
	case 5:
		if (upgrade_parse_attestation(s, len - 1, &a) == 1 &&
		    a.nissuers > sizeof(a.issuers) / sizeof(a.issuers[0]))
			abort();
		break;
	case 6:
		if (upgrade_jwt_check(s, len - 1, 1700000000, &a, issuer,
		    &why) == -1 && why == NULL)
			abort();
		break;
	case 7:
		if (keyrotation_parse(s, len - 1, &ri) == 0 &&
		    (ri.validity_epochs == 0 || ri.epoch_secs == 0 ||
		    ri.epoch < ri.initial_epoch))
			abort();
		break;
	case 8:
		/* nyxd's JSON-RPC answer, then the contract's JSON in it. */
		if (dkg_rpc_answer(s, len - 1, &json, &jlen, &why) == -1) {
			if (why == NULL)
				abort();
			break;
		}
		if (strlen(json) > jlen)
			abort();
		memset(&ss, 0, sizeof(ss));
		if (dkg_parse_shares(json, jlen, 7, &ss, next, sizeof(next),
		    &more) >= 0 && (ss.n > SIGNERS_MAX ||
		    strlen(next) >= sizeof(next)))
			abort();
		(void)dkg_parse_threshold(json, jlen, &thr);
		free(json);
		break;
	case 9:
		memset(&ss, 0, sizeof(ss));
		if (dkg_parse_shares(s, len - 1, 7, &ss, next, sizeof(next),
		    &more) >= 0 && (ss.n > SIGNERS_MAX || (more &&
		    next[0] == '\0')))
			abort();
		(void)dkg_parse_threshold(s, len - 1, &thr);
		break;
	}
	free(s);
	return 0;
}
