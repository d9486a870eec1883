/* SPDX-License-Identifier: MIT */
/*
 * libcurl's multi_socket API on loop.h (see http.h). The shape is curl's
 * own "multi-event" example turned inside out: curl calls sock_cb to say
 * which events it wants on which socket and timer_cb to say when to call it
 * back; we translate those into loop_add_fd / loop_mod_fd / loop_del_fd and
 * one loop timer, and call curl_multi_socket_action when the loop reports
 * readiness or the timer fires. Finished transfers are collected with
 * curl_multi_info_read after each action, outside any curl callback, so a
 * done callback may start new requests.
 *
 * libcurl is opened with dlopen when the first client is made, not linked:
 * it brings some thirty libraries (TLS, Kerberos, LDAP, ...) whose loading
 * alone costs about 5 MiB of RSS, and `natdoctor peers --log -` following a
 * log (issue 3: under 4 MiB) or `natdoctor check` never make a request.
 * The headers still give every type and constant; only the calls go
 * through the table below.
 */
#include "net/http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

struct http_req {
	struct http_req *prev, *next;
	struct http *h;
	CURL *easy;
	struct curl_slist *headers;
	http_body_cb on_body;
	http_done_cb on_done;
	void *data;
	size_t max_bytes;
	size_t bytes;
	long status;
	bool status_known, bad_status, too_big;
	int body_err;
	char errbuf[CURL_ERROR_SIZE];
};

struct http {
	struct loop *loop;
	CURLM *multi;
	struct loop_timer timer;
	struct http_req *reqs; /* in flight */
};

static bool curl_ready;

/* The libcurl calls we make, resolved once by load_curl. */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *e, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode c);
	void (*easy_cleanup)(CURL *e);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
	CURLMcode (*multi_assign)(CURLM *m, curl_socket_t s, void *p);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev, int *running);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
} cu;

static void *sym(void *lib, const char *name, bool *ok)
{
	void *p = dlsym(lib, name);

	if (!p)
		*ok = false;
	return p;
}

#define LOAD(f) (cu.f = (__typeof__(cu.f))sym(lib, "curl_" #f, &ok))

/* Open libcurl (the soname the headers belong to) and resolve the table.
 * Returns 0, -ENOENT if the library is missing, -ENOSYS if it lacks a
 * call, -ENOMEM if it will not initialise. Not thread-safe: start-up only. */
static int load_curl(void)
{
	void *lib;
	bool ok = true;

	if (curl_ready)
		return 0;
	lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return -ENOENT;
	LOAD(global_init);
	LOAD(easy_init);
	LOAD(easy_setopt);
	LOAD(easy_getinfo);
	LOAD(easy_strerror);
	LOAD(easy_cleanup);
	LOAD(multi_init);
	LOAD(multi_setopt);
	LOAD(multi_add_handle);
	LOAD(multi_remove_handle);
	LOAD(multi_assign);
	LOAD(multi_socket_action);
	LOAD(multi_info_read);
	LOAD(multi_cleanup);
	LOAD(slist_append);
	LOAD(slist_free_all);
	if (!ok) {
		dlclose(lib);
		return -ENOSYS;
	}
	/* The library stays loaded for the life of the process. */
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	curl_ready = true;
	return 0;
}

/* --- curl -> loop ----------------------------------------------------------- */

static void socket_action(struct http *h, curl_socket_t s, int flags);

static void on_io(struct loop *l, int fd, uint32_t events, void *data)
{
	int flags = 0;

	(void)l;
	if (events & LOOP_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & LOOP_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	if (events & (LOOP_ERROR | LOOP_HUP))
		flags |= CURL_CSELECT_ERR;
	socket_action(data, fd, flags);
}

static void on_timer(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	socket_action(data, CURL_SOCKET_TIMEOUT, 0);
}

static int sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct http *h = userp;
	uint32_t events = 0;
	int r;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (socketp)
			loop_del_fd(h->loop, s);
		cu.multi_assign(h->multi, s, NULL);
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= LOOP_READABLE;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= LOOP_WRITABLE;
	if (socketp) {
		r = loop_mod_fd(h->loop, s, events);
	} else {
		r = loop_add_fd(h->loop, s, events, on_io, h);
		/* socketp only marks "registered with the loop": any non-NULL will do. */
		if (r == 0)
			cu.multi_assign(h->multi, s, h);
	}
	/* -1 makes curl fail the transfers on this socket rather than wait
	 * forever for events nobody watches. */
	return r < 0 ? -1 : 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http *h = userp;

	(void)multi;
	if (timeout_ms < 0) {
		loop_timer_stop(h->loop, &h->timer);
		return 0;
	}
	/* 0 means "as soon as possible": from the loop, never from here, since
	 * curl must not be re-entered from its own callback. */
	return loop_timer_start(h->loop, &h->timer, (uint64_t)timeout_ms, on_timer, h) < 0 ? -1 : 0;
}

