/* SPDX-License-Identifier: MIT */
/*
 * The subcommands. To add one: write src/cli/NAME.c with NAME_main, declare
 * it here and add a line to COMMAND_TABLE. The table order is the order
 * `natdoctor --help` lists them in.
 */
#ifndef ND_CLI_COMMANDS_H
#define ND_CLI_COMMANDS_H

int check_main(int argc, char *argv[]);
int peers_main(int argc, char *argv[]);

#define COMMAND_TABLE \
	{ "peers", peers_main, "the node's peer count against its target, and why it is low" }, \
	{ "check", check_main, "find what stands between the node and its peers, and what to do" },

#endif
