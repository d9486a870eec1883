/* SPDX-License-Identifier: MIT */
/*
 * Blocking work (the UPnP library, getaddrinfo) on a detached thread, with
 * the result handed back to the loop thread through loop_post().
 *
 * A job can be abandoned: when the loop's deadline passes before the work
 * ends, the loop calls worker_abandon() and moves on; the thread then frees
 * the job's argument itself (through free_arg) when the blocking call
 * finally returns, and never touches the loop again. This is how curl's
 * threaded resolver bounds a getaddrinfo that can block for many seconds.
 */
#ifndef ND_NET_WORKER_H
#define ND_NET_WORKER_H

#include "net/loop.h"

struct worker_job;

typedef void (*worker_fn)(void *arg);			   /* on the worker thread */
typedef void (*worker_done_cb)(struct loop *l, void *arg); /* on the loop thread */

/* Start fn(arg) on a new thread. When it returns, done(l, arg) runs on the
 * loop thread, unless the job was abandoned first; either way the job
 * itself is freed by the worker module. After done runs, arg belongs to the
 * caller again; if abandoned, free_arg(arg) is called (on whichever thread
 * notices last) and done never runs. *out (optional) receives a handle
 * valid until done runs or worker_abandon is called. On error (negative
 * errno) nothing runs and arg still belongs to the caller. */
int worker_start(struct loop *l, worker_fn fn, worker_done_cb done, void (*free_arg)(void *),
		 void *arg, struct worker_job **out);

/* From the loop thread: give up on the job. done will not run. Every job
 * must have ended (done ran) or been abandoned before loop_free(). */
void worker_abandon(struct worker_job *j);

#endif
