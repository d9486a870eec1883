/* SPDX-License-Identifier: MIT */
/*
 * `natdoctor serve`'s counters and their Prometheus text exposition
 * (format 0.0.4, written by proto/promtext like every natdoctor
 * exposition). Each thread owns one struct serve_counters and is its
 * only writer (SERVE_COUNT: a relaxed load and store, no locked
 * instruction on the hot path); the metrics endpoint sums them with
 * relaxed loads. Names follow Prometheus conventions: natdoctor_serve_
 * prefix, _total for counters, labels for the dimension.
 */
#ifndef ND_SERVE_METRICS_H
#define ND_SERVE_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dialback.h"
#include "serve/answer.h"

struct serve_counters {
	_Atomic uint64_t requests_udp, requests_tcp;
	_Atomic uint64_t answers_success, answers_error;
	_Atomic uint64_t errors_400, errors_420, errors_other;
	_Atomic uint64_t dropped[4]; /* by enum serve_drop; [0] unused */
	_Atomic uint64_t cookies;
	_Atomic uint64_t dialbacks[DIALBACK_RESULT_MAX + 1]; /* by result */
	_Atomic uint64_t rate_limited;
	_Atomic uint64_t tcp_refused; /* connections closed at once: table full */
};

/* Add one to a counter the calling thread owns. */
#define SERVE_COUNT(c)                                                                    \
	atomic_store_explicit(&(c), atomic_load_explicit(&(c), memory_order_relaxed) + 1, \
			      memory_order_relaxed)

/* Count what serve_answer decided (not the dial-back results). */
void serve_count_answer(struct serve_counters *c, const struct serve_out *o);

/* Render the sum of n counter sets as Prometheus text into out (cap bytes,
 * NUL-terminated): every family of docs/METRICS.md, HELP and TYPE first,
 * each series present also at 0. Reads the counters with relaxed loads
 * while their threads go on counting; allocates nothing. Returns the
 * length, or -ENOBUFS if it did not fit. */
int serve_metrics_render(const struct serve_counters *const *sets, size_t n, char *out, size_t cap);

#endif
