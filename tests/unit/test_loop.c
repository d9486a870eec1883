/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include "net/loop.h"
#include "nd_test.h"

struct order {
	int seen[8];
	int n;
};

struct tagged {
	struct loop_timer t;
	int tag;
	struct order *o;
};

static void record_tag(struct loop *l, struct loop_timer *t, void *data)
{
	struct tagged *tt = data;

	(void)l;
	(void)t;
	tt->o->seen[tt->o->n++] = tt->tag;
}

static void timers_fire_in_due_order(void **state)
{
	struct loop *l;
	struct order o = { 0 };
	struct tagged t[5];
	const unsigned after[5] = { 30, 10, 20, 10, 0 };

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	for (int i = 0; i < 5; i++) {
		loop_timer_init(&t[i].t);
		t[i].tag = i;
		t[i].o = &o;
		assert_int_equal(loop_timer_start(l, &t[i].t, after[i], record_tag, &t[i]), 0);
	}
	loop_timer_stop(l, &t[2].t); /* a stopped timer never fires */
	assert_false(loop_timer_armed(&t[2].t));
	assert_int_equal(loop_run(l), 0); /* returns: nothing left */
	nd_assert_loop_empty(l);
	assert_int_equal(o.n, 4);
	assert_int_equal(o.seen[0], 4);
	/* 1 and 3 share a due time: they fire in the order they were started. */
	assert_int_equal(o.seen[1], 1);
	assert_int_equal(o.seen[2], 3);
	assert_int_equal(o.seen[3], 0);
	loop_free(l);
}

static int rearm_count;

static void rearm(struct loop *l, struct loop_timer *t, void *data)
{
	(void)data;
	if (++rearm_count < 3)
		assert_int_equal(loop_timer_start(l, t, 1, rearm, NULL), 0);
}

static void timer_rearms_itself(void **state)
{
	struct loop *l;
	struct loop_timer t;

	(void)state;
	rearm_count = 0;
	assert_int_equal(loop_new(&l), 0);
	loop_timer_init(&t);
	assert_int_equal(loop_timer_start(l, &t, 0, rearm, NULL), 0);
	assert_true(loop_timer_armed(&t));
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(rearm_count, 3);
	loop_free(l);
}

struct pipes {
	int a[2], b[2];
	int a_calls, b_calls;
};

static void on_b(struct loop *l, int fd, uint32_t events, void *data)
{
	struct pipes *p = data;
	char c;

	(void)events;
	p->b_calls++;
	assert_int_equal(read(fd, &c, 1), 1);
	loop_del_fd(l, fd);
}

static void on_a(struct loop *l, int fd, uint32_t events, void *data)
{
	struct pipes *p = data;
	char c;

	assert_true(events & LOOP_READABLE);
	p->a_calls++;
	assert_int_equal(read(fd, &c, 1), 1);
	/* Remove both: b's event, if already fetched in this batch, is stale. */
	loop_del_fd(l, fd);
	loop_del_fd(l, p->b[0]);
}

static void removed_fd_gets_no_stale_event(void **state)
{
	struct loop *l;
	struct pipes p = { 0 };

	(void)state;
	assert_int_equal(pipe(p.a), 0);
	assert_int_equal(pipe(p.b), 0);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_add_fd(l, p.a[0], LOOP_READABLE, on_a, &p), 0);
	assert_int_equal(loop_add_fd(l, p.b[0], LOOP_READABLE, on_b, &p), 0);
	assert_int_equal(loop_add_fd(l, p.b[0], LOOP_READABLE, on_b, &p), -EEXIST);
	assert_int_equal(write(p.b[1], "x", 1), 1);
	assert_int_equal(write(p.a[1], "x", 1), 1);
	assert_int_equal(loop_run(l), 0);
	/* Either a ran first and removed b (b never runs), or b ran first and
	 * removed itself, then a ran: never a call after removal. */
	assert_int_equal(p.a_calls, 1);
	assert_true(p.b_calls <= 1);
	loop_free(l);
	for (int i = 0; i < 2; i++) {
		close(p.a[i]);
		close(p.b[i]);
	}
}

struct post_ctx {
	struct loop *l;
	int got;
	struct loop_timer guard;
};

static void on_post(struct loop *l, void *data)
{
	struct post_ctx *c = data;

	c->got++;
	if (c->got == 100) {
		loop_timer_stop(l, &c->guard);
		loop_stop(l);
	}
}

static void *poster(void *arg)
{
	struct post_ctx *c = arg;

	for (int i = 0; i < 100; i++)
		assert_int_equal(loop_post(c->l, on_post, c), 0);
	return NULL;
}

