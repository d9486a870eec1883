/* SPDX-License-Identifier: MIT */
/*
 * natdoctor status's command line: argv -> struct status_opts (cli/cli.h
 * says how every subcommand is laid out).
 */
#ifndef ND_CLI_STATUS_H
#define ND_CLI_STATUS_H

#include "cli/cli.h"

struct status_opts {
	const char *socket; /* --socket PATH; NULL: map/status.h's default */
};

/* Fill *o from a's argv. No I/O. Returns 0, or -EINVAL with the reason in
 * a->err. */
int status_parse(struct cli_args *a, struct status_opts *o);

#endif
