/* SPDX-License-Identifier: MIT */
/*
 * peers/logsrc on a real loop: a pipe read to its end, a file read once,
 * a followed file (tail start, appends, truncation). Every run is bounded
 * by a guard timer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nd_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/loop.h"
#include "peers/logsrc.h"
#include "proto/nodelog.h"

struct seen {
	char last[128];
	unsigned lines, eof, errors, drained;
	struct loop *loop;
	bool stop_on_drain;
};

static void on_line(void *data, const char *line, size_t len)
{
	struct seen *s = data;

	s->lines++;
	if (len >= sizeof(s->last))
		len = sizeof(s->last) - 1;
	memcpy(s->last, line, len);
	s->last[len] = '\0';
}

static void on_event(void *data, enum logsrc_event ev, int err)
{
	struct seen *s = data;

	(void)err;
	if (ev == LOGSRC_DRAINED) {
		s->drained++;
		if (s->stop_on_drain)
			loop_stop(s->loop);
		return;
	}
	if (ev == LOGSRC_EOF)
		s->eof++;
	else
		s->errors++;
	loop_stop(s->loop);
}

static void write_str(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void test_pipe_to_eof_with_long_line(void **state)
{
	struct seen s = { 0 };
	struct logsrc *src;
	struct logsrc_stats st;
	char path[64], *big = malloc(3 * NODELOG_LINE_MAX);
	int p[2];

	(void)state;
	assert_non_null(big);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_new(&s.loop), 0);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	struct logsrc_opts o = {
		.path = path, .on_line = on_line, .on_event = on_event, .data = &s
	};
	assert_int_equal(logsrc_open(s.loop, &o, &src), 0);

	write_str(p[1], "first line\nsecond ");
	memset(big, 'x', 3 * NODELOG_LINE_MAX - 1);
	big[3 * NODELOG_LINE_MAX - 1] = '\0';
	write_str(p[1], "half\n");
	write_str(p[1], big);
	write_str(p[1], "\nlast, no newline");
	close(p[1]);
	nd_run_for(s.loop, 2000);

	assert_int_equal(s.eof, 1);
	assert_int_equal(s.errors, 0);
	assert_int_equal(s.lines, 3); /* the long one is dropped */
	assert_string_equal(s.last, "last, no newline");
	logsrc_get_stats(src, &st);
	assert_int_equal(st.long_lines, 1);
	assert_int_equal(st.lines, 3);
	logsrc_close(src);
	close(p[0]);
	loop_free(s.loop);
	free(big);
}

static int temp_file(char path[static 64])
{
	int fd;

	snprintf(path, 64, "/tmp/test_logsrc.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	return fd;
}

static void test_file_read_once(void **state)
{
	struct seen s = { 0 };
	struct logsrc *src;
	char path[64];
	int fd = temp_file(path);

	(void)state;
	write_str(fd, "a\nb\nc\n");
	assert_int_equal(loop_new(&s.loop), 0);
	struct logsrc_opts o = {
		.path = path, .on_line = on_line, .on_event = on_event, .data = &s
	};
	assert_int_equal(logsrc_open(s.loop, &o, &src), 0);
	nd_run_for(s.loop, 2000);
	assert_int_equal(s.eof, 1);
	assert_int_equal(s.lines, 3);
	assert_string_equal(s.last, "c");
	logsrc_close(src);
	loop_free(s.loop);
	close(fd);
	unlink(path);
}

static void test_file_follow_tail_append_truncate(void **state)
{
	struct seen s = { 0 };
	struct logsrc *src;
	char path[64];
	int fd = temp_file(path);

	(void)state;
	/* 40 bytes of history, of which only the last 10 are read: the cut
	 * line is skipped, the whole one after it kept. */
	write_str(fd, "old old old old old old old\ntail-line\n");
	assert_int_equal(loop_new(&s.loop), 0);
	s.stop_on_drain = true;
	struct logsrc_opts o = { .path = path,
				 .follow = true,
				 .tail_bytes = 12,
				 .on_line = on_line,
				 .on_event = on_event,
				 .data = &s };
	assert_int_equal(logsrc_open(s.loop, &o, &src), 0);
	nd_run_for(s.loop, 2000);
	assert_int_equal(s.lines, 1);
	assert_string_equal(s.last, "tail-line");

	/* From here on the file is polled every LOGSRC_FILE_POLL_MS. */
	s.stop_on_drain = false;
	write_str(fd, "appended\n");
	nd_run_for(s.loop, LOGSRC_FILE_POLL_MS * 3);
	assert_int_equal(s.lines, 2);
	assert_string_equal(s.last, "appended");

	/* copytruncate rotation: the file starts again from nothing. */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	write_str(fd, "new\n");
	nd_run_for(s.loop, LOGSRC_FILE_POLL_MS * 4);
	assert_string_equal(s.last, "new");
	assert_int_equal(s.eof, 0);

	logsrc_close(src);
	loop_free(s.loop);
	close(fd);
	unlink(path);
}

static void test_missing_file(void **state)
{
	struct loop *l;
	struct logsrc *src = (void *)1;
	struct logsrc_opts o = { .path = "/nonexistent/node.log",
				 .on_line = on_line,
				 .on_event = on_event };

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(logsrc_open(l, &o, &src), -ENOENT);
	assert_null(src);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_to_eof_with_long_line),
		cmocka_unit_test(test_file_read_once),
		cmocka_unit_test(test_file_follow_tail_append_truncate),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
