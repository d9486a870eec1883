/* SPDX-License-Identifier: MIT */
/*
 * Printing a check: a readable report for people (colour optional) and a
 * JSON document for machines, whose fields docs/REPORT.md declares stable.
 */
#ifndef ND_CHECK_REPORT_H
#define ND_CHECK_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "check/result.h"
#include "check/verdict.h"

/* Write the human report to f. Returns 0 or -EIO. */
int report_text(FILE *f, const struct check_config *cfg, const struct check_result *res,
		const struct verdict *v, bool color);

/* Write the JSON document (one object, pretty-printed, newline at the end)
 * to f. exit_status is included so a consumer sees what the command said.
 * Returns 0, -ENOMEM or -EIO. */
int report_json(FILE *f, const struct check_config *cfg, const struct check_result *res,
		const struct verdict *v, int exit_status);

#endif
