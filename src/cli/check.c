/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "cli/commands.h"
#include "util/exit.h"

int check_main(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "natdoctor: check is being built\n");
	return ND_EXIT_INTERNAL;
}
