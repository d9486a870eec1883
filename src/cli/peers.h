/* SPDX-License-Identifier: MIT */
/*
 * natdoctor peers' command line: argv -> struct peers_config
 * (peers/peers.h; cli/cli.h says how every subcommand is laid out).
 */
#ifndef ND_CLI_PEERS_H
#define ND_CLI_PEERS_H

#include "cli/cli.h"
#include "peers/peers.h"

/* Fill *c from a's argv: sources (the defaults when none is named),
 * target, interval, output. No I/O; tty, color and utf8 are left false
 * for peers_main to set from the environment. Returns 0, or -EINVAL with
 * the reason in a->err. */
int peers_parse(struct cli_args *a, struct peers_config *c);

#endif
