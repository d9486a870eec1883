/* SPDX-License-Identifier: MIT */
/*
 * What `natdoctor check` learns: its configuration and four views (local,
 * gateway, public, path). Probes fill the views; the verdict (verdict.c)
 * reads them and never touches the network; the report prints both.
 *
 * Plain data with fixed bounds: no pointers, so a result can be built by
 * hand in a unit test and copied freely. Every string is NUL-terminated and
 * truncated to fit. Every text that came from the network has been passed
 * through text_sanitize() (printable ASCII only) before it is stored here.
 */
#ifndef ND_CHECK_RESULT_H
#define ND_CHECK_RESULT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/reject.h"
#include "check/node.h"
#include "util/netaddr.h"

#define CHECK_MAX_PORTS	       16
#define CHECK_MAX_STUN	       8
#define CHECK_MAX_IFADDRS      32
#define CHECK_MAX_HOPS	       16
#define CHECK_MAX_LISTEN_ADDRS 4
#define CHECK_HOST_MAX	       256
#define CHECK_TEXT_MAX	       128

/* A tri-state for facts we may not have been able to learn. */
enum tristate { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };

/* --- configuration ------------------------------------------------------ */

struct node_port {
	uint16_t port;
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
};

#define CHECK_MAX_STUN_ADDRS 4
#define CHECK_MAX_SERVERS    4 /* --server, natdoctor serve instances */

struct stun_target {
	char host[CHECK_HOST_MAX]; /* as given: name or literal */
	uint16_t port;		   /* 3478 when not given */
	bool user_given;	   /* from --stun (else the built-in list) */
	/* Filled when the CLI already resolved the name (it checks --stun
	 * values before any probe runs); else the STUN probe resolves it. */
	struct netaddr addrs[CHECK_MAX_STUN_ADDRS];
	size_t n_addrs;
	char resolve_error[CHECK_TEXT_MAX]; /* set if that resolution failed */
};

struct check_config {
	char node_kind[16]; /* "substrate" (default), "bitcoin", "ethereum", "ipfs" */
	struct node_port ports[CHECK_MAX_PORTS];
	size_t n_ports;
	struct stun_target stun[CHECK_MAX_STUN];
	size_t n_stun;
	unsigned deadline_ms;  /* the whole check ends by then; default 2500 */
	bool ipv4, ipv6;       /* families to probe (both by default) */
	bool upnp;	       /* probe UPnP IGD (default yes; --no-upnp) */
	bool pcp_map_test;     /* PCP: a short mapping of our own probe port to
				 learn the external address (default yes) */
	unsigned path_max_ttl; /* path probe hops, default 8, at most CHECK_MAX_HOPS */
	/* natdoctor serve instances (--server): dial-backs, TCP mapping,
	 * hairpinning (check/serverprobe.c). Each is also a STUN target. */
	struct stun_target servers[CHECK_MAX_SERVERS];
	size_t n_servers;
	bool hairpin;		 /* test hairpinning from a probe socket (--no-hairpin) */
	struct node_config node; /* where to read the node's own view (check/node.h) */
};

/* --- local view --------------------------------------------------------- */

struct local_ifaddr {
	char ifname[IF_NAMESIZE];
	struct netaddr addr; /* port 0 */
	uint8_t prefixlen;
	enum netaddr_class cls;
};

struct local_listener {
	struct node_port port;
	enum tristate listening;		      /* unknown if /proc/net could not be read */
	struct netaddr addrs[CHECK_MAX_LISTEN_ADDRS]; /* bound addresses seen */
	size_t n_addrs;
	bool loopback_only; /* listening, but only on 127/8 or ::1 */
	/* The listening sockets (inode, owner), to find the node process. */
	struct {
		uint64_t inode;
		uint32_t uid;
	} socks[CHECK_MAX_LISTEN_ADDRS];
	size_t n_socks;
};

struct local_route {
	bool present;		/* a default route exists for this family */
	struct netaddr gateway; /* next hop; family 0 when on-link (no gateway) */
	/* The source address the kernel picks toward the internet (a route
	 * lookup, see check/local.h); family 0 if that lookup failed. */
	struct netaddr source;
	char ifname[IF_NAMESIZE]; /* the default route's interface */
	/* Where that lookup leaves, "" if it failed. Differs from ifname when
	 * something more specific takes internet traffic: a VPN's 0/1 and
	 * 128/1 routes, a policy rule. */
	char egress_ifname[IF_NAMESIZE];
};

