/*
 * The Sphinx unwrap on every core (ARCHITECTURE.md, "mixd's threads"),
 * after Tor's cpuworker: the event loop keeps every socket, the
 * framing, the acks and the hand-off; a fixed pool of threads does the
 * public-key work of final-hop packets (X25519, key expansion, MAC, the
 * replay check under one lock, routing block and Lioness).
 *
 * A packet is copied into a free job slot and queued; a thread unwraps
 * it in place and puts it on the done list; the first job done after the
 * loop last looked writes the eventfd, and the loop finishes every done
 * job (replay tag to the master, ack held, message to clientd).  Slots
 * are few and fixed: when all are taken the loop waits for one, which is
 * the backpressure the sockets then feel.  Nothing is allocated per
 * packet.
 *
 * Keys and their replay filters are read by the threads and changed only
 * by the loop, after mix_cpupool_drain() has let every job finish.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "histogram.h"
#include "log.h"
#include "mixd.h"
#include "mixframe.h"
#include "util.h"

/* Job slots per thread: enough to keep every thread fed across one
 * read of a busy connection (64 KiB is about 27 packets). */
#define CPUPOOL_SLOTS_PER_THREAD	64

struct mix_job {
	struct mix_job		*next;
	uint8_t			 packet_type;
	uint8_t			 rotation;
	size_t			 len;
	uint64_t		 rx_us;		/* frame read (histograms) */
	int			 rc;		/* enum sphinx_err */
	uint32_t		 rotation_id;	/* of the key that matched */
	struct sphinx_result	 res;		/* res.key not to be used */
	uint8_t			*buf;		/* SPHINX_MAX_PACKET, in place */
};

struct mix_jobq {
	struct mix_job		*head, *tail;
};

struct mix_thread {
	struct mix_cpupool	*pool;
	struct sphinx_ctx	*ctx;
	pthread_t		 tid;
	int			 started;
};

struct mix_cpupool {
	struct mixd		*md;
	pthread_mutex_t		 lock;		/* queues, counts, flags */
	pthread_cond_t		 work;		/* threads: a job is pending */
	pthread_cond_t		 done_cv;	/* loop: a job is done */
	pthread_cond_t		 up_cv;		/* loop: a thread is running */
	unsigned		 running;	/* threads past their start */
	pthread_mutex_t		 replay_lock;	/* every filter's test-and-set */
	struct mix_jobq		 pending, done, free;
	unsigned		 busy;		/* jobs a thread holds */
	int			 loop_waiting;
	int			 notified;	/* eventfd written, not read */
	int			 stop;
	int			 efd;
	struct event		*ev;
	struct mix_thread	*t;
	unsigned		 nthreads;
	struct mix_job		*jobs;
	unsigned		 njobs;
	unsigned		 inflight;	/* taken from free, not back */
	int			 finishing;
};

static void
jobq_put(struct mix_jobq *q, struct mix_job *j)
{
	j->next = NULL;
	if (q->tail == NULL)
		q->head = j;
	else
		q->tail->next = j;
	q->tail = j;
}

static struct mix_job *
jobq_get(struct mix_jobq *q)
{
	struct mix_job	*j = q->head;

	if (j != NULL && (q->head = j->next) == NULL)
		q->tail = NULL;
	return j;
}

/* All of q, leaving it empty. */
static struct mix_job *
jobq_take(struct mix_jobq *q)
{
	struct mix_job	*j = q->head;

	q->head = q->tail = NULL;
	return j;
}

static void
pool_lock(pthread_mutex_t *m)
{
	if (pthread_mutex_lock(m) != 0)
		abort();
}

static void
pool_unlock(pthread_mutex_t *m)
{
	if (pthread_mutex_unlock(m) != 0)
		abort();
}

/* A thread's share: the unwrap, and nothing that touches the loop. */
static void
mix_job_unwrap(struct mix_thread *t, struct mix_job *j)
{
	const struct mixd	*md = t->pool->md;
	const struct sphinx_key	*cand[2];
	size_t			 n;

	n = sphinx_key_candidates(&md->keys[0], md->nkeys > 1 ?
	    &md->keys[1] : NULL, j->rotation, cand);
	if (n == 0) {
		j->rc = SPHINX_ERR_NO_KEY;
		return;
	}
	j->rc = sphinx_process(t->ctx, cand, n, SPHINX_ACCEPT_FINAL, j->buf,
	    j->len, j->buf, &j->res);
	if (j->rc == SPHINX_OK)
		j->rotation_id = j->res.key->rotation_id;
	j->res.key = NULL;
}

