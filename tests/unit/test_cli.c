/* SPDX-License-Identifier: MIT */
/*
 * The subcommands' command lines, parsed without running anything: argv
 * in, a config struct or a one-line usage error out (cli/cli.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/check.h"
#include "cli/map.h"
#include "cli/peers.h"
#include "cli/serve.h"
#include "cli/status.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))

static struct cli_args args;
static struct check_opts copts;

static int check_argv(int argc, char *argv[])
{
	cli_args_init(&args, "check", argc, argv);
	return check_parse(&args, &copts);
}
#define CHECK(...) check_argv(ARGC("check", __VA_ARGS__), ARGV("check", __VA_ARGS__))

static int peers_argv(struct peers_config *c, int argc, char *argv[])
{
	cli_args_init(&args, "peers", argc, argv);
	return peers_parse(&args, c);
}
#define PEERS(c, ...) peers_argv(c, ARGC("peers", __VA_ARGS__), ARGV("peers", __VA_ARGS__))

static struct serve_config sopts;

static int serve_argv(int argc, char *argv[])
{
	cli_args_init(&args, "serve", argc, argv);
	return serve_parse(&args, &sopts);
}
#define SERVE(...) serve_argv(ARGC("serve", __VA_ARGS__), ARGV("serve", __VA_ARGS__))

static struct map_config mopts;

static int map_argv(int argc, char *argv[])
{
	cli_args_init(&args, "map", argc, argv);
	return map_parse(&args, &mopts);
}
#define MAP(...) map_argv(ARGC("map", __VA_ARGS__), ARGV("map", __VA_ARGS__))

static struct status_opts stopts;

static int status_argv(int argc, char *argv[])
{
	cli_args_init(&args, "status", argc, argv);
	return status_parse(&args, &stopts);
}
#define STATUS(...) status_argv(ARGC("status", __VA_ARGS__), ARGV("status", __VA_ARGS__))

/* A usage error: -EINVAL, one line that contains want. */
static void assert_usage(int r, const char *want)
{
	assert_int_equal(r, -EINVAL);
	if (!strstr(args.err, want))
		fail_msg("usage error '%s' does not contain '%s'", args.err, want);
	assert_null(strchr(args.err, '\n'));
}

static void check_defaults(void **state)
{
	char *argv[] = { "check", NULL };

	(void)state;
	assert_int_equal(check_argv(1, argv), 0);
	assert_false(args.help);
	assert_false(copts.json);
	assert_string_equal(copts.cfg.node_kind, "substrate");
	assert_int_equal(copts.cfg.n_ports, 2);
	assert_int_equal(copts.cfg.ports[0].port, 30333);
	assert_int_equal(copts.cfg.ports[1].port, 30334);
	assert_true(copts.cfg.ipv4 && copts.cfg.ipv6 && copts.cfg.upnp && copts.cfg.pcp_map_test);
	assert_int_equal(copts.cfg.deadline_ms, 2500);
}

static void check_flags_fill_the_config(void **state)
{
	(void)state;
	assert_int_equal(CHECK("-p", "8333", "--port=30303/udp", "-p30303/udp", "-4", "--no-upnp",
			       "--no-pcp-map", "--max-hops", "3", "-t", "900", "-j", "--stun",
			       "192.0.2.7:3479", "-vv", "--no-colour"),
			 0);
	assert_int_equal(copts.cfg.n_ports, 2); /* the repeated one once */
	assert_int_equal(copts.cfg.ports[0].port, 8333);
	assert_int_equal(copts.cfg.ports[0].proto, IPPROTO_TCP);
	assert_int_equal(copts.cfg.ports[1].proto, IPPROTO_UDP);
	assert_true(copts.cfg.ipv4);
	assert_false(copts.cfg.ipv6);
	assert_false(copts.cfg.upnp);
	assert_false(copts.cfg.pcp_map_test);
	assert_int_equal(copts.cfg.path_max_ttl, 3);
	assert_int_equal(copts.cfg.deadline_ms, 900);
	assert_true(copts.json);
	assert_int_equal(copts.cfg.n_stun, 1);
	assert_string_equal(copts.cfg.stun[0].host, "192.0.2.7");
	assert_int_equal(copts.cfg.stun[0].port, 3479);
	assert_int_equal(args.verbose, 2);
	assert_true(args.no_color);

	assert_int_equal(CHECK("--node", "Bitcoin", "--no-color"), 0);
	assert_string_equal(copts.cfg.node_kind, "bitcoin");
	assert_int_equal(copts.cfg.n_ports, 1);
	assert_int_equal(copts.cfg.ports[0].port, 8333);
	assert_true(args.no_color);
}

