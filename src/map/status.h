/* SPDX-License-Identifier: MIT */
/*
 * natdoctor map's status socket: a unix stream socket on which the running
 * daemon answers every connection with its status text (one line per
 * port: state, method, external address, lease left, last error) and
 * closes it. `natdoctor status` is the client.
 */
#ifndef ND_MAP_STATUS_H
#define ND_MAP_STATUS_H

#include <stddef.h>

#define MAP_STATUS_PATH_MAX 108 /* sun_path */
#define MAP_STATUS_TEXT_MAX 4096

/* The default socket path into out: $RUNTIME_DIRECTORY/map.sock under
 * systemd (the unit's RuntimeDirectory=natdoctor), /run/natdoctor/map.sock
 * for root (the same place; map creates /run/natdoctor), else
 * $XDG_RUNTIME_DIR/natdoctor-map.sock, else /tmp/natdoctor-map-UID.sock.
 * Returns 0 or -ENAMETOOLONG. */
int map_status_default_path(char *out, size_t size);

/* Listen on path (a stale socket no daemon answers on is replaced; one a
 * daemon answers on is -EADDRINUSE). Returns the listening fd
 * (non-blocking, close-on-exec) or a negative errno. */
int map_status_listen(const char *path);

/* Accept every pending connection on fd, write text (len bytes, at most
 * MAP_STATUS_TEXT_MAX: it fits a socket buffer, so one non-blocking write)
 * and close it. */
void map_status_answer(int fd, const char *text, size_t len);

/* The client: connect to path, read the status within timeout_ms into out
 * (NUL-terminated). Returns the length, or a negative errno (-ENOENT,
 * -ECONNREFUSED: no daemon; -ETIMEDOUT). */
int map_status_fetch(const char *path, char *out, size_t size, unsigned timeout_ms);

#endif
