/* SPDX-License-Identifier: MIT */
#include "map/status.h"

#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int map_status_default_path(char *out, size_t size)
{
	const char *rd = getenv("RUNTIME_DIRECTORY"), *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (rd && *rd && !strchr(rd, ':'))
		n = snprintf(out, size, "%s/map.sock", rd);
	else if (geteuid() == 0)
		n = snprintf(out, size, "/run/natdoctor/map.sock");
	else if (xdg && *xdg)
		n = snprintf(out, size, "%s/natdoctor-map.sock", xdg);
	else
		n = snprintf(out, size, "/tmp/natdoctor-map-%u.sock", (unsigned)geteuid());
	return n < 0 || (size_t)n >= size || (size_t)n >= MAP_STATUS_PATH_MAX ? -ENAMETOOLONG : 0;
}

static int sun_of(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

int map_status_listen(const char *path)
{
	struct sockaddr_un sun;
	int fd, err = sun_of(path, &sun);

	if (err < 0)
		return err;
	if (!strcmp(path, "/run/natdoctor/map.sock"))
		(void)mkdir("/run/natdoctor", 0755); /* root's default; EEXIST is fine */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		/* A daemon answering there, or a stale file left by a crash. */
		int probe;
		bool alive;

		if (errno != EADDRINUSE)
			goto fail;
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		alive = probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0;
		if (probe >= 0)
			close(probe);
		if (alive) {
			close(fd);
			return -EADDRINUSE;
		}
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			goto fail;
	}
	if (listen(fd, 8) < 0)
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

void map_status_answer(int fd, const char *text, size_t len)
{
	for (int i = 0; i < 16; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c < 0)
			return;
		(void)send(c, text, len < MAP_STATUS_TEXT_MAX ? len : MAP_STATUS_TEXT_MAX,
			   MSG_NOSIGNAL);
		close(c);
	}
}

int map_status_fetch(const char *path, char *out, size_t size, unsigned timeout_ms)
{
	struct sockaddr_un sun;
	size_t got = 0;
	int fd, err = sun_of(path, &sun);

	if (err < 0)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	while (got + 1 < size) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)timeout_ms) <= 0) {
			close(fd);
			return -ETIMEDOUT;
		}
		n = recv(fd, out + got, size - 1 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = 0;
	close(fd);
	return (int)got;
}