static void check_usage_errors_name_the_flag(void **state)
{
	(void)state;
	assert_usage(CHECK("--frobnicate"), "unknown option '--frobnicate'");
	/* Issue 7 defect 9: the letter, not the word before it. */
	assert_usage(CHECK("-x4"), "unknown option '-x'");
	assert_usage(CHECK("--json", "-vx"), "unknown option '-x'");
	assert_usage(CHECK("--json=1"), "--json takes no value");
	assert_usage(CHECK("--port"), "--port needs a value");
	assert_usage(CHECK("-4", "-p"), "-p needs a value");
	assert_usage(CHECK("--port", "0"), "bad --port '0'");
	assert_usage(CHECK("--port", "30333/sctp"), "bad --port");
	assert_usage(CHECK("--node", "dogecoin"), "unknown --node 'dogecoin'");
	assert_usage(CHECK("--timeout", "10"), "bad --timeout '10'");
	assert_usage(CHECK("--max-hops", "17"), "bad --max-hops");
	assert_usage(CHECK("--stun", "host:99999"), "bad --stun");
	assert_usage(CHECK("-4", "-6"), "--ipv4 and --ipv6");
	/* Issue 7 defect 11, as in peers. */
	assert_usage(CHECK("--rpc", "http://me:s3cret@127.0.0.1:0/"), "http://me:***@127.0.0.1:0/");
	assert_null(strstr(args.err, "s3cret"));
	assert_usage(CHECK("extra", "--json"), "unexpected argument 'extra'");
	assert_usage(CHECK("--json", "--", "extra"), "unexpected argument 'extra'");
	assert_usage(CHECK("-s", "a", "-s", "b", "-s", "c", "-s", "d", "-s", "e", "-s", "f", "-s",
			   "g", "-s", "h", "-s", "i"),
		     "at most 8 --stun");
}

static void help_stops_the_parse(void **state)
{
	struct peers_config *c = malloc(sizeof(*c));

	(void)state;
	assert_non_null(c);
	assert_int_equal(CHECK("--json", "--help", "--bogus"), 0);
	assert_true(args.help);
	assert_int_equal(CHECK("-h"), 0);
	assert_true(args.help);
	assert_int_equal(PEERS(c, "--help"), 0);
	assert_true(args.help);
	free(c);
}

static void peers_defaults_and_phala(void **state)
{
	struct peers_config *c = malloc(sizeof(*c));
	char *argv[] = { "peers", NULL };

	(void)state;
	assert_non_null(c);
	assert_int_equal(peers_argv(c, 1, argv), 0);
	assert_true(c->defaults);
	assert_int_equal(c->n_src, 2);
	assert_string_equal(c->src[0].where[0], "http://127.0.0.1:9944");
	assert_string_equal(c->src[0].where[1], "http://127.0.0.1:9933");
	assert_string_equal(c->src[1].where[0], "http://127.0.0.1:9615/metrics");
	assert_int_equal(c->target_min, 40);
	assert_int_equal(c->target_max, 50);
	assert_int_equal(c->interval_ms, 5000);
	assert_false(c->tty || c->color || c->utf8); /* the environment's, not argv's */

	assert_int_equal(PEERS(c, "--phala", "--once", "--json", "--target", "8-12", "--interval",
			       "2", "--timeout", "1", "--no-color"),
			 0);
	assert_false(c->defaults);
	assert_int_equal(c->n_src, 4);
	assert_string_equal(c->src[1].chain, "relaychain");
	assert_true(c->once && c->json);
	assert_int_equal(c->target_min, 8);
	assert_int_equal(c->target_max, 12);
	assert_int_equal(c->interval_ms, 2000);
	assert_int_equal(c->timeout_ms, 1000);
	assert_true(args.no_color);
	free(c);
}

