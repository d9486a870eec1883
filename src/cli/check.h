/* SPDX-License-Identifier: MIT */
/*
 * natdoctor check's command line: argv -> struct check_opts (cli/cli.h
 * says how every subcommand is laid out).
 */
#ifndef ND_CLI_CHECK_H
#define ND_CLI_CHECK_H

#include <stdbool.h>

#include "check/check.h"
#include "cli/cli.h"

struct check_opts {
	struct check_config cfg; /* --stun names not resolved yet */
	bool json;
	const char *prometheus; /* --prometheus FILE (argv's), or NULL */
};

/* Fill *o from a's argv (defaults for what is not given). No I/O: names
 * given to --stun are resolved later by check_main. Returns 0, or -EINVAL
 * with the reason in a->err. */
int check_parse(struct cli_args *a, struct check_opts *o);

#endif
