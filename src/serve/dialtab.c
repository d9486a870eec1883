/* SPDX-License-Identifier: MIT */
#include "serve/dialtab.h"

#include <string.h>

int dialtab_find(struct dialtab_slot *t, size_t n, const struct netaddr *src,
		 const uint8_t tid[static STUN_TID_LEN], uint64_t now_ms)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].state == DIALTAB_DONE && t[i].expire_ms <= now_ms)
			t[i].state = DIALTAB_FREE;
		if (t[i].state != DIALTAB_FREE && netaddr_eq(&t[i].src, src, false) &&
		    memcmp(t[i].tid, tid, STUN_TID_LEN) == 0)
			return (int)i;
	}
	return -1;
}

int dialtab_claim(struct dialtab_slot *t, size_t n, const struct netaddr *src,
		  const uint8_t tid[static STUN_TID_LEN])
{
	int pick = -1;

	for (size_t i = 0; i < n; i++) {
		if (t[i].state == DIALTAB_FREE) {
			pick = (int)i;
			break;
		}
		if (t[i].state == DIALTAB_DONE && (pick < 0 || t[i].expire_ms < t[pick].expire_ms))
			pick = (int)i;
	}
	if (pick < 0)
		return -1;
	t[pick].state = DIALTAB_INFLIGHT;
	t[pick].src = *src;
	memcpy(t[pick].tid, tid, STUN_TID_LEN);
	t[pick].expire_ms = 0;
	return pick;
}

void dialtab_done(struct dialtab_slot *t, size_t i, uint64_t now_ms)
{
	t[i].state = DIALTAB_DONE;
	t[i].expire_ms = now_ms + DIALTAB_KEEP_MS;
}

void dialtab_release(struct dialtab_slot *t, size_t i)
{
	t[i].state = DIALTAB_FREE;
}
