/* SPDX-License-Identifier: MIT */
/*
 * The event loop (see loop.h for the contract).
 *
 * Design, after redis' ae.c and libuv: one epoll set; registrations live in
 * a table indexed by fd; each epoll event carries the fd and a generation
 * number, so an event that was already fetched for an fd that a callback
 * removed (and perhaps re-added) in the same batch is recognised as stale
 * and dropped instead of calling the wrong callback. Timers are intrusive
 * and kept in a doubly-linked list in due order (ties in start order), so
 * arming one allocates nothing. Signals arrive through a
 * signalfd, posts from other threads through an eventfd plus a
 * mutex-protected queue. The signalfd and the eventfd are "internal": they
 * do not keep loop_run alive.
 */
#include "net/loop.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_MAX_EVENTS	 64
#define LOOP_MAX_SIGNALS 8
/* No sane use of this loop needs more; a bound keeps a bug from eating RAM. */
#define LOOP_MAX_FD 65536

/* The loop-level flags are epoll's own bits, so nothing needs translating;
 * callers still never see <sys/epoll.h>. */
_Static_assert(LOOP_READABLE == EPOLLIN && LOOP_WRITABLE == EPOLLOUT && LOOP_ERROR == EPOLLERR &&
		   LOOP_HUP == EPOLLHUP && LOOP_PEER_CLOSED == EPOLLRDHUP,
	       "loop flags must match epoll's");
#define LOOP_EVENTS (LOOP_READABLE | LOOP_WRITABLE | LOOP_ERROR | LOOP_HUP | LOOP_PEER_CLOSED)

struct loop_fd {
	loop_io_cb cb; /* NULL: slot free */
	void *data;
	uint32_t gen;
	bool internal;
};

struct loop_post {
	struct loop_post *next;
	loop_post_cb cb;
	void *data;
};

struct loop_sig {
	int signo;
	loop_signal_cb cb;
	void *data;
};

struct loop {
	int epfd;
	bool stop;
	uint64_t now_ms;

	struct loop_fd *fds; /* indexed by fd */
	size_t n_fds_cap;
	size_t n_user_fds; /* registrations that keep loop_run alive */
	uint32_t next_gen;

	struct loop_timer *timers; /* armed, in (due_ms, seq) order */
	struct loop_timer *timers_last;
	uint64_t timer_seq; /* the last seq handed out */

	int sigfd;
	sigset_t sigmask;
	struct loop_sig sigs[LOOP_MAX_SIGNALS];
	size_t n_sigs;

	int postfd;
	pthread_mutex_t post_lock;
	struct loop_post *post_head, *post_tail;
};

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t loop_now_ms(struct loop *l)
{
	return l->now_ms;
}

uint64_t loop_update_time(struct loop *l)
{
	l->now_ms = monotonic_ms();
	return l->now_ms;
}

/* --- fds ------------------------------------------------------------------ */

static int fd_slot_reserve(struct loop *l, int fd)
{
	size_t cap;
	struct loop_fd *n;

	if (fd < 0 || fd >= LOOP_MAX_FD)
		return -EBADF;
	if ((size_t)fd < l->n_fds_cap)
		return 0;
	cap = l->n_fds_cap ? l->n_fds_cap : 64;
	while (cap <= (size_t)fd)
		cap *= 2;
	n = realloc(l->fds, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + l->n_fds_cap, 0, (cap - l->n_fds_cap) * sizeof(*n));
	l->fds = n;
	l->n_fds_cap = cap;
	return 0;
}

static int fd_add(struct loop *l, int fd, uint32_t events, loop_io_cb cb, void *data, bool internal)
{
	struct epoll_event ev = { .events = events & LOOP_EVENTS };
	struct loop_fd *s;
	int r;

	if (!cb)
		return -EINVAL;
	r = fd_slot_reserve(l, fd);
	if (r < 0)
		return r;
	s = &l->fds[fd];
	if (s->cb)
		return -EEXIST;
	s->gen = ++l->next_gen;
	ev.data.u64 = (uint64_t)s->gen << 32 | (uint32_t)fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	s->cb = cb;
	s->data = data;
	s->internal = internal;
	if (!internal)
		l->n_user_fds++;
	return 0;
}