/* --- requests ---------------------------------------------------------------- */

static void req_unlink(struct http *h, struct http_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		h->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

static void req_free(struct http_req *r)
{
	if (!r)
		return;
	if (r->easy)
		cu.easy_cleanup(r->easy);
	cu.slist_free_all(r->headers);
	free(r);
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct http_req *r = userdata;
	size_t n = size * nmemb;

	if (!r->status_known) {
		cu.easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
		r->status_known = true;
		r->bad_status = r->status < 200 || r->status > 299;
	}
	if (n > r->max_bytes - r->bytes) {
		/* Returning short makes curl stop with CURLE_WRITE_ERROR. */
		r->too_big = true;
		return 0;
	}
	r->bytes += n;
	if (r->bad_status || !r->on_body)
		return n; /* an error page: read (bounded) and dropped */
	r->body_err = r->on_body(r->data, p, n);
	return r->body_err < 0 ? 0 : n;
}

static int http_curl_errno(const struct http_req *r, CURLcode c)
{
	switch (c) {
	case CURLE_OK:
		return r->bad_status ? -EPROTO : 0;
	case CURLE_WRITE_ERROR:
		if (r->too_big)
			return -EFBIG;
		return r->body_err < 0 ? r->body_err : -EIO;
	case CURLE_FILESIZE_EXCEEDED:
		return -EFBIG;
	case CURLE_COULDNT_CONNECT:
		/* Refused, or no route: errno tells, and curl keeps it. */
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		return -ECONNRESET;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return -EINVAL;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_WEIRD_SERVER_REPLY:
		return -EPROTO;
	default:
		return -EIO;
	}
}

static void finish(struct http *h, CURL *easy, CURLcode code)
{
	struct http_result res = { 0 };
	struct http_req *r = NULL;
	long errno_at_connect = 0;

	cu.easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
	cu.multi_remove_handle(h->multi, easy);
	if (!r)
		return;
	req_unlink(h, r);
	res.err = http_curl_errno(r, code);
	if (code == CURLE_COULDNT_CONNECT &&
	    cu.easy_getinfo(easy, CURLINFO_OS_ERRNO, &errno_at_connect) == CURLE_OK &&
	    errno_at_connect > 0 && errno_at_connect != ECONNREFUSED)
		res.err = -(int)errno_at_connect; /* EHOSTUNREACH, ENETUNREACH, ... */
	cu.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &res.status);
	/* An error status with an empty body never reached write_cb, which is
	 * where bad_status is set: judge the status here too (a 302 or a 500
	 * with Content-Length: 0 is "HTTP status 302", not an empty answer). */
	if (res.err == 0 && (res.status < 200 || res.status > 299))
		res.err = -EPROTO;
	res.bytes = r->bytes;
	if (r->errbuf[0])
		memcpy(res.detail, r->errbuf, sizeof(res.detail) - 1);
	else
		memcpy(res.detail, cu.easy_strerror(code),
		       strnlen(cu.easy_strerror(code), sizeof(res.detail) - 1));
	r->on_done(r->data, &res);
	req_free(r);
}

static void socket_action(struct http *h, curl_socket_t s, int flags)
{
	CURLMsg *msg;
	int running, left;

	cu.multi_socket_action(h->multi, s, flags, &running);
	while ((msg = cu.multi_info_read(h->multi, &left)))
		if (msg->msg == CURLMSG_DONE)
			finish(h, msg->easy_handle, msg->data.result);
}

int http_new(struct loop *l, struct http **out)
{
	struct http *h;
	int r;

	*out = NULL;
	r = load_curl();
	if (r < 0)
		return r;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->loop = l;
	loop_timer_init(&h->timer);
	h->multi = cu.multi_init();
	if (!h->multi) {
		free(h);
		return -ENOMEM;
	}
	cu.multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	cu.multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	cu.multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	cu.multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	*out = h;
	return 0;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	while (h->reqs)
		http_cancel(h, h->reqs);
	cu.multi_cleanup(h->multi);
	loop_timer_stop(h->loop, &h->timer);
	free(h);
}

