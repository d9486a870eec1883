/* SPDX-License-Identifier: MIT */
/*
 * Reading a node's log on the event loop, line by line, in fixed memory: a
 * 64 KiB read buffer and a NODELOG_LINE_MAX line buffer (longer lines are
 * dropped and counted, see util/linebuf.h).
 *
 *   - a pipe, socket or terminal (`docker logs -f node 2>&1 | natdoctor
 *     peers --log -`) is read non-blocking when epoll says so. After each
 *     burst the source stops watching for LOGSRC_BATCH_MS, so a fast
 *     stream costs a few dozen wake-ups a second instead of one per write;
 *     the pipe buffer is raised (best effort) so the writer does not wait
 *     on us meanwhile;
 *   - a regular file (epoll cannot watch those) is read on a timer. With
 *     follow it is read from its last tail_bytes on and then followed like
 *     `tail -F` (truncation and rotation by rename are noticed); without
 *     follow it is read to its end.
 *
 * Stdin's O_NONBLOCK flag is put back as it was when the source closes.
 */
#ifndef ND_PEERS_LOGSRC_H
#define ND_PEERS_LOGSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/loop.h"

#define LOGSRC_READ_BUF	    (64 * 1024)
#define LOGSRC_BATCH_MS	    20
#define LOGSRC_FILE_POLL_MS 250
#define LOGSRC_PIPE_SIZE    (1024 * 1024)

enum logsrc_event {
	LOGSRC_DRAINED, /* read everything there was for now */
	LOGSRC_EOF,	/* the writer is gone (or the file ended, without follow) */
	LOGSRC_ERROR,	/* read failed; err says why; the source has stopped */
};

typedef void (*logsrc_line_cb)(void *data, const char *line, size_t len);
typedef void (*logsrc_event_cb)(void *data, enum logsrc_event ev, int err);

struct logsrc_opts {
	const char *path;  /* "-" for stdin */
	bool follow;	   /* regular files: keep reading what is appended */
	size_t tail_bytes; /* regular files with follow: start this far from the end (0: start) */
	logsrc_line_cb on_line;
	logsrc_event_cb on_event;
	void *data;
};

struct logsrc;

struct logsrc_stats {
	uint64_t bytes, lines, long_lines;
};

/* Open and start reading. Returns 0, or a negative errno from open (the
 * callbacks never run then). */
int logsrc_open(struct loop *l, const struct logsrc_opts *o, struct logsrc **out);

/* Stop reading, close the file (not stdin), free. NULL is fine. */
void logsrc_close(struct logsrc *s);

void logsrc_get_stats(const struct logsrc *s, struct logsrc_stats *out);

#endif