static void peers_sources(void **state)
{
	struct peers_config *c = malloc(sizeof(*c));

	(void)state;
	assert_non_null(c);
	assert_int_equal(PEERS(c, "--rpc", "para=9933", "--metrics", "127.0.0.1:9616", "--metrics",
			       "https://node.example:9615/x?a=b", "--rpc", "http://[::1]:9944",
			       "--rpc", "http://user:pw@127.0.0.1:9944/", "--log",
			       "relay=/var/log/n"),
			 0);
	assert_int_equal(c->n_src, 6);
	assert_string_equal(c->src[0].chain, "para");
	assert_string_equal(c->src[0].where[0], "http://127.0.0.1:9933");
	assert_string_equal(c->src[1].where[0], "http://127.0.0.1:9616/metrics");
	assert_string_equal(c->src[2].where[0], "https://node.example:9615/x?a=b");
	assert_string_equal(c->src[3].where[0], "http://[::1]:9944");
	assert_int_equal(c->src[5].kind, PEERS_SRC_LOG);
	assert_string_equal(c->src[5].where[0], "/var/log/n");
	assert_string_equal(c->src[5].chain, "relay");
	free(c);
}

static void peers_usage_errors_name_the_flag(void **state)
{
	struct peers_config *c = malloc(sizeof(*c));

	(void)state;
	assert_non_null(c);
	/* Issue 7 defect 8: one line, like check, not the whole help. */
	assert_usage(PEERS(c, "--bogus"), "unknown option '--bogus'");
	assert_usage(PEERS(c, "-x"), "unknown option '-x'");
	assert_usage(PEERS(c, "--rpc"), "--rpc needs a value");
	assert_usage(PEERS(c, "--json=1"), "--json takes no value");
	assert_usage(PEERS(c, "stray"), "unexpected argument 'stray'");
	/* Issue 7 defect 7: never handed to libcurl. */
	assert_usage(PEERS(c, "--rpc", "0"), "bad --rpc '0'");
	assert_usage(PEERS(c, "--rpc", "65536"), "bad --rpc '65536'");
	assert_usage(PEERS(c, "--rpc", "-1"), "bad --rpc '-1'");
	assert_usage(PEERS(c, "--rpc", "="), "bad --rpc '='");
	assert_usage(PEERS(c, "--rpc", "http://127.0.0.1:1/ space"), "bad --rpc");
	assert_usage(PEERS(c, "--rpc", "http://127.0.0.1:0/"), "bad --rpc");
	assert_usage(PEERS(c, "--rpc", "http://127.0.0.1:/"), "bad --rpc");
	assert_usage(PEERS(c, "--rpc", "http://[::1/"), "bad --rpc");
	assert_usage(PEERS(c, "--metrics", "http:///metrics"), "bad --metrics");
	assert_usage(PEERS(c, "--rpc", "ftp://node"), "only http:// and https://");
	/* Issue 7 defect 11: what was typed is quoted, its password is not. */
	assert_usage(PEERS(c, "--rpc", "http://me:s3cret@127.0.0.1:0/"),
		     "http://me:***@127.0.0.1:0/");
	assert_null(strstr(args.err, "s3cret"));
	assert_usage(PEERS(c, "--target", "50-40"), "bad --target '50-40'");
	assert_usage(PEERS(c, "--interval", "0"), "bad --interval");
	assert_usage(PEERS(c, "--timeout", "61"), "bad --timeout");
	assert_usage(PEERS(c, "--log", ""), "bad --log");
	assert_usage(PEERS(c, "--log", "-", "--log", "-"), "stdin can be read only once");
	assert_usage(PEERS(c, "--log", "a", "--log", "b", "--log", "c", "--log", "d", "--log", "e",
			   "--log", "f", "--log", "g", "--log", "h", "--log", "i"),
		     "at most 8 sources");
	free(c);
}

