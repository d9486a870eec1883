/* SPDX-License-Identifier: MIT */
/* The scrape endpoint with real sockets on loopback: the loop runs on a
 * thread, clients are plain blocking sockets with a receive timeout. */
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
#include <time.h>
#include <unistd.h>

#include "net/loop.h"
#include "net/metricsd.h"

struct server {
	struct loop *loop;
	struct metricsd *m;
	struct loop_timer keep; /* keeps loop_run going */
	pthread_t thread;
	unsigned renders;
	char addr[32];
};

static void render(struct strbuf *out, void *data)
{
	struct server *s = data;

	s->renders++;
	strbuf_printf(out, "# TYPE test_up gauge\ntest_up %u\n", s->renders);
}

static void keep_alive(struct loop *l, struct loop_timer *t, void *data)
{
	loop_timer_start(l, t, 1000, keep_alive, data);
}

static void *run(void *data)
{
	struct server *s = data;

	if (loop_run(s->loop) < 0)
		abort();
	return NULL;
}

static void stop(struct loop *l, void *data)
{
	(void)data;
	loop_stop(l);
}

static void server_start(struct server *s, unsigned deadline_ms)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(loop_new(&s->loop), 0);
	/* port 1 is never ours to take without root... so find a free one by
	 * binding port 0 first and reusing what the kernel gave. */
	{
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t sl = sizeof(sin);

		assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
		snprintf(s->addr, sizeof(s->addr), "127.0.0.1:%u", ntohs(sin.sin_port));
		close(fd);
	}
	assert_int_equal(metricsd_open(s->loop, s->addr, render, s, &s->m), 0);
	metricsd_set_deadline(s->m, deadline_ms);
	loop_timer_init(&s->keep);
	loop_timer_start(s->loop, &s->keep, 1000, keep_alive, s);
	assert_int_equal(pthread_create(&s->thread, NULL, run, s), 0);
}

static void server_stop(struct server *s)
{
	assert_int_equal(loop_post(s->loop, stop, NULL), 0);
	pthread_join(s->thread, NULL);
	metricsd_close(s->m);
	loop_free(s->loop);
}

static int client(const struct server *s)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(metricsd_port(s->m)),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 5 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/* Everything the server sends until it closes (or the 5 s timeout). */
static size_t read_all(int fd, char *out, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < cap && (r = recv(fd, out + n, cap - 1 - n, 0)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	return n;
}

static void ask(const struct server *s, const char *req, char *out, size_t cap)
{
	int fd = client(s);

	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	read_all(fd, out, cap);
	close(fd);
}

static void scrapes_and_errors(void **state)
{
	struct server s;
	char out[4096];
	struct metricsd_stats st;

	(void)state;
	server_start(&s, 3000);
	ask(&s, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", out, sizeof(out));
	assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(out, "Content-Type: text/plain; version=0.0.4"));
	assert_non_null(strstr(out, "\r\n\r\n# TYPE test_up gauge\ntest_up 1\n"));
	ask(&s, "GET / HTTP/1.1\r\n\r\n", out, sizeof(out));
	assert_non_null(strstr(out, "HTTP/1.1 404 "));
	ask(&s, "POST /metrics HTTP/1.1\r\n\r\n", out, sizeof(out));
	assert_non_null(strstr(out, "HTTP/1.1 405 "));
	ask(&s, "\x16\x03\x01 hello tls\r\n\r\n", out, sizeof(out));
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	ask(&s, "HEAD /metrics HTTP/1.0\r\n\r\n", out, sizeof(out));
	assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
	assert_null(strstr(out, "test_up"));
	server_stop(&s);
	(void)st;
}

static void huge_headers_get_431(void **state)
{
	struct server s;
	char big[METRICSD_HEAD_MAX + 512], out[1024];
	int fd;

	(void)state;
	server_start(&s, 3000);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX-Big: ", 30);
	fd = client(&s);
	/* The server may close while we still send: that is fine. */
	send(fd, big, sizeof(big), MSG_NOSIGNAL);
	read_all(fd, out, sizeof(out));
	close(fd);
	assert_non_null(strstr(out, "HTTP/1.1 431 "));
	/* and it still serves */
	ask(&s, "GET /metrics HTTP/1.1\r\n\r\n", out, sizeof(out));
	assert_non_null(strstr(out, "200 OK"));
	server_stop(&s);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void slowloris_and_crowds_are_cut(void **state)
{
	struct server s;
	int idle[METRICSD_MAX_CONN + 1];
	char out[1024];
	double t0;
	struct metricsd_stats st;

	(void)state;
	server_start(&s, 300);
	/* A slow client: half a request line, then nothing. */
	for (size_t i = 0; i < METRICSD_MAX_CONN + 1; i++) {
		idle[i] = client(&s);
		send(idle[i], "GET /met", 8, MSG_NOSIGNAL);
	}
	/* One over the limit is closed at once. */
	t0 = now_s();
	assert_int_equal(read_all(idle[METRICSD_MAX_CONN], out, sizeof(out)), 0);
	assert_true(now_s() - t0 < 0.25);
	/* The others at the deadline, not before, not much after. */
	assert_int_equal(read_all(idle[0], out, sizeof(out)), 0);
	assert_true(now_s() - t0 < 2.0);
	for (size_t i = 0; i < METRICSD_MAX_CONN + 1; i++)
		close(idle[i]);
	/* The slots are free again: a scrape works. */
	ask(&s, "GET /metrics HTTP/1.1\r\n\r\n", out, sizeof(out));
	assert_non_null(strstr(out, "200 OK"));
	assert_int_equal(loop_post(s.loop, stop, NULL), 0);
	pthread_join(s.thread, NULL);
	metricsd_get_stats(s.m, &st);
	assert_int_equal(st.scrapes, 1);
	/* the one over the limit and idle[0] at least (the rest may see our close first) */
	assert_true(st.rejected >= 2);
	metricsd_close(s.m);
	loop_free(s.loop);
}

static void port_in_use_and_bad_addresses(void **state)
{
	struct server s;
	struct metricsd *m2 = NULL;

	(void)state;
	server_start(&s, 3000);
	assert_int_equal(metricsd_open(s.loop, s.addr, render, &s, &m2), -EADDRINUSE);
	assert_null(m2);
	assert_int_equal(metricsd_open(s.loop, "localhost:9839", render, &s, &m2), -EINVAL);
	assert_int_equal(metricsd_open(s.loop, "127.0.0.1", render, &s, &m2), -EINVAL);
	/* 192.0.2.1 (TEST-NET-1) is no address of this host */
	assert_int_equal(metricsd_open(s.loop, "192.0.2.1:9839", render, &s, &m2), -EADDRNOTAVAIL);
	server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scrapes_and_errors),
		cmocka_unit_test(huge_headers_get_431),
		cmocka_unit_test(slowloris_and_crowds_are_cut),
		cmocka_unit_test(port_in_use_and_bad_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
