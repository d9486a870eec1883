/* SPDX-License-Identifier: MIT */
/*
 * net/worker.c on a real loop and real threads: the result comes back on
 * the loop thread; an abandoned job never calls done and frees its argument
 * exactly once, whichever side notices last; workers take no signals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "nd_test.h"
#include "net/worker.h"

struct job {
	pthread_t loop_thread;
	sem_t go; /* the work waits for it when `wait` is set */
	bool wait;
	atomic_int ran;	   /* fn ran (worker thread) */
	atomic_int done;   /* done ran (loop thread) */
	atomic_int freed;  /* free_arg ran (either thread) */
	bool done_on_loop; /* done ran on the loop's thread */
	bool signals_blocked;
};

static void work(void *arg)
{
	struct job *j = arg;
	sigset_t now;

	pthread_sigmask(SIG_BLOCK, NULL, &now);
	j->signals_blocked = sigismember(&now, SIGINT) && sigismember(&now, SIGTERM);
	if (j->wait)
		sem_wait(&j->go);
	atomic_fetch_add(&j->ran, 1);
}

static void on_done(struct loop *l, void *arg)
{
	struct job *j = arg;

	j->done_on_loop = pthread_equal(pthread_self(), j->loop_thread);
	atomic_fetch_add(&j->done, 1);
	loop_stop(l);
}

static void free_job(void *arg)
{
	struct job *j = arg;

	atomic_fetch_add(&j->freed, 1);
}

static void job_init(struct job *j, bool wait)
{
	*j = (struct job){ .loop_thread = pthread_self(), .wait = wait };
	sem_init(&j->go, 0, 0);
}

/* Wait (bounded) until counter reaches want: the worker thread sets it. */
static void await(atomic_int *counter, int want)
{
	for (int i = 0; i < 2000 && atomic_load(counter) < want; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	assert_int_equal(atomic_load(counter), want);
}

static void result_comes_back_on_the_loop_thread(void **state)
{
	struct loop *l;
	struct job j;
	struct worker_job *h;

	(void)state;
	nd_time_limit(20);
	job_init(&j, false);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(worker_start(l, work, on_done, free_job, &j, &h), 0);
	assert_non_null(h);
	nd_run_for(l, 5000);
	assert_int_equal(atomic_load(&j.ran), 1);
	assert_int_equal(atomic_load(&j.done), 1);
	assert_true(j.done_on_loop);
	assert_true(j.signals_blocked);		    /* signals belong to the loop's signalfd */
	assert_int_equal(atomic_load(&j.freed), 0); /* after done, arg is ours again */
	nd_assert_loop_empty(l);
	loop_free(l);
	sem_destroy(&j.go);
}

static void abandoned_while_working_frees_on_the_worker(void **state)
{
	struct loop *l;
	struct job j;
	struct worker_job *h;

	(void)state;
	nd_time_limit(20);
	job_init(&j, true);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(worker_start(l, work, on_done, free_job, &j, &h), 0);
	worker_abandon(h); /* the deadline passed; the work still blocks */
	loop_free(l);	   /* the loop may go away before the work ends */
	sem_post(&j.go);
	await(&j.freed, 1);
	assert_int_equal(atomic_load(&j.ran), 1);
	assert_int_equal(atomic_load(&j.done), 0);
	sem_destroy(&j.go);
}

static void abandoned_after_the_result_was_posted(void **state)
{
	struct loop *l;
	struct job j;
	struct worker_job *h;

	(void)state;
	nd_time_limit(20);
	job_init(&j, false);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(worker_start(l, work, on_done, free_job, &j, &h), 0);
	await(&j.ran, 1);
	/* The post is out (or about to be): loop_free delivers it, on_done
	 * sees the job abandoned and frees instead of calling done. */
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	worker_abandon(h);
	loop_free(l);
	await(&j.freed, 1);
	assert_int_equal(atomic_load(&j.done), 0);
	sem_destroy(&j.go);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(result_comes_back_on_the_loop_thread),
		cmocka_unit_test(abandoned_while_working_frees_on_the_worker),
		cmocka_unit_test(abandoned_after_the_result_was_posted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
