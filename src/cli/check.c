/* SPDX-License-Identifier: MIT */
/*
 * natdoctor check: parse the operator's flags, run the check, print the
 * report, exit with what the verdict calls for.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/check.h"
#include "check/promreport.h"
#include "check/report.h"
#include "check/verdict.h"
#include "cli/check.h"
#include "cli/commands.h"
#include "util/atomicfile.h"
#include "util/exit.h"
#include "util/log.h"
#include "util/text.h"
#include "util/url.h"

static const char check_help[] =
    "Usage: natdoctor check [options]\n"
    "\n"
    "Find out what stands between this host's P2P node and its peers: layers of\n"
    "NAT, the provider's carrier-grade NAT, what the router offers for port\n"
    "mapping, the public address the world sees. Then say what to do.\n"
    "\n"
    "All probes run at once and the check ends within about a second when\n"
    "everything answers (--timeout when nothing does). It sends:\n"
    "  - STUN Binding requests (UDP) to public STUN servers (--stun), and a\n"
    "    few of them with a small TTL to list the routers on the way;\n"
    "  - with --server, STUN over UDP and TCP to that natdoctor serve, which\n"
    "    connects back to the node's ports and to a probe port of natdoctor's;\n"
    "  - PCP and NAT-PMP requests (UDP 5351) and UPnP discovery (SSDP) to\n"
    "    your router only. PCP is asked to map natdoctor's own probe port for\n"
    "    a few seconds and to delete it at once (--no-pcp-map to skip): that\n"
    "    tells the router's external address. The node's ports are only read.\n"
    "Nothing else, and nothing needs root.\n"
    "\n"
    "Options:\n"
    "  -p, --port PORT[/tcp|/udp]  a node port to check (repeatable; TCP if no\n"
    "                              protocol). Default: 30333/tcp and 30334/tcp,\n"
    "                              a Substrate/Phala node (parachain, relay chain)\n"
    "  -n, --node KIND             ports and advice for a kind of node:\n"
    "                              substrate, phala (30333+30334/tcp), polkadot\n"
    "                              (30333/tcp), bitcoin (8333/tcp), ethereum\n"
    "                              (30303/tcp+udp), ipfs (4001/tcp+udp)\n"
    "  -s, --stun HOST[:PORT]      a STUN server to ask (repeatable; port 3478 if\n"
    "                              none). Two or more let natdoctor see whether\n"
    "                              the NAT maps each destination differently; an\n"
    "                              RFC 5780 server (such as coturn) also shows\n"
    "                              its filtering. Default: stun.l.google.com,\n"
    "                              stun1.l.google.com (19302), stun.cloudflare.com\n"
    "  -S, --server HOST[:PORT]    a natdoctor serve to ask (repeatable; port 3478\n"
    "                              if none): it dials the node's ports back from\n"
    "                              outside and tells the NAT's TCP mapping; when one\n"
    "                              gives no dial-back, the next is asked. Without\n"
    "                              one, reachability from outside stays unknown\n"
    "      --no-hairpin            with --server: do not test hairpinning (a probe\n"
    "                              socket of natdoctor's, never the node's, sends\n"
    "                              to this host's own public address)\n"
    "  -4, --ipv4                  IPv4 only\n"
    "  -6, --ipv6                  IPv6 only\n"
    "      --no-upnp               do not ask the router over UPnP IGD\n"
    "      --no-pcp-map            do not make PCP's short test mapping\n"
    "      --max-hops N            path probe depth, 1 to 16 (default 8)\n"
    "  -t, --timeout MS            give up on what has not answered by then,\n"
    "                              500 to 30000 (default 2500)\n"
    "  -j, --json                  print JSON (fields in docs/REPORT.md)\n"
    "      --prometheus FILE       also write the verdict as Prometheus metrics to\n"
    "                              FILE, replaced at once, for node_exporter's\n"
    "                              textfile collector (docs/METRICS.md), e.g.\n"
    "                              /var/lib/prometheus/node-exporter/natdoctor.prom\n"
    "\n"
    "The node's own view (what it listens on and advertises, its peers and\n"
    "peer slots), held against what the world sees. Only this host is asked:\n"
    "      --rpc URL               the node's JSON-RPC (default: 127.0.0.1 ports\n"
    "                              9944 then 9933; a bare port is fine); again\n"
    "                              for other nodes behind the same address\n"
    "      --metrics URL           its Prometheus metrics (default:\n"
    "                              http://127.0.0.1:9615/metrics)\n"
    "      --log FILE              a saved log of the node, for the external\n"
    "                              addresses it discovered\n"
    "      --no-node               do not look at the node at all\n"
    "  The process holding the node port and its command line are read from\n"
    "  /proc (as root, also other users' processes).\n"
    "%s"
    "\n"
    "Examples:\n"
    "  natdoctor check                          a Phala/Substrate node\n"
    "  natdoctor check --node bitcoin\n"
    "  natdoctor check --port 30333 --port 30333/udp\n"
    "  natdoctor check --stun stun.example.net --stun 192.0.2.7:3478 --json\n"
    "\n"
    "Exit status: 0 nothing wrong, 1 problems found, 2 usage error, 3 could\n"
    "not test (no network at all), 4 internal error.\n";

struct preset {
	const char *name, *kind;
	struct node_port ports[2];
	size_t n;
};

static const struct preset presets[] = {
	{ "substrate", "substrate", { { 30333, IPPROTO_TCP }, { 30334, IPPROTO_TCP } }, 2 },
	{ "phala", "substrate", { { 30333, IPPROTO_TCP }, { 30334, IPPROTO_TCP } }, 2 },
	{ "khala", "substrate", { { 30333, IPPROTO_TCP }, { 30334, IPPROTO_TCP } }, 2 },
	{ "polkadot", "substrate", { { 30333, IPPROTO_TCP } }, 1 },
	{ "bitcoin", "bitcoin", { { 8333, IPPROTO_TCP } }, 1 },
	{ "ethereum", "ethereum", { { 30303, IPPROTO_TCP }, { 30303, IPPROTO_UDP } }, 2 },
	{ "ipfs", "ipfs", { { 4001, IPPROTO_TCP }, { 4001, IPPROTO_UDP } }, 2 },
};

static int parse_port(const char *arg, struct node_port *out)
{
	char num[8];
	const char *slash = strchr(arg, '/');
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg);
	long v;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, arg, n);
	num[n] = '\0';
	if (text_parse_long(num, 1, 65535, &v) < 0)
		return -EINVAL;
	out->port = (uint16_t)v;
	if (!slash || !strcasecmp(slash + 1, "tcp"))
		out->proto = IPPROTO_TCP;
	else if (!strcasecmp(slash + 1, "udp"))
		out->proto = IPPROTO_UDP;
	else
		return -EINVAL;
	return 0;
}

static void add_port(struct check_config *cfg, struct node_port p)
{
	for (size_t i = 0; i < cfg->n_ports; i++)
		if (cfg->ports[i].port == p.port && cfg->ports[i].proto == p.proto)
			return;
	cfg->ports[cfg->n_ports++] = p;
}

static const struct preset *find_preset(const char *name)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (!strcasecmp(name, presets[i].name))
			return &presets[i];
	return NULL;
}

/* --stun or --server (flag) HOST[:PORT] into list[*n], port 3478 if none. */
static int parse_target(struct cli_args *a, const char *flag, struct stun_target *list, size_t max,
			size_t *n, const char *arg)
{
	struct stun_target *t;
	uint16_t port = 3478;
	int err;

	if (*n == max)
		return cli_args_fail(a, "at most %zu %s values", max, flag);
	t = &list[*n];
	memset(t, 0, sizeof(*t));
	err = netaddr_split_hostport(arg, t->host, sizeof(t->host), &port);
	if (err < 0 || !t->host[0])
		return cli_args_fail(a,
				     "bad %s '%s': give HOST, HOST:PORT, or [IPv6]:PORT "
				     "(port 1 to 65535)",
				     flag, arg);
	t->port = port;
	t->user_given = true;
	(*n)++;
	return 0;
}

