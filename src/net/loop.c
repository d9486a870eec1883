/* SPDX-License-Identifier: MIT */
/*
 * The event loop (see loop.h for the contract).
 *
 * Design, after redis' ae.c and libuv: one epoll set; registrations live in
 * a table indexed by fd; each epoll event carries the fd and a generation
 * number, so an event that was already fetched for an fd that a callback
 * removed (and perhaps re-added) in the same batch is recognised as stale
 * and dropped instead of calling the wrong callback. Timers are intrusive
 * and kept in a binary min-heap on their due time. Signals arrive through a
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

	struct loop_timer **heap;
	size_t heap_len, heap_cap;

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
	struct epoll_event ev = { .events = events };
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
	struct epoll_event ev = { .events = events };

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

/* --- timers: a binary min-heap on due_ms ----------------------------------- */

void loop_timer_init(struct loop_timer *t)
{
	memset(t, 0, sizeof(*t));
	t->heap_index = SIZE_MAX;
}

bool loop_timer_armed(const struct loop_timer *t)
{
	/* A zeroed, never started timer has no callback yet. */
	return t->heap_index != SIZE_MAX && t->cb != NULL;
}

static void heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->heap_index = i;
}

static void heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (l->heap[parent]->due_ms <= t->due_ms)
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->heap_len)
			break;
		if (c + 1 < l->heap_len && l->heap[c + 1]->due_ms < l->heap[c]->due_ms)
			c++;
		if (t->due_ms <= l->heap[c]->due_ms)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static bool timer_in_heap(struct loop *l, const struct loop_timer *t)
{
	return t->heap_index < l->heap_len && l->heap[t->heap_index] == t;
}

void loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	size_t i = t->heap_index;

	if (!timer_in_heap(l, t)) {
		t->heap_index = SIZE_MAX;
		return;
	}
	l->heap_len--;
	if (i != l->heap_len) {
		heap_set(l, i, l->heap[l->heap_len]);
		heap_down(l, i);
		heap_up(l, l->heap[i]->heap_index);
	}
	t->heap_index = SIZE_MAX;
}

int loop_timer_start(struct loop *l, struct loop_timer *t, uint64_t after_ms, loop_timer_cb cb,
		     void *data)
{
	if (!cb)
		return -EINVAL;
	loop_timer_stop(l, t);
	if (l->heap_len == l->heap_cap) {
		size_t cap = l->heap_cap ? l->heap_cap * 2 : 16;
		struct loop_timer **n = realloc(l->heap, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->heap = n;
		l->heap_cap = cap;
	}
	t->due_ms = l->now_ms + after_ms;
	t->cb = cb;
	t->data = data;
	heap_set(l, l->heap_len++, t);
	heap_up(l, t->heap_index);
	return 0;
}

static void run_due_timers(struct loop *l)
{
	/* Only timers due by now: one that re-arms itself with 0 ms runs on the
	 * next iteration, not in a tight loop here. */
	uint64_t now = l->now_ms;

	while (l->heap_len && l->heap[0]->due_ms <= now && !l->stop) {
		struct loop_timer *t = l->heap[0];

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
	int fd;

	if (!cb || signo <= 0 || signo >= NSIG)
		return -EINVAL;
	if (l->n_sigs == LOOP_MAX_SIGNALS)
		return -ENOSPC;
	sigaddset(&l->sigmask, signo);
	if (pthread_sigmask(SIG_BLOCK, &l->sigmask, NULL) != 0)
		return -EINVAL;
	fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (l->sigfd < 0) {
		int r = fd_add(l, fd, EPOLLIN, on_signalfd, NULL, true);

		if (r < 0) {
			close(fd);
			return r;
		}
		l->sigfd = fd;
	}
	l->sigs[l->n_sigs++] = (struct loop_sig){ .signo = signo, .cb = cb, .data = data };
	return 0;
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
	r = fd_add(l, l->postfd, EPOLLIN, on_postfd, NULL, true);
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
	free(l->heap);
	free(l);
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
	s->cb(l, fd, ev->events, s->data);
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];

	l->stop = false;
	while (!l->stop) {
		int timeout = -1, n;

		l->now_ms = monotonic_ms();
		run_due_timers(l);
		if (l->stop || (l->n_user_fds == 0 && l->heap_len == 0))
			break;
		if (l->heap_len) {
			uint64_t due = l->heap[0]->due_ms;

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
