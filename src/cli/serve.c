/* SPDX-License-Identifier: MIT */
/*
 * natdoctor serve: flags into a serve_config (serve/serve.h), then serve.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/serve.h"
#include "serve/serve.h"
#include "util/exit.h"
#include "util/log.h"
#include "util/text.h"

static const char serve_help[] =
    "Usage: natdoctor serve --listen ADDR [--listen ALT_ADDR] [options]\n"
    "\n"
    "A STUN server (RFC 8489, with RFC 5780 NAT behaviour discovery) that also\n"
    "answers the question no plain STUN server does: can strangers reach a\n"
    "node's port? `natdoctor check`, pointed at this server, asks it to dial\n"
    "the node's observed address back on the node's port, over TCP or UDP, and\n"
    "it reports what it found: a libp2p node, something else, refused, or\n"
    "filtered.\n"
    "Run it on a VPS with one or, better, two public addresses; any RFC 5780\n"
    "client (coturn's turnutils_natdiscovery) can use it too.\n"
    "\n"
    "Where it listens (UDP and TCP, on every address x port):\n"
    "  --listen ADDR         an IP address of this host (not 0.0.0.0 or ::). Give\n"
    "                        it twice, two addresses of the same family, for the\n"
    "                        RFC 5780 CHANGE-REQUEST tests; with one address such\n"
    "                        requests are answered 420 and OTHER-ADDRESS is left out\n"
    "  --port PORT           the STUN port (default 3478)\n"
    "  --alt-port PORT       the second port RFC 5780 needs (default 3479)\n"
    "\n"
    "Dial-back and operation:\n"
    "  --allow-private       also dial private (RFC 1918, fc00::/7) and CGNAT\n"
    "                        (100.64.0.0/10) addresses: for a LAN or a lab. Never\n"
    "                        loopback, link-local, multicast or reserved ones\n"
    "  --metrics ADDR:PORT   serve Prometheus metrics at http://ADDR:PORT/metrics\n"
    "                        (requests, answers by class, errors by code,\n"
    "                        dial-backs by result, rate-limited dial-backs)\n"
    "  --threads N           UDP worker threads (default: one per CPU, at most 64)\n"
    "  --dialback-limit BURST/SECONDS\n"
    "                        per source: BURST dial-backs at once, then one every\n"
    "                        SECONDS (default 16/1). Never unlimited: BURST 1 to\n"
    "                        64, SECONDS 1 to 3600, so at most 64 at once and one\n"
    "                        a second after: serve must not become a connection\n"
    "                        generator aimed at whoever asks\n"
    "%s"
    "\n"
    "What it sends, and to whom: STUN answers to whoever asks, never bigger than\n"
    "the request plus a few dozen bytes (no amplification). A dial-back goes only\n"
    "to the address the request came from, on the port it names: over UDP only\n"
    "after a second request proves the address with a cookie, so a forged source\n"
    "cannot aim it at anybody else; at most 16 per source at once, then one a\n"
    "second (--dialback-limit). It logs one line per dial-back on stderr. It needs no root: the\n"
    "default ports are above 1024 (contrib/natdoctor-serve.service runs it as a\n"
    "throwaway user).\n"
    "\n"
    "Examples:\n"
    "  natdoctor serve --listen 203.0.113.5 --listen 203.0.113.6\n"
    "      a VPS with two addresses: full RFC 5780 and dial-back\n"
    "  natdoctor serve --listen 192.168.1.2 --allow-private --metrics 127.0.0.1:9477\n"
    "      on a LAN, with metrics for Prometheus on this host\n"
    "  natdoctor check --server 203.0.113.5\n"
    "      on the node's host: can strangers reach the node, and if not, who drops it\n"
    "\n"
    "Firewall: open UDP and TCP 3478 and 3479 (or your --port/--alt-port) on\n"
    "every --listen address.\n"
    "\n"
    "Exit status: 0 stopped by SIGINT or SIGTERM, 2 usage error, 3 could not\n"
    "open its sockets (address not on this host, port in use), 4 internal error.\n";

static int parse_port(struct cli_args *a, const char *flag, const char *s, uint16_t *out)
{
	long v;

	if (text_parse_long(s, 1, 65535, &v) < 0)
		return cli_args_fail(a, "bad %s '%s': give a port, 1 to 65535", flag, s);
	*out = (uint16_t)v;
	return 0;
}

/* "BURST/SECONDS" into the token bucket's size and refill interval. */
static int parse_dialback_limit(struct cli_args *a, struct serve_config *c, const char *s)
{
	char burst[16];
	const char *slash = strchr(s, '/');
	long b, sec;

	if (!slash || (size_t)(slash - s) >= sizeof(burst))
		goto bad;
	memcpy(burst, s, (size_t)(slash - s));
	burst[slash - s] = '\0';
	if (text_parse_long(burst, 1, SERVE_RATE_BURST_MAX, &b) < 0 ||
	    text_parse_long(slash + 1, 1, SERVE_RATE_SECONDS_MAX, &sec) < 0)
		goto bad;
	c->rate_burst = (uint32_t)b;
	c->rate_per_token_ms = (uint32_t)sec * 1000;
	return 0;
bad:
	return cli_args_fail(a,
			     "bad --dialback-limit '%s': give BURST/SECONDS, BURST 1 to %d, "
			     "SECONDS 1 to %d, e.g. 16/1",
			     s, SERVE_RATE_BURST_MAX, SERVE_RATE_SECONDS_MAX);
}