/* issue 14: the Prometheus flags */
static void prometheus_flags(void **state)
{
	struct peers_config *c = malloc(sizeof(*c));

	(void)state;
	assert_non_null(c);
	assert_int_equal(CHECK("--prometheus", "/var/lib/x.prom"), 0);
	assert_string_equal(copts.prometheus, "/var/lib/x.prom");
	assert_int_equal(CHECK("--json"), 0);
	assert_null(copts.prometheus);
	assert_usage(CHECK("--prometheus"), "--prometheus needs a value");
	assert_int_equal(PEERS(c, "--listen-metrics", "127.0.0.1:9839"), 0);
	assert_string_equal(c->listen_metrics, "127.0.0.1:9839");
	assert_int_equal(PEERS(c, "--listen-metrics", "[::1]:9839"), 0);
	assert_usage(PEERS(c, "--listen-metrics", "localhost:9839"), "bad --listen-metrics");
	assert_usage(PEERS(c, "--listen-metrics", "9839"), "bad --listen-metrics");
	assert_usage(PEERS(c, "--listen-metrics", "127.0.0.1"), "bad --listen-metrics");
	assert_usage(PEERS(c, "--listen-metrics", "127.0.0.1:0"), "bad --listen-metrics");
	assert_usage(PEERS(c, "--listen-metrics", "127.0.0.1:9839", "--once"), "drop --once");
	free(c);
}

static void serve_flags_fill_the_config(void **state)
{
	(void)state;
	assert_int_equal(SERVE("--listen", "11.0.0.10"), 0);
	assert_int_equal(sopts.conf.addr[0].family, AF_INET);
	assert_int_equal(sopts.conf.addr[1].family, 0);
	assert_int_equal(sopts.conf.port[0], 3478);
	assert_int_equal(sopts.conf.port[1], 3479);
	assert_int_equal(sopts.threads, 0); /* serve_main picks one per CPU */
	assert_false(sopts.conf.allow_private);
	assert_false(sopts.has_metrics);
	assert_int_equal(SERVE("--listen", "2a00:11::10", "--listen", "2a00:11::11", "--port",
			       "5000", "--alt-port", "5001", "--allow-private", "--metrics",
			       "127.0.0.1:9477", "--threads", "3"),
			 0);
	assert_int_equal(sopts.conf.addr[1].family, AF_INET6);
	assert_int_equal(sopts.conf.port[0], 5000);
	assert_int_equal(sopts.conf.port[1], 5001);
	assert_true(sopts.conf.allow_private);
	assert_true(sopts.has_metrics);
	assert_int_equal(sopts.metrics.port, 9477);
	assert_int_equal(sopts.threads, 3);
	assert_int_equal(sopts.rate_burst, 0); /* serve_run: 16, one a second */
	assert_int_equal(SERVE("--listen", "11.0.0.10", "--dialback-limit", "4/60"), 0);
	assert_int_equal(sopts.rate_burst, 4);
	assert_int_equal(sopts.rate_per_token_ms, 60000);
	assert_int_equal(SERVE("--listen", "11.0.0.10", "--dialback-limit", "64/1"), 0);
	assert_int_equal(sopts.rate_burst, 64);
	assert_int_equal(sopts.rate_per_token_ms, 1000);
	assert_int_equal(SERVE("--help"), 0);
	assert_true(args.help);
}

