/*
 * The replay filters, kept across restarts (ARCHITECTURE.md, Replay
 * filters).  mixd has no filesystem, so it sends the master every new
 * replay tag (IMSG_REPLAY_TAGS, batched every REPLAY_FLUSH_MS); the
 * master keeps a filter of its own per live key, built from those tags,
 * and makes it durable as
 *
 *	<data>/replay/<rotation>.jnl	every tag since the last image,
 *					appended as it comes, fdatasync'ed
 *					every mixnet.replay_sync
 *	<data>/replay/<rotation>.img	the whole filter (parameters, hash
 *					key, bits, a BLAKE2b checksum),
 *					rewritten every REPLAY_IMAGE_S or
 *					when the journal passes
 *					REPLAY_JOURNAL_MAX tags
 *
 * At start the image and the journal of each key are loaded and sent to
 * mixd (IMSG_REPLAY_RESTORE, _CHUNK, _DONE) before the START that lets
 * it open the mix port; at an orderly stop mixd stops reading and sends
 * its last tags first (IMSG_REPLAY_FLUSH).  After kill -9 a packet that
 * arrived within REPLAY_FLUSH_MS of it may be accepted again once;
 * after a power loss, one within replay_sync.  The master never parses
 * the tags: they are 32 opaque bytes each.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "gatewayd.h"
#include "log.h"
#include "replay.h"
#include "util.h"

#define REPLAY_MAGIC		"gwreplay"
#define REPLAY_VERSION		1
#define REPLAY_ENDIAN		0x01020304u
/* The image is rewritten this often, or when the journal is this long. */
#define REPLAY_IMAGE_S		(10 * 60)
#define REPLAY_JOURNAL_MAX	(1024 * 1024)
/* At start, the restore goes to mixd this much at a time. */
#define REPLAY_CHUNK		(60 * 1024)
#define REPLAY_SEND_QUEUE	(1024 * 1024)
#define REPLAY_ROTS		4

struct replay_file_hdr {
	char			 magic[8];
	uint32_t		 version;
	uint32_t		 endian;
	uint32_t		 rotation;
	uint32_t		 pad;
	struct replay_image	 img;
	uint64_t		 nbytes;
	uint8_t			 sum[32];	/* BLAKE2b of hdr (sum 0) + bits */
};

struct replay_rot {
	uint32_t		 rotation;
	struct replay_filter	*f;
	int			 jfd;
	uint64_t		 jtags;
	int			 dirty;
	time_t			 image_at;
};

struct replay_store {
	char			 dir[PATH_MAX];
	struct replay_rot	 rots[REPLAY_ROTS];
	size_t			 n;
	uint32_t		 sync_ms;
	struct event		*sync_ev;
	/* the start-up restore */
	struct event		*send_ev;
	size_t			 send_rot;
	uint64_t		 send_off;
	int			 send_begun;
	uint32_t		 relabelled;	/* rotation 0's key's id */
	time_t			 image_s;	/* REPLAY_IMAGE_S; tests less */
	/* counters */
	uint64_t		*c_tags, *c_journal_bytes, *c_images, *c_syncs;
	uint64_t		*c_restored, *c_unknown;
};

static int
replay_path(const struct replay_store *rs, uint32_t rot, const char *ext,
    char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "%s/%u.%s", rs->dir, rot, ext) <
	    len ? 0 : -1;
}

static struct replay_rot *
replay_find(struct replay_store *rs, uint32_t rotation)
{
	size_t	 i;

	for (i = 0; i < rs->n; i++)
		if (rs->rots[i].rotation == rotation)
			return &rs->rots[i];
	return NULL;
}

static void
replay_sum(const struct replay_file_hdr *h, const uint8_t *bits,
    size_t len, uint8_t out[32])
{
	crypto_generichash_state	 st;
	struct replay_file_hdr		 z = *h;

	memset(z.sum, 0, sizeof(z.sum));
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)&z, sizeof(z));
	crypto_generichash_update(&st, bits, len);
	crypto_generichash_final(&st, out, 32);
}