static int parse_node_url(struct cli_args *a, struct check_config *cfg, bool metrics,
			  const char *arg)
{
	const char *flag = metrics ? "--metrics" : "--rpc";
	char *out = metrics ? cfg->node.metrics_url : cfg->node.rpc_url;

	/* --rpc again: another node, held against the first. */
	if (!metrics && out[0]) {
		if (cfg->node.n_rpc_others == NODE_MAX_OTHERS)
			return cli_args_fail(a, "at most %d --rpc nodes", NODE_MAX_OTHERS + 1);
		out = cfg->node.rpc_others[cfg->node.n_rpc_others++];
	}
	int r = url_node_normalise(arg, metrics, out, NODE_URL_MAX);
	char shown[NODE_URL_MAX];

	if (r < 0) {
		/* Quoted as typed, password masked (issue 7 defect 11). */
		text_redact_url(shown, sizeof(shown), arg, arg);
		return cli_args_fail(a, "bad %s '%s': %s", flag, shown, url_node_error(r, metrics));
	}
	return 0;
}

int check_parse(struct cli_args *a, struct check_opts *o)
{
	enum {
		OPT_NO_UPNP = CLI_OPT_FIRST,
		OPT_NO_PCP_MAP,
		OPT_MAX_HOPS,
		OPT_NO_HAIRPIN,
		OPT_RPC,
		OPT_METRICS,
		OPT_LOG,
		OPT_NO_NODE,
		OPT_PROMETHEUS,
	};
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "node", required_argument, NULL, 'n' },
		{ "stun", required_argument, NULL, 's' },
		{ "ipv4", no_argument, NULL, '4' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "no-upnp", no_argument, NULL, OPT_NO_UPNP },
		{ "no-pcp-map", no_argument, NULL, OPT_NO_PCP_MAP },
		{ "max-hops", required_argument, NULL, OPT_MAX_HOPS },
		{ "server", required_argument, NULL, 'S' },
		{ "no-hairpin", no_argument, NULL, OPT_NO_HAIRPIN },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "rpc", required_argument, NULL, OPT_RPC },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "no-node", no_argument, NULL, OPT_NO_NODE },
		{ "prometheus", required_argument, NULL, OPT_PROMETHEUS },
		CLI_COMMON_LONGOPTS,
		{ 0 },
	};
	struct check_config *cfg = &o->cfg;
	struct node_port user_ports[CHECK_MAX_PORTS];
	size_t n_user_ports = 0, n_user_stun = 0;
	bool only4 = false, only6 = false;
	const struct preset *preset = &presets[0];
	int opt, err;
	long num;

	memset(o, 0, sizeof(*o));
	check_config_default(cfg);
	while ((opt = cli_args_next(a, "p:n:s:S:46t:j", longopts)) > 0) {
		switch (opt) {
		case 'p':
			if (n_user_ports == CHECK_MAX_PORTS)
				return cli_args_fail(a, "at most %d --port values",
						     CHECK_MAX_PORTS);
			if (parse_port(optarg, &user_ports[n_user_ports]) < 0)
				return cli_args_fail(
				    a,
				    "bad --port '%s': give a number from 1 to 65535, "
				    "optionally with /tcp or /udp (e.g. 30333 or "
				    "30333/udp)",
				    optarg);
			n_user_ports++;
			break;
		case 'n':
			preset = find_preset(optarg);
			if (!preset)
				return cli_args_fail(
				    a,
				    "unknown --node '%s': use substrate, phala, khala, "
				    "polkadot, bitcoin, ethereum or ipfs, or give --port",
				    optarg);
			break;
		case 's':
			err = parse_target(a, "--stun", cfg->stun, CHECK_MAX_STUN, &n_user_stun,
					   optarg);
			if (err < 0)
				return err;
			break;
		case 'S':
			err = parse_target(a, "--server", cfg->servers, CHECK_MAX_SERVERS,
					   &cfg->n_servers, optarg);
			if (err < 0)
				return err;
			break;
		case OPT_NO_HAIRPIN:
			cfg->hairpin = false;
			break;
		case '4':
			only4 = true;
			break;
		case '6':
			only6 = true;
			break;
		case OPT_NO_UPNP:
			cfg->upnp = false;
			break;
		case OPT_NO_PCP_MAP:
			cfg->pcp_map_test = false;
			break;
		case OPT_MAX_HOPS:
			if (text_parse_long(optarg, 1, CHECK_MAX_HOPS, &num) < 0)
				return cli_args_fail(a, "bad --max-hops '%s': give 1 to %d", optarg,
						     CHECK_MAX_HOPS);
			cfg->path_max_ttl = (unsigned)num;
			break;
		case 't':
			if (text_parse_long(optarg, 500, 30000, &num) < 0)
				return cli_args_fail(
				    a, "bad --timeout '%s': give milliseconds, 500 to 30000",
				    optarg);
			cfg->deadline_ms = (unsigned)num;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_RPC:
		case OPT_METRICS:
			err = parse_node_url(a, cfg, opt == OPT_METRICS, optarg);
			if (err < 0)
				return err;
			break;
		case OPT_LOG:
			if (!optarg[0] || !strcmp(optarg, "-") ||
			    !text_copy(cfg->node.log_path, sizeof(cfg->node.log_path), optarg))
				return cli_args_fail(
				    a,
				    "bad --log '%s': give the file a node's log was "
				    "saved to (check reads it once; for a live "
				    "stream use natdoctor peers --log -)",
				    optarg);
			break;
		case OPT_NO_NODE:
			cfg->node.off = true;
			break;
		case OPT_PROMETHEUS:
			o->prometheus = optarg;
			break;
		}
	}
	if (opt < 0 || a->help)
		return opt;
	if (only4 && only6)
		return cli_args_fail(a,
				     "--ipv4 and --ipv6 exclude each other; give one or neither");
	cfg->ipv4 = !only6;
	cfg->ipv6 = !only4;
	text_copy(cfg->node_kind, sizeof(cfg->node_kind), preset->kind);
	cfg->n_ports = 0;
	if (n_user_ports) {
		for (size_t i = 0; i < n_user_ports; i++)
			add_port(cfg, user_ports[i]);
	} else {
		for (size_t i = 0; i < preset->n; i++)
			add_port(cfg, preset->ports[i]);
	}
	/* --server alone: ask only the servers given, not the public list. */
	if (n_user_stun || cfg->n_servers)
		cfg->n_stun = n_user_stun;
	return 0;
}

