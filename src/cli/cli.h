/* SPDX-License-Identifier: MIT */
/*
 * The subcommand table and the one path every subcommand takes through its
 * command line (wireguard-tools style; docs/ARCHITECTURE.md "Adding a
 * subcommand").
 *
 * Each subcommand is src/cli/NAME.c with two parts:
 *   NAME_parse(struct cli_args *, struct NAME_opts *)
 *       argv -> a config struct, nothing else: no I/O, no environment, no
 *       output. Returns 0, or -EINVAL with the one-line reason in args->err.
 *       Unit-tested in tests/unit/test_cli.c.
 *   NAME_main(argc, argv)
 *       cli_args_init, NAME_parse, then cli_usage_error() or cli_help() or
 *       the run; one cleanup: exit. Returns an exit status (util/exit.h).
 * argv[0] is the subcommand name.
 */
#ifndef ND_CLI_CLI_H
#define ND_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

struct cli_command {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *summary;
};

/* Entry point from main(): dispatches on argv[1]. */
int cli_main(int argc, char *argv[]);

/* Option codes of the options every subcommand shares. A subcommand's own
 * long-only options number from CLI_OPT_FIRST up; short ones are their
 * letter. */
enum {
	CLI_OPT_ARG = 1, /* a non-option argument (only with cli_args.positional) */
	CLI_OPT_NO_COLOR = 256,
	CLI_OPT_FIRST = 300,
};

/* The shared options, to end every subcommand's longopts table with
 * (followed by { 0 }): -v/--verbose, -h/--help, --no-color/--no-colour. */
#define CLI_COMMON_LONGOPTS                                                        \
	{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' }, \
	    { "no-color", no_argument, NULL, CLI_OPT_NO_COLOR },                   \
	{                                                                          \
		"no-colour", no_argument, NULL, CLI_OPT_NO_COLOR                   \
	}

/* Help text for the shared options, for a subcommand's help ("%s"). */
extern const char cli_common_help[];

#define CLI_ERR_MAX 320

/* A command line being read. The shared options land here; the
 * subcommand's own land in its opts struct. */
struct cli_args {
	const char *cmd; /* "check": names the command in messages */
	int argc;
	char **argv;
	int at;		       /* argv index of the element being read */
	int verbose;	       /* -v count */
	bool help;	       /* --help seen: the parse stops there */
	bool no_color;	       /* --no-color / --no-colour */
	bool positional;       /* the subcommand takes arguments: CLI_OPT_ARG */
	char err[CLI_ERR_MAX]; /* the usage error, one line, no "natdoctor:" */
};

/* Start reading argv (argv[0] is the subcommand's name). */
void cli_args_init(struct cli_args *a, const char *cmd, int argc, char *argv[]);

/* The next option of the subcommand's own (its short letter or long code;
 * optarg points at its value), or 0 when the options are done (all of
 * argv read, or --help seen), or -EINVAL on a usage error (unknown option,
 * missing or unwanted value, a stray argument), described in a->err.
 * shortopts are the subcommand's own letters ("p:n:"); -v and -h are added.
 * Non-option arguments are usage errors, unless the subcommand set
 * a->positional: then each comes back as CLI_OPT_ARG with optarg pointing
 * at it (options may come before and after). */
int cli_args_next(struct cli_args *a, const char *shortopts, const struct option *longopts);

/* Record a usage error for the option being read: "printf-style reason";
 * returns -EINVAL so a parser can `return cli_args_fail(...)`. */
int cli_args_fail(struct cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The one way a usage error reaches the operator: one line on stderr,
 * "natdoctor: CMD: reason", and the exit status for it (2). */
int cli_usage_error(const struct cli_args *a);

/* The one way help reaches the operator: text (with one "%s" where the
 * shared options go) on stdout, exit status 0. */
int cli_help(const char *text);

/* The one colour rule: colour only on a terminal (stdout), not with
 * --no-color, not when NO_COLOR is set and non-empty (no-color.org), not
 * on TERM=dumb. */
bool cli_want_color(bool no_color_flag);

#endif
