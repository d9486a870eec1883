/* SPDX-License-Identifier: MIT */
/*
 * natdoctor map: flags into a map_config (map/map.h), then map.
 */
#include "cli/map.h"
#include "map/status.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "util/exit.h"
#include "util/log.h"
#include "util/netaddr.h"
#include "util/text.h"

static const char map_help[] =
    "Usage: natdoctor map PORT[/tcp|/udp]... [options]\n"
    "\n"
    "Keep the node's ports open on the home router, and keep them open through\n"
    "lease ends and router reboots. Asks the router by PCP (RFC 6887), or by\n"
    "NAT-PMP (RFC 6886) where it speaks only that, or by UPnP IGD when neither\n"
    "answers (never with --no-upnp); maps this host's own LAN\n"
    "address only, with a finite lease, and removes every mapping when stopped\n"
    "(SIGINT, SIGTERM). Runs in the foreground; prints the external address and\n"
    "port and the node flags that advertise them (for 30333/tcp and 30334/tcp also\n"
    "the line for Phala's docker environment: PARACHAIN_EXTRA_ARGS and\n"
    "RELAYCHAIN_EXTRA_ARGS).\n"
    "\n"
    "  PORT[/tcp|/udp]       a port of this host to map (tcp if not said), up to 8\n"
    "  --once                map, print and exit; the mappings live out their lease\n"
    "  --delete              remove the mappings --once made for these ports and exit\n"
    "                        (give --no-pcp if --once mapped by NAT-PMP)\n"
    "  --lifetime S          lease to ask for, 20 to 86400 s (default 7200);\n"
    "                        renewed from half of it on\n"
    "  --any-external-port   when the router gives another external port (another\n"
    "                        host holds this one), take it and print it\n"
    "  --allow-low-ports     allow ports below 1024\n"
    "  --no-pcp              never PCP (NAT-PMP, then UPnP IGD)\n"
    "  --no-natpmp           never NAT-PMP (PCP, then UPnP IGD); with --no-pcp:\n"
    "                        UPnP IGD only, asked at once\n"
    "  --no-upnp             never UPnP IGD, even when PCP and NAT-PMP are silent\n"
    "  --ipv6                also open an IPv6 firewall pinhole per port by PCP, for\n"
    "                        this host's global IPv6 address (the gateway's PCP\n"
    "                        over IPv6; a link-local gateway is not supported yet)\n"
    "  --metrics ADDR:PORT   serve Prometheus metrics at http://ADDR:PORT/metrics\n"
    "                        (each mapping up or not, lease left, external address\n"
    "                        changes, errors)\n"
    "  --on-change CMD       run 'sh -c CMD' when a port is first mapped and whenever\n"
    "                        its external address or port changes, with\n"
    "                        NATDOCTOR_PUBLIC_ADDR (/ip4/A/tcp/P), NATDOCTOR_PORT,\n"
    "                        NATDOCTOR_PROTO, NATDOCTOR_METHOD,\n"
    "                        NATDOCTOR_EXTERNAL_ADDRESS, NATDOCTOR_EXTERNAL_PORT set\n"
    "  --server HOST[:PORT]  a natdoctor serve (port 3478 if not given) that dials\n"
    "                        each new mapping back from outside and says whether\n"
    "                        it got in; without it nothing is sent but to the\n"
    "                        router; a server that does not answer leaves the\n"
    "                        port 'unknown'. Up to 4 times: a server that cannot\n"
    "                        tell hands the ask to the next, and the verdict\n"
    "                        names the server that gave it. A UDP port is held\n"
    "                        for the server's datagram while no node holds it\n"
    "                        (else 'unknown')\n"
    "  --status-socket PATH  where 'natdoctor status' asks (default\n"
    "                        /run/natdoctor/map.sock for root and the systemd unit,\n"
    "                        else $XDG_RUNTIME_DIR/natdoctor-map.sock)\n"
    "%s"
    "\n"
    "Example, a Substrate/Phala node:\n"
    "  natdoctor map 30333/tcp 30334/tcp\n"
    "      mapped 30333/tcp: 203.0.113.7:30333 -> 192.168.1.10:30333 by PCP, lease 7200 s\n"
    "        node flags: --listen-addr /ip4/0.0.0.0/tcp/30333 --public-addr "
    "/ip4/203.0.113.7/tcp/30333\n"
    "\n"
    "Every mapping opened or closed is one line on stderr.\n"
    "\n"
    "Exit status: 0 done, or stopped by SIGINT/SIGTERM with the mappings removed;\n"
    "1 a port was refused or not mapped, or with --server found not reachable from\n"
    "outside (--once); 2 usage error; 3 no gateway, or it answers none of the\n"
    "methods left on (PCP, NAT-PMP, UPnP IGD; --once, --delete); 4 internal error;\n"
    "5 the router's own internet address is private or shared (100.64.0.0/10):\n"
    "the provider's NAT stands in front of it and no mapping here can help.\n";

