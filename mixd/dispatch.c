/*
 * What clientd and the master send mixd: client packets to route and
 * settled acks (clientd), key updates and the replay filters' restore
 * and flush (the master).  The role table has checked sender and size
 * (common/messages.c); every field is checked again here, and one that
 * breaks the contract is fatal.  credd's topology is mix_topology.c's.
 */
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "mixd.h"
#include "mixframe.h"

/* A client's packet from clientd: checked there, checked again here. */
static void
mixd_client_packet(struct mixd *md, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_mix_forward	 f;
	struct nodeaddr		 to;
	const uint8_t		*pkt;
	size_t			 len;

	if (imsg->datalen <= sizeof(f))
		fatalx("MIX_FORWARD from %s: %zu bytes", iev->name,
		    imsg->datalen);
	memcpy(&f, imsg->data, sizeof(f));
	pkt = (const uint8_t *)imsg->data + sizeof(f);
	len = imsg->datalen - sizeof(f);
	if ((f.family != 4 && f.family != 6) ||
	    (f.packet_type != MIXFRAME_TYPE_SPHINX &&
	    f.packet_type != MIXFRAME_TYPE_OUTFOX) ||
	    f.key_rotation > MIXFRAME_ROT_EVEN ||
	    mixframe_tag_for(f.packet_type, len) == 0)
		fatalx("MIX_FORWARD from %s: family %u type %u rotation %u "
		    "length %zu", iev->name, f.family, f.packet_type,
		    f.key_rotation, len);
	memset(&to, 0, sizeof(to));
	to.family = f.family;
	to.port = f.port;
	memcpy(to.ip, f.ip, f.family == 4 ? 4 : 16);
	mixd_route(md, &to, f.packet_type, f.key_rotation, pkt, len);
}

int
mixd_dispatch_clientd(struct imsgev *iev, struct imsg *imsg)
{
	struct mixd	*md = ((struct worker *)iev->arg)->role;

	if (imsg->hdr.type == IMSG_MIX_SETTLED) {
		mix_acks_settled(md, iev, imsg);
		mix_listen_flow(md);
		return 0;
	}
	if (imsg->hdr.type != IMSG_MIX_FORWARD)
		imsg_unexpected(iev, imsg);
	mixd_client_packet(md, iev, imsg);
	/* A packet to ourselves may have filled clientd's queue. */
	mix_listen_flow(md);
	return 0;
}

int
mixd_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	struct mixd		*md = ((struct worker *)iev->arg)->role;
	struct gw_key_update	 u;

	switch (imsg->hdr.type) {
	case IMSG_REPLAY_RESTORE:
	case IMSG_REPLAY_CHUNK:
	case IMSG_REPLAY_DONE:
	case IMSG_REPLAY_FLUSH:
		mix_replay_dispatch(md, iev, imsg);
		return 0;
	case IMSG_KEY_SPHINX_UPDATE:
		if (imsg_get_exact(imsg, &u, sizeof(u)) == -1)
			imsg_unexpected(iev, imsg);
		mixd_keys_update(md, &u);
		sodium_memzero(&u, sizeof(u));
		return 0;
	default:
		imsg_unexpected(iev, imsg);
	}
}
