/* SPDX-License-Identifier: MIT */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "util/exit.h"
#include "util/log.h"

static const struct cli_command commands[] = { COMMAND_TABLE };

const char cli_common_help[] =
    "      --no-color      no colour (also --no-colour; also when NO_COLOR is\n"
    "                      set, or stdout is not a terminal)\n"
    "  -v, --verbose       say more on stderr (twice: debug)\n"
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
		   "\n"
		   "Options:\n"
		   "  -h, --help     this help\n"
		   "      --version  print the version\n"
		   "\n"
		   "Exit status: 0 nothing wrong, 1 problems found, 2 usage error,\n"
		   "3 could not test (no network at all), 4 internal error,\n"
		   "5 (map) a provider NAT in front of the router: mapping cannot help.\n");
}

void cli_args_init(struct cli_args *a, const char *cmd, int argc, char *argv[])
{
	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->argc = argc;
	a->argv = argv;
	a->at = 1;
	/* 0, not 1: glibc then forgets a half-read "-abc" of an earlier parse
	 * (the unit tests parse many command lines in one process). */
	optind = 0;
	opterr = 0;
}

int cli_args_fail(struct cli_args *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->err, sizeof(a->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The option as the operator typed it: "--name" (without "=value") for a
 * long one, "-x" for a letter (which may sit in a cluster like "-vx4"). */
static void cli_option_name(const struct cli_args *a, int letter, char *out, size_t size)
{
	const char *el = a->at < a->argc ? a->argv[a->at] : "";

	if (!strncmp(el, "--", 2))
		snprintf(out, size, "%.*s", (int)strcspn(el, "="), el);
	else if (letter > 0 && letter < 256)
		snprintf(out, size, "-%c", letter);
	else
		snprintf(out, size, "%s", el);
}

int cli_args_next(struct cli_args *a, const char *shortopts, const struct option *longopts)
{
	char opts[64], name[64];
	int opt, n;

	if (a->help)
		return 0;
	/* '+': stop at the first non-option instead of permuting argv, so
	 * a->at always names the element being read. ':': report a missing
	 * value apart from an unknown option. */
	n = snprintf(opts, sizeof(opts), "+:%svh", shortopts);
	if (n < 0 || (size_t)n >= sizeof(opts))
		return cli_args_fail(a, "internal: option string too long");
	for (;;) {
		a->at = optind > 0 ? optind : 1;
		opt = getopt_long(a->argc, a->argv, opts, longopts, NULL);
		switch (opt) {
		case -1:
			if (optind < a->argc && a->positional) {
				optarg = a->argv[optind++];
				return CLI_OPT_ARG;
			}
			if (optind < a->argc) {
				a->at = optind;
				return cli_args_fail(
				    a, "unexpected argument '%s'; see 'natdoctor %s --help'",
				    a->argv[optind], a->cmd);
			}
			return 0;
		case 'v':
			a->verbose++;
			continue;
		case 'h':
			a->help = true;
			return 0;
		case CLI_OPT_NO_COLOR:
			a->no_color = true;
			continue;
		case ':':
			cli_option_name(a, optopt, name, sizeof(name));
			return cli_args_fail(a, "%s needs a value; see 'natdoctor %s --help'", name,
					     a->cmd);
		case '?':
			cli_option_name(a, optopt, name, sizeof(name));
			if (optopt && !strncmp(name, "--", 2))
				return cli_args_fail(a,
						     "%s takes no value; see 'natdoctor %s --help'",
						     name, a->cmd);
			return cli_args_fail(a, "unknown option '%s'; see 'natdoctor %s --help'",
					     name, a->cmd);
		default:
			return opt;
		}
	}
}

int cli_usage_error(const struct cli_args *a)
{
	log_warnx("%s: %s", a->cmd, a->err[0] ? a->err : "usage error");
	return ND_EXIT_USAGE;
}

int cli_help(const char *text)
{
	/* The help texts are ours and carry exactly one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	printf(text, cli_common_help);
#pragma GCC diagnostic pop
	return ND_EXIT_OK;
}

bool cli_want_color(bool no_color_flag)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (no_color_flag || (nc && nc[0]) || !isatty(STDOUT_FILENO))
		return false;
	return !term || strcmp(term, "dumb") != 0;
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
			log_warnx("no command '%s'; try 'natdoctor --help'", argv[2]);
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
	log_warnx("unknown command '%s'; try 'natdoctor --help'", name);
	return ND_EXIT_USAGE;
}