static void on_guard(struct loop *l, struct loop_timer *t, void *data)
{
	(void)t;
	(void)data;
	loop_stop(l); /* the test fails below if the posts did not all arrive */
}

static void posts_from_a_thread_arrive(void **state)
{
	struct post_ctx c = { 0 };
	pthread_t th;

	(void)state;
	assert_int_equal(loop_new(&c.l), 0);
	loop_timer_init(&c.guard);
	assert_int_equal(loop_timer_start(c.l, &c.guard, 5000, on_guard, NULL), 0);
	assert_int_equal(pthread_create(&th, NULL, poster, &c), 0);
	assert_int_equal(loop_run(c.l), 0);
	pthread_join(th, NULL);
	assert_int_equal(c.got, 100);
	loop_free(c.l);
}

static int sig_seen;

static void on_sig(struct loop *l, int signo, void *data)
{
	(void)data;
	sig_seen = signo;
	loop_stop(l);
}

static void on_raise(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	(void)data;
	raise(SIGUSR1);
}

static void signals_arrive_through_the_loop(void **state)
{
	struct loop *l;
	struct loop_timer t, guard;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_add_signal(l, SIGUSR1, on_sig, NULL), 0);
	loop_timer_init(&t);
	loop_timer_init(&guard);
	assert_int_equal(loop_timer_start(l, &t, 1, on_raise, NULL), 0);
	assert_int_equal(loop_timer_start(l, &guard, 5000, on_guard, NULL), 0);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(sig_seen, SIGUSR1);
	loop_free(l);
}

/* --- fairness (issue 7 defect 1) ----------------------------------------- */

struct busy {
	struct loop_timer spin, deadline;
	unsigned spins;
	bool deadline_ran;
	int signo;
};

static void on_spin(struct loop *l, struct loop_timer *t, void *data)
{
	struct busy *b = data;

	if (b->spins++ == 0)
		raise(SIGUSR2); /* pending on the signalfd from now on */
	/* A source that never ends: come back at once, forever. */
	assert_int_equal(loop_timer_start(l, t, 0, on_spin, b), 0);
}

static void on_busy_deadline(struct loop *l, struct loop_timer *t, void *data)
{
	struct busy *b = data;

	(void)t;
	b->deadline_ran = true;
	loop_timer_stop(l, &b->spin);
}

static void on_busy_sig(struct loop *l, int signo, void *data)
{
	struct busy *b = data;

	(void)l;
	b->signo = signo;
}

static void timer_at_0ms_leaves_signals_and_deadlines_their_turn(void **state)
{
	struct loop *l;
	struct busy b = { 0 };
	uint64_t t0;

	(void)state;
	nd_time_limit(10); /* the old loop spun here forever: die, do not hang */
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_add_signal(l, SIGUSR2, on_busy_sig, &b), 0);
	t0 = loop_now_ms(l);
	assert_int_equal(loop_timer_start(l, &b.spin, 0, on_spin, &b), 0);
	assert_int_equal(loop_timer_start(l, &b.deadline, 50, on_busy_deadline, &b), 0);
	assert_int_equal(loop_run(l), 0);
	nd_time_limit(0);
	assert_int_equal(b.signo, SIGUSR2);
	assert_true(b.deadline_ran);
	assert_true(b.spins > 1); /* it did spin, one pass at a time */
	nd_assert_loop_empty(l);
	assert_true(loop_now_ms(l) - t0 < 1000);
	loop_free(l);
}

struct rearm_pass {
	struct loop_timer a, b;
	int a_runs, b_runs;
};

static void on_pass_a(struct loop *l, struct loop_timer *t, void *data)
{
	struct rearm_pass *p = data;

	(void)t;
	/* Arms b at 0 ms from inside the pass: b is due at once, but waits
	 * for the next pass (after epoll had its turn). */
	if (++p->a_runs == 1)
		assert_int_equal(loop_timer_start(l, &p->b, 0, on_pass_a, p), 0);
	else
		p->b_runs++;
}

static void timer_armed_in_a_pass_waits_for_the_next(void **state)
{
	struct loop *l;
	struct rearm_pass p = { 0 };

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_timer_start(l, &p.a, 0, on_pass_a, &p), 0);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(p.a_runs, 2);
	assert_int_equal(p.b_runs, 1);
	assert_int_equal(loop_timer_start(l, &p.a, 0, NULL, NULL), -EINVAL);
	assert_false(loop_timer_armed(&p.a));
	loop_free(l);
}