static void *
mix_thread_main(void *arg)
{
	struct mix_thread	*t = arg;
	struct mix_cpupool	*p = t->pool;
	struct mix_job		*j;
	uint64_t		 one = 1;
	int			 wake;

	pool_lock(&p->lock);
	/* glibc's own start (robust list, rseq) is done by now. */
	p->running++;
	(void)pthread_cond_signal(&p->up_cv);
	for (;;) {
		while (!p->stop && p->pending.head == NULL)
			if (pthread_cond_wait(&p->work, &p->lock) != 0)
				abort();
		if (p->stop)
			break;
		j = jobq_get(&p->pending);
		p->busy++;
		pool_unlock(&p->lock);

		mix_job_unwrap(t, j);

		pool_lock(&p->lock);
		p->busy--;
		jobq_put(&p->done, j);
		wake = !p->notified;
		p->notified = 1;
		if (p->loop_waiting)
			(void)pthread_cond_signal(&p->done_cv);
		if (wake) {
			/* Outside the lock: the loop may be waiting on it. */
			pool_unlock(&p->lock);
			while (write(p->efd, &one, sizeof(one)) == -1 &&
			    errno == EINTR)
				;
			pool_lock(&p->lock);
		}
	}
	pool_unlock(&p->lock);
	return NULL;
}

/* The loop's share of a packet, once unwrapped: as the inline path. */
static void
mix_job_finish(struct mixd *md, struct mix_job *j)
{
	md->rx_us = j->rx_us;
	mixd_inbound_result(md, j->packet_type, j->rotation, j->len, j->rc,
	    j->rotation_id, &j->res);
	md->rx_us = 0;
}

/* Finish every done job and give its slot back. */
static void
mix_cpupool_collect(struct mix_cpupool *p)
{
	struct mix_job	*j, *next;

	pool_lock(&p->lock);
	j = jobq_take(&p->done);
	p->notified = 0;
	pool_unlock(&p->lock);
	p->finishing = 1;
	for (; j != NULL; j = next) {
		next = j->next;
		mix_job_finish(p->md, j);
		pool_lock(&p->lock);
		jobq_put(&p->free, j);
		p->inflight--;
		pool_unlock(&p->lock);
	}
	p->finishing = 0;
}

static void
mix_cpupool_ready(int fd, short what, void *arg)
{
	struct mix_cpupool	*p = arg;
	uint64_t		 n;

	(void)what;
	if (read(fd, &n, sizeof(n)) == -1 && errno != EAGAIN &&
	    errno != EINTR)
		fatal("%s: eventfd", __func__);
	mix_cpupool_collect(p);
}

/* Block until some job is done (the slots are all taken). */
static void
mix_cpupool_wait(struct mix_cpupool *p)
{
	pool_lock(&p->lock);
	p->loop_waiting = 1;
	while (p->done.head == NULL)
		if (pthread_cond_wait(&p->done_cv, &p->lock) != 0)
			abort();
	p->loop_waiting = 0;
	pool_unlock(&p->lock);
	mix_cpupool_collect(p);
}

