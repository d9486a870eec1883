/* SPDX-License-Identifier: MIT */
/*
 * natdoctor map's command line: argv -> struct map_config (map/map.h;
 * cli/cli.h says how every subcommand is laid out).
 */
#ifndef ND_CLI_MAP_H
#define ND_CLI_MAP_H

#include "cli/cli.h"
#include "map/map.h"

/* Fill *c from a's argv: PORT[/tcp|/udp] arguments (1 to MAP_MAX_PORTS,
 * tcp when not said, none below 1024 without --allow-low-ports, no port
 * twice), --once, --delete, --lifetime S, --any-external-port, --no-pcp,
 * --no-natpmp. No I/O. Returns 0, or -EINVAL with the reason in a->err. */
int map_parse(struct cli_args *a, struct map_config *c);

#endif
