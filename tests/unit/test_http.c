/* SPDX-License-Identifier: MIT */
/*
 * net/http.c against a real HTTP server on loopback (a thread in this
 * process, answering with canned bytes): bodies in pieces, the byte cap,
 * error statuses with and without a body, refused, silent servers,
 * cancellation. Every test ends with nothing left on the loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nd_test.h"
#include "net/http.h"

/* --- a one-connection server --------------------------------------------- */

struct server {
	int lfd;
	uint16_t port;
	const char *answer; /* NULL: accept, read, never answer */
	int quit[2];	    /* a byte here ends a silent server */
	pthread_t th;
};

static void *serve_one(void *arg)
{
	struct server *s = arg;
	char req[4096];
	size_t got = 0;
	int c = accept(s->lfd, NULL, NULL);

	if (c < 0)
		return NULL;
	/* The request head (and a short POST body, if any): enough to answer. */
	while (got < sizeof(req) - 1) {
		ssize_t n = read(c, req + got, sizeof(req) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	if (s->answer) {
		size_t len = strlen(s->answer);

		if (write(c, s->answer, len) != (ssize_t)len) {
			/* the client gave up first: fine */
		}
	} else {
		char b;

		if (read(s->quit[0], &b, 1) < 0) {
			/* ends the wait either way */
		}
	}
	close(c);
	return NULL;
}

static void server_start(struct server *s, const char *answer)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	s->answer = answer;
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pipe(s->quit), 0);
	assert_int_equal(pthread_create(&s->th, NULL, serve_one, s), 0);
}

static void server_stop(struct server *s)
{
	assert_int_equal(write(s->quit[1], "q", 1), 1);
	/* A server never connected to is still in accept(): connect once. */
	shutdown(s->lfd, SHUT_RDWR);
	pthread_join(s->th, NULL);
	close(s->lfd);
	close(s->quit[0]);
	close(s->quit[1]);
}

/* --- the client side ------------------------------------------------------- */

struct got {
	struct loop *l; /* stopped when the request is done */
	char body[256];
	size_t len;
	int done;
	int abort_with; /* on_body returns this when set */
	struct http_result res;
};

static int on_body(void *data, const char *p, size_t n)
{
	struct got *g = data;

	if (g->abort_with)
		return g->abort_with;
	if (n > sizeof(g->body) - 1 - g->len)
		n = sizeof(g->body) - 1 - g->len;
	memcpy(g->body + g->len, p, n);
	g->len += n;
	g->body[g->len] = '\0';
	return 0;
}

static void on_done(void *data, const struct http_result *res)
{
	struct got *g = data;

	g->done++;
	g->res = *res;
	if (g->l)
		loop_stop(g->l);
}

