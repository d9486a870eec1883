/* SPDX-License-Identifier: MIT */
#include "net/worker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

struct worker_job {
	struct loop *loop;
	worker_fn fn;
	worker_done_cb done;
	void (*free_arg)(void *);
	void *arg;
	pthread_mutex_t lock;
	bool abandoned; /* the loop thread gave up: the thread cleans up */
};

static void job_free(struct worker_job *j)
{
	pthread_mutex_destroy(&j->lock);
	free(j);
}

/* Loop thread: the result arrived. */
static void on_done(struct loop *l, void *data)
{
	struct worker_job *j = data;
	bool abandoned;

	pthread_mutex_lock(&j->lock);
	abandoned = j->abandoned;
	pthread_mutex_unlock(&j->lock);
	if (abandoned) {
		if (j->free_arg)
			j->free_arg(j->arg);
	} else {
		j->done(l, j->arg);
	}
	job_free(j);
}

static void *worker_main(void *data)
{
	struct worker_job *j = data;
	bool cleanup = false;

	j->fn(j->arg);
	/* Post under the job lock, so worker_abandon either happens before
	 * (we clean up, the loop may be gone) or after (on_done sees it). */
	pthread_mutex_lock(&j->lock);
	if (j->abandoned || loop_post(j->loop, on_done, j) < 0)
		cleanup = true;
	pthread_mutex_unlock(&j->lock);
	if (cleanup) {
		if (j->free_arg)
			j->free_arg(j->arg);
		job_free(j);
	}
	return NULL;
}

int worker_start(struct loop *l, worker_fn fn, worker_done_cb done, void (*free_arg)(void *),
		 void *arg, struct worker_job **out)
{
	struct worker_job *j = calloc(1, sizeof(*j));
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t th;
	int r;

	if (out)
		*out = NULL;
	if (!j)
		return -ENOMEM;
	*j = (struct worker_job){
		.loop = l, .fn = fn, .done = done, .free_arg = free_arg, .arg = arg
	};
	pthread_mutex_init(&j->lock, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Workers take no signals: they belong to the loop's signalfd. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = -pthread_create(&th, &attr, worker_main, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (r < 0) {
		job_free(j);
		return r;
	}
	if (out)
		*out = j;
	return 0;
}

void worker_abandon(struct worker_job *j)
{
	if (!j)
		return;
	/* Whoever sees the flag last frees: on_done if the result was already
	 * posted (loop_free delivers pending posts), else the thread. */
	pthread_mutex_lock(&j->lock);
	j->abandoned = true;
	pthread_mutex_unlock(&j->lock);
}
