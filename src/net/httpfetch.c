/* SPDX-License-Identifier: MIT */
#include "net/httpfetch.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

uint64_t httpfetch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait for events on fd until deadline_ms. Returns 0 when ready,
 * -ETIMEDOUT, or a negative errno. */
static int wait_for(int fd, short events, uint64_t deadline_ms)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		uint64_t now = httpfetch_now_ms();
		int r;

		if (now >= deadline_ms)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)(deadline_ms - now > 60000 ? 60000 : deadline_ms - now));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int connect_to(const struct netaddr *to, uint64_t deadline_ms)
{
	struct sockaddr_storage ss;
	int sl = netaddr_to_sockaddr(to, &ss), fd, r, soerr = 0;
	socklen_t el = sizeof(soerr);

	if (sl < 0)
		return sl;
	fd = socket(to->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0 && errno != EINPROGRESS) {
		r = -errno;
		goto fail;
	}
	r = wait_for(fd, POLLOUT, deadline_ms);
	if (r < 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) < 0 || soerr) {
		r = soerr ? -soerr : -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

int httpfetch(const struct netaddr *to, const void *req, size_t req_len, uint8_t *buf, size_t cap,
	      uint64_t deadline_ms, struct httpmsg_response *out)
{
	const uint8_t *p = req;
	size_t sent = 0, got = 0;
	int fd = connect_to(to, deadline_ms), r;

	if (fd < 0)
		return fd;
	while (sent < req_len) {
		ssize_t n = send(fd, p + sent, req_len - sent, MSG_NOSIGNAL);

		if (n > 0) {
			sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			r = -errno;
			goto out;
		}
		r = wait_for(fd, POLLOUT, deadline_ms);
		if (r < 0)
			goto out;
	}
	for (;;) {
		ssize_t n;

		if (got == cap) {
			r = -EFBIG; /* full and still not a whole answer */
			goto out;
		}
		n = recv(fd, buf + got, cap - got, 0);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				r = -errno;
				goto out;
			}
			r = wait_for(fd, POLLIN, deadline_ms);
			if (r < 0)
				goto out;
			continue;
		}
		got += (size_t)n;
		r = httpmsg_parse_response(buf, got, n == 0, out);
		if (r != -EAGAIN)
			goto out;
	}
out:
	close(fd);
	return r;
}
