/* SPDX-License-Identifier: MIT */
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/exit.h"

static int log_level = LOG_LEVEL_WARN;

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

__attribute__((format(printf, 1, 0))) static void log_vemit(const char *fmt, va_list ap, int err)
{
	/* One fprintf per line so concurrent threads do not interleave mid-line. */
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err)
		fprintf(stderr, "natdoctor: %s: %s\n", msg, strerror(err));
	else
		fprintf(stderr, "natdoctor: %s\n", msg);
}

void log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit(fmt, ap, err);
	va_end(ap);
	errno = err;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(fmt, ap, 0);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vemit(fmt, ap, 0);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vemit(fmt, ap, 0);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit(fmt, ap, err);
	va_end(ap);
	exit(ND_EXIT_INTERNAL);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(fmt, ap, 0);
	va_end(ap);
	exit(ND_EXIT_INTERNAL);
}
