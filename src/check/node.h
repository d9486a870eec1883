/* SPDX-License-Identifier: MIT */
/*
 * The node's own view, as `natdoctor check` reads it (check/nodeview.c) and
 * holds it against the world (check/nodefind.c): where the node listens,
 * what it advertises, how many peers it has and may take, and which
 * process it is. Plain bounded data like the rest of check/result.h.
 *
 * Sources: the node's JSON-RPC (--rpc), its Prometheus metrics
 * (--metrics), its log (--log), and the process that holds a node port
 * (/proc). Without flags, the node's usual local RPC and metrics ports are
 * asked (loopback only) and the process is looked up; nothing else.
 */
#ifndef ND_CHECK_NODE_H
#define ND_CHECK_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/multiaddr.h"
#include "proto/nodeargs.h"
#include "proto/nodelog.h"

#define NODE_URL_MAX	    256
#define NODE_PATH_MAX	    256
#define NODE_MAX_ADDRS	    12 /* listen or advertised addresses kept */
#define NODE_MAX_PROCS	    4  /* node processes kept */
#define NODE_MAX_DISCOVERED 8  /* distinct external addresses from the log */
#define NODE_ERR_MAX	    160
#define NODE_CONTAINER_MAX  80
#define NODE_MAX_CANDIDATES 2 /* URLs tried per source */
#define NODE_MAX_OTHERS	    2 /* further --rpc nodes, held against the first */

/* Where an address the node lists stands, for someone who wants to dial it. */
enum node_addr_class {
	NODE_ADDR_UNKNOWN = 0,
	NODE_ADDR_PUBLIC,      /* a public IP: dialable */
	NODE_ADDR_DNS,	       /* a name: dialable if it resolves to the node */
	NODE_ADDR_PRIVATE,     /* RFC 1918 / ULA */
	NODE_ADDR_CGNAT,       /* 100.64/10 */
	NODE_ADDR_DOCKER,      /* a container bridge (172.17/16, docker0, br-*) */
	NODE_ADDR_LOOPBACK,    /* 127/8, ::1 */
	NODE_ADDR_LINKLOCAL,   /* 169.254/16, fe80::/10 */
	NODE_ADDR_UNSPECIFIED, /* 0.0.0.0, :: (a listen address only) */
	NODE_ADDR_RESERVED,    /* documentation, multicast, ... */
	NODE_ADDR_RELAYED,     /* /p2p-circuit: through another peer */
};

/* Where a fact came from (node_view.sources is a set of these bits). */
enum node_source {
	NODE_SRC_RPC = 1u << 0,
	NODE_SRC_METRICS = 1u << 1,
	NODE_SRC_LOG = 1u << 2,
	NODE_SRC_PROCESS = 1u << 3,
};

struct node_addr {
	struct multiaddr m;
	enum node_addr_class cls;
	enum node_source from; /* one bit */
};

struct node_config {
	/* Given by the operator, or "" for the defaults (RPC 9944 then 9933,
	 * metrics 9615, on 127.0.0.1; no log). */
	char rpc_url[NODE_URL_MAX];
	/* Further --rpc: other nodes on this host (or behind the same public
	 * address), asked only for what they advertise. */
	char rpc_others[NODE_MAX_OTHERS][NODE_URL_MAX];
	size_t n_rpc_others;
	char metrics_url[NODE_URL_MAX];
	char log_path[NODE_PATH_MAX];
	bool off;	       /* --no-node: do not look at the node at all */
	const char *proc_root; /* "/proc" unless a test says otherwise; NULL = "/proc" */
};

struct node_process {
	int pid;
	uint16_t port; /* the node port it holds */
	uint32_t uid;
	struct nodeargs args; /* its command line */
	bool args_read;	      /* cmdline could be read */
	char
	    container[NODE_CONTAINER_MAX]; /* from /proc/PID/cgroup: "docker 1a2b3c4d5e6f", or "" */
};

/* One HTTP source's outcome. */
struct node_http_source {
	bool tried;
	bool ok;		  /* read and understood */
	bool user_given;	  /* from --rpc / --metrics */
	char url[NODE_URL_MAX];	  /* the one that answered, or the last tried */
	char error[NODE_ERR_MAX]; /* why not, "" when ok */
	bool refused;		  /* nothing listened there (no node, not a fault) */
};

/* Another node named with a further --rpc. */
struct node_other {
	char url[NODE_URL_MAX];
	bool ok; /* its system_health answered */
	char error[NODE_ERR_MAX];
	char peer_id[MULTIADDR_PEER_ID_MAX];
	struct node_addr advertised[4]; /* its external addresses */
	size_t n_advertised;
	uint16_t listen_port; /* its first listen port off loopback, 0 unknown */
};

struct node_view {
	bool gathered;	  /* the node was looked at (not --no-node); a zeroed
			     view (a hand-built result) gives no node findings */
	unsigned sources; /* enum node_source bits: who told us anything */
	char peer_id[MULTIADDR_PEER_ID_MAX];

	struct node_addr listen[NODE_MAX_ADDRS];
	size_t n_listen, n_listen_total;
	struct node_addr advertised[NODE_MAX_ADDRS];
	size_t n_advertised, n_advertised_total;
	bool advertised_known; /* some source says what the node advertises */

	int64_t peers;		     /* connected peers now, -1 unknown */
	int64_t inbound, outbound;   /* connections now by direction, -1 unknown */
	int64_t in_slots, out_slots; /* --in-peers / --out-peers (defaults applied
					when the command line was read), -1 unknown */
	bool reserved_only;	     /* --reserved-only (false when unknown) */

	struct node_http_source rpc, metrics;
	bool network_state_refused; /* system_unstable_networkState answered with an error
				       object (--rpc-methods=safe; some backends) */
	char network_state_error[NODE_ERR_MAX];

	/* The log. */
	bool log_tried, log_ok;
	char log_path[NODE_PATH_MAX];
	char log_error[NODE_ERR_MAX];
	struct {
		struct multiaddr m;
		enum nodelog_chain chain; /* Phala: each chain has its own port */
		uint32_t seen;		  /* "Discovered" lines */
		bool expired;		  /* the last word on it was "Expired" */
	} discovered[NODE_MAX_DISCOVERED];
	size_t n_discovered;
	uint32_t n_discovered_dropped; /* distinct addresses beyond the array */
	uint32_t n_discovered_lines, n_expired_lines;
	int64_t log_peers; /* the last informant line's count, -1 if none */

	/* Processes holding a node port. */
	struct node_process procs[NODE_MAX_PROCS];
	size_t n_procs;
	bool procs_partial;	    /* not root: other users' processes were hidden */
	unsigned n_sockets_unowned; /* node listening sockets whose process we could not see */
	char proc_error[NODE_ERR_MAX];

	struct node_other others[NODE_MAX_OTHERS];
	size_t n_others;
};

/* "public", "dns", "private", ... */
const char *node_addr_class_name(enum node_addr_class c);

#endif