static int
replay_fsync_dir(const char *dir)
{
	int	 fd, rv;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rv = fsync(fd);
	close(fd);
	return rv;
}

static int
replay_write_all(int fd, const void *p, size_t len)
{
	const uint8_t	*b = p;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, b, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The image, written whole to a temporary file and renamed over. */
static int
replay_image_write(struct replay_store *rs, struct replay_rot *r)
{
	struct replay_file_hdr	 h;
	const uint8_t		*bits;
	size_t			 len;
	char			 path[PATH_MAX], tmp[PATH_MAX];
	int			 fd;

	if (replay_path(rs, r->rotation, "img", path, sizeof(path)) == -1 ||
	    replay_path(rs, r->rotation, "img.tmp", tmp, sizeof(tmp)) == -1)
		return -1;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, REPLAY_MAGIC, sizeof(h.magic));
	h.version = REPLAY_VERSION;
	h.endian = REPLAY_ENDIAN;
	h.rotation = r->rotation;
	replay_image_of(r->f, &h.img);
	bits = replay_image_bytes(r->f, &len);
	h.nbytes = len;
	replay_sum(&h, bits, len, h.sum);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	    -1)
		return -1;
	if (replay_write_all(fd, &h, sizeof(h)) == -1 ||
	    replay_write_all(fd, bits, len) == -1 || fdatasync(fd) == -1) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	/* The image holds every journalled tag: the journal starts over
	 * only once the image is safely in place. */
	if (rename(tmp, path) == -1 || replay_fsync_dir(rs->dir) == -1 ||
	    ftruncate(r->jfd, 0) == -1)
		return -1;
	sodium_memzero(&h, sizeof(h));
	r->jtags = 0;
	r->dirty = 0;
	r->image_at = time(NULL);
	*rs->c_images += 1;
	return 0;
}

/* A saved image: 1 loaded into r->f, 0 none usable (the reason logged). */
static int
replay_image_read(struct replay_store *rs, struct replay_rot *r)
{
	struct replay_file_hdr	 h;
	struct replay_filter	*f = NULL;
	uint8_t			 sum[32], *bits = NULL;
	char			 path[PATH_MAX];
	size_t			 len;
	ssize_t			 n;
	int			 fd, ok = 0;

	if (replay_path(rs, r->rotation, "img", path, sizeof(path)) == -1)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			log_warn("replay filter %s", path);
		return 0;
	}
	if ((n = read(fd, &h, sizeof(h))) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, REPLAY_MAGIC, sizeof(h.magic)) != 0 ||
	    h.version != REPLAY_VERSION || h.endian != REPLAY_ENDIAN ||
	    h.rotation != r->rotation ||
	    (f = replay_from_image(&h.img)) == NULL)
		goto out;
	(void)replay_image_bytes(f, &len);
	if (h.nbytes != len || (bits = malloc(len)) == NULL ||
	    read(fd, bits, len) != (ssize_t)len)
		goto out;
	replay_sum(&h, bits, len, sum);
	if (sodium_memcmp(sum, h.sum, sizeof(sum)) != 0 ||
	    replay_load(f, 0, bits, len) == -1)
		goto out;
	replay_free(r->f);
	r->f = f;
	f = NULL;
	ok = 1;
out:
	if (!ok)
		log_warnx("replay filter %s is not usable (truncated, "
		    "corrupt or of another build): starting from the journal "
		    "alone", path);
	close(fd);
	free(bits);
	replay_free(f);
	sodium_memzero(&h, sizeof(h));
	return ok;
}

/* Every whole tag of the journal into r->f; a torn last one is cut. */
static void
replay_journal_apply(struct replay_store *rs, struct replay_rot *r)
{
	uint8_t		 buf[REPLAY_TAG_LEN * 1024];
	ssize_t		 n;
	off_t		 good = 0;
	size_t		 i;

	if (lseek(r->jfd, 0, SEEK_SET) == -1)
		return;
	while ((n = read(r->jfd, buf, sizeof(buf))) > 0) {
		for (i = 0; i + REPLAY_TAG_LEN <= (size_t)n;
		    i += REPLAY_TAG_LEN)
			(void)replay_check_and_set(r->f, buf + i);
		good += (off_t)(i);
		r->jtags += i / REPLAY_TAG_LEN;
		if (i != (size_t)n)
			break;
	}
	if (ftruncate(r->jfd, good) == -1)
		log_warn("replay journal of rotation %u", r->rotation);
	(void)lseek(r->jfd, 0, SEEK_END);
	*rs->c_restored += r->jtags;
}

