/* SPDX-License-Identifier: MIT */
/*
 * `natdoctor serve`: the STUN server with dial-back (docs/SERVE-PROTOCOL.md).
 *
 *   UDP lanes (--threads N threads), each with its own SO_REUSEPORT UDP socket
 *   on every address x port: recvmmsg a batch, serve_answer() each request
 *   (pure, serve/answer.c), sendmmsg the answers. Nothing is allocated per
 *   request; the kernel spreads sources over the lanes.
 *
 *   the control thread (the caller's, on net/loop.c): STUN over TCP on the
 *   same addresses and ports, the dial-backs (non-blocking connect / one
 *   datagram, bounded by timers), the metrics endpoint, SIGINT/SIGTERM.
 *
 *   shared, each under its own mutex and touched only on the dial-back
 *   path: the per-source rate limit (serve/ratelimit.c) and the fixed-size
 *   table of dial-backs in flight.
 */
#ifndef ND_SERVE_SERVE_H
#define ND_SERVE_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "serve/answer.h"
#include "util/netaddr.h"

#define SERVE_THREADS_MAX 64
/* --dialback-limit bounds: never unlimited. At most 64 dial-backs per
 * source at once (a quarter of the dial-backs in flight, so one source
 * cannot take them all) and then at most one a second, so serve never
 * becomes a connection generator aimed at its askers. */
#define SERVE_RATE_BURST_MAX   64
#define SERVE_RATE_SECONDS_MAX 3600

struct serve_config {
	struct serve_conf conf; /* addresses, ports, allow_private */
	unsigned threads;	/* UDP lanes, 1..SERVE_THREADS_MAX */
	bool has_metrics;
	struct netaddr metrics;	    /* --metrics ADDR:PORT */
	uint32_t dial_timeout_ms;   /* TCP connect wait; 0: 1000 */
	uint32_t rate_burst;	    /* dial-backs per source in a burst; 0: 16 */
	uint32_t rate_per_token_ms; /* one more every this many ms; 0: 1000 */
};

/*
 * Open every socket, then serve until SIGINT or SIGTERM. Returns 0 after a
 * clean stop, or a negative errno when start-up failed (nothing is left
 * open); *what then names the step that failed ("bind 11.0.0.10:3478/udp"),
 * a static or internal buffer valid until the next call.
 */
int serve_run(const struct serve_config *cfg, const char **what);

#endif
