/* SPDX-License-Identifier: MIT */
/*
 * `natdoctor check --prometheus FILE`: the check as Prometheus metrics, for
 * node_exporter's textfile collector. The metrics come from the stable
 * JSON fields (docs/REPORT.md), so they mean what the JSON means;
 * docs/METRICS.md lists them as a contract.
 */
#ifndef ND_CHECK_PROMREPORT_H
#define ND_CHECK_PROMREPORT_H

#include <time.h>

#include <json-c/json.h>

#include "check/result.h"
#include "check/verdict.h"
#include "util/strbuf.h"

/* Room for the whole exposition; a check has a few dozen findings at most. */
#define PROMREPORT_MAX (32u * 1024)

/* The exposition for one report document (report_json's object), checked
 * at now (Unix seconds). Pure. Returns 0, -EINVAL (not a report object)
 * or -ENOBUFS (b too small). */
int promreport_write(struct strbuf *b, struct json_object *report, double now);

/* Build the report, turn it into metrics and replace path with them at
 * once (temporary file + rename). Returns 0 or a negative errno (see
 * util/atomicfile.h; -ENOMEM). */
int promreport_save(const char *path, const struct check_config *cfg,
		    const struct check_result *res, const struct verdict *v, int exit_status,
		    time_t now);

#endif
