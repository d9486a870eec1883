/* SPDX-License-Identifier: MIT */
/*
 * Retransmission schedules for UDP requests: when to send again. Pure
 * arithmetic over times and random numbers the caller passes in (no clock,
 * no timer, no randomness here), so a test drives it with a fake clock and
 * a probe or a daemon arms its own loop timer with the answer.
 *
 * Two profiles, for the two kinds of caller:
 *   retx_lan_fast   check's one-second profile: resend 250, 750 and 1750 ms
 *                   after the first send, then stop (RFC 6886 §3.1 starts
 *                   at 250 ms and doubles; PCP's 3 s would not fit a check)
 *   retx_rfc6887    RFC 6887 §8.1.1 for a daemon that lives with a router:
 *                   IRT 3 s, MRT 1024 s, MRC 0 and MRD 0 (no limit), each
 *                   timeout randomised by RAND in -0.1..+0.1:
 *                   RT = (1 + RAND) * IRT, then
 *                   RT = (1 + RAND) * MIN(2 * RTprev, MRT)
 * A profile either lists fixed offsets from the first send, or gives IRT,
 * MRT, MRC and MRD (RFC 3315 §14 style, which RFC 6887 borrows).
 */
#ifndef ND_NET_RETX_H
#define ND_NET_RETX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RETX_DONE UINT64_MAX /* no further send */

struct retx_profile {
	/* Fixed schedule: sends at these offsets (ms) from the first send,
	 * ascending; n_fixed 0 means the exponential schedule below. */
	const uint32_t *fixed_ms;
	size_t n_fixed;
	uint32_t irt_ms; /* initial retransmission time */
	uint32_t mrt_ms; /* maximum retransmission time; 0: no cap */
	unsigned mrc;	 /* most transmissions in all, first included; 0: no limit */
	uint32_t mrd_ms; /* no send later than this after the first; 0: no limit */
	bool randomise;	 /* multiply each RT by 1 + RAND, RAND in -0.1..+0.1 */
};

extern const struct retx_profile retx_lan_fast;
extern const struct retx_profile retx_rfc6887;
/* RFC 6887 §8.1.1 with a 250 ms first wait, for a gateway on the LAN (it
 * answers in milliseconds; 3 s would leave a daemon's first mapping late):
 * IRT 250 ms, MRT 1024 s, randomised, no limit. gw/mapping.c's PCP. */
extern const struct retx_profile retx_pcp_lan;
/* RFC 6886 §3.1: 250 ms, doubling, nine sends in all (64 s), not
 * randomised. gw/mapping.c's NAT-PMP. */
extern const struct retx_profile retx_rfc6886;

/* One request's schedule. Plain data: copy, embed, zero as you like. */
struct retx {
	const struct retx_profile *p;
	uint64_t first_ms; /* time of the first send */
	uint64_t next_ms;  /* when the next send is due, or RETX_DONE */
	uint32_t rt_ms;	   /* the last timeout (exponential profiles) */
	unsigned n_sent;
};

/* Start a schedule for profile p; nothing is sent yet (next is "now"). */
void retx_init(struct retx *r, const struct retx_profile *p);

/*
 * Record a send at now_ms (the first one starts the schedule) and return
 * when the next one is due (absolute, on the caller's clock), or RETX_DONE.
 * rnd is a uniformly random 32-bit number the caller draws for each send
 * (getrandom, or a fixed value in a test); profiles that do not randomise
 * ignore it. RAND is rnd mapped linearly onto -0.1..+0.1.
 */
uint64_t retx_sent(struct retx *r, uint64_t now_ms, uint32_t rnd);

/* Milliseconds from now_ms until the next send (0 if it is due or past),
 * or RETX_DONE: what a caller hands to loop_timer_start. */
uint64_t retx_wait(const struct retx *r, uint64_t now_ms);

#endif
