/* SPDX-License-Identifier: MIT */
/*
 * natdoctor peers: flags into a peers_config (peers/peers.h), then run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/peers.h"
#include "peers/peers.h"
#include "util/exit.h"
#include "util/netaddr.h"
#include "util/log.h"
#include "util/text.h"
#include "util/url.h"

static const char peers_help[] =
    "Usage: natdoctor peers [options]\n"
    "\n"
    "Shows how many peers the node has against the healthy band (40-50 by\n"
    "default), how many are inbound, and what a low count means. A node that\n"
    "strangers cannot reach sits near its 8 outbound connections with no\n"
    "inbound ones: that is the sign to run `natdoctor check`.\n"
    "\n"
    "Sources (each may be repeated; NAME= labels a chain, e.g. parachain=URL):\n"
    "  --rpc [NAME=]URL      the node's JSON-RPC over HTTP: peers, sync state,\n"
    "                        listen addresses (http://127.0.0.1:9944; a bare port\n"
    "                        such as 9933 means http://127.0.0.1:9933)\n"
    "  --metrics [NAME=]URL  the node's Prometheus endpoint: peers, and inbound vs\n"
    "                        outbound connections (http://127.0.0.1:9615/metrics)\n"
    "  --log [NAME=]FILE     the node's log; '-' reads stdin. Informant lines\n"
    "                        (\"Idle (8 peers)\") tagged [Parachain] or [Relaychain]\n"
    "                        go to those chains by themselves\n"
    "  --phala               a Phala/Khala node on this host, both chains: parachain\n"
    "                        (RPC 9944, or 9933 on older nodes; metrics 9615) and\n"
    "                        relay chain (RPC 9945 or 9934; metrics 9616)\n"
    "  With no source, natdoctor asks the node on this host only, at its default\n"
    "  ports: --rpc http://127.0.0.1:9944 (then 9933) and --metrics\n"
    "  http://127.0.0.1:9615/metrics. It never contacts anything you did not name.\n"
    "\n"
    "Output:\n"
    "  --target MIN-MAX      the healthy peer band (default 40-50)\n"
    "  --once                one sample, then exit: 0 at target, 1 below target,\n"
    "                        3 no source answered (for cron and monitoring)\n"
    "  --json                one JSON object per line per sample and chain\n"
    "  --interval SECONDS    time between samples (default 5)\n"
    "  --timeout SECONDS     per HTTP request (default 3)\n"
    "  --listen-metrics ADDR:PORT\n"
    "                        also serve Prometheus metrics at\n"
    "                        http://ADDR:PORT/metrics while watching (e.g.\n"
    "                        127.0.0.1:9839; docs/METRICS.md)\n"
    "%s"
    "\n"
    "On a terminal the view redraws in place until Ctrl-C; piped, it prints one\n"
    "line per chain per sample.\n"
    "\n"
    "Examples:\n"
    "  natdoctor peers\n"
    "      the node on this host, default ports\n"
    "  docker logs -f --tail 20 phala-node 2>&1 | natdoctor peers --log -\n"
    "      what you would read off the docker logs, both chains side by side\n"
    "  natdoctor peers --phala\n"
    "      a Phala node: parachain and relay chain from RPC and metrics\n"
    "  natdoctor peers --metrics parachain=9615 --metrics relaychain=9616\n"
    "      the same from metrics only (inbound vs outbound included)\n"
    "  */5 * * * *  natdoctor peers --phala --once --json >> /var/log/peers.jsonl\n"
    "      a cron line: a sample every 5 minutes, exit status 1 when below target\n"
    "\n"
    "Exit status: 0 at target, 1 below target (--once, or when a log ends),\n"
    "2 usage error, 3 no source gave a peer count, 4 internal error.\n";

static int parse_target(const char *s, uint32_t *min, uint32_t *max)
{
	const char *dash = strchr(s, '-');
	char lo[16];
	long a, b;

	if (!dash || (size_t)(dash - s) >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	if (text_parse_long(lo, 1, 100000, &a) < 0 ||
	    text_parse_long(dash + 1, 1, 100000, &b) < 0 || a > b)
		return -EINVAL;
	*min = (uint32_t)a;
	*max = (uint32_t)b;
	return 0;
}

/* "NAME=rest": NAME is a short word of [a-z0-9_-]. Anything else has no
 * label, so a URL with '=' in its query still works. */
static const char *split_label(const char *arg, char name[static CHAIN_NAME_MAX])
{
	size_t n = 0;

	while (arg[n] && arg[n] != '=') {
		char c = arg[n];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-') ||
		    n + 1 >= CHAIN_NAME_MAX) {
			name[0] = '\0';
			return arg;
		}
		n++;
	}
	if (!arg[n] || n == 0) {
		name[0] = '\0';
		return arg;
	}
	memcpy(name, arg, n);
	name[n] = '\0';
	return arg + n + 1;
}