struct local_view {
	struct local_ifaddr addrs[CHECK_MAX_IFADDRS];
	size_t n_addrs;
	struct local_route route4, route6;
	struct local_listener listeners[CHECK_MAX_PORTS];
	size_t n_listeners;
	char error[CHECK_TEXT_MAX]; /* why the local view is incomplete, or "" */
};

/* --- gateway view ------------------------------------------------------- */

/* PCP (RFC 6887) or NAT-PMP (RFC 6886), asked on the default gateway's UDP
 * port 5351. */
struct gw_proto_result {
	bool tried;
	bool available;		 /* a well-formed answer came back */
	int result_code;	 /* protocol result of the last answer, -1 if none */
	char result_name[32];	 /* e.g. "SUCCESS", "UNSUPP_VERSION" */
	uint32_t epoch;		 /* seconds since the gateway's mapping state began */
	struct netaddr external; /* family 0 if not reported */
	uint32_t rtt_ms;
	unsigned bad_packets;		  /* answers we threw away as malformed or lying */
	unsigned rejected[GW_REJECT_MAX]; /* answers thrown away, by reason (check/reject.h);
					* duplicates are counted here, not in bad_packets */
	char error[CHECK_TEXT_MAX];	  /* "no answer within 2.5 s", "port unreachable" */
};

struct upnp_port_mapping {
	struct node_port port;
	bool exists;
	struct netaddr internal; /* internal client and port */
	char description[64];
	uint32_t lease_s; /* 0: permanent */
};

struct upnp_result {
	bool tried;
	bool available;		       /* an IGD answered and its control URL works */
	int igd_version;	       /* 1 or 2, 0 unknown */
	char location[CHECK_HOST_MAX]; /* root description URL */
	char connection_status[32];    /* "Connected", ... */
	char connection_type[32];      /* "IP_Routed", ... */
	struct netaddr external;
	struct upnp_port_mapping mappings[CHECK_MAX_PORTS];
	size_t n_mappings;
	unsigned bad_answers;
	char error[CHECK_TEXT_MAX];
};

struct gateway_view {
	struct netaddr address; /* the IPv4 default gateway we asked */
	struct gw_proto_result pcp, natpmp;
	struct upnp_result upnp;
};

/* --- public view -------------------------------------------------------- */

/* RFC 4787 §4.1 mapping behaviour, as RFC 5780 §4.3 tests it. */
enum nat_mapping {
	MAPPING_UNKNOWN = 0,
	MAPPING_NONE, /* no NAT: the server sees our own address and port */
	MAPPING_ENDPOINT_INDEPENDENT,
	MAPPING_ADDRESS_DEPENDENT,
	MAPPING_ADDRESS_AND_PORT_DEPENDENT,
};

enum nat_filtering {
	FILTERING_UNKNOWN = 0,
	FILTERING_ENDPOINT_INDEPENDENT,
	FILTERING_ADDRESS_DEPENDENT,
	FILTERING_ADDRESS_AND_PORT_DEPENDENT,
};

struct stun_server_result {
	char name[CHECK_HOST_MAX]; /* host[:port] as configured */
	struct netaddr server;	   /* resolved address, family 0 if not */
	bool answered;
	struct netaddr mapped;		/* XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS) */
	struct netaddr other_address;	/* RFC 5780 OTHER-ADDRESS, if offered */
	struct netaddr response_origin; /* RFC 5780 RESPONSE-ORIGIN, if offered */
	/* Why this server's RFC 5780 answers were not believed (an answer from
	 * another address or port than the test asked for), "" if they were. */
	char rfc5780_problem[200];
	uint32_t rtt_ms;
	char software[64];
	unsigned bad_packets;
	char error[CHECK_TEXT_MAX];
};

struct public_family {
	struct netaddr local;  /* our probe socket's local address and port */
	struct netaddr mapped; /* the public address:port most servers agree on */
	struct stun_server_result servers[CHECK_MAX_STUN];
	size_t n_servers;
	size_t n_answered;
	enum tristate mapping_varies; /* mapped port/address differs by server */
	enum tristate port_preserved; /* mapped port == local port */
	enum tristate servers_disagree_on_ip;
	enum nat_filtering filtering; /* RFC 5780 §4.4, if a server supports it */
	enum nat_mapping mapping;     /* RFC 5780 §4.3, if a server supports it */
};

