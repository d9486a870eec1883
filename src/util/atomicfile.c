/* SPDX-License-Identifier: MIT */
#include "util/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* dir receives path's directory ("." if none), base its last part. */
static int split(const char *path, char dir[static PATH_MAX], const char **base)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (!path[0])
		return -ENOENT;
	*base = slash ? slash + 1 : path;
	if (!**base)
		return -EISDIR;
	if (!slash)
		n = snprintf(dir, PATH_MAX, ".");
	else if (slash == path)
		n = snprintf(dir, PATH_MAX, "/");
	else
		n = snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

int atomicfile_check(const char *path)
{
	char dir[PATH_MAX];
	const char *base;
	struct stat st;
	int r = split(path, dir, &base);

	if (r < 0)
		return r;
	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (access(dir, W_OK) < 0)
		return -errno;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return -EISDIR;
	return 0;
}

int atomicfile_write(const char *path, const char *data, size_t len)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	const char *base;
	int fd, n, r = split(path, dir, &base);

	if (r < 0)
		return r;
	n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			goto fail;
		}
		data += w;
		len -= (size_t)w;
	}
	/* mkstemp makes 0600; the collector may run as another user. */
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}
