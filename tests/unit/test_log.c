/* SPDX-License-Identifier: MIT */
/*
 * util/log: what reaches stderr at each level, errno kept and named, long
 * messages cut at one line, fatal exits with ND_EXIT_INTERNAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/exit.h"
#include "util/log.h"

/* stderr goes to a temporary file while a test runs; captured() reads it. */
static FILE *tmp;
static int saved_fd = -1;

static int capture(void **state)
{
	(void)state;
	fflush(stderr);
	tmp = tmpfile();
	assert_non_null(tmp);
	saved_fd = dup(STDERR_FILENO);
	assert_true(saved_fd >= 0);
	assert_int_equal(dup2(fileno(tmp), STDERR_FILENO), STDERR_FILENO);
	log_set_level(LOG_LEVEL_WARN);
	return 0;
}

static int release(void **state)
{
	(void)state;
	fflush(stderr);
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	fclose(tmp);
	log_set_level(LOG_LEVEL_WARN);
	return 0;
}

static const char *captured(void)
{
	static char buf[4096];
	size_t n;

	fflush(stderr);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	return buf;
}

static void warn_names_errno_and_keeps_it(void **state)
{
	(void)state;
	errno = ENOENT;
	log_warn("cannot open %s", "x.conf");
	assert_int_equal(errno, ENOENT);
	log_warnx("plain %d", 7);
	assert_string_equal(captured(), "natdoctor: cannot open x.conf: No such file or directory\n"
					"natdoctor: plain 7\n");
}

static void levels_filter_info_and_debug(void **state)
{
	(void)state;
	assert_int_equal(log_get_level(), LOG_LEVEL_WARN);
	log_info("i1");
	log_debug("d1");
	log_set_level(LOG_LEVEL_INFO);
	log_info("i2");
	log_debug("d2");
	log_set_level(LOG_LEVEL_DEBUG);
	assert_int_equal(log_get_level(), LOG_LEVEL_DEBUG);
	log_info("i3");
	log_debug("d3");
	assert_string_equal(captured(), "natdoctor: i2\nnatdoctor: i3\nnatdoctor: d3\n");
}

static void long_message_is_one_line(void **state)
{
	char big[3000];
	const char *out;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_warnx("%s", big);
	out = captured();
	assert_true(strlen(out) < 1100);
	assert_non_null(strchr(out, '\n'));
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
}

/* Run f in a child; return its exit status. */
static int child_status(void (*f)(void))
{
	int st;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		f();
		_exit(0); /* not reached */
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void call_fatal(void)
{
	errno = EACCES;
	fatal("cannot bind %u", 3478u);
}

static void call_fatalx(void)
{
	fatalx("bad config");
}

static void fatal_exits_internal(void **state)
{
	(void)state;
	assert_int_equal(child_status(call_fatal), ND_EXIT_INTERNAL);
	assert_int_equal(child_status(call_fatalx), ND_EXIT_INTERNAL);
	assert_string_equal(captured(), "natdoctor: cannot bind 3478: Permission denied\n"
					"natdoctor: bad config\n");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, capture, release)
	const struct CMUnitTest tests[] = {
		T(warn_names_errno_and_keeps_it),
		T(levels_filter_info_and_debug),
		T(long_message_is_one_line),
		T(fatal_exits_internal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
