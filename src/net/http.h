/* SPDX-License-Identifier: MIT */
/*
 * HTTP client requests on our event loop: libcurl's multi interface driven
 * by loop.h (curl tells us which sockets and which timeout to watch, we
 * tell it what happened; no thread, no blocking). This is the one file
 * that includes <curl/curl.h>.
 *
 * Every request has a deadline and a maximum body size. The size is
 * enforced while the body arrives (a chunked or endless body has no
 * Content-Length to refuse up front), so a hostile server costs at most
 * max_bytes of traffic and none of memory: the body is handed over in
 * pieces as it comes and never collected here. Only http and https URLs
 * are allowed, redirects are not followed, proxies from the environment
 * are ignored (the node is local; a proxy would be the wrong answer), and
 * no compressed encodings are asked for.
 *
 * Ownership: the caller owns the request description only for the call
 * (url and body are copied). on_done runs exactly once per started request
 * unless the request is cancelled or the client freed first; after
 * on_done the request handle is gone. Callbacks run on the loop thread,
 * never from inside http_start.
 */
#ifndef ND_NET_HTTP_H
#define ND_NET_HTTP_H

#include <stddef.h>

#include "net/loop.h"

#define HTTP_DETAIL_MAX 256

struct http;
struct http_req;

struct http_result {
	/* 0 for a 2xx answer read to its end, or:
	 *   -ECONNREFUSED  nothing listens there
	 *   -ETIMEDOUT     no complete answer within timeout_ms
	 *   -EFBIG         the body went past max_bytes (cut off there)
	 *   -EPROTO        an answer, but not 2xx (see status)
	 *   -ECONNRESET    the server closed or reset the connection early
	 *   -EHOSTUNREACH  name not resolved, or no route
	 *   -EINVAL        a URL curl refused, or not http/https
	 *   any negative value on_body returned
	 *   -EIO           anything else (detail says what) */
	int err;
	long status;		      /* HTTP status, 0 if none arrived */
	size_t bytes;		      /* body bytes received */
	char detail[HTTP_DETAIL_MAX]; /* curl's own words, for -v */
};

/* A piece of the body (2xx answers only). Return 0 to go on, negative to
 * abort the request with that value as its error. */
typedef int (*http_body_cb)(void *data, const char *p, size_t n);
typedef void (*http_done_cb)(void *data, const struct http_result *res);

struct http_request {
	const char *url;
	const char *post_body; /* NULL: GET; else POST with Content-Type application/json */
	size_t post_len;
	unsigned timeout_ms; /* whole request, connect included; must be > 0 */
	size_t max_bytes;    /* body limit; must be > 0 */
	http_body_cb on_body;
	http_done_cb on_done;
	void *data;
};

/* A client on loop l. Loads and initialises libcurl on first use (not
 * thread-safe: call at start-up). Returns 0, -ENOMEM, or -ENOENT /
 * -ENOSYS when libcurl.so.4 is missing or lacks a call we need. */
int http_new(struct loop *l, struct http **out);

/* Cancel every request (no on_done) and free the client. NULL is fine. */
void http_free(struct http *h);

/* Start a request. On success *out (may be NULL) is a handle for
 * http_cancel, valid until on_done runs. Returns 0, -EINVAL for a bad
 * description, -ENOMEM. If it fails, on_done never runs. */
int http_start(struct http *h, const struct http_request *rq, struct http_req **out);

/* Stop a request that has not finished; on_done will not run. */
void http_cancel(struct http *h, struct http_req *r);

/* "connection refused", "timed out", ... for an err from http_result. */
const char *http_strerror(int err);

/* A failed request (res->err < 0) in words for a person, with the numbers
 * that matter: "connection refused", "no answer within 2000 ms", "answer
 * larger than 16 MiB, cut off", "HTTP status 404", ... timeout_ms and
 * max_bytes are what the request was given. No advice (callers know what
 * the port was meant to be and add their next step) and never curl's
 * detail (it may quote a URL with a password). Always terminates out
 * (cap >= 1), cutting the words short if they do not fit. */
void http_describe(const struct http_result *res, unsigned timeout_ms, size_t max_bytes, char *out,
		   size_t cap);

#endif