static void serve_usage_errors_name_the_flag(void **state)
{
	(void)state;
	assert_usage(SERVE("--port", "3478"), "--listen ADDR is required");
	assert_usage(SERVE("--listen", "stun.example.org"), "bad --listen 'stun.example.org'");
	assert_usage(SERVE("--listen", "0.0.0.0"), "not the wildcard");
	assert_usage(SERVE("--listen", "::"), "not the wildcard");
	assert_usage(SERVE("--listen", "11.0.0.10", "--listen", "2a00:11::1"),
		     "both addresses must be IPv4");
	assert_usage(SERVE("--listen", "11.0.0.10", "--listen", "11.0.0.10"), "same address");
	assert_usage(SERVE("--listen", "1.1.1.1", "--listen", "1.1.1.2", "--listen", "1.1.1.3"),
		     "more than twice");
	assert_usage(SERVE("--listen", "11.0.0.10", "--port", "0"), "bad --port '0'");
	assert_usage(SERVE("--listen", "11.0.0.10", "--alt-port", "65536"), "bad --alt-port");
	assert_usage(SERVE("--listen", "11.0.0.10", "--port", "3479"), "two ports");
	assert_usage(SERVE("--listen", "11.0.0.10", "--threads", "0"), "bad --threads '0'");
	assert_usage(SERVE("--listen", "11.0.0.10", "--threads", "65"), "bad --threads");
	assert_usage(SERVE("--listen", "11.0.0.10", "--metrics", "9477"), "bad --metrics '9477'");
	assert_usage(SERVE("--listen", "11.0.0.10", "--metrics", "localhost:9477"),
		     "bad --metrics");
	/* Never unlimited: no zero, no burst over 64, no faster than 1/s. */
	assert_usage(SERVE("--listen", "11.0.0.10", "--dialback-limit", "0/1"),
		     "bad --dialback-limit '0/1'");
	assert_usage(SERVE("--listen", "11.0.0.10", "--dialback-limit", "65/1"), "BURST 1 to 64");
	assert_usage(SERVE("--listen", "11.0.0.10", "--dialback-limit", "16/0"),
		     "SECONDS 1 to 3600");
	assert_usage(SERVE("--listen", "11.0.0.10", "--dialback-limit", "16/3601"),
		     "bad --dialback-limit");
	assert_usage(SERVE("--listen", "11.0.0.10", "--dialback-limit", "16"),
		     "give BURST/SECONDS");
	assert_usage(SERVE("--listen", "11.0.0.10", "--dialback-limit", "16/1/1"),
		     "bad --dialback-limit");
	assert_usage(SERVE("--listen", "11.0.0.10", "--dialback-limit", "-1/1"),
		     "bad --dialback-limit");
	assert_usage(SERVE("--listen", "11.0.0.10", "--dialback-limit", "10/min"),
		     "bad --dialback-limit");
	assert_usage(SERVE("--listen", "11.0.0.10", "extra"), "unexpected argument");
}