static int parse_port_arg(struct cli_args *a, struct map_config *c, const char *s)
{
	char num[8];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	uint8_t proto = IPPROTO_TCP;
	long v;

	if (c->n_ports == MAP_MAX_PORTS)
		return cli_args_fail(a, "more than %d ports: run a second map", MAP_MAX_PORTS);
	if (slash && !strcmp(slash, "/udp"))
		proto = IPPROTO_UDP;
	else if (slash && strcmp(slash, "/tcp"))
		return cli_args_fail(a, "bad port '%s': give PORT/tcp or PORT/udp, e.g. 30333/tcp",
				     s);
	if (len == 0 || len >= sizeof(num))
		return cli_args_fail(a, "bad port '%s': give PORT/tcp or PORT/udp, e.g. 30333/tcp",
				     s);
	memcpy(num, s, len);
	num[len] = 0;
	if (text_parse_long(num, 1, 65535, &v) < 0)
		return cli_args_fail(a, "bad port '%s': give a port, 1 to 65535", s);
	for (unsigned i = 0; i < c->n_ports; i++)
		if (c->ports[i].port == v && c->ports[i].protocol == proto)
			return cli_args_fail(a, "port '%s' given twice", s);
	c->ports[c->n_ports].port = (uint16_t)v;
	c->ports[c->n_ports].protocol = proto;
	c->n_ports++;
	return 0;
}

