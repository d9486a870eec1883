/* SPDX-License-Identifier: MIT */
/*
 * The table of dial-backs in flight and recently finished, keyed by the
 * request's observed source and transaction id (docs/SERVE-PROTOCOL.md):
 * a retransmission finds its entry and is never dialled twice; a finished
 * entry is kept DIALTAB_KEEP_MS for late retransmissions, but gives its
 * place to a new dial-back when no entry is free (its answer went out when
 * it finished), so the table is "full" (busy) only when every entry is a
 * dial-back still in flight. Fixed size, pure (time is an argument), no
 * locking: serve.c holds a mutex around every call and keeps what else a
 * dial-back needs in a parallel array, at the same index.
 */
#ifndef ND_SERVE_DIALTAB_H
#define ND_SERVE_DIALTAB_H

#include <stddef.h>
#include <stdint.h>

#include "proto/stun.h"
#include "util/netaddr.h"

#define DIALTAB_KEEP_MS 10000

enum dialtab_state { DIALTAB_FREE = 0, DIALTAB_INFLIGHT, DIALTAB_DONE };

struct dialtab_slot {
	enum dialtab_state state;
	struct netaddr src; /* observed source, with its port */
	uint8_t tid[STUN_TID_LEN];
	uint64_t expire_ms; /* DONE: forgotten after this */
};

/* The index of the entry of (src, tid), or -1. Entries past their time are
 * freed on the way. */
int dialtab_find(struct dialtab_slot *t, size_t n, const struct netaddr *src,
		 const uint8_t tid[static STUN_TID_LEN], uint64_t now_ms);

/* Take an entry for a new dial-back of (src, tid), marked in flight: a free
 * one, else the finished one closest to being forgotten. Returns its index,
 * or -1 when every entry is in flight (answer "busy"). */
int dialtab_claim(struct dialtab_slot *t, size_t n, const struct netaddr *src,
		  const uint8_t tid[static STUN_TID_LEN]);

/* The dial-back at index i ended at now_ms: kept DIALTAB_KEEP_MS. */
void dialtab_done(struct dialtab_slot *t, size_t i, uint64_t now_ms);

/* Give entry i back (a dial-back that could not start). */
void dialtab_release(struct dialtab_slot *t, size_t i);

#endif