static int
replay_rot_open(struct replay_store *rs, uint32_t rotation, int load)
{
	struct replay_rot	*r;
	char			 path[PATH_MAX];

	if (replay_find(rs, rotation) != NULL)
		return 0;
	if (rs->n == REPLAY_ROTS)
		fatalx("replay: more than %d live keys", REPLAY_ROTS);
	r = &rs->rots[rs->n];
	memset(r, 0, sizeof(*r));
	r->rotation = rotation;
	r->image_at = time(NULL);
	if ((r->f = replay_new(REPLAY_DEFAULT_ITEMS, REPLAY_DEFAULT_FP, 0)) ==
	    NULL)
		fatal("replay filter");
	if (replay_path(rs, rotation, "jnl", path, sizeof(path)) == -1 ||
	    (r->jfd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) == -1)
		fatal("replay journal %s", path);
	if (load) {
		(void)replay_image_read(rs, r);
		replay_journal_apply(rs, r);
	} else if (ftruncate(r->jfd, 0) == -1)
		fatal("replay journal %s", path);
	rs->n++;
	if (load) {
		struct replay_stats	 st;

		replay_get_stats(r->f, &st);
		log_info("replay filter of rotation %u restored: %llu tags "
		    "(%llu from the journal)", rotation,
		    (unsigned long long)st.inserted,
		    (unsigned long long)r->jtags);
	}
	return 0;
}

static void
replay_rot_drop(struct replay_store *rs, size_t i)
{
	struct replay_rot	*r = &rs->rots[i];
	char			 path[PATH_MAX];

	close(r->jfd);
	replay_free(r->f);
	if (replay_path(rs, r->rotation, "jnl", path, sizeof(path)) == 0)
		(void)unlink(path);
	if (replay_path(rs, r->rotation, "img", path, sizeof(path)) == 0)
		(void)unlink(path);
	log_info("replay filter of rotation %u dropped with its key",
	    r->rotation);
	rs->rots[i] = rs->rots[--rs->n];
}

static void
replay_sync_cb(int fd, short what, void *arg)
{
	struct gatewayd		*gw = arg;
	struct replay_store	*rs = gw->replay;
	time_t			 now = time(NULL);
	size_t			 i;

	(void)fd;
	(void)what;
	for (i = 0; i < rs->n; i++) {
		struct replay_rot *r = &rs->rots[i];

		if (r->jtags > 0 && (r->jtags >= REPLAY_JOURNAL_MAX ||
		    now - r->image_at >= rs->image_s)) {
			if (replay_image_write(rs, r) == -1)
				log_warn("replay filter of rotation %u: image",
				    r->rotation);
			continue;
		}
		if (r->dirty && fdatasync(r->jfd) == 0) {
			r->dirty = 0;
			*rs->c_syncs += 1;
		}
	}
}

