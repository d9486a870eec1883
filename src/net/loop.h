/* SPDX-License-Identifier: MIT */
/*
 * The one event loop: epoll for file descriptors, a binary heap of timers,
 * signals through signalfd, and a thread-safe post() through an eventfd so
 * a worker thread (the blocking UPnP library, the resolver) can hand a
 * result back to the loop thread.
 *
 * Everything runs on the thread that calls loop_run(); callbacks must not
 * block. Only loop_post() may be called from another thread.
 *
 * Ownership: the caller owns every struct loop_timer (intrusive, no
 * allocation), every fd it adds (the loop never closes them) and every
 * `data` pointer. loop_free() does not call callbacks.
 *
 * Errors are negative errno values. If a registration fails its callback
 * never runs.
 */
#ifndef ND_NET_LOOP_H
#define ND_NET_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct loop_timer;

/* events: EPOLLIN / EPOLLOUT / EPOLLERR / EPOLLHUP bits from <sys/epoll.h>. */
typedef void (*loop_io_cb)(struct loop *l, int fd, uint32_t events, void *data);
typedef void (*loop_timer_cb)(struct loop *l, struct loop_timer *t, void *data);
typedef void (*loop_signal_cb)(struct loop *l, int signo, void *data);
typedef void (*loop_post_cb)(struct loop *l, void *data);

/* A timer. Zero-initialise it (or call loop_timer_init) before first use;
 * the fields are the loop's. A timer may be restarted from its own callback. */
struct loop_timer {
	uint64_t due_ms;   /* absolute, on loop_now_ms()'s clock */
	size_t heap_index; /* SIZE_MAX when not armed */
	loop_timer_cb cb;
	void *data;
};

int loop_new(struct loop **out);
/* Free the loop. Timers and fds still registered are simply forgotten; no
 * io, timer or signal callback runs. But posts not yet delivered ARE run
 * here, before anything is freed, because a post hands over ownership (a
 * worker's result) that would otherwise leak: free what post callbacks
 * touch only after loop_free, or make them cope (worker.c does). NULL is
 * fine. */
void loop_free(struct loop *l);

/* Watch fd for events; cb runs on each readiness. -EEXIST if already added. */
int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_io_cb cb, void *data);
int loop_mod_fd(struct loop *l, int fd, uint32_t events);
/* Stop watching fd (it stays open). Safe from inside that fd's callback. */
int loop_del_fd(struct loop *l, int fd);

void loop_timer_init(struct loop_timer *t);
/* Arm (or re-arm) t to fire once, after_ms from now. */
int loop_timer_start(struct loop *l, struct loop_timer *t, uint64_t after_ms, loop_timer_cb cb,
		     void *data);
/* Disarm; harmless if not armed. Safe from any callback. */
void loop_timer_stop(struct loop *l, struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);

/* Deliver signo through the loop instead of as an asynchronous handler. The
 * signal is blocked for the calling thread (call before starting threads so
 * they inherit the mask). At most 8 signals. */
int loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *data);

/* From any thread: run cb(l, data) on the loop thread soon. Returns
 * -ENOMEM if it could not queue (cb will not run). */
int loop_post(struct loop *l, loop_post_cb cb, void *data);

/* Monotonic milliseconds, cached at each loop iteration. */
uint64_t loop_now_ms(struct loop *l);

/* Read the clock now into the cache and return it: for work done before
 * loop_run() (or a long callback) after which a send time must be true,
 * else round trips measured against the cache come out too long. */
uint64_t loop_update_time(struct loop *l);

/* Run until loop_stop() or until nothing is left to wait for: no fds and no
 * armed timers. Signals and posts do not keep the loop alive, so a caller
 * waiting on a worker thread keeps a deadline timer armed. Returns 0, or a
 * negative errno if epoll failed. */
int loop_run(struct loop *l);
/* Make loop_run return after the current callback. */
void loop_stop(struct loop *l);

#endif
