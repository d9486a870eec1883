/* SPDX-License-Identifier: MIT */
/*
 * `natdoctor check`: run every probe at once on one loop and fill a
 * check_result. The verdict (verdict.h) and the report (report.h) come
 * after, from the result alone.
 *
 * Probe modules (stunprobe.c, gwprobe.c, upnp.c, pathprobe.c) plug in
 * through struct check_run: each registers itself with a finish function,
 * marks itself done when it has nothing left to wait for, and has its
 * finish called exactly once at the end (all done, or the deadline),
 * where it records what never answered and frees its state.
 */
#ifndef ND_CHECK_CHECK_H
#define ND_CHECK_CHECK_H

#include "check/result.h"
#include "net/loop.h"

#define CHECK_DEFAULT_DEADLINE_MS 2500
#define CHECK_MAX_PROBES	  8

/* Fill cfg with the defaults: Substrate ports 30333/tcp and 30334/tcp, the
 * built-in STUN list, both families, UPnP and the PCP mapping test on. */
void check_config_default(struct check_config *cfg);

/* The built-in STUN servers (well-known public ones), used when no --stun
 * is given. NULL-terminated. */
extern const char *const check_default_stun[];

/* Resolve the STUN names the operator gave (user_given targets), all at
 * once, within cfg->deadline_ms, filling their addrs. A name that does not
 * exist (or has no address) is the operator's error: returns -ENOENT with
 * a one-line message in err. A DNS that does not answer is the network's:
 * the target keeps no address, its resolve_error says why, and the check
 * reports it. Returns 0, -ENOENT, or -ENOMEM.
 *
 * SIGINT, SIGTERM and SIGHUP (unless ignored when we started) end the wait at once
 * and are then raised again: the process ends the conventional way,
 * nothing having been sent to the router yet. */
int check_resolve_targets(struct check_config *cfg, char *err, size_t errsize);

/* Run the whole check. Returns 0 (res filled, even if nothing answered) or
 * a negative errno when the check could not run at all (no memory, no
 * epoll).
 *
 * SIGINT, SIGTERM and SIGHUP (unless ignored when we started) are taken on the
 * loop: the check stops at once, every probe's finish runs (so whatever a
 * probe made on the router is removed: PCP's test mapping gets its
 * lifetime-0 delete), then the signal is raised again and the process ends
 * the conventional way instead of returning. */
int check_execute(const struct check_config *cfg, struct check_result *res);

struct check_run;
typedef void (*check_finish_fn)(struct check_run *r, void *state);

struct check_run {
	struct loop *loop;
	const struct check_config *cfg;
	struct check_result *res;
	uint64_t started_ms;
	struct loop_timer deadline;
	int signo; /* the SIGINT, SIGTERM or SIGHUP that ended the run, 0 if none */
	struct {
		const char *name;
		check_finish_fn finish;
		void *state;
		bool done;
	} probes[CHECK_MAX_PROBES];
	size_t n_probes;
};

/* Register a probe; returns its id (>= 0) or -ENOSPC. */
int check_probe_register(struct check_run *r, const char *name, check_finish_fn finish,
			 void *state);
/* The probe has nothing left to wait for. When every probe is done the
 * loop stops before the deadline. */
void check_probe_done(struct check_run *r, int id);
/* The state a probe registered under name, or NULL: how one probe asks
 * another (check --server asks the gateway probe for mappings). */
void *check_probe_state(struct check_run *r, const char *name);
/* Milliseconds left until the deadline (0 when past it). */
uint64_t check_time_left(struct check_run *r);
/* Milliseconds since the check started. */
uint32_t check_elapsed(struct check_run *r);

#endif
