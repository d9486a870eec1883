/* SPDX-License-Identifier: MIT */
/*
 * A small log API in the OpenBSD daemons' shape.
 *
 *   log_warn(fmt, ...)   message + ": " + strerror(errno)
 *   log_warnx(fmt, ...)  message only
 *   log_info / log_debug shown with -v / -vv
 *   fatal / fatalx       log and exit(ND_EXIT_INTERNAL); only at start-up,
 *                        never on network input
 *
 * Messages go to stderr prefixed with "natdoctor: ". Library code below the
 * CLI returns negative errno and leaves the wording to the caller; these are
 * for the CLI edge and for daemons (serve, map) that must say what happened.
 */
#ifndef ND_UTIL_LOG_H
#define ND_UTIL_LOG_H

#include <stdarg.h>

enum log_level { LOG_LEVEL_WARN = 0, LOG_LEVEL_INFO = 1, LOG_LEVEL_DEBUG = 2 };

/* Set the verbosity (default LOG_LEVEL_WARN). */
void log_set_level(int level);
int log_get_level(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