int check_main(int argc, char *argv[])
{
	struct cli_args a;
	struct check_opts *o = calloc(1, sizeof(*o));
	struct check_result *res = calloc(1, sizeof(*res));
	struct verdict *v = calloc(1, sizeof(*v));
	char errbuf[256];
	int status, err;

	cli_args_init(&a, "check", argc, argv);
	if (!o || !res || !v) {
		log_warnx("check: out of memory");
		status = ND_EXIT_INTERNAL;
		goto cleanup;
	}
	if (check_parse(&a, o) < 0) {
		status = cli_usage_error(&a);
		goto cleanup;
	}
	if (a.help) {
		status = cli_help(check_help);
		goto cleanup;
	}
	log_set_level(a.verbose);
	/* Names the operator gave must resolve before any probe runs: a typo
	 * is a usage error, not a network finding. */
	if (check_resolve_targets(&o->cfg, errbuf, sizeof(errbuf)) < 0) {
		cli_args_fail(&a, "%s", errbuf);
		status = cli_usage_error(&a);
		goto cleanup;
	}
	if (o->prometheus && (err = atomicfile_check(o->prometheus)) < 0) {
		cli_args_fail(
		    &a,
		    "cannot write --prometheus %s: %s (the directory must exist and be writable)",
		    o->prometheus, strerror(-err));
		status = cli_usage_error(&a);
		goto cleanup;
	}
	err = check_execute(&o->cfg, res);
	if (err < 0) {
		log_warnx("check: could not run: %s", strerror(-err));
		status = ND_EXIT_INTERNAL;
		goto cleanup;
	}
	verdict_compute(&o->cfg, res, v);
	status = verdict_exit_status(v);
	if (o->prometheus &&
	    (err = promreport_save(o->prometheus, &o->cfg, res, v, status, time(NULL))) < 0) {
		log_warnx("check: could not write the metrics to %s: %s", o->prometheus,
			  strerror(-err));
		status = ND_EXIT_INTERNAL;
	}
	if (v->no_network && !o->json) {
		/* The report would be empty: one line says it all. */
		log_warnx("check: this host has no default route (no network), so there is "
			  "nothing to test; connect it and run again");
		goto cleanup;
	}
	err = o->json ? report_json(stdout, &o->cfg, res, v, status)
		      : report_text(stdout, &o->cfg, res, v, cli_want_color(a.no_color));
	if (err < 0)
		status = ND_EXIT_INTERNAL;
cleanup:
	free(o);
	free(res);
	free(v);
	return status;
}
