/* SPDX-License-Identifier: MIT */
/*
 * What we know about one chain of the node (a Phala node has two: the
 * parachain and the relay chain it embeds), merged from whichever sources
 * tell: JSON-RPC, Prometheus, the log. Pure data and arithmetic, no I/O:
 * the sources call the chain_update_* functions with what they read and
 * the monotonic time, and the view asks for a snapshot.
 *
 * Memory is fixed: the history for the sparkline is a ring of
 * CHAIN_HISTORY samples.
 */
#ifndef ND_PEERS_CHAIN_H
#define ND_PEERS_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto/multiaddr.h"
#include "proto/nodelog.h"
#include "proto/prom.h"
#include "proto/rpc.h"

#define CHAIN_NAME_MAX 32
#define CHAIN_HISTORY  60 /* samples: 5 min at the default 5 s */

/* Substrate's default outbound peer slots (--out-peers 8): a node nobody
 * can reach settles near this. */
#define CHAIN_SUBSTRATE_OUT_PEERS 8

struct chain {
	char name[CHAIN_NAME_MAX]; /* "parachain", "relaychain", a user's label, or "" */

	/* Latest reading per source; at_ms is 0 until the first one. */
	struct {
		uint64_t at_ms;
		struct rpc_health health;
		int64_t best;	 /* system_syncState currentBlock, -1 */
		int64_t highest; /* highestBlock, -1 */
	} rpc;
	struct {
		uint64_t at_ms;
		uint32_t count;
	} rpc_peers;	      /* system_peers, when the node allows it */
	uint16_t listen_port; /* TCP port from system_localListenAddresses, 0 unknown */
	bool listen_public;   /* one of those addresses is a public IP */
	char peer_id[MULTIADDR_PEER_ID_MAX];
	struct {
		uint64_t at_ms;
		struct prom_peers p;
	} prom;
	struct {
		uint64_t at_ms;
		struct nodelog_status st;
	} log;

	/* Inbound tracking, from the Prometheus connection counters. */
	uint64_t watch_since_ms;  /* first counter reading; 0 before */
	int64_t prev_opened_in;	  /* counter at the previous reading, -1 */
	uint64_t last_inbound_ms; /* an inbound connection open or newly opened; 0 never seen */

	/* Peer counts per sample, oldest first from hist_head; -1 = no data. */
	int32_t hist[CHAIN_HISTORY];
	size_t hist_len, hist_head;
};

/* The merged view of a chain at one moment: what the view and the verdict
 * read. -1 means unknown for every number. */
struct chain_snapshot {
	const char *name;		     /* NULL for a single-chain node */
	char chain_id[PROM_LABEL_VALUE_MAX]; /* the chain spec id from metrics ("khala"), or "" */
	int64_t peers;
	const char *peers_from;	   /* "rpc", "metrics", "log", or NULL */
	int64_t inbound, outbound; /* connections open now, by direction */
	bool metrics_read;	   /* fresh metrics came, with or without the counters */
	int syncing;		   /* 1, 0, or -1 unknown */
	const char *state;	   /* informant status word ("idle", ...), or NULL */
	int64_t best, finalized;
	int64_t inbound_total;	    /* inbound connections opened since the node started */
	int64_t last_inbound_ago_s; /* since we last saw one open or opening; -1 never seen */
	int64_t
	    no_inbound_for_s; /* how long we know there was none; -1 if there is one now or unknown */
	bool no_inbound_since_start; /* not one inbound since the node started */
	int64_t uptime_s;
	bool should_have_peers;
	uint16_t p2p_port; /* to tell `natdoctor check --port`; a default guess if unknown */
	uint32_t target_min, target_max;
	int below_target; /* 1, 0, or -1 unknown */
};

void chain_init(struct chain *c, const char *name);

void chain_update_rpc_health(struct chain *c, const struct rpc_health *h, uint64_t now_ms);
void chain_update_rpc_sync(struct chain *c, const struct rpc_sync_state *s, uint64_t now_ms);
void chain_update_rpc_peers(struct chain *c, const struct rpc_peers *p, uint64_t now_ms);
void chain_update_rpc_listen(struct chain *c, const struct rpc_listen_addrs *l);
void chain_update_rpc_peer_id(struct chain *c, const char *peer_id);
/* A whole /metrics body's worth; ignored unless prom_peers_found(p). */
void chain_update_prom(struct chain *c, const struct prom_peers *p, uint64_t now_ms);
void chain_update_log(struct chain *c, const struct nodelog_status *st, uint64_t now_ms);

/* Merge the readings no older than stale_ms into out. Peers come from RPC
 * first (the node's own count), then metrics, then the log. now_unix is
 * wall-clock time, for the node's uptime. */
void chain_snapshot(const struct chain *c, uint64_t now_ms, uint64_t stale_ms, time_t now_unix,
		    uint32_t target_min, uint32_t target_max, struct chain_snapshot *out);

/* Append this sample's peer count (-1 for none) to the history. */
void chain_record(struct chain *c, int64_t peers);

/* The i-th oldest history sample, i < hist_len. */
int32_t chain_history_at(const struct chain *c, size_t i);

#endif
