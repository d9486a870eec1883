/* SPDX-License-Identifier: MIT */
/*
 * natdoctor status: ask the running `natdoctor map` how its mappings are.
 */
#include "cli/status.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "map/status.h"
#include "util/exit.h"
#include "util/log.h"

static const char status_help[] =
    "Usage: natdoctor status [--socket PATH]\n"
    "\n"
    "Ask the running 'natdoctor map' how each of its mappings is: mapped or not,\n"
    "by which method, the external address and port, the lease left and the\n"
    "last error. One line per port.\n"
    "\n"
    "  --socket PATH         the map daemon's --status-socket (default\n"
    "                        /run/natdoctor/map.sock for root and the systemd unit,\n"
    "                        else $XDG_RUNTIME_DIR/natdoctor-map.sock)\n"
    "%s"
    "\n"
    "Exit status: 0 printed, 2 usage error, 3 no natdoctor map answers there.\n";

int status_parse(struct cli_args *a, struct status_opts *o)
{
	enum { OPT_SOCKET = CLI_OPT_FIRST };
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, OPT_SOCKET },
		CLI_COMMON_LONGOPTS,
		{ 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	while ((opt = cli_args_next(a, "", longopts)) > 0) {
		if (opt == OPT_SOCKET) {
			if (!*optarg || strlen(optarg) >= MAP_STATUS_PATH_MAX)
				return cli_args_fail(a, "bad --socket: give a path under %d bytes",
						     MAP_STATUS_PATH_MAX);
			o->socket = optarg;
		}
	}
	return opt;
}

int status_main(int argc, char *argv[])
{
	struct cli_args a;
	struct status_opts o;
	char path[MAP_STATUS_PATH_MAX], text[MAP_STATUS_TEXT_MAX + 1];
	int status, n;

	cli_args_init(&a, "status", argc, argv);
	if (status_parse(&a, &o) < 0) {
		status = cli_usage_error(&a);
		goto cleanup;
	}
	if (a.help) {
		status = cli_help(status_help);
		goto cleanup;
	}
	log_set_level(a.verbose);
	if (!o.socket) {
		if (map_status_default_path(path, sizeof(path)) < 0) {
			log_warnx("status: the default socket path is too long: give --socket");
			status = ND_EXIT_USAGE;
			goto cleanup;
		}
		o.socket = path;
	}
	n = map_status_fetch(o.socket, text, sizeof(text), 2000);
	if (n < 0) {
		log_warnx("status: no natdoctor map answers at %s (%s): is it running, and with "
			  "this --status-socket?",
			  o.socket, strerror(-n));
		status = ND_EXIT_NOTEST;
		goto cleanup;
	}
	fputs(text, stdout);
	status = ND_EXIT_OK;
cleanup:
	return status;
}
