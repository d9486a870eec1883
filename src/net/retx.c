/* SPDX-License-Identifier: MIT */
#include "net/retx.h"

static const uint32_t lan_fast_ms[] = { 250, 750, 1750 };

const struct retx_profile retx_lan_fast = {
	.fixed_ms = lan_fast_ms,
	.n_fixed = sizeof(lan_fast_ms) / sizeof(lan_fast_ms[0]),
};

/* RFC 6887 §8.1.1: "IRT 3 seconds, MRC 0, MRT 1024 seconds, MRD 0". */
const struct retx_profile retx_rfc6887 = {
	.irt_ms = 3000,
	.mrt_ms = 1024000,
	.randomise = true,
};

const struct retx_profile retx_pcp_lan = {
	.irt_ms = 250,
	.mrt_ms = 1024000,
	.randomise = true,
};

/* RFC 6886 §3.1: "initially 250 ms ... doubling ... up to 9 times". */
const struct retx_profile retx_rfc6886 = {
	.irt_ms = 250,
	.mrc = 9,
};

void retx_init(struct retx *r, const struct retx_profile *p)
{
	*r = (struct retx){ .p = p };
}

/* (1 + RAND) * ms with RAND = -0.1 + 0.2 * rnd / 2^32, in 64-bit integers:
 * ms * (9/10 + rnd / (5 * 2^32)). At least 1 ms. */
static uint64_t randomised(uint64_t ms, uint32_t rnd)
{
	uint64_t v = ms * 9 / 10 + (ms * rnd) / (5ull << 32);

	return v ? v : 1;
}

uint64_t retx_sent(struct retx *r, uint64_t now_ms, uint32_t rnd)
{
	const struct retx_profile *p = r->p;
	uint64_t rt;

	if (r->n_sent++ == 0)
		r->first_ms = now_ms;
	if (p->n_fixed) {
		r->next_ms =
		    r->n_sent <= p->n_fixed ? r->first_ms + p->fixed_ms[r->n_sent - 1] : RETX_DONE;
		return r->next_ms;
	}
	if (p->mrc && r->n_sent >= p->mrc)
		return r->next_ms = RETX_DONE;
	/* RT = IRT first, then MIN(2 * RTprev, MRT), each times 1 + RAND. */
	rt = r->n_sent == 1 ? p->irt_ms : 2 * (uint64_t)r->rt_ms;
	if (p->mrt_ms && rt > p->mrt_ms)
		rt = p->mrt_ms;
	if (p->randomise)
		rt = randomised(rt, rnd);
	r->rt_ms = rt > UINT32_MAX ? UINT32_MAX : (uint32_t)rt;
	r->next_ms = now_ms + rt;
	if (p->mrd_ms && r->next_ms > r->first_ms + p->mrd_ms)
		r->next_ms = RETX_DONE;
	return r->next_ms;
}

uint64_t retx_wait(const struct retx *r, uint64_t now_ms)
{
	if (r->n_sent == 0)
		return 0;
	if (r->next_ms == RETX_DONE)
		return RETX_DONE;
	return r->next_ms > now_ms ? r->next_ms - now_ms : 0;
}
