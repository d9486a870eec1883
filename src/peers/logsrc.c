/* SPDX-License-Identifier: MIT */
#include "peers/logsrc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/nodelog.h"
#include "util/linebuf.h"

/* Reads per wake-up before giving the loop back to the other sources. */
#define READS_PER_WAKE 16

struct logsrc {
	struct loop *loop;
	struct logsrc_opts o;
	char *path; /* our copy, for reopening a rotated file */
	int fd;
	bool is_stdin, restore_flags;
	int saved_flags;
	bool polled; /* watched by epoll (else read on the timer) */
	bool regular;
	bool stopped;
	dev_t dev;
	ino_t ino;
	struct loop_timer timer;
	struct linebuf lb;
	uint64_t bytes;
	char line[NODELOG_LINE_MAX];
	char buf[LOGSRC_READ_BUF];
};

static int on_line(void *data, const char *line, size_t len)
{
	struct logsrc *s = data;

	s->o.on_line(s->o.data, line, len);
	return 0;
}

static void on_readable(struct loop *l, int fd, uint32_t events, void *data);
static void on_timer(struct loop *l, struct loop_timer *t, void *data);

static void stop(struct logsrc *s)
{
	if (s->polled && s->fd >= 0)
		loop_del_fd(s->loop, s->fd);
	loop_timer_stop(s->loop, &s->timer);
	s->stopped = true;
}

/* A followed file that shrank was truncated (copytruncate rotation): read it
 * again from the start. One whose name now points elsewhere was rotated by
 * rename: open the new one. */
static void logsrc_check_rotation(struct logsrc *s)
{
	struct stat st;
	off_t pos = lseek(s->fd, 0, SEEK_CUR);
	int fd;

	if (fstat(s->fd, &st) == 0 && pos > st.st_size) {
		lseek(s->fd, 0, SEEK_SET);
		linebuf_reset(&s->lb);
		return;
	}
	if (stat(s->path, &st) < 0 || (st.st_dev == s->dev && st.st_ino == s->ino))
		return;
	fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return; /* the new file is not there yet: try again next poll */
	close(s->fd);
	s->fd = fd;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	linebuf_reset(&s->lb);
}

static void pump(struct logsrc *s)
{
	for (int i = 0; i < READS_PER_WAKE; i++) {
		ssize_t n = read(s->fd, s->buf, sizeof(s->buf));

		if (n > 0) {
			s->bytes += (uint64_t)n;
			linebuf_feed(&s->lb, s->buf, (size_t)n, on_line, s);
			continue;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Batch: stop watching for a moment, so the next read
			 * finds many lines instead of one. */
			if (s->polled)
				loop_del_fd(s->loop, s->fd);
			loop_timer_start(s->loop, &s->timer, LOGSRC_BATCH_MS, on_timer, s);
			s->o.on_event(s->o.data, LOGSRC_DRAINED, 0);
			return;
		}
		if (n == 0 && s->regular && s->o.follow) {
			logsrc_check_rotation(s);
			loop_timer_start(s->loop, &s->timer, LOGSRC_FILE_POLL_MS, on_timer, s);
			s->o.on_event(s->o.data, LOGSRC_DRAINED, 0);
			return;
		}
		/* End of input, or an error: deliver a last unterminated line. */
		linebuf_finish(&s->lb, on_line, s);
		stop(s);
		if (n == 0)
			s->o.on_event(s->o.data, LOGSRC_EOF, 0);
		else
			s->o.on_event(s->o.data, LOGSRC_ERROR, -errno);
		return;
	}
	/* Still more to read: come back at once, after the others had a turn. */
	if (!s->polled)
		loop_timer_start(s->loop, &s->timer, 0, on_timer, s);
}

static void on_readable(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)l;
	(void)fd;
	(void)events; /* LOOP_HUP: read drains what is left, then sees 0 */
	pump(data);
}

static void on_timer(struct loop *l, struct loop_timer *t, void *data)
{
	struct logsrc *s = data;

	(void)t;
	if (s->polled) {
		/* Level-triggered: fires at once if data came meanwhile. */
		if (loop_add_fd(l, s->fd, LOOP_READABLE, on_readable, s) < 0) {
			stop(s);
			s->o.on_event(s->o.data, LOGSRC_ERROR, -EIO);
		}
		return;
	}
	pump(s);
}

static int start(struct logsrc *s)
{
	struct stat st;
	int r;

	if (fstat(s->fd, &st) < 0)
		return -errno;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->regular = S_ISREG(st.st_mode);
	if (s->regular && s->o.follow && s->o.tail_bytes && st.st_size > (off_t)s->o.tail_bytes) {
		if (lseek(s->fd, st.st_size - (off_t)s->o.tail_bytes, SEEK_SET) >= 0)
			linebuf_skip_partial(&s->lb); /* we start mid-line */
	}
	if (!s->regular) {
		int fl = fcntl(s->fd, F_GETFL);

		if (fl >= 0 && !(fl & O_NONBLOCK)) {
			if (fcntl(s->fd, F_SETFL, fl | O_NONBLOCK) < 0)
				return -errno;
			s->saved_flags = fl;
			s->restore_flags = true;
		}
		if (S_ISFIFO(st.st_mode))
			fcntl(s->fd, F_SETPIPE_SZ, LOGSRC_PIPE_SIZE); /* best effort */
		r = loop_add_fd(s->loop, s->fd, LOOP_READABLE, on_readable, s);
		if (r == 0) {
			s->polled = true;
			return 0;
		}
		if (r != -EPERM)
			return r;
		/* /dev/null and other files epoll refuses: read on the timer. */
	}
	return loop_timer_start(s->loop, &s->timer, 0, on_timer, s);
}

int logsrc_open(struct loop *l, const struct logsrc_opts *o, struct logsrc **out)
{
	struct logsrc *s;
	int r;

	*out = NULL;
	if (!o->path || !o->on_line || !o->on_event)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = l;
	s->o = *o;
	s->fd = -1;
	loop_timer_init(&s->timer);
	linebuf_init(&s->lb, s->line, sizeof(s->line));
	s->path = strdup(o->path);
	if (!s->path) {
		free(s);
		return -ENOMEM;
	}
	s->o.path = s->path;
	if (!strcmp(o->path, "-")) {
		s->fd = STDIN_FILENO;
		s->is_stdin = true;
	} else {
		s->fd = open(o->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (s->fd < 0) {
			r = -errno;
			logsrc_close(s);
			return r;
		}
	}
	r = start(s);
	if (r < 0) {
		logsrc_close(s);
		return r;
	}
	*out = s;
	return 0;
}

void logsrc_close(struct logsrc *s)
{
	if (!s)
		return;
	if (!s->stopped)
		stop(s);
	if (s->restore_flags)
		fcntl(s->fd, F_SETFL, s->saved_flags);
	if (s->fd >= 0 && !s->is_stdin)
		close(s->fd);
	free(s->path);
	free(s);
}

void logsrc_get_stats(const struct logsrc *s, struct logsrc_stats *out)
{
	out->bytes = s->bytes;
	out->lines = s->lb.n_lines;
	out->long_lines = s->lb.n_long;
}