static int parse_listen(struct cli_args *a, struct serve_config *c, const char *s)
{
	struct netaddr ip;
	size_t n = c->conf.addr[0].family ? 1 : 0;

	if (c->conf.addr[1].family)
		return cli_args_fail(a,
				     "--listen given more than twice: RFC 5780 uses two addresses");
	if (netaddr_parse_ip(&ip, s) < 0)
		return cli_args_fail(a,
				     "bad --listen '%s': give an IP address of this host, e.g. "
				     "203.0.113.5",
				     s);
	ip = netaddr_unmap(ip);
	if (netaddr_classify(&ip) == NETADDR_UNSPECIFIED)
		return cli_args_fail(a,
				     "bad --listen '%s': give the host's own address, not the "
				     "wildcard (answers must say which address they came from)",
				     s);
	if (n && ip.family != c->conf.addr[0].family)
		return cli_args_fail(a,
				     "bad --listen '%s': both addresses must be IPv4, or both "
				     "IPv6",
				     s);
	if (n && netaddr_eq(&ip, &c->conf.addr[0], true))
		return cli_args_fail(a, "bad --listen '%s': the same address twice", s);
	c->conf.addr[n] = ip;
	return 0;
}

int serve_parse(struct cli_args *a, struct serve_config *c)
{
	enum {
		OPT_LISTEN = CLI_OPT_FIRST,
		OPT_PORT,
		OPT_ALT_PORT,
		OPT_ALLOW_PRIVATE,
		OPT_METRICS,
		OPT_THREADS,
		OPT_DIALBACK_LIMIT,
	};
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "alt-port", required_argument, NULL, OPT_ALT_PORT },
		{ "allow-private", no_argument, NULL, OPT_ALLOW_PRIVATE },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "dialback-limit", required_argument, NULL, OPT_DIALBACK_LIMIT },
		CLI_COMMON_LONGOPTS,
		{ 0 },
	};
	char host[NETADDR_FMT_MAX];
	uint16_t mport = 0;
	long v;
	int opt, r = 0;

	memset(c, 0, sizeof(*c));
	c->conf.port[0] = STUN_PORT;
	c->conf.port[1] = STUN_PORT + 1;
	while ((opt = cli_args_next(a, "", longopts)) > 0) {
		switch (opt) {
		case OPT_LISTEN:
			r = parse_listen(a, c, optarg);
			break;
		case OPT_PORT:
			r = parse_port(a, "--port", optarg, &c->conf.port[0]);
			break;
		case OPT_ALT_PORT:
			r = parse_port(a, "--alt-port", optarg, &c->conf.port[1]);
			break;
		case OPT_ALLOW_PRIVATE:
			c->conf.allow_private = true;
			break;
		case OPT_METRICS:
			if (netaddr_split_hostport(optarg, host, sizeof(host), &mport) < 0 ||
			    !mport || netaddr_parse_ip(&c->metrics, host) < 0) {
				r = cli_args_fail(a,
						  "bad --metrics '%s': give ADDR:PORT, e.g. "
						  "127.0.0.1:9477",
						  optarg);
				break;
			}
			c->metrics.port = mport;
			c->has_metrics = true;
			break;
		case OPT_THREADS:
			if (text_parse_long(optarg, 1, SERVE_THREADS_MAX, &v) < 0)
				r = cli_args_fail(a, "bad --threads '%s': 1 to %d", optarg,
						  SERVE_THREADS_MAX);
			else
				c->threads = (unsigned)v;
			break;
		case OPT_DIALBACK_LIMIT:
			r = parse_dialback_limit(a, c, optarg);
			break;
		}
		if (r < 0)
			return r;
	}
	if (opt < 0 || a->help)
		return opt;
	if (!c->conf.addr[0].family)
		return cli_args_fail(a, "--listen ADDR is required: an IP address of this host");
	if (c->conf.port[0] == c->conf.port[1])
		return cli_args_fail(a, "--port and --alt-port are both %u: give two ports",
				     c->conf.port[0]);
	return 0;
}

int serve_main(int argc, char *argv[])
{
	struct cli_args a;
	struct serve_config c;
	const char *what = "";
	long cpus;
	int status, rc;

	cli_args_init(&a, "serve", argc, argv);
	if (serve_parse(&a, &c) < 0) {
		status = cli_usage_error(&a);
		goto cleanup;
	}
	if (a.help) {
		status = cli_help(serve_help);
		goto cleanup;
	}
	log_set_level(a.verbose);
	if (!c.threads) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		c.threads = cpus < 1		       ? 1
			    : cpus > SERVE_THREADS_MAX ? SERVE_THREADS_MAX
						       : (unsigned)cpus;
	}
	rc = serve_run(&c, &what);
	if (rc == 0) {
		status = ND_EXIT_OK;
	} else if (rc == -EADDRNOTAVAIL) {
		log_warnx("serve: %s: %s: give an address this host has (ip -brief address)", what,
			  strerror(-rc));
		status = ND_EXIT_NOTEST;
	} else if (rc == -EADDRINUSE || rc == -EACCES) {
		log_warnx("serve: %s: %s: another server (coturn?) holds the port, or use "
			  "--port/--alt-port",
			  what, strerror(-rc));
		status = ND_EXIT_NOTEST;
	} else {
		log_warnx("serve: %s: %s", what, strerror(-rc));
		status = ND_EXIT_INTERNAL;
	}
cleanup:
	return status;
}
