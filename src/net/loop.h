/* SPDX-License-Identifier: MIT */
/*
 * The one event loop: epoll for file descriptors, an intrusive list of timers,
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

/* What an fd waits for and what happened to it: loop-level flags, so that
 * the loop's epoll stays inside net/loop.c (redis' AE_READABLE). LOOP_ERROR
 * and LOOP_HUP are always reported, whether asked for or not. */
#define LOOP_READABLE	 0x001u
#define LOOP_WRITABLE	 0x004u
#define LOOP_ERROR	 0x008u
#define LOOP_HUP	 0x010u
#define LOOP_PEER_CLOSED 0x2000u /* the stream's peer shut down its writing side */

typedef void (*loop_io_cb)(struct loop *l, int fd, uint32_t events, void *data);
typedef void (*loop_timer_cb)(struct loop *l, struct loop_timer *t, void *data);
typedef void (*loop_signal_cb)(struct loop *l, int signo, void *data);
typedef void (*loop_post_cb)(struct loop *l, void *data);

/* A timer: intrusive (the caller's memory, linked into the loop's list of
 * armed timers in due order), so arming one allocates nothing and cannot
 * fail. Zero-initialise it (or call loop_timer_init) before first use; the
 * fields are the loop's. A timer may be restarted or stopped from any
 * callback, its own included. */
struct loop_timer {
	uint64_t due_ms; /* absolute, on loop_now_ms()'s clock */
	uint64_t seq;	 /* start order: ties fire in it, and a pass skips younger ones */
	struct loop_timer *prev, *next;
	bool armed;
	loop_timer_cb cb;
	void *data;
};

/* Attribute for calls whose failure must be handled: an fd or signal that
 * silently is not watched is a source that silently goes quiet. */
#define LOOP_MUST_CHECK __attribute__((warn_unused_result))

LOOP_MUST_CHECK int loop_new(struct loop **out);
/* Free the loop. Timers and fds still registered are simply forgotten; no
 * io, timer or signal callback runs. But posts not yet delivered ARE run
 * here, before anything is freed, because a post hands over ownership (a
 * worker's result) that would otherwise leak: free what post callbacks
 * touch only after loop_free, or make them cope (worker.c does). NULL is
 * fine. */
void loop_free(struct loop *l);

/* Watch fd for events (LOOP_READABLE | LOOP_WRITABLE), level-triggered; cb
 * runs on each readiness. -EEXIST if already added, -EPERM for a file epoll
 * cannot watch (a regular file, /dev/zero). Removing an fd from a callback
 * and adding it (or a new fd with the same number) again is safe: events
 * already fetched for the old registration are dropped. */
LOOP_MUST_CHECK int loop_add_fd(struct loop *l, int fd, uint32_t events, loop_io_cb cb, void *data);
LOOP_MUST_CHECK int loop_mod_fd(struct loop *l, int fd, uint32_t events);
/* Stop watching fd (it stays open). Safe from inside that fd's callback. */
int loop_del_fd(struct loop *l, int fd);

void loop_timer_init(struct loop_timer *t);
/* Arm (or re-arm) t to fire once, after_ms after loop_now_ms(). Allocates
 * nothing and cannot fail: the only error is -EINVAL for a NULL cb (a
 * programming error; t is then left as it was). Timers due at the same
 * time fire in the order they were started. Cost: O(armed timers) to arm
 * (a walk from the latest due), O(1) to stop and to find the next due;
 * fine for the tens of timers a command or a daemon keeps. */
int loop_timer_start(struct loop *l, struct loop_timer *t, uint64_t after_ms, loop_timer_cb cb,
		     void *data);
/* Disarm; harmless if not armed. Safe from any callback. */
void loop_timer_stop(struct loop *l, struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);

/* Deliver signo through the loop instead of as an asynchronous handler. The
 * signal is blocked for the calling thread (call before starting threads so
 * they inherit the mask). At most 8 signals. On failure the signal mask is
 * as it was before the call. */
LOOP_MUST_CHECK int loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *data);

/* From any thread: run cb(l, data) on the loop thread soon. Returns
 * -ENOMEM if it could not queue (cb will not run). */
LOOP_MUST_CHECK int loop_post(struct loop *l, loop_post_cb cb, void *data);

/* "Now" for the loop: CLOCK_MONOTONIC in milliseconds, read when loop_new
 * runs, at the start of each iteration and again when epoll_wait returns,
 * and NOT during callbacks (unless one calls loop_update_time). A timer started from a callback counts from
 * that cached value, so one started late in a slow callback fires early by
 * the time the callback took (as libuv's uv_now). */
uint64_t loop_now_ms(struct loop *l);

/* Read the clock now into the cache and return it: for work done before
 * loop_run() (or a long callback) after which a send time must be true,
 * else round trips measured against the cache come out too long. */
uint64_t loop_update_time(struct loop *l);

/* Run until loop_stop() or until nothing is left to wait for: no fds and no
 * armed timers. Signals and posts do not keep the loop alive, so a caller
 * waiting on a worker thread keeps a deadline timer armed. Returns 0, or a
 * negative errno if epoll failed (EINTR is not a failure).
 *
 * Fairness: each iteration reads the clock, runs the timers that were due
 * at that moment and armed before the iteration began (one that re-arms
 * itself at 0 ms runs again next iteration, not in this one), then polls
 * the fds (without waiting if a timer is due) and dispatches what is ready.
 * So a signal, a deadline and every ready fd get their turn however busy
 * a timer or a source is. */
LOOP_MUST_CHECK int loop_run(struct loop *l);
/* True while loop_run would have something to wait for: an fd added with
 * loop_add_fd or an armed timer. A module that cleaned up after itself
 * leaves the loop not alive (the tests check that after each run). */
bool loop_alive(const struct loop *l);

/* Make loop_run return after the current callback. */
void loop_stop(struct loop *l);

#endif
