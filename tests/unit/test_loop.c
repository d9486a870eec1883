/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "net/loop.h"

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
	assert_int_equal(o.n, 4);
	assert_int_equal(o.seen[0], 4);
	/* 1 and 3 share a due time: either order is fine. */
	assert_true((o.seen[1] == 1 && o.seen[2] == 3) || (o.seen[1] == 3 && o.seen[2] == 1));
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

	assert_true(events & EPOLLIN);
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
	assert_int_equal(loop_add_fd(l, p.a[0], EPOLLIN, on_a, &p), 0);
	assert_int_equal(loop_add_fd(l, p.b[0], EPOLLIN, on_b, &p), 0);
	assert_int_equal(loop_add_fd(l, p.b[0], EPOLLIN, on_b, &p), -EEXIST);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timers_fire_in_due_order),
		cmocka_unit_test(timer_rearms_itself),
		cmocka_unit_test(removed_fd_gets_no_stale_event),
		cmocka_unit_test(posts_from_a_thread_arrive),
		cmocka_unit_test(signals_arrive_through_the_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