int map_parse(struct cli_args *a, struct map_config *c)
{
	enum {
		OPT_ONCE = CLI_OPT_FIRST,
		OPT_DELETE,
		OPT_LIFETIME,
		OPT_ANY_EXTERNAL,
		OPT_ALLOW_LOW,
		OPT_NO_PCP,
		OPT_NO_NATPMP,
		OPT_NO_UPNP,
		OPT_METRICS,
		OPT_ON_CHANGE,
		OPT_STATUS_SOCKET,
		OPT_IPV6,
		OPT_SERVER,
	};
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "delete", no_argument, NULL, OPT_DELETE },
		{ "lifetime", required_argument, NULL, OPT_LIFETIME },
		{ "any-external-port", no_argument, NULL, OPT_ANY_EXTERNAL },
		{ "allow-low-ports", no_argument, NULL, OPT_ALLOW_LOW },
		{ "no-pcp", no_argument, NULL, OPT_NO_PCP },
		{ "no-natpmp", no_argument, NULL, OPT_NO_NATPMP },
		{ "no-upnp", no_argument, NULL, OPT_NO_UPNP },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "on-change", required_argument, NULL, OPT_ON_CHANGE },
		{ "status-socket", required_argument, NULL, OPT_STATUS_SOCKET },
		{ "ipv6", no_argument, NULL, OPT_IPV6 },
		{ "server", required_argument, NULL, OPT_SERVER },
		CLI_COMMON_LONGOPTS,
		{ 0 },
	};
	char host[NETADDR_FMT_MAX];
	struct netaddr ip;
	uint16_t mport = 0;
	bool allow_low = false;
	long v;
	int opt, r = 0;

	memset(c, 0, sizeof(*c));
	c->lifetime_s = MAP_LIFETIME_DEFAULT;
	a->positional = true;
	while ((opt = cli_args_next(a, "", longopts)) > 0) {
		switch (opt) {
		case CLI_OPT_ARG:
			r = parse_port_arg(a, c, optarg);
			break;
		case OPT_ONCE:
			c->once = true;
			break;
		case OPT_DELETE:
			c->del = true;
			break;
		case OPT_LIFETIME:
			if (text_parse_long(optarg, MAP_LIFETIME_MIN, MAP_LIFETIME_MAX, &v) < 0)
				r = cli_args_fail(a,
						  "bad --lifetime '%s': seconds, %d to %d (leases "
						  "are finite)",
						  optarg, MAP_LIFETIME_MIN, MAP_LIFETIME_MAX);
			else
				c->lifetime_s = (uint32_t)v;
			break;
		case OPT_ANY_EXTERNAL:
			c->any_external = true;
			break;
		case OPT_ALLOW_LOW:
			allow_low = true;
			break;
		case OPT_NO_PCP:
			c->no_pcp = true;
			break;
		case OPT_NO_UPNP:
			c->no_upnp = true;
			break;
		case OPT_NO_NATPMP:
			c->no_natpmp = true;
			break;
		case OPT_IPV6:
			c->ipv6 = true;
			break;
		case OPT_SERVER:
			if (c->n_servers == MAP_MAX_SERVERS) {
				r = cli_args_fail(a, "at most %d --server values", MAP_MAX_SERVERS);
				break;
			}
			c->server_port[c->n_servers] = MAP_SERVER_PORT;
			if (netaddr_split_hostport(optarg, c->server[c->n_servers],
						   sizeof(c->server[0]),
						   &c->server_port[c->n_servers]) == 0 &&
			    c->server[c->n_servers][0])
				c->n_servers++;
			else
				r = cli_args_fail(a,
						  "bad --server '%s': give HOST, HOST:PORT or "
						  "[IPv6]:PORT of a natdoctor serve (port 1 to "
						  "65535)",
						  optarg);
			break;
		case OPT_METRICS:
			if (netaddr_split_hostport(optarg, host, sizeof(host), &mport) < 0 ||
			    !mport || netaddr_parse_ip(&ip, host) < 0)
				r = cli_args_fail(a,
						  "bad --metrics '%s': give ADDR:PORT, e.g. "
						  "127.0.0.1:9840",
						  optarg);
			else
				c->metrics = optarg;
			break;
		case OPT_ON_CHANGE:
			if (!*optarg)
				r = cli_args_fail(a, "--on-change needs a command");
			else
				c->on_change = optarg;
			break;
		case OPT_STATUS_SOCKET:
			if (!*optarg || strlen(optarg) >= MAP_STATUS_PATH_MAX)
				r = cli_args_fail(a,
						  "bad --status-socket: give a path under %d bytes",
						  MAP_STATUS_PATH_MAX);
			else
				c->status_socket = optarg;
			break;
		}
		if (r < 0)
			return r;
	}
	if (opt < 0 || a->help)
		return opt;
	if (!c->n_ports)
		return cli_args_fail(a, "give the ports to map, e.g. 'natdoctor map 30333/tcp'");
	if (c->once && c->del)
		return cli_args_fail(a, "--once and --delete: give one");
	if (c->del && c->n_servers)
		return cli_args_fail(a, "--server confirms new mappings: not with --delete");
	if (c->no_pcp && c->no_natpmp && c->no_upnp)
		return cli_args_fail(a, "--no-pcp, --no-natpmp and --no-upnp leave nothing to map "
					"with: drop one of them");
	for (unsigned i = 0; i < c->n_ports && !allow_low; i++)
		if (c->ports[i].port < 1024)
			return cli_args_fail(a,
					     "port %u is below 1024 (a system service's, not a "
					     "node's); --allow-low-ports if you mean it",
					     c->ports[i].port);
	return 0;
}

int map_main(int argc, char *argv[])
{
	struct cli_args a;
	struct map_config c;
	char sock[MAP_STATUS_PATH_MAX];
	int status;

	cli_args_init(&a, "map", argc, argv);
	if (map_parse(&a, &c) < 0) {
		status = cli_usage_error(&a);
		goto cleanup;
	}
	if (a.help) {
		status = cli_help(map_help);
		goto cleanup;
	}
	log_set_level(a.verbose);
	c.verbose = a.verbose;
	if (!c.status_socket && map_status_default_path(sock, sizeof(sock)) == 0)
		c.status_socket = sock;
	status = map_run(&c);
cleanup:
	return status;
}
