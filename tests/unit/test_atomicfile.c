/* SPDX-License-Identifier: MIT */
/* Files replaced whole or not at all (util/atomicfile). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomicfile.h"

static void atomic_file_replaces_whole(void **state)
{
	char dir[] = "/tmp/nd-atomic.XXXXXX", path[64], buf[64];
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/natdoctor.prom", dir);
	assert_int_equal(atomicfile_check(path), 0);
	assert_int_equal(atomicfile_write(path, "old\n", 4), 0);
	assert_int_equal(atomicfile_write(path, "new text\n", 9), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, 9);
	assert_memory_equal(buf, "new text\n", 9);
	/* a directory that does not exist; a directory given as the file */
	snprintf(path, sizeof(path), "%s/no/such.prom", dir);
	assert_int_equal(atomicfile_check(path), -ENOENT);
	assert_int_equal(atomicfile_write(path, "x", 1), -ENOENT);
	assert_int_equal(atomicfile_check(dir), -EISDIR);
	/* nothing but the target is left behind (no temporary files) */
	snprintf(path, sizeof(path), "%s/natdoctor.prom", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(atomic_file_replaces_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