int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_io_cb cb, void *data)
{
	return fd_add(l, fd, events, cb, data, false);
}

int loop_mod_fd(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events & LOOP_EVENTS };

	if (fd < 0 || (size_t)fd >= l->n_fds_cap || !l->fds[fd].cb)
		return -ENOENT;
	ev.data.u64 = (uint64_t)l->fds[fd].gen << 32 | (uint32_t)fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

int loop_del_fd(struct loop *l, int fd)
{
	struct loop_fd *s;

	if (fd < 0 || (size_t)fd >= l->n_fds_cap || !l->fds[fd].cb)
		return -ENOENT;
	s = &l->fds[fd];
	/* The fd may already be closed by the caller; the slot is freed anyway. */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	if (!s->internal)
		l->n_user_fds--;
	s->cb = NULL;
	s->data = NULL;
	s->gen = 0;
	return 0;
}

/* --- timers: an intrusive list in due order ----------------------------------- */

void loop_timer_init(struct loop_timer *t)
{
	memset(t, 0, sizeof(*t));
}

bool loop_timer_armed(const struct loop_timer *t)
{
	return t->armed;
}

void loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	if (!t->armed)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		l->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		l->timers_last = t->prev;
	t->prev = t->next = NULL;
	t->armed = false;
}

int loop_timer_start(struct loop *l, struct loop_timer *t, uint64_t after_ms, loop_timer_cb cb,
		     void *data)
{
	struct loop_timer *at;

	if (!cb)
		return -EINVAL;
	loop_timer_stop(l, t);
	t->due_ms = l->now_ms + after_ms;
	t->seq = ++l->timer_seq;
	t->cb = cb;
	t->data = data;
	/* After every timer due at or before it: ties keep their start order.
	 * From the end, because most timers are armed for later than the rest. */
	for (at = l->timers_last; at && at->due_ms > t->due_ms; at = at->prev)
		;
	t->prev = at;
	t->next = at ? at->next : l->timers;
	if (t->next)
		t->next->prev = t;
	else
		l->timers_last = t;
	if (at)
		at->next = t;
	else
		l->timers = t;
	t->armed = true;
	return 0;
}

static void run_due_timers(struct loop *l)
{
	/* Only the timers due now and armed before this pass: one that re-arms
	 * itself at 0 ms (or arms another) waits for the next iteration, after
	 * epoll had its turn. A timer armed during the pass sorts after every
	 * older one due at the same time, so the first young one ends it. */
	uint64_t now = l->now_ms, last_seq = l->timer_seq;

	while (l->timers && l->timers->due_ms <= now && l->timers->seq <= last_seq && !l->stop) {
		struct loop_timer *t = l->timers;

		loop_timer_stop(l, t);
		t->cb(l, t, t->data);
	}
}

/* --- signals ------------------------------------------------------------- */

static void on_signalfd(struct loop *l, int fd, uint32_t events, void *data)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)data;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		for (size_t i = 0; i < l->n_sigs; i++)
			if (l->sigs[i].signo == (int)si.ssi_signo)
				l->sigs[i].cb(l, (int)si.ssi_signo, l->sigs[i].data);
	}
}

int loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *data)
{
	sigset_t want = l->sigmask, one, before;
	int fd, r;

	if (!cb || signo <= 0 || signo >= NSIG)
		return -EINVAL;
	if (l->n_sigs == LOOP_MAX_SIGNALS)
		return -ENOSPC;
	sigemptyset(&one);
	sigaddset(&one, signo);
	sigaddset(&want, signo);
	r = pthread_sigmask(SIG_BLOCK, &one, &before);
	if (r != 0)
		return -r;
	fd = signalfd(l->sigfd, &want, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto restore;
	}
	if (l->sigfd < 0) {
		r = fd_add(l, fd, LOOP_READABLE, on_signalfd, NULL, true);
		if (r < 0) {
			close(fd);
			goto restore;
		}
		l->sigfd = fd;
	}
	l->sigmask = want;
	l->sigs[l->n_sigs++] = (struct loop_sig){ .signo = signo, .cb = cb, .data = data };
	return 0;
restore:
	/* Unblock it only if it was not blocked before we came. */
	if (!sigismember(&before, signo))
		pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	return r;
}

