/* SPDX-License-Identifier: MIT */
/*
 * The subcommands. To add one (docs/ARCHITECTURE.md "Adding a subcommand"):
 * write src/cli/NAME.c with NAME_parse and NAME_main (cli/cli.h says how),
 * declare NAME_main here and add a line to COMMAND_TABLE. The table order is
 * the order `natdoctor --help` lists them in.
 */
#ifndef ND_CLI_COMMANDS_H
#define ND_CLI_COMMANDS_H

int check_main(int argc, char *argv[]);
int peers_main(int argc, char *argv[]);
int serve_main(int argc, char *argv[]);
int map_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);

/* One command per line reads better than clang-format's reflow. */
/* clang-format off */
#define COMMAND_TABLE \
	{ "check", check_main, "find what stands between the node and its peers, and what to do" }, \
	{ "peers", peers_main, "the node's peer count against its target, and why it is low" }, \
	{ "serve", serve_main, "a STUN server that dials back, so check can see the node from outside" }, \
	{ "map", map_main, "keep the node's ports mapped on the router (PCP, NAT-PMP)" }, \
	{ "status", status_main, "how the running natdoctor map's mappings are" },
/* clang-format on */

#endif