struct public_view {
	struct public_family v4, v6;
};

/* --- path view ---------------------------------------------------------- */

struct path_hop {
	uint8_t ttl;
	bool answered;	     /* an ICMP time-exceeded (or the target) replied */
	struct netaddr addr; /* who answered */
	enum netaddr_class cls;
	uint32_t rtt_ms;
};

struct path_view {
	bool tried;
	struct netaddr target; /* the STUN server probed toward */
	struct path_hop hops[CHECK_MAX_HOPS];
	size_t n_hops;	 /* hops[0] is TTL 1 */
	int reached_ttl; /* smallest TTL that reached the target, 0 if none */
	char error[CHECK_TEXT_MAX];
};

/* --- reach view: what natdoctor serve saw from outside ------------------- */

struct server_result {
	char name[CHECK_HOST_MAX]; /* host[:port] as configured */
	struct netaddr server;	   /* the address asked, family 0 if none */
	bool answered;		   /* a well-formed Binding answer came */
	bool dialback;		   /* it speaks the dial-back protocol (sent a cookie) */
	struct netaddr observed;   /* XOR-MAPPED-ADDRESS it saw */
	uint32_t rtt_ms;
	unsigned bad_packets; /* answers thrown away: malformed, lying, unasked */
	/* It gave no dial-back result (error says why) and the next IPv4
	 * --server was asked instead (check/serverprobe.c). */
	bool skipped;
	bool dialled; /* the reachability in the report is its dial-backs' */
	char error[CHECK_TEXT_MAX];
};

/* One node port, dialled back from outside. */
struct reach_port {
	struct node_port port;
	uint8_t dial;	  /* enum dialback_result the server reported */
	uint32_t dial_ms; /* the server's elapsed time for it */
	bool udp_watched; /* UDP: we held the port and watched for the datagram */
	bool udp_arrived; /* ... and it came */
	/* natdoctor's probe socket mapped through the router on the node's
	 * external port number (only when that number was free there). */
	bool num_probe_tried;
	bool num_probe_arrived;
	/* As root, a packet socket on the egress interface watched the
	 * server's TCP dial-back arrive, before any firewall of this host. */
	enum reach_wire {
		WIRE_UNWATCHED = 0, /* not watched (not root, not TCP, no result) */
		WIRE_NOTHING,	    /* the server's SYN never reached this host */
		WIRE_DROPPED,	    /* it reached the interface, nothing answered */
		WIRE_ANSWERED,	    /* a SYN-ACK or RST went back */
	} wire;
};

/* What an outside dial-back (`check --server`) measured of the node's own
 * ports. The verdict's seam: without `measured`, inbound reachability of
 * the node's ports is unknown and the verdict says so (UDP filtering
 * measured by STUN speaks only for UDP, never for a TCP listener).
 * reached[i] answers for cfg->ports[i]. The rest is the evidence
 * check/reach.c weighs to say why a port is not reached. */
struct reach_view {
	bool measured; /* a dial-back from outside tried the node's ports */
	enum tristate reached[CHECK_MAX_PORTS];
	bool tried; /* a --server was given */
	struct server_result servers[CHECK_MAX_SERVERS];
	size_t n_servers;
	enum nat_mapping tcp_mapping;
	enum tristate hairpinning;
	/* natdoctor's own TCP probe listener, dialled back on a random port:
	 * reached means the path to this host works, so a node port that is
	 * not reached is blocked by something about that port alone. */
	uint16_t probe_port; /* 0: not tried */
	uint8_t probe_dial;  /* enum dialback_result */
	bool probe_arrived;  /* our listener saw the server's nonce */
	struct reach_port ports[CHECK_MAX_PORTS];
	size_t n_ports;
	char error[CHECK_TEXT_MAX];    /* why the reach probe could not run, or "" */
	char wire_ifname[IF_NAMESIZE]; /* where the packet socket watched, "" if not */
};

/* --- all of it ---------------------------------------------------------- */

struct check_result {
	struct local_view local;
	struct gateway_view gateway;
	struct public_view pub;
	struct path_view path;
	struct reach_view reach;
	struct node_view node;
	uint32_t elapsed_ms;
};

#endif
