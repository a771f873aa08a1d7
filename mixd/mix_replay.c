/*
 * mixd's half of the replay filters kept across restarts (the master's
 * is gatewayd/replay_store.c): every tag new to a filter is batched and
 * sent to the master, which alone may write files; at start the master
 * sends each live key's filter back before the mix port opens; at an
 * orderly stop mixd stops reading and sends what it still holds.
 */
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "log.h"
#include "mixd.h"
#include "util.h"

struct mix_replay {
	struct mixd		*md;
	uint32_t		 rotation;	/* of the tags held */
	uint32_t		 n;
	uint8_t			 tags[GW_REPLAY_TAGS_MAX][REPLAY_TAG_LEN];
	struct event		*flush_ev;
	/* a filter arriving from the master */
	struct replay_filter	*incoming;
	uint32_t		 incoming_rot;
	uint64_t		 incoming_bytes;
};

void
mix_replay_flush(struct mixd *md)
{
	struct mix_replay	*mr = md->replay;
	struct imsgev		*parent = md->w->peer[PROC_PARENT];
	struct gw_replay_tags	 t;

	if (mr == NULL || mr->n == 0)
		return;
	t.rotation = mr->rotation;
	t.n = mr->n;
	/* Without a master the filter is all there is. */
	if (parent != NULL && imsgev_compose2(parent, IMSG_REPLAY_TAGS, 0, &t,
	    sizeof(t), mr->tags, (size_t)mr->n * REPLAY_TAG_LEN) == -1)
		*md->c.replay_tags_unsaved += mr->n;
	mr->n = 0;
}

static void
mix_replay_timer(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	mix_replay_flush(arg);
}

struct mix_replay *
mix_replay_new(struct mixd *md)
{
	struct mix_replay	*mr = xcalloc(1, sizeof(*mr));

	mr->md = md;
	if (md->w != NULL && md->w->base != NULL &&
	    (mr->flush_ev = evtimer_new(md->w->base, mix_replay_timer, md)) ==
	    NULL)
		fatalx("%s: evtimer_new", __func__);
	return mr;
}

void
mix_replay_free(struct mix_replay *mr)
{
	if (mr == NULL)
		return;
	if (mr->flush_ev != NULL)
		event_free(mr->flush_ev);
	replay_free(mr->incoming);
	free(mr);
}

/* A packet's tag was new to the filter of rotation: save it. */
void
mix_replay_note(struct mixd *md, uint32_t rotation, const uint8_t *tag)
{
	struct mix_replay	*mr = md->replay;
	struct timeval		 tv = { 0, MIXD_REPLAY_FLUSH_MS * 1000 };

	if (mr == NULL)
		return;
	if (mr->n > 0 && (mr->rotation != rotation ||
	    mr->n == GW_REPLAY_TAGS_MAX))
		mix_replay_flush(md);
	mr->rotation = rotation;
	memcpy(mr->tags[mr->n++], tag, REPLAY_TAG_LEN);
	if (mr->n == 1 && mr->flush_ev != NULL)
		evtimer_add(mr->flush_ev, &tv);
}

static struct sphinx_key *
mix_replay_key(struct mixd *md, uint32_t rotation)
{
	size_t	 i;

	for (i = 0; i < md->nkeys; i++)
		if (md->keys[i].rotation_id == rotation)
			return &md->keys[i];
	return NULL;
}

/* The master's RESTORE, CHUNK and DONE, and FLUSH at a stop. */
void
mix_replay_dispatch(struct mixd *md, struct imsgev *iev, struct imsg *imsg)
{
	struct mix_replay		*mr = md->replay;
	struct gw_replay_restore	 rh;
	struct gw_replay_chunk		 ch;
	struct replay_stats		 st;
	struct sphinx_key		*k;
	uint32_t			 rot;
	size_t				 len;

	switch (imsg->hdr.type) {
	case IMSG_REPLAY_RESTORE:
		imsg_need(iev, imsg, &rh, sizeof(rh));
		if (mr->incoming != NULL ||
		    (mr->incoming = replay_from_image(&rh.img)) == NULL)
			fatalx("REPLAY_RESTORE from %s: out of turn or bad "
			    "parameters", iev->name);
		mr->incoming_rot = rh.rotation;
		mr->incoming_bytes = 0;
		sodium_memzero(&rh, sizeof(rh));
		return;
	case IMSG_REPLAY_CHUNK:
		if (imsg->datalen <= sizeof(ch) || mr->incoming == NULL)
			fatalx("REPLAY_CHUNK from %s: out of turn", iev->name);
		memcpy(&ch, imsg->data, sizeof(ch));
		len = imsg->datalen - sizeof(ch);
		if (ch.rotation != mr->incoming_rot || replay_load(mr->incoming,
		    ch.offset, imsg->data + sizeof(ch), len) == -1)
			fatalx("REPLAY_CHUNK from %s: outside the filter",
			    iev->name);
		mr->incoming_bytes += len;
		return;
	case IMSG_REPLAY_DONE:
		imsg_need(iev, imsg, &rot, sizeof(rot));
		if (mr->incoming == NULL || rot != mr->incoming_rot)
			fatalx("REPLAY_DONE from %s: out of turn", iev->name);
		(void)replay_image_bytes(mr->incoming, &len);
		if (mr->incoming_bytes != len)
			fatalx("REPLAY_DONE from %s: incomplete", iev->name);
		/* No thread may hold the filter this swaps out. */
		mix_cpupool_drain(md->pool);
		if ((k = mix_replay_key(md, rot)) == NULL) {
			/* Not a key of ours (yet): nothing to protect. */
			replay_free(mr->incoming);
		} else {
			replay_get_stats(k->replay, &st);
			*md->c.replay_filter_bytes -= st.bytes;
			replay_free(k->replay);
			k->replay = mr->incoming;
			replay_get_stats(k->replay, &st);
			*md->c.replay_filter_bytes += st.bytes;
			*md->c.replay_tags_restored += st.inserted;
			log_debug("replay filter of rotation %u restored: %llu "
			    "tags", rot, (unsigned long long)st.inserted);
		}
		mr->incoming = NULL;
		return;
	case IMSG_REPLAY_FLUSH:
		/* Nothing more is read, so nothing more is missed. */
		mix_listen_stop(md);
		mix_replay_flush(md);
		if (imsgev_compose(iev, IMSG_REPLAY_FLUSHED, 0, -1, NULL, 0) ==
		    -1)
			fatal("%s", __func__);
		return;
	default:
		imsg_unexpected(iev, imsg);
	}
}