/* --- posts from other threads --------------------------------------------- */

static void on_postfd(struct loop *l, int fd, uint32_t events, void *data)
{
	struct loop_post *p, *next;
	uint64_t v;

	(void)events;
	(void)data;
	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: a previous wake-up already drained the counter. */
	}
	pthread_mutex_lock(&l->post_lock);
	p = l->post_head;
	l->post_head = l->post_tail = NULL;
	pthread_mutex_unlock(&l->post_lock);
	for (; p; p = next) {
		next = p->next;
		p->cb(l, p->data);
		free(p);
	}
}

int loop_post(struct loop *l, loop_post_cb cb, void *data)
{
	struct loop_post *p = malloc(sizeof(*p));
	uint64_t one = 1;

	if (!p)
		return -ENOMEM;
	*p = (struct loop_post){ .cb = cb, .data = data };
	pthread_mutex_lock(&l->post_lock);
	if (l->post_tail)
		l->post_tail->next = p;
	else
		l->post_head = p;
	l->post_tail = p;
	pthread_mutex_unlock(&l->post_lock);
	/* eventfd counters saturate far beyond anything we post. */
	if (write(l->postfd, &one, sizeof(one)) < 0) {
		/* EAGAIN only if the counter is at its maximum: still woken. */
	}
	return 0;
}

/* --- the loop -------------------------------------------------------------- */

int loop_new(struct loop **out)
{
	struct loop *l = calloc(1, sizeof(*l));
	int r;

	*out = NULL;
	if (!l)
		return -ENOMEM;
	l->epfd = l->sigfd = l->postfd = -1;
	sigemptyset(&l->sigmask);
	pthread_mutex_init(&l->post_lock, NULL);
	l->now_ms = monotonic_ms();
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		r = -errno;
		goto fail;
	}
	l->postfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->postfd < 0) {
		r = -errno;
		goto fail;
	}
	r = fd_add(l, l->postfd, LOOP_READABLE, on_postfd, NULL, true);
	if (r < 0)
		goto fail;
	*out = l;
	return 0;
fail:
	loop_free(l);
	return r;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	if (l->postfd >= 0)
		on_postfd(l, l->postfd, 0, NULL); /* deliver what is queued */
	if (l->sigfd >= 0) {
		close(l->sigfd);
		pthread_sigmask(SIG_UNBLOCK, &l->sigmask, NULL);
	}
	if (l->postfd >= 0)
		close(l->postfd);
	if (l->epfd >= 0)
		close(l->epfd);
	pthread_mutex_destroy(&l->post_lock);
	free(l->fds);
	free(l);
}

bool loop_alive(const struct loop *l)
{
	return l->n_user_fds > 0 || l->timers != NULL;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

static void dispatch(struct loop *l, const struct epoll_event *ev)
{
	int fd = (int)(uint32_t)ev->data.u64;
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
	struct loop_fd *s;

	if ((size_t)fd >= l->n_fds_cap)
		return;
	s = &l->fds[fd];
	if (!s->cb || s->gen != gen)
		return; /* removed (or replaced) by an earlier callback in this batch */
	s->cb(l, fd, ev->events & LOOP_EVENTS, s->data);
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];

	l->stop = false;
	while (!l->stop) {
		int timeout = -1, n;

		l->now_ms = monotonic_ms();
		run_due_timers(l);
		if (l->stop || !loop_alive(l))
			break;
		if (l->timers) {
			uint64_t due = l->timers->due_ms;

			/* The clock moved while the timers ran: ask it again, so
			 * what fell due meanwhile is polled for, not slept past. */
			l->now_ms = monotonic_ms();
			timeout = due <= l->now_ms
				      ? 0
				      : (int)(due - l->now_ms > 60000 ? 60000 : due - l->now_ms);
		}
		n = epoll_wait(l->epfd, evs, LOOP_MAX_EVENTS, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		l->now_ms = monotonic_ms();
		for (int i = 0; i < n && !l->stop; i++)
			dispatch(l, &evs[i]);
	}
	return 0;
}