/* map: ports before and after flags, tcp by default, the safety rules. */
static void map_ports_and_flags(void **state)
{
	(void)state;
	assert_int_equal(MAP("30333/tcp", "--once", "30334", "--lifetime", "60", "9000/udp"), 0);
	assert_int_equal(mopts.n_ports, 3);
	assert_int_equal(mopts.ports[0].port, 30333);
	assert_int_equal(mopts.ports[0].protocol, IPPROTO_TCP);
	assert_int_equal(mopts.ports[1].port, 30334);
	assert_int_equal(mopts.ports[1].protocol, IPPROTO_TCP);
	assert_int_equal(mopts.ports[2].protocol, IPPROTO_UDP);
	assert_true(mopts.once);
	assert_int_equal(mopts.lifetime_s, 60);
	assert_int_equal(MAP("30333", "--no-pcp", "--any-external-port"), 0);
	assert_int_equal(mopts.lifetime_s, MAP_LIFETIME_DEFAULT);
	assert_true(mopts.no_pcp && mopts.any_external);
	assert_false(mopts.ipv6);
	assert_int_equal(MAP("30333", "--ipv6"), 0);
	assert_true(mopts.ipv6);
	assert_int_equal(MAP("443/tcp", "--allow-low-ports"), 0);
	assert_int_equal(MAP("30333", "--metrics", "127.0.0.1:9840"), 0);
	assert_string_equal(mopts.metrics, "127.0.0.1:9840");
	assert_usage(MAP("30333", "--metrics", "localhost"), "bad --metrics 'localhost'");
	assert_int_equal(MAP("30333", "--on-change", "logger new"), 0);
	assert_string_equal(mopts.on_change, "logger new");
	assert_usage(MAP("30333", "--on-change", ""), "--on-change needs a command");
	assert_int_equal(MAP("30333", "--status-socket", "/tmp/m.sock"), 0);
	assert_string_equal(mopts.status_socket, "/tmp/m.sock");
	assert_usage(MAP("30333", "--status-socket", ""), "bad --status-socket");
	assert_int_equal(STATUS("--socket", "/tmp/m.sock"), 0);
	assert_string_equal(stopts.socket, "/tmp/m.sock");
	assert_int_equal(STATUS("-v"), 0);
	assert_null(stopts.socket);
	assert_usage(STATUS("30333"), "unexpected argument '30333'");
	assert_int_equal(MAP("30333", "--server", "vps.example.net"), 0);
	assert_string_equal(mopts.server[0], "vps.example.net");
	assert_int_equal(mopts.server_port[0], MAP_SERVER_PORT);
	assert_int_equal(mopts.n_servers, 1);
	assert_int_equal(MAP("30333", "--server", "203.0.113.5:4478", "--once"), 0);
	assert_string_equal(mopts.server[0], "203.0.113.5");
	assert_int_equal(mopts.server_port[0], 4478);
	assert_int_equal(MAP("30333", "--server", "[2001:db8::5]:3479"), 0);
	assert_string_equal(mopts.server[0], "2001:db8::5");
	assert_int_equal(mopts.server_port[0], 3479);
	/* Several: asked in that order, the next when one cannot tell. */
	assert_int_equal(MAP("30333", "--server", "a.example:4478", "--server", "b.example"), 0);
	assert_int_equal(mopts.n_servers, 2);
	assert_string_equal(mopts.server[0], "a.example");
	assert_int_equal(mopts.server_port[0], 4478);
	assert_string_equal(mopts.server[1], "b.example");
	assert_int_equal(mopts.server_port[1], MAP_SERVER_PORT);
	assert_int_equal(
	    MAP("30333", "--server", "a", "--server", "b", "--server", "c", "--server", "d"), 0);
	assert_int_equal(mopts.n_servers, 4);
	assert_usage(MAP("30333", "--server", "a", "--server", "b", "--server", "c", "--server",
			 "d", "--server", "e"),
		     "at most 4 --server values");
	assert_usage(MAP("30333", "--server", "a", "--server", "vps:0"), "bad --server 'vps:0'");
	assert_int_equal(MAP("30333"), 0);
	assert_int_equal(mopts.n_servers, 0); /* no --server: nothing sent outside */
	assert_usage(MAP("30333", "--server", "vps:0"), "bad --server 'vps:0'");
	assert_usage(MAP("30333", "--server", ":3478"), "bad --server ':3478'");
	assert_usage(MAP("30333", "--server", "vps", "--delete"), "not with --delete");
	/* --server before --metrics does not lend --metrics its port. */
	assert_usage(MAP("30333", "--server", "vps", "--metrics", "127.0.0.1"), "bad --metrics");
	assert_int_equal(MAP("--help"), 0);
	assert_true(args.help);

	assert_usage(MAP("--once"), "give the ports to map");
	assert_usage(MAP("80"), "below 1024");
	assert_usage(MAP("30333/sctp"), "PORT/tcp or PORT/udp");
	assert_usage(MAP("/tcp"), "PORT/tcp or PORT/udp");
	assert_usage(MAP("70000"), "1 to 65535");
	assert_usage(MAP("30333", "30333/tcp"), "given twice");
	assert_usage(MAP("30333", "--lifetime", "0"), "leases are finite");
	assert_usage(MAP("30333", "--lifetime", "86401"), "--lifetime");
	assert_usage(MAP("30333", "--once", "--delete"), "give one");
	/* PCP and NAT-PMP off leaves UPnP IGD; all three off leaves nothing. */
	assert_int_equal(MAP("30333", "--no-pcp", "--no-natpmp"), 0);
	assert_true(mopts.no_pcp && mopts.no_natpmp && !mopts.no_upnp);
	assert_usage(MAP("30333", "--no-pcp", "--no-natpmp", "--no-upnp"),
		     "--no-pcp, --no-natpmp and --no-upnp leave nothing to map with");
	assert_int_equal(MAP("30333", "--no-natpmp", "--no-upnp"), 0);
	assert_usage(MAP("1025", "1026", "1027", "1028", "1029", "1030", "1031", "1032", "1033"),
		     "more than 8 ports");
}

/* Other subcommands still refuse arguments. */
static void arguments_refused_elsewhere(void **state)
{
	(void)state;
	assert_usage(SERVE("--listen", "11.0.0.10", "extra"), "unexpected argument 'extra'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_ports_and_flags),
		cmocka_unit_test(arguments_refused_elsewhere),
		cmocka_unit_test(serve_flags_fill_the_config),
		cmocka_unit_test(serve_usage_errors_name_the_flag),
		cmocka_unit_test(check_defaults),
		cmocka_unit_test(check_flags_fill_the_config),
		cmocka_unit_test(check_usage_errors_name_the_flag),
		cmocka_unit_test(help_stops_the_parse),
		cmocka_unit_test(peers_defaults_and_phala),
		cmocka_unit_test(peers_sources),
		cmocka_unit_test(peers_usage_errors_name_the_flag),
		cmocka_unit_test(prometheus_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