unsigned
mix_cpupool_size(uint32_t configured)
{
	cpu_set_t	 set;
	long		 n;

	if (configured != 0)
		return configured;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

struct mix_cpupool *
mix_cpupool_new(struct mixd *md, unsigned nthreads)
{
	struct mix_cpupool	*p;
	unsigned		 i;

	if (nthreads < 2)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->md = md;
	p->nthreads = nthreads;
	p->efd = -1;
	if (pthread_mutex_init(&p->lock, NULL) != 0 ||
	    pthread_mutex_init(&p->replay_lock, NULL) != 0 ||
	    pthread_cond_init(&p->work, NULL) != 0 ||
	    pthread_cond_init(&p->done_cv, NULL) != 0 ||
	    pthread_cond_init(&p->up_cv, NULL) != 0)
		fatalx("%s: pthread init", __func__);
	if ((p->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		fatal("%s: eventfd", __func__);
	if (md->w != NULL && md->w->base != NULL) {
		p->ev = event_new(md->w->base, p->efd, EV_READ | EV_PERSIST,
		    mix_cpupool_ready, p);
		if (p->ev == NULL || event_add(p->ev, NULL) == -1)
			fatalx("%s: event", __func__);
	}
	p->njobs = nthreads * CPUPOOL_SLOTS_PER_THREAD;
	p->jobs = xcalloc(p->njobs, sizeof(*p->jobs));
	for (i = 0; i < p->njobs; i++) {
		p->jobs[i].buf = xmalloc(SPHINX_MAX_PACKET);
		jobq_put(&p->free, &p->jobs[i]);
	}
	p->t = xcalloc(nthreads, sizeof(*p->t));
	for (i = 0; i < nthreads; i++) {
		p->t[i].pool = p;
		if ((p->t[i].ctx = sphinx_ctx_new()) == NULL)
			fatalx("%s: sphinx_ctx_new", __func__);
		sphinx_ctx_share_replay(p->t[i].ctx, &p->replay_lock);
	}
	/* The loop's own context (self-delivered acks) shares the lock. */
	sphinx_ctx_share_replay(md->sphinx, &p->replay_lock);
	return p;
}

void
mix_cpupool_start(void *arg)
{
	struct mix_cpupool	*p = arg;
	sigset_t		 all, old;
	unsigned		 i;
	int			 rv;

	/*
	 * Signals stay the loop's (libevent's handlers), except those a
	 * thread raises itself: a SIGSYS blocked when seccomp traps would
	 * kill without the handler that names the call to the master.
	 */
	sigfillset(&all);
	sigdelset(&all, SIGSYS);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGABRT);
	sigdelset(&all, SIGTRAP);
	if ((rv = pthread_sigmask(SIG_SETMASK, &all, &old)) != 0)
		fatalx("%s: sigmask: %s", __func__, strerror(rv));
	for (i = 0; i < p->nthreads; i++) {
		rv = pthread_create(&p->t[i].tid, NULL, mix_thread_main,
		    &p->t[i]);
		if (rv != 0)
			fatalx("%s: thread %u: %s", __func__, i, strerror(rv));
		p->t[i].started = 1;
	}
	if ((rv = pthread_sigmask(SIG_SETMASK, &old, NULL)) != 0)
		fatalx("%s: sigmask: %s", __func__, strerror(rv));
	/*
	 * Each new thread makes system calls of its own before it runs
	 * our code (set_robust_list, rseq): all of them are done before
	 * the filter goes on, so the allowlist needs none of them.
	 */
	pool_lock(&p->lock);
	while (p->running < p->nthreads)
		if (pthread_cond_wait(&p->up_cv, &p->lock) != 0)
			abort();
	pool_unlock(&p->lock);
	log_info("sphinx: %u unwrap threads", p->nthreads);
}

unsigned
mix_cpupool_threads(const struct mix_cpupool *p)
{
	return p == NULL ? 1 : p->nthreads;
}

/*
 * A whole frame's packet: copied into a free slot for the threads.
 * While finishing jobs (a self-delivered ack) or without a pool, the
 * caller unwraps inline instead (returns -1).
 */
int
mix_cpupool_submit(struct mix_cpupool *p, uint8_t packet_type,
    uint8_t rotation, const uint8_t *pkt, size_t len)
{
	struct mix_job	*j;

	if (p == NULL || p->finishing || len > SPHINX_MAX_PACKET)
		return -1;
	for (;;) {
		pool_lock(&p->lock);
		j = jobq_get(&p->free);
		pool_unlock(&p->lock);
		if (j != NULL)
			break;
		mix_cpupool_wait(p);
	}
	j->packet_type = packet_type;
	j->rotation = rotation;
	j->len = len;
	j->rx_us = histogram_now_us();
	j->rc = SPHINX_OK;
	j->rotation_id = 0;
	memcpy(j->buf, pkt, len);
	pool_lock(&p->lock);
	p->inflight++;
	jobq_put(&p->pending, j);
	(void)pthread_cond_signal(&p->work);
	pool_unlock(&p->lock);
	return 0;
}

/*
 * Every job submitted so far finished on the loop: before the keys or
 * their filters change, and at stop.
 */
void
mix_cpupool_drain(struct mix_cpupool *p)
{
	if (p == NULL || p->finishing)
		return;
	for (;;) {
		pool_lock(&p->lock);
		if (p->inflight == 0) {
			pool_unlock(&p->lock);
			return;
		}
		if (p->done.head == NULL) {
			p->loop_waiting = 1;
			if (pthread_cond_wait(&p->done_cv, &p->lock) != 0)
				abort();
			p->loop_waiting = 0;
		}
		pool_unlock(&p->lock);
		mix_cpupool_collect(p);
	}
}

/* Threads stopped and joined; jobs not yet unwrapped are dropped
 * (no ack was held for them, so nothing was promised). */
void
mix_cpupool_free(struct mix_cpupool *p)
{
	unsigned	 i;

	if (p == NULL)
		return;
	pool_lock(&p->lock);
	p->stop = 1;
	(void)pthread_cond_broadcast(&p->work);
	pool_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++) {
		if (p->t[i].started)
			(void)pthread_join(p->t[i].tid, NULL);
		sphinx_ctx_free(p->t[i].ctx);
	}
	if (p->md->sphinx != NULL)
		sphinx_ctx_share_replay(p->md->sphinx, NULL);
	for (i = 0; i < p->njobs; i++) {
		sodium_memzero(p->jobs[i].buf, SPHINX_MAX_PACKET);
		free(p->jobs[i].buf);
	}
	if (p->ev != NULL)
		event_free(p->ev);
	if (p->efd != -1)
		close(p->efd);
	(void)pthread_mutex_destroy(&p->lock);
	(void)pthread_mutex_destroy(&p->replay_lock);
	(void)pthread_cond_destroy(&p->work);
	(void)pthread_cond_destroy(&p->done_cv);
	(void)pthread_cond_destroy(&p->up_cv);
	free(p->jobs);
	free(p->t);
	free(p);
}
