/* SPDX-License-Identifier: MIT */
/*
 * The few Substrate JSON-RPC 2.0 calls `natdoctor peers` makes over HTTP,
 * requests built and responses decoded with json-c (strict, UTF-8 checked,
 * nesting depth bounded, body size bounded). All are "safe" methods but
 * system_peers, which a node refuses unless started with
 * --rpc-methods=unsafe (or auto on loopback): that refusal is an ordinary
 * error object, {"code":-32601,"message":"RPC call is unsafe to be called
 * externally"}, and decodes as such.
 *
 *   system_health               {"peers":8,"isSyncing":false,"shouldHavePeers":true}
 *   system_syncState            {"startingBlock":0,"currentBlock":9,"highestBlock":9}
 *   system_localPeerId          "12D3KooW..."
 *   system_localListenAddresses ["/ip4/127.0.0.1/tcp/30333/p2p/12D3KooW...", ...]
 *   system_peers                [{"peerId":"12D3...","roles":"FULL",
 *                                 "bestHash":"0x...","bestNumber":123}, ...]
 *   system_unstable_networkState {"peerId":"12D3...","listenedAddresses":[...],
 *                                 "externalAddresses":[...],"connectedPeers":
 *                                 {"12D3...":{"endpoint":{"dialing":...}} or
 *                                 {"endpoint":{"listening":{...}}}, ...},
 *                                 "notConnectedPeers":{...},"peerset":...}
 *                                 (unsafe, like system_peers; the litep2p
 *                                 backend may answer with an error object)
 *
 * Pure: no I/O. Text that came from the node is cut to printable ASCII
 * before it is stored.
 */
#ifndef ND_PROTO_RPC_H
#define ND_PROTO_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/multiaddr.h"

#define RPC_BODY_MAX	(1u << 20) /* larger responses are refused (-E2BIG) */
#define RPC_DEPTH_MAX	16	   /* JSON nesting; ours need 3 */
#define RPC_REQUEST_MAX 128	   /* a request we build always fits */
#define RPC_MESSAGE_MAX 160
#define RPC_ADDRS_MAX	16 /* listen addresses kept (more are counted) */

enum rpc_method {
	RPC_SYSTEM_HEALTH = 0,
	RPC_SYSTEM_SYNC_STATE,
	RPC_SYSTEM_LOCAL_PEER_ID,
	RPC_SYSTEM_LOCAL_LISTEN_ADDRESSES,
	RPC_SYSTEM_PEERS,
	RPC_SYSTEM_NETWORK_STATE,
	RPC_METHOD_COUNT,
};

struct rpc_error {
	int64_t code;
	char message[RPC_MESSAGE_MAX]; /* printable ASCII, cut to fit */
};

struct rpc_health {
	uint32_t peers;
	bool is_syncing;
	bool should_have_peers;
};

struct rpc_sync_state {
	int64_t starting, current, highest; /* -1 when absent or null */
};

struct rpc_listen_addrs {
	struct multiaddr addrs[RPC_ADDRS_MAX];
	size_t n;	   /* parsed and kept */
	size_t n_total;	   /* in the answer */
	size_t n_unparsed; /* strings we could not read as multiaddrs */
};

struct rpc_peers {
	uint32_t count;
	uint32_t authorities, full, light; /* by "roles" */
	int64_t best_max;		   /* highest bestNumber, -1 if none */
};

/* system_unstable_networkState: what the node listens on, what it believes
 * its external addresses are, and its connected peers by who dialled. */
struct rpc_network_state {
	char peer_id[MULTIADDR_PEER_ID_MAX]; /* "" if absent */
	struct rpc_listen_addrs listened, external;
	uint32_t connected; /* entries in connectedPeers */
	uint32_t dialing;   /* of those, we dialled them (outbound) */
	uint32_t listening; /* of those, they dialled us (inbound) */
};

struct rpc_reply {
	enum rpc_method method;
	bool is_error; /* the node answered with an error object: see error */
	struct rpc_error error;
	union {
		struct rpc_health health;
		struct rpc_sync_state sync_state;
		char peer_id[MULTIADDR_PEER_ID_MAX];
		struct rpc_listen_addrs listen;
		struct rpc_peers peers;
		struct rpc_network_state net;
	} u;
};

/* "system_health", ... */
const char *rpc_method_name(enum rpc_method m);

/* Write the request {"jsonrpc":"2.0","id":ID,"method":M,"params":[]} to out
 * with a NUL. Returns its length, or -ENOSPC if cap is too small, -EINVAL
 * for an unknown method. */
int rpc_build_request(char *out, size_t cap, enum rpc_method m, uint32_t id);

/* Decode an HTTP response body to request `id` of method m. Returns 0 with
 * out filled (out->is_error tells result from error object), or:
 *   -EBADMSG  not JSON at all (an HTML page, a proxy's error, garbage)
 *   -E2BIG    larger than RPC_BODY_MAX or nested deeper than RPC_DEPTH_MAX
 *   -EPROTO   JSON, but not a JSON-RPC response of the expected shape
 *             (wrong id, no result, a result of the wrong type)
 *   -ENOMEM
 * body need not be NUL-terminated. */
int rpc_decode(enum rpc_method m, uint32_t id, const char *body, size_t len, struct rpc_reply *out);

#endif