static struct peers_source_config *add_source(struct cli_args *a, struct peers_config *c,
					      enum peers_src_kind kind, const char *chain)
{
	struct peers_source_config *s;

	if (c->n_src == PEERS_MAX_SOURCES) {
		cli_args_fail(a, "at most %d sources (--rpc, --metrics, --log, --phala)",
			      PEERS_MAX_SOURCES);
		return NULL;
	}
	s = &c->src[c->n_src++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	text_copy(s->chain, sizeof(s->chain), chain);
	return s;
}

static int add_url_source(struct cli_args *a, struct peers_config *c, enum peers_src_kind kind,
			  const char *arg)
{
	const char *flag = kind == PEERS_SRC_RPC ? "--rpc" : "--metrics";
	char name[CHAIN_NAME_MAX], shown[PEERS_WHERE_MAX];
	const char *url = split_label(arg, name);
	struct peers_source_config *s = add_source(a, c, kind, name);
	int r;

	if (!s)
		return -EINVAL;
	/* Messages quote what was typed, password masked (issue 7 defect 11). */
	text_redact_url(shown, sizeof(shown), arg, arg);
	arg = shown;
	r = url_node_normalise(url, kind == PEERS_SRC_METRICS, s->where[0], PEERS_WHERE_MAX);
	if (r < 0)
		return cli_args_fail(a, "bad %s '%s': %s", flag, arg,
				     url_node_error(r, kind == PEERS_SRC_METRICS));
	s->n_where = 1;
	return 0;
}

static int add_log_source(struct cli_args *a, struct peers_config *c, const char *arg)
{
	char name[CHAIN_NAME_MAX];
	const char *path = split_label(arg, name);
	struct peers_source_config *s = add_source(a, c, PEERS_SRC_LOG, name);

	if (!s)
		return -EINVAL;
	if (!path[0] || strlen(path) >= PEERS_WHERE_MAX)
		return cli_args_fail(a, "bad --log '%s': give a file name, or - for stdin", arg);
	for (size_t i = 0; i < c->n_src - 1; i++)
		if (c->src[i].kind == PEERS_SRC_LOG && !strcmp(path, "-") &&
		    !strcmp(c->src[i].where[0], "-"))
			return cli_args_fail(a, "--log -: stdin can be read only once");
	memcpy(s->where[0], path, strlen(path) + 1);
	s->n_where = 1;
	return 0;
}

/* Two RPC candidates: the merged HTTP+WS port of current nodes first, the
 * HTTP-only port of older ones second. */
static int add_default_rpc(struct cli_args *a, struct peers_config *c, const char *chain,
			   unsigned now, unsigned old)
{
	struct peers_source_config *s = add_source(a, c, PEERS_SRC_RPC, chain);

	if (!s)
		return -EINVAL;
	snprintf(s->where[0], PEERS_WHERE_MAX, "http://127.0.0.1:%u", now);
	snprintf(s->where[1], PEERS_WHERE_MAX, "http://127.0.0.1:%u", old);
	s->n_where = 2;
	return 0;
}

static int add_default_metrics(struct cli_args *a, struct peers_config *c, const char *chain,
			       unsigned port)
{
	struct peers_source_config *s = add_source(a, c, PEERS_SRC_METRICS, chain);

	if (!s)
		return -EINVAL;
	snprintf(s->where[0], PEERS_WHERE_MAX, "http://127.0.0.1:%u/metrics", port);
	s->n_where = 1;
	return 0;
}

static bool env_utf8(void)
{
	const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };

	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);

		if (v && v[0])
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return false;
}

/* A literal address and a port: what metricsd_open binds. */
static bool listen_addr_ok(const char *s)
{
	char host[64];
	uint16_t port = 0;
	struct netaddr na;

	return netaddr_split_hostport(s, host, sizeof(host), &port) == 0 && port &&
	       netaddr_parse_ip(&na, host) == 0;
}

