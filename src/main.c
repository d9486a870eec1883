/* SPDX-License-Identifier: MIT */
#include <signal.h>

#include "cli/cli.h"

int main(int argc, char *argv[])
{
	/* A closed pipe (natdoctor check --json | head) is an EPIPE, not a death. */
	signal(SIGPIPE, SIG_IGN);
	return cli_main(argc, argv);
}
