/* SPDX-License-Identifier: MIT */
/*
 * natdoctor serve's command line: argv -> struct serve_config
 * (serve/serve.h; cli/cli.h says how every subcommand is laid out).
 */
#ifndef ND_CLI_SERVE_H
#define ND_CLI_SERVE_H

#include "cli/cli.h"
#include "serve/serve.h"

/* Fill *c from a's argv: one or two --listen addresses (literal IP
 * addresses of this host, same family, not wildcard), ports, threads,
 * --allow-private, --metrics. No I/O. Returns 0, or -EINVAL with the reason
 * in a->err. */
int serve_parse(struct cli_args *a, struct serve_config *c);

#endif
