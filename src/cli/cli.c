/* SPDX-License-Identifier: MIT */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "util/exit.h"

static const struct cli_command commands[] = { COMMAND_TABLE };

const char cli_common_help[] = "  -v, --verbose       say more on stderr (twice: debug)\n"
			       "  -h, --help          this help\n";

static void usage(FILE *f)
{
	fprintf(f, "Usage: natdoctor <command> [options]\n"
		   "\n"
		   "natdoctor finds out why a peer-to-peer node (Substrate/Phala, Bitcoin,\n"
		   "Ethereum, IPFS) has too few peers, and says what to do about it.\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n"
		   "Run 'natdoctor <command> --help' for a command's options.\n"
		   "Exit status: 0 nothing wrong, 1 problems found, 2 usage error,\n"
		   "3 could not test (no network at all), 4 internal error.\n");
}

int cli_main(int argc, char *argv[])
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return ND_EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		if (argc > 2 && strcmp(name, "help") == 0) {
			/* "natdoctor help check" == "natdoctor check --help" */
			for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
				if (!strcmp(argv[2], commands[i].name)) {
					char *args[] = { argv[2], "--help", NULL };

					return commands[i].main(2, args);
				}
			}
			fprintf(stderr, "natdoctor: no command '%s'; try 'natdoctor --help'\n",
				argv[2]);
			return ND_EXIT_USAGE;
		}
		usage(stdout);
		return ND_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("natdoctor %s\n", NATDOCTOR_VERSION);
		return ND_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "natdoctor: unknown command '%s'; try 'natdoctor --help'\n", name);
	return ND_EXIT_USAGE;
}
