/* SPDX-License-Identifier: MIT */
/*
 * Replace a file all at once: write a temporary file in the same directory,
 * then rename(2) it over the target, so a reader (node_exporter's textfile
 * collector) sees the old whole file or the new whole file, never half.
 * The temporary name starts with '.' and does not end in ".prom", so the
 * collector never reads it.
 */
#ifndef ND_UTIL_ATOMICFILE_H
#define ND_UTIL_ATOMICFILE_H

#include <stddef.h>

/* Write len bytes of data to path (mode 0644). Returns 0 or a negative
 * errno: -ENOENT (no such directory), -EACCES/-EROFS (not writable),
 * -ENOSPC, -EISDIR (path is a directory)... On failure the old file, if
 * any, is untouched and no temporary file is left. */
int atomicfile_write(const char *path, const char *data, size_t len);

/* Whether a file could be written at path: its directory exists and is
 * writable, and path is not a directory. 0 or a negative errno, as above.
 * For checking a flag before doing the work. */
int atomicfile_check(const char *path);

#endif