int peers_parse(struct cli_args *a, struct peers_config *c)
{
	enum {
		OPT_RPC = CLI_OPT_FIRST,
		OPT_METRICS,
		OPT_LOG,
		OPT_PHALA,
		OPT_TARGET,
		OPT_ONCE,
		OPT_JSON,
		OPT_INTERVAL,
		OPT_TIMEOUT,
		OPT_LISTEN_METRICS,
	};
	static const struct option longopts[] = {
		{ "rpc", required_argument, NULL, OPT_RPC },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "phala", no_argument, NULL, OPT_PHALA },
		{ "target", required_argument, NULL, OPT_TARGET },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "listen-metrics", required_argument, NULL, OPT_LISTEN_METRICS },
		CLI_COMMON_LONGOPTS,
		{ 0 },
	};
	bool phala = false;
	long v;
	int opt, r = 0;

	memset(c, 0, sizeof(*c));
	c->target_min = 40;
	c->target_max = 50;
	c->interval_ms = 5000;
	c->timeout_ms = 3000;
	while ((opt = cli_args_next(a, "", longopts)) > 0) {
		switch (opt) {
		case OPT_RPC:
			r = add_url_source(a, c, PEERS_SRC_RPC, optarg);
			break;
		case OPT_METRICS:
			r = add_url_source(a, c, PEERS_SRC_METRICS, optarg);
			break;
		case OPT_LOG:
			r = add_log_source(a, c, optarg);
			break;
		case OPT_PHALA:
			phala = true;
			break;
		case OPT_TARGET:
			if (parse_target(optarg, &c->target_min, &c->target_max) < 0)
				r = cli_args_fail(a, "bad --target '%s': give MIN-MAX, e.g. 40-50",
						  optarg);
			break;
		case OPT_ONCE:
			c->once = true;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_INTERVAL:
			if (text_parse_long(optarg, 1, 3600, &v) < 0)
				r = cli_args_fail(a, "bad --interval '%s': seconds, 1 to 3600",
						  optarg);
			else
				c->interval_ms = (unsigned)v * 1000;
			break;
		case OPT_TIMEOUT:
			if (text_parse_long(optarg, 1, 60, &v) < 0)
				r = cli_args_fail(a, "bad --timeout '%s': seconds, 1 to 60",
						  optarg);
			else
				c->timeout_ms = (unsigned)v * 1000;
			break;
		case OPT_LISTEN_METRICS:
			if (!listen_addr_ok(optarg))
				r = cli_args_fail(a,
						  "bad --listen-metrics '%s': give an address of "
						  "this host and a port, e.g. 127.0.0.1:9839 or "
						  "[::1]:9839",
						  optarg);
			c->listen_metrics = optarg;
			break;
		}
		if (r < 0)
			return r;
	}
	if (opt < 0 || a->help)
		return opt;
	if (c->listen_metrics && c->once)
		return cli_args_fail(a, "--listen-metrics serves while peers keeps watching; "
					"drop --once");
	if (phala) {
		r = add_default_rpc(a, c, "parachain", 9944, 9933);
		if (!r)
			r = add_default_rpc(a, c, "relaychain", 9945, 9934);
		if (!r)
			r = add_default_metrics(a, c, "parachain", 9615);
		if (!r)
			r = add_default_metrics(a, c, "relaychain", 9616);
	} else if (c->n_src == 0) {
		c->defaults = true;
		r = add_default_rpc(a, c, "", 9944, 9933);
		if (!r)
			r = add_default_metrics(a, c, "", 9615);
	}
	return r;
}

int peers_main(int argc, char *argv[])
{
	struct cli_args a;
	struct peers_config *c = calloc(1, sizeof(*c));
	int status;

	cli_args_init(&a, "peers", argc, argv);
	if (!c) {
		log_warnx("peers: out of memory");
		status = ND_EXIT_INTERNAL;
		goto cleanup;
	}
	if (peers_parse(&a, c) < 0) {
		status = cli_usage_error(&a);
		goto cleanup;
	}
	if (a.help) {
		status = cli_help(peers_help);
		goto cleanup;
	}
	log_set_level(a.verbose);
	c->tty = isatty(STDOUT_FILENO);
	c->color = !c->json && cli_want_color(a.no_color);
	c->utf8 = env_utf8();
	status = peers_run(c);
cleanup:
	free(c);
	return status;
}