void
replay_store_open(struct gatewayd *gw)
{
	struct replay_store	*rs = xcalloc(1, sizeof(*rs));
	size_t			 i;

	if ((size_t)snprintf(rs->dir, sizeof(rs->dir), "%s/replay",
	    gw->conf.data_dir) >= sizeof(rs->dir))
		fatalx("replay directory path too long");
	if (mkdir(rs->dir, 0700) == -1 && errno != EEXIST)
		fatal("mkdir %s", rs->dir);
	if (chmod(rs->dir, 0700) == -1)
		fatal("chmod %s", rs->dir);
	rs->sync_ms = gw->conf.replay_sync_ms;
	rs->image_s = REPLAY_IMAGE_S;
#ifdef GW_TEST_HOOKS
	if (getenv("GW_TEST_REPLAY_IMAGE_S") != NULL) {
		rs->image_s = atoi(getenv("GW_TEST_REPLAY_IMAGE_S"));
		log_warnx("test hook: replay images every %lld s",
		    (long long)rs->image_s);
	}
#endif
	rs->c_tags = counter_get(&gw->counters, "replay_tags_saved");
	rs->c_journal_bytes = counter_get(&gw->counters,
	    "replay_journal_bytes");
	rs->c_images = counter_get(&gw->counters, "replay_images_written");
	rs->c_syncs = counter_get(&gw->counters, "replay_syncs");
	rs->c_restored = counter_get(&gw->counters, "replay_tags_restored");
	rs->c_unknown = counter_get(&gw->counters, "replay_tags_unknown_key");
	gw->replay = rs;
	for (i = 0; i < gw->rot.n; i++)
		replay_rot_open(rs, gw->rot.keys[i].id, 1);
}

/* Once the loop runs: the periodic sync. */
void
replay_store_start(struct gatewayd *gw)
{
	struct replay_store	*rs = gw->replay;
	struct timeval		 tv;

	tv.tv_sec = rs->sync_ms / 1000;
	tv.tv_usec = (suseconds_t)(rs->sync_ms % 1000) * 1000;
	if ((rs->sync_ev = event_new(gw->base, -1, EV_PERSIST, replay_sync_cb,
	    gw)) == NULL || event_add(rs->sync_ev, &tv) == -1)
		fatalx("%s: event", __func__);
}

void
replay_store_reconf(struct gatewayd *gw)
{
	struct replay_store	*rs = gw->replay;

	if (rs == NULL || rs->sync_ms == gw->conf.replay_sync_ms)
		return;
	rs->sync_ms = gw->conf.replay_sync_ms;
	if (rs->sync_ev != NULL) {
		event_free(rs->sync_ev);
		replay_store_start(gw);
	}
}

/* mixd's IMSG_REPLAY_TAGS: struct gw_replay_tags + n x 32 bytes. */
void
replay_store_tags(struct gatewayd *gw, struct imsgev *iev, struct imsg *imsg)
{
	struct replay_store	*rs = gw->replay;
	struct gw_replay_tags	 t;
	struct replay_rot	*r;
	const uint8_t		*tags;
	size_t			 len, i;

	if (imsg->datalen < sizeof(t))
		fatalx("REPLAY_TAGS from %s: short", iev->name);
	memcpy(&t, imsg->data, sizeof(t));
	len = (size_t)t.n * REPLAY_TAG_LEN;
	if (t.n == 0 || t.n > GW_REPLAY_TAGS_MAX ||
	    imsg->datalen != sizeof(t) + len)
		fatalx("REPLAY_TAGS from %s: bad count", iev->name);
	tags = imsg->data + sizeof(t);
	/* mixd may still name the key of rotation 0 by its old id. */
	if (t.rotation == 0 && rs->relabelled != 0 &&
	    replay_find(rs, 0) == NULL)
		t.rotation = rs->relabelled;
	if ((r = replay_find(rs, t.rotation)) == NULL) {
		/* A key just dropped: its tags no longer matter. */
		*rs->c_unknown += t.n;
		return;
	}
	for (i = 0; i < t.n; i++)
		(void)replay_check_and_set(r->f, tags + i * REPLAY_TAG_LEN);
	if (replay_write_all(r->jfd, tags, len) == -1)
		log_warn("replay journal of rotation %u", r->rotation);
	r->jtags += t.n;
	r->dirty = 1;
	*rs->c_tags += t.n;
	*rs->c_journal_bytes += len;
}

