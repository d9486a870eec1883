/* SPDX-License-Identifier: MIT */
#include "net/metricsd.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/httpreq.h"
#include "proto/promtext.h"
#include "util/log.h"
#include "util/netaddr.h"

struct conn {
	struct metricsd *m;
	int fd; /* -1: free slot */
	struct loop_timer deadline;
	char head[METRICSD_HEAD_MAX];
	size_t head_len;
	char *out; /* the answer being written, NULL while reading */
	size_t out_len, out_off;
};

struct metricsd {
	struct loop *loop;
	int fd;
	uint16_t port;
	unsigned deadline_ms;
	metricsd_render_cb render;
	void *data;
	struct metricsd_stats stats;
	char *body; /* METRICSD_BODY_MAX, reused for every scrape */
	struct conn conns[METRICSD_MAX_CONN];
};

static void conn_close(struct conn *c)
{
	if (c->fd < 0)
		return;
	loop_del_fd(c->m->loop, c->fd);
	loop_timer_stop(c->m->loop, &c->deadline);
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->head_len = c->out_len = c->out_off = 0;
}

static void on_deadline(struct loop *l, struct loop_timer *t, void *data)
{
	struct conn *c = data;

	(void)l;
	(void)t;
	log_debug("metrics: client too slow, closed after %u ms", c->m->deadline_ms);
	c->m->stats.rejected++;
	conn_close(c);
}

/* Write what the socket takes; close when all is out or on error. */
static void conn_flush(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Wait for room; if even that fails, give the client up. */
			if (loop_mod_fd(c->m->loop, c->fd, LOOP_WRITABLE) == 0)
				return;
			break;
		}
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
	}
	conn_close(c);
}

static void conn_answer(struct conn *c, int status, const char *reason, const char *type,
			const char *body, size_t body_len, bool head_only)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 status, reason, type, body_len);

	if (status != 200)
		c->m->stats.rejected++;
	if (n < 0 || (size_t)n >= sizeof(hdr)) {
		conn_close(c);
		return;
	}
	if (head_only)
		body_len = 0;
	c->out = malloc((size_t)n + body_len);
	if (!c->out) {
		conn_close(c);
		return;
	}
	memcpy(c->out, hdr, (size_t)n);
	if (body_len)
		memcpy(c->out + n, body, body_len);
	c->out_len = (size_t)n + body_len;
	c->out_off = 0;
	/* Nothing more is read: one request per connection. */
	shutdown(c->fd, SHUT_RD);
	conn_flush(c);
}

static void conn_error(struct conn *c, int status, const char *reason)
{
	char body[64];
	int n = snprintf(body, sizeof(body), "%d %s\n", status, reason);

	conn_answer(c, status, reason, "text/plain; charset=utf-8", body, n > 0 ? (size_t)n : 0,
		    false);
}

static void conn_request(struct conn *c, const struct httpreq *rq)
{
	struct metricsd *m = c->m;
	bool head = !strcmp(rq->method, "HEAD");
	struct strbuf b;

	if (strcmp(rq->method, "GET") != 0 && !head) {
		conn_error(c, 405, "Method Not Allowed");
		return;
	}
	if (strcmp(rq->path, "/metrics") != 0) {
		conn_error(c, 404, "Not Found (try /metrics)");
		return;
	}
	strbuf_init(&b, m->body, METRICSD_BODY_MAX);
	m->render(&b, m->data);
	if (b.truncated) {
		log_warnx("metrics: the exposition is over %u bytes; answering 500",
			  METRICSD_BODY_MAX);
		conn_error(c, 500, "Internal Server Error");
		return;
	}
	m->stats.scrapes++;
	conn_answer(c, 200, "OK", PROMTEXT_CONTENT_TYPE, b.p, b.len, head);
}

static void on_conn(struct loop *l, int fd, uint32_t events, void *data)
{
	struct conn *c = data;
	struct httpreq rq;
	ssize_t n;
	int r;

	(void)l;
	(void)fd;
	if (c->out) {
		if (events & (LOOP_WRITABLE | LOOP_ERROR | LOOP_HUP))
			conn_flush(c);
		return;
	}
	n = recv(c->fd, c->head + c->head_len, sizeof(c->head) - c->head_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->head_len += (size_t)n;
	r = httpreq_parse(c->head, c->head_len, &rq);
	if (r < 0)
		conn_error(c, 400, "Bad Request");
	else if (r > 0)
		conn_request(c, &rq);
	else if (c->head_len == sizeof(c->head))
		conn_error(c, 431, "Request Header Fields Too Large");
}

static void on_accept(struct loop *l, int fd, uint32_t events, void *data)
{
	struct metricsd *m = data;

	(void)events;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c = NULL;

		if (cfd < 0)
			return; /* EAGAIN, or out of fds: the next readiness retries */
		for (size_t i = 0; i < METRICSD_MAX_CONN && !c; i++)
			if (m->conns[i].fd < 0)
				c = &m->conns[i];
		if (!c || loop_add_fd(l, cfd, LOOP_READABLE, on_conn, c) < 0) {
			m->stats.rejected++;
			close(cfd);
			continue;
		}
		c->fd = cfd;
		c->head_len = 0;
		loop_timer_start(l, &c->deadline, m->deadline_ms, on_deadline, c);
	}
}

int metricsd_open(struct loop *l, const char *addr, metricsd_render_cb cb, void *data,
		  struct metricsd **out)
{
	char host[64];
	uint16_t port = 0;
	struct netaddr na;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct metricsd *m;
	int one = 1, r, slen;

	*out = NULL;
	if (netaddr_split_hostport(addr, host, sizeof(host), &port) < 0 ||
	    netaddr_parse_ip(&na, host) < 0 || !strchr(addr, ':'))
		return -EINVAL;
	na.port = port;
	slen = netaddr_to_sockaddr(&na, &ss);
	if (slen < 0)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->loop = l;
	m->fd = -1;
	m->deadline_ms = METRICSD_DEADLINE_MS;
	m->render = cb;
	m->data = data;
	for (size_t i = 0; i < METRICSD_MAX_CONN; i++) {
		m->conns[i].m = m;
		m->conns[i].fd = -1;
		loop_timer_init(&m->conns[i].deadline);
	}
	m->body = malloc(METRICSD_BODY_MAX);
	m->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!m->body || m->fd < 0) {
		r = m->body ? -errno : -ENOMEM;
		goto fail;
	}
	setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(m->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(m->fd, (struct sockaddr *)&ss, (socklen_t)slen) < 0 ||
	    listen(m->fd, METRICSD_MAX_CONN) < 0) {
		r = -errno;
		goto fail;
	}
	sl = sizeof(ss);
	if (getsockname(m->fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    netaddr_from_sockaddr(&na, (struct sockaddr *)&ss, sl) == 0)
		m->port = na.port;
	r = loop_add_fd(l, m->fd, LOOP_READABLE, on_accept, m);
	if (r < 0)
		goto fail;
	*out = m;
	return 0;
fail:
	if (m->fd >= 0)
		close(m->fd);
	free(m->body);
	free(m);
	return r;
}

void metricsd_set_deadline(struct metricsd *m, unsigned ms)
{
	m->deadline_ms = ms;
}

uint16_t metricsd_port(const struct metricsd *m)
{
	return m->port;
}

void metricsd_get_stats(const struct metricsd *m, struct metricsd_stats *st)
{
	*st = m->stats;
}

void metricsd_close(struct metricsd *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < METRICSD_MAX_CONN; i++)
		conn_close(&m->conns[i]);
	loop_del_fd(m->loop, m->fd);
	close(m->fd);
	free(m->body);
	free(m);
}
