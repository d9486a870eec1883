/* SPDX-License-Identifier: MIT */
/*
 * A Prometheus scrape endpoint on the event loop: listens on ADDR:PORT and
 * answers GET /metrics with what the render callback writes at that moment.
 * Made for untrusted clients on the network:
 *   - a request head over METRICSD_HEAD_MAX bytes gets 431 and is closed;
 *   - every connection has METRICSD_DEADLINE_MS (metricsd_set_deadline) from accept to the last
 *     byte of the answer, then it is closed (slowloris, a reader that never
 *     reads);
 *   - at most METRICSD_MAX_CONN at once; one more is closed at accept;
 *   - one request per connection (Connection: close), nothing read after it.
 * None of this can stop the loop or the caller's work: a client's trouble
 * only ever closes that client.
 */
#ifndef ND_NET_METRICSD_H
#define ND_NET_METRICSD_H

#include <stddef.h>
#include <stdint.h>

#include "net/loop.h"
#include "util/strbuf.h"

#define METRICSD_HEAD_MAX    4096
#define METRICSD_BODY_MAX    (64u * 1024)
#define METRICSD_MAX_CONN    8
#define METRICSD_DEADLINE_MS 3000

struct metricsd;

/* Write the exposition (proto/promtext.h) into out; called on the loop
 * thread for each scrape. Truncated output is answered with 500. */
typedef void (*metricsd_render_cb)(struct strbuf *out, void *data);

struct metricsd_stats {
	uint64_t scrapes;  /* 200 answers to GET /metrics */
	uint64_t rejected; /* answered 4xx/5xx, or closed at the deadline or when full */
};

/* Listen on addr ("127.0.0.1:9839", "[::1]:9839", "0.0.0.0:9839"; a literal
 * address and a port). Returns 0 and *out, or a negative errno: -EINVAL
 * (not ADDR:PORT with a literal address), -EADDRINUSE, -EADDRNOTAVAIL
 * (not an address of this host), -EACCES (a port below 1024 without the
 * right)... The loop and cb's data must outlive the server. */
int metricsd_open(struct loop *l, const char *addr, metricsd_render_cb cb, void *data,
		  struct metricsd **out);

/* Shorten (tests) or lengthen the per-connection deadline; new
 * connections only. */
void metricsd_set_deadline(struct metricsd *m, unsigned ms);

/* The port actually bound (useful with port 0 in tests). */
uint16_t metricsd_port(const struct metricsd *m);

void metricsd_get_stats(const struct metricsd *m, struct metricsd_stats *st);

/* Close every connection and the listener. NULL is fine. */
void metricsd_close(struct metricsd *m);

#endif