void http_cancel(struct http *h, struct http_req *r)
{
	if (!r)
		return;
	req_unlink(h, r);
	/* Removing the handle makes curl drop its sockets (sock_cb REMOVE). */
	cu.multi_remove_handle(h->multi, r->easy);
	req_free(r);
}

static int setup(struct http_req *r, const struct http_request *rq)
{
	CURL *e = r->easy;
	CURLcode c = CURLE_OK;

	/* Every option below bounds something or closes a door; checked as one. */
	c |= cu.easy_setopt(e, CURLOPT_URL, rq->url);
	c |= cu.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	c |= cu.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	c |= cu.easy_setopt(e, CURLOPT_PROXY, "");
	c |= cu.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	c |= cu.easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)rq->timeout_ms);
	c |= cu.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)rq->timeout_ms);
	c |= cu.easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)rq->max_bytes);
	c |= cu.easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	c |= cu.easy_setopt(e, CURLOPT_WRITEDATA, r);
	c |= cu.easy_setopt(e, CURLOPT_PRIVATE, r);
	c |= cu.easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	c |= cu.easy_setopt(e, CURLOPT_USERAGENT, "natdoctor/" NATDOCTOR_VERSION);
	if (rq->post_body) {
		r->headers = cu.slist_append(NULL, "Content-Type: application/json");
		if (!r->headers)
			return -ENOMEM;
		c |= cu.easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
		c |= cu.easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)rq->post_len);
		c |= cu.easy_setopt(e, CURLOPT_COPYPOSTFIELDS, rq->post_body);
	}
	return c == CURLE_OK ? 0 : -EINVAL;
}

int http_start(struct http *h, const struct http_request *rq, struct http_req **out)
{
	struct http_req *r;
	int err;

	if (out)
		*out = NULL;
	if (!rq->url || !rq->on_done || rq->timeout_ms == 0 || rq->max_bytes == 0 ||
	    (rq->post_body && rq->post_len > 65536))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (struct http_req){ .h = h,
				.on_body = rq->on_body,
				.on_done = rq->on_done,
				.data = rq->data,
				.max_bytes = rq->max_bytes };
	r->easy = cu.easy_init();
	if (!r->easy) {
		free(r);
		return -ENOMEM;
	}
	err = setup(r, rq);
	if (err == 0 && cu.multi_add_handle(h->multi, r->easy) != CURLM_OK)
		err = -ENOMEM;
	if (err < 0) {
		req_free(r);
		return err;
	}
	r->next = h->reqs;
	if (h->reqs)
		h->reqs->prev = r;
	h->reqs = r;
	if (out)
		*out = r;
	return 0;
}

const char *http_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case -ECONNREFUSED:
		return "connection refused";
	case -ETIMEDOUT:
		return "no answer in time";
	case -EFBIG:
		return "answer too large, cut off";
	case -EPROTO:
		return "HTTP error status";
	case -ECONNRESET:
		return "connection closed before a whole answer";
	case -EHOSTUNREACH:
		return "host unreachable or unknown";
	case -ENETUNREACH:
		return "network unreachable";
	case -EINVAL:
		return "bad URL";
	case -ENOMEM:
		return "out of memory";
	default:
		return strerror(-err);
	}
}

void http_describe(const struct http_result *res, unsigned timeout_ms, size_t max_bytes, char *out,
		   size_t cap)
{
	/* Limits are round numbers: whole MiB read better than KiB. */
	bool mib = max_bytes >= (1u << 20) && max_bytes % (1u << 20) == 0;

	switch (res->err) {
	case -ECONNREFUSED:
		text_setf(out, cap, "connection refused");
		break;
	case -ETIMEDOUT:
		text_setf(out, cap, "no answer within %u ms", timeout_ms);
		break;
	case -EFBIG:
		text_setf(out, cap, "answer larger than %zu %s, cut off",
			  mib ? max_bytes >> 20 : max_bytes >> 10, mib ? "MiB" : "KiB");
		break;
	case -EPROTO:
		text_setf(out, cap, "HTTP status %ld", res->status);
		break;
	case -ENOENT:
	case -ENOSYS:
		text_setf(out, cap, "cannot load libcurl (Debian package libcurl4)");
		break;
	default:
		text_setf(out, cap, "%s", http_strerror(res->err));
		break;
	}
}
