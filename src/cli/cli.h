/* SPDX-License-Identifier: MIT */
/*
 * The subcommand table (wireguard-tools style): one file per subcommand in
 * src/cli/, each exporting NAME_main(argc, argv) which returns an exit status
 * from util/exit.h. argv[0] is the subcommand name.
 */
#ifndef ND_CLI_CLI_H
#define ND_CLI_CLI_H

struct cli_command {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *summary;
};

/* Entry point from main(): dispatches on argv[1]. */
int cli_main(int argc, char *argv[]);

/* Shared help for "-v" and colour handling: every subcommand accepts these. */
extern const char cli_common_help[];

#endif
