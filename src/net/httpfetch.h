/* SPDX-License-Identifier: MIT */
/*
 * One bounded HTTP/1.1 exchange, blocking, for a worker thread (the UPnP
 * conversation with the router: its description and its SOAP control).
 *
 * Not net/http.c: that one drives libcurl on the loop and costs ~5 MiB of
 * RSS to load, more than all of `check`. This one does only what a LAN
 * router needs: the caller gives an address it has already checked (an IP
 * literal, never a name) and the whole request; nothing is followed (a 3xx
 * comes back as it is), no proxy, no TLS. Every exchange has a byte cap
 * (the answer must fit the caller's buffer) and a time cap (an absolute
 * deadline on CLOCK_MONOTONIC, the loop's clock), so a router that streams
 * forever or never answers costs at most cap bytes and the time left.
 */
#ifndef ND_NET_HTTPFETCH_H
#define ND_NET_HTTPFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "proto/httpmsg.h"
#include "util/netaddr.h"

/* Milliseconds on CLOCK_MONOTONIC: the same clock as loop_now_ms(). */
uint64_t httpfetch_now_ms(void);

/* Connect to `to`, send req[0, req_len), read the answer into buf (at most
 * cap bytes) until it is complete (proto/httpmsg.h), and parse it into out
 * (whose body points into buf). Returns 0 with any status, or -ETIMEDOUT
 * (deadline_ms passed), -EFBIG (the answer is longer than cap), -EBADMSG
 * (not HTTP, or cut short), -EMSGSIZE (header section too long), or the
 * socket's negative errno (-ECONNREFUSED...). */
int httpfetch(const struct netaddr *to, const void *req, size_t req_len, uint8_t *buf, size_t cap,
	      uint64_t deadline_ms, struct httpmsg_response *out);

#endif