/* --- an fd removed and added again in the same epoll batch ------------------ */

struct readd {
	int a[2], b[2];
	int old_calls, new_calls, first;
};

static void readd_new(struct loop *l, int fd, uint32_t events, void *data)
{
	struct readd *r = data;
	char c;

	assert_true(events & LOOP_READABLE);
	r->new_calls++;
	assert_int_equal(read(fd, &c, 1), 1);
	loop_del_fd(l, r->a[0]);
	loop_del_fd(l, r->b[0]);
}

static void readd_old(struct loop *l, int fd, uint32_t events, void *data)
{
	struct readd *r = data;
	int other = fd == r->a[0] ? r->b[0] : r->a[0];

	(void)events;
	r->old_calls++;
	r->first = fd;
	/* Both are readable and both events are in this batch. Replace the
	 * other's registration: its fetched event belongs to the old one and
	 * must be dropped; the new one fires on the next poll. */
	assert_int_equal(loop_del_fd(l, other), 0);
	assert_int_equal(loop_add_fd(l, other, LOOP_READABLE, readd_new, r), 0);
	assert_int_equal(loop_del_fd(l, fd), 0);
}

static void readded_fd_in_the_same_batch_gets_only_new_events(void **state)
{
	struct loop *l;
	struct readd r = { 0 };

	(void)state;
	assert_int_equal(pipe(r.a), 0);
	assert_int_equal(pipe(r.b), 0);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_add_fd(l, r.a[0], LOOP_READABLE, readd_old, &r), 0);
	assert_int_equal(loop_add_fd(l, r.b[0], LOOP_READABLE, readd_old, &r), 0);
	assert_int_equal(write(r.a[1], "x", 1), 1);
	assert_int_equal(write(r.b[1], "x", 1), 1);
	assert_int_equal(loop_run(l), 0); /* ends: nothing registered */
	nd_assert_loop_empty(l);
	assert_int_equal(r.old_calls, 1);
	assert_int_equal(r.new_calls, 1);
	loop_free(l);
	for (int i = 0; i < 2; i++) {
		close(r.a[i]);
		close(r.b[i]);
	}
}

/* --- EINTR ------------------------------------------------------------------ */

static volatile sig_atomic_t alarms;

static void on_alarm(int signo)
{
	(void)signo;
	alarms++;
}

static void on_flag(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	*(bool *)data = true;
}

static void interrupted_wait_goes_on(void **state)
{
	struct sigaction sa, old;
	struct itimerval it = { .it_value = { .tv_usec = 20000 } }, off = { 0 };
	struct loop *l;
	struct loop_timer t;
	bool fired = false;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: epoll_wait returns EINTR */
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(loop_new(&l), 0);
	loop_timer_init(&t);
	assert_int_equal(loop_timer_start(l, &t, 100, on_flag, &fired), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	assert_int_equal(loop_run(l), 0);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	assert_int_equal(alarms, 1);
	assert_true(fired);
	loop_free(l);
}

/* --- loop_add_signal leaves the mask as it was when it fails --------------- */

static void failed_signal_registration_restores_the_mask(void **state)
{
	struct rlimit lim, tight;
	struct loop *l;
	sigset_t now;
	int fd;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	/* No fd left for the signalfd: the lowest free one is the limit. */
	fd = dup(0);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &lim), 0);
	tight = lim;
	tight.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &tight), 0);
	assert_int_equal(loop_add_signal(l, SIGWINCH, on_sig, NULL), -EMFILE);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &now), 0);
	assert_false(sigismember(&now, SIGWINCH));
	/* And it works once there is room, and is unblocked again by loop_free. */
	assert_int_equal(loop_add_signal(l, SIGWINCH, on_sig, NULL), 0);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &now), 0);
	assert_true(sigismember(&now, SIGWINCH));
	loop_free(l);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &now), 0);
	assert_false(sigismember(&now, SIGWINCH));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timers_fire_in_due_order),
		cmocka_unit_test(timer_rearms_itself),
		cmocka_unit_test(removed_fd_gets_no_stale_event),
		cmocka_unit_test(posts_from_a_thread_arrive),
		cmocka_unit_test(signals_arrive_through_the_loop),
		cmocka_unit_test(timer_at_0ms_leaves_signals_and_deadlines_their_turn),
		cmocka_unit_test(timer_armed_in_a_pass_waits_for_the_next),
		cmocka_unit_test(readded_fd_in_the_same_batch_gets_only_new_events),
		cmocka_unit_test(interrupted_wait_goes_on),
		cmocka_unit_test(failed_signal_registration_restores_the_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