/* After a key rotation step: filters follow keys, as in mixd. */
void
replay_store_keys(struct gatewayd *gw, uint32_t relabelled_from0)
{
	struct replay_store	*rs = gw->replay;
	struct replay_rot	*r;
	char			 a[PATH_MAX], b[PATH_MAX];
	size_t			 i, j;
	int			 live;

	if (rs == NULL)
		return;
	if (relabelled_from0 != 0 && (r = replay_find(rs, 0)) != NULL) {
		/* The key of rotation 0 got its id: so do its files. */
		if (replay_path(rs, 0, "jnl", a, sizeof(a)) == 0 &&
		    replay_path(rs, relabelled_from0, "jnl", b, sizeof(b)) ==
		    0 && rename(a, b) == -1)
			log_warn("replay journal %s", a);
		(void)unlink(a);
		if (replay_path(rs, 0, "img", a, sizeof(a)) == 0)
			(void)unlink(a);
		r->rotation = relabelled_from0;
		rs->relabelled = relabelled_from0;
		(void)replay_fsync_dir(rs->dir);
	}
	for (i = 0; i < rs->n; ) {
		for (j = 0, live = 0; j < gw->rot.n; j++)
			live |= gw->rot.keys[j].id == rs->rots[i].rotation;
		if (!live)
			replay_rot_drop(rs, i);
		else
			i++;
	}
	for (j = 0; j < gw->rot.n; j++)
		replay_rot_open(rs, gw->rot.keys[j].id, 0);
}

/*
 * Start-up: each filter to mixd, a chunk at a time while its queue is
 * short, then done() (the START the master holds back until now).
 */
static void
replay_send_cb(int fd, short what, void *arg)
{
	struct gatewayd		*gw = arg;
	struct replay_store	*rs = gw->replay;
	struct imsgev		*iev = gw->workers[PROC_MIXD].iev;
	struct timeval		 tv = { 0, 1000 };

	(void)fd;
	(void)what;
	if (iev == NULL)
		return;
	while (rs->send_rot < rs->n) {
		struct replay_rot	*r = &rs->rots[rs->send_rot];
		struct gw_replay_restore rh;
		struct gw_replay_chunk	 ch;
		const uint8_t		*bits;
		size_t			 len, take;

		if (imsgev_queued(iev) > REPLAY_SEND_QUEUE) {
			evtimer_add(rs->send_ev, &tv);
			return;
		}
		bits = replay_image_bytes(r->f, &len);
		if (!rs->send_begun) {
			memset(&rh, 0, sizeof(rh));
			rh.rotation = r->rotation;
			replay_image_of(r->f, &rh.img);
			if (imsgev_compose(iev, IMSG_REPLAY_RESTORE, 0, -1, &rh,
			    sizeof(rh)) == -1)
				fatal("%s", __func__);
			sodium_memzero(&rh, sizeof(rh));
			rs->send_begun = 1;
			rs->send_off = 0;
		}
		if (rs->send_off < len) {
			take = len - rs->send_off;
			if (take > REPLAY_CHUNK)
				take = REPLAY_CHUNK;
			memset(&ch, 0, sizeof(ch));
			ch.rotation = r->rotation;
			ch.offset = rs->send_off;
			if (imsgev_compose2(iev, IMSG_REPLAY_CHUNK, 0, &ch,
			    sizeof(ch), bits + rs->send_off, take) == -1)
				fatal("%s", __func__);
			rs->send_off += take;
			continue;
		}
		if (imsgev_compose(iev, IMSG_REPLAY_DONE, 0, -1, &r->rotation,
		    sizeof(r->rotation)) == -1)
			fatal("%s", __func__);
		rs->send_rot++;
		rs->send_begun = 0;
	}
	gw->replay_restored = 1;
	parent_all_ready(gw);
}

void
replay_store_send(struct gatewayd *gw)
{
	struct replay_store	*rs = gw->replay;

	if ((rs->send_ev = evtimer_new(gw->base, replay_send_cb, gw)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	replay_send_cb(-1, 0, gw);
}

/* The last tags are in (or mixd is gone): make them durable. */
void
replay_store_close(struct gatewayd *gw)
{
	struct replay_store	*rs = gw->replay;
	size_t			 i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		if (rs->rots[i].dirty && fdatasync(rs->rots[i].jfd) == -1)
			log_warn("replay journal of rotation %u",
			    rs->rots[i].rotation);
}
