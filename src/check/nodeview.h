/* SPDX-License-Identifier: MIT */
/*
 * The synchronous parts of the node view (check/nodeview.c), apart so unit
 * tests can run them on a made-up /proc tree and log file. The rest
 * (RPC, metrics) runs on the check's loop: nodeview_start in probes.h.
 */
#ifndef ND_CHECK_NODEVIEW_H
#define ND_CHECK_NODEVIEW_H

#include "check/result.h"

/* The processes that hold the sockets lv's listeners found (by inode, in
 * proc_root/PID/fd, only among processes owned by a socket's uid), with
 * their command lines and containers: fills nv->procs, procs_partial,
 * n_sockets_unowned, proc_error, and the process source bit. proc_root
 * NULL means "/proc". */
void nodeview_gather_process(const char *proc_root, const struct local_view *lv,
			     struct node_view *nv);

/* The last 4 MiB of the log file at path: external-address lines and the
 * informant's peer count. Fills the log fields of nv (log_ok, or
 * log_error saying why not); a FIFO or device is refused, not read. */
void nodeview_gather_log(const char *path, struct node_view *nv);

#endif