struct fixture {
	struct loop *l;
	struct http *h;
	struct server srv;
	char url[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	nd_time_limit(30);
	assert_non_null(f);
	assert_int_equal(loop_new(&f->l), 0);
	assert_int_equal(http_new(f->l, &f->h), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	http_free(f->h);
	nd_assert_loop_empty(f->l);
	loop_free(f->l);
	free(f);
	return 0;
}

/* Ask srv (started with answer) for /path; run until done or 5 s. */
static void ask(struct fixture *f, const char *answer, size_t max_bytes, unsigned timeout_ms,
		struct got *g)
{
	struct http_request rq = { .url = f->url,
				   .timeout_ms = timeout_ms,
				   .max_bytes = max_bytes,
				   .on_body = on_body,
				   .on_done = on_done,
				   .data = g };

	g->l = f->l;
	server_start(&f->srv, answer);
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%u/metrics", f->srv.port);
	assert_int_equal(http_start(f->h, &rq, NULL), 0);
	nd_run_for(f->l, 5000);
	server_stop(&f->srv);
	assert_int_equal(g->done, 1);
}

static void body_arrives_whole(void **state)
{
	struct fixture *f = *state;
	struct got g = { 0 };

	ask(f, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 1024, 2000, &g);
	assert_int_equal(g.res.err, 0);
	assert_int_equal(g.res.status, 200);
	assert_int_equal(g.res.bytes, 5);
	assert_string_equal(g.body, "hello");
}

/* Issue 7 defect 6: no body byte ever came, the status still counts. */
static void error_status_with_empty_body(void **state)
{
	struct fixture *f = *state;
	struct got g = { 0 };

	ask(f,
	    "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n"
	    "\r\n",
	    1024, 2000, &g);
	assert_int_equal(g.res.err, -EPROTO);
	assert_int_equal(g.res.status, 302); /* not followed */
	assert_int_equal(g.len, 0);
}

static void error_status_body_is_not_handed_over(void **state)
{
	struct fixture *f = *state;
	struct got g = { 0 };

	ask(f, "HTTP/1.1 500 Oops\r\nContent-Length: 6\r\n\r\nbroken", 1024, 2000, &g);
	assert_int_equal(g.res.err, -EPROTO);
	assert_int_equal(g.res.status, 500);
	assert_int_equal(g.len, 0);
}

static void body_past_the_cap_is_cut(void **state)
{
	struct fixture *f = *state;
	struct got g = { 0 };

	ask(f,
	    "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n0123456789012345678901234567890123456789",
	    10, 2000, &g);
	assert_int_equal(g.res.err, -EFBIG);
	assert_true(g.len <= 10);
}

static void on_body_error_ends_the_request(void **state)
{
	struct fixture *f = *state;
	struct got g = { .abort_with = -EBADMSG };

	ask(f, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 1024, 2000, &g);
	assert_int_equal(g.res.err, -EBADMSG);
}

static void silent_server_times_out(void **state)
{
	struct fixture *f = *state;
	struct got g = { 0 };
	uint64_t t0 = loop_now_ms(f->l);

	ask(f, NULL, 1024, 300, &g);
	assert_int_equal(g.res.err, -ETIMEDOUT);
	assert_true(loop_now_ms(f->l) - t0 < 2000);
}

static void refused_and_bad_requests(void **state)
{
	struct fixture *f = *state;
	struct got g = { 0 };
	struct http_request rq = {
		.timeout_ms = 2000, .max_bytes = 1024, .on_done = on_done, .data = &g
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	/* A port that was just free: bound, never listened on. */
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%u/", ntohs(a.sin_port));
	rq.url = f->url;
	g.l = f->l;
	assert_int_equal(http_start(f->h, &rq, NULL), 0);
	nd_run_for(f->l, 5000);
	close(fd);
	assert_int_equal(g.done, 1);
	assert_int_equal(g.res.err, -ECONNREFUSED);

	/* Refused up front: on_done never runs. */
	g.done = 0;
	rq.timeout_ms = 0;
	assert_int_equal(http_start(f->h, &rq, NULL), -EINVAL);
	rq.timeout_ms = 2000;
	rq.max_bytes = 0;
	assert_int_equal(http_start(f->h, &rq, NULL), -EINVAL);
	rq.max_bytes = 1024;
	rq.url = NULL;
	assert_int_equal(http_start(f->h, &rq, NULL), -EINVAL);
	/* Only http and https, also when curl would speak more. */
	rq.url = "file:///etc/passwd";
	if (http_start(f->h, &rq, NULL) == 0) {
		nd_run_for(f->l, 2000);
		assert_int_equal(g.done, 1);
		assert_int_equal(g.res.err, -EINVAL);
	}
	assert_int_equal(g.res.bytes, 0);
}

static void cancelled_request_never_calls_back(void **state)
{
	struct fixture *f = *state;
	struct got g = { 0 };
	struct http_req *r;
	struct http_request rq = { .timeout_ms = 5000,
				   .max_bytes = 1024,
				   .on_body = on_body,
				   .on_done = on_done,
				   .data = &g };

	server_start(&f->srv, NULL);
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%u/", f->srv.port);
	rq.url = f->url;
	assert_int_equal(http_start(f->h, &rq, &r), 0);
	nd_run_for(f->l, 200); /* connected and waiting */
	http_cancel(f->h, r);
	nd_run_for(f->l, 100);
	server_stop(&f->srv);
	assert_int_equal(g.done, 0);
	nd_assert_loop_empty(f->l);
}

/* The words every caller shows an operator: the limits it quotes are the
 * request's, whole MiB where they are, and curl's detail stays out. */
static void failures_in_words(void **state)
{
	struct http_result res = { .err = -ECONNREFUSED };
	char w[64];

	(void)state;
	snprintf(res.detail, sizeof(res.detail), "http://user:secret@host/");
	http_describe(&res, 2000, 1u << 20, w, sizeof(w));
	assert_string_equal(w, "connection refused");
	res.err = -ETIMEDOUT;
	http_describe(&res, 2000, 1u << 20, w, sizeof(w));
	assert_string_equal(w, "no answer within 2000 ms");
	res.err = -EFBIG;
	res.bytes = 12345; /* what came before the cut: not the limit */
	http_describe(&res, 2000, 16u << 20, w, sizeof(w));
	assert_string_equal(w, "answer larger than 16 MiB, cut off");
	http_describe(&res, 2000, 64u << 10, w, sizeof(w));
	assert_string_equal(w, "answer larger than 64 KiB, cut off");
	res.err = -EPROTO;
	res.status = 404;
	http_describe(&res, 2000, 1u << 20, w, sizeof(w));
	assert_string_equal(w, "HTTP status 404");
	res.err = -ENOENT;
	http_describe(&res, 2000, 1u << 20, w, sizeof(w));
	assert_string_equal(w, "cannot load libcurl (Debian package libcurl4)");
	res.err = -ECONNRESET;
	http_describe(&res, 2000, 1u << 20, w, sizeof(w));
	assert_string_equal(w, http_strerror(-ECONNRESET));
	assert_null(strstr(w, "secret"));
	http_describe(&res, 2000, 1u << 20, w, 8); /* cut, still terminated */
	assert_string_equal(w, "connect");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(failures_in_words),
		cmocka_unit_test_setup_teardown(body_arrives_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(error_status_with_empty_body, setup, teardown),
		cmocka_unit_test_setup_teardown(error_status_body_is_not_handed_over, setup,
						teardown),
		cmocka_unit_test_setup_teardown(body_past_the_cap_is_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(on_body_error_ends_the_request, setup, teardown),
		cmocka_unit_test_setup_teardown(silent_server_times_out, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_and_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(cancelled_request_never_calls_back, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
