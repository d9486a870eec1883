/* SPDX-License-Identifier: MIT */
/*
 * Substrate's informant line, the one a node operator reads the peer count
 * off (sc-informant, display.rs), printed every 5 s per chain:
 *
 *   2024-05-01 10:00:05 [Parachain] 💤 Idle (8 peers), best: #4567890
 *     (0x1a2b…3c4d), finalized #4567888 (0x5e6f…7a8b), ⬇ 3.1kiB/s ⬆ 2.0kiB/s
 *   ... ⚙️  Syncing  5.4 bps, target=#531028 (4 peers), best: #90683 (...), ...
 *
 * Status words over the versions: Idle, Syncing, Preparing, "Downloading
 * state" / "State sync" (state sync), Warping (warp sync; that line may
 * lack best/finalized), "Block history" (gap sync after a warp). Before
 * 2020 there was no emoji. The words and numbers may be wrapped in ANSI
 * colour codes (ESC [ ... m) when the node thinks it writes to a terminal,
 * the line may start with a timestamp, a thread name and level (detailed
 * log format), and a parachain node (Phala, any Cumulus collator) tags each
 * line with "[Parachain]" or "[Relaychain]".
 *
 * Pure: no I/O, no allocation. Binary garbage and over-long lines are
 * simply "not an informant line".
 */
#ifndef ND_PROTO_NODELOG_H
#define ND_PROTO_NODELOG_H

#include <stddef.h>
#include <stdint.h>

#include "proto/multiaddr.h"

/* Longer lines are not informant lines (those are ~150 bytes). */
#define NODELOG_LINE_MAX 1024

enum nodelog_chain {
	NODELOG_CHAIN_NONE = 0, /* no tag: a single-chain node */
	NODELOG_CHAIN_PARA,	/* "[Parachain]" */
	NODELOG_CHAIN_RELAY,	/* "[Relaychain]" */
};

enum nodelog_state {
	NODELOG_IDLE = 0,
	NODELOG_SYNCING,
	NODELOG_PREPARING,
	NODELOG_STATE_SYNC, /* "Downloading state", "State sync" */
	NODELOG_WARPING,
	NODELOG_BLOCK_HISTORY,
};

struct nodelog_status {
	enum nodelog_chain chain;
	enum nodelog_state state;
	uint32_t peers;
	int64_t best;	   /* -1 when the line does not say */
	int64_t finalized; /* -1 when the line does not say */
	int64_t target;	   /* sync target, -1 when the line does not say */
};

/* Returns 1 and fills out if line[0..len) is an informant line, 0 if it is
 * anything else (including garbage). line need not be NUL-terminated. */
int nodelog_parse_line(const char *line, size_t len, struct nodelog_status *out);

/* "idle", "syncing", "preparing", "state-sync", "warping", "block-history". */
const char *nodelog_state_name(enum nodelog_state s);

/* True for every state but idle: the node is catching up. */
static inline int nodelog_state_is_syncing(enum nodelog_state s)
{
	return s != NODELOG_IDLE;
}

/*
 * The node's own word on its external address (sc-network, both network
 * backends: libp2p's discovery and litep2p's), INFO lines:
 *
 *   2024-05-01 10:00:05 [Parachain] 🔍 Discovered new external address for
 *     our node: /ip4/203.0.113.7/tcp/30333/p2p/12D3KooW...
 *   ... 🔍 Expired external address for our node: /ip4/203.0.113.7/tcp/41234
 *
 * Older nodes write them without the emoji; colour codes and the chain tag
 * are handled as for informant lines.
 */
enum nodelog_extaddr_event {
	NODELOG_EXTADDR_NEW = 1,
	NODELOG_EXTADDR_EXPIRED,
};

struct nodelog_extaddr {
	enum nodelog_chain chain;
	enum nodelog_extaddr_event event;
	struct multiaddr addr;
};

/* Returns 1 and fills out for a discovered/expired external address line
 * whose address parses, 0 for anything else. */
int nodelog_parse_extaddr(const char *line, size_t len, struct nodelog_extaddr *out);

#endif
