/* SPDX-License-Identifier: MIT */
/*
 * How check says why it threw a gateway's answer away (issue 8 item 4), so
 * a report can say "3 answers with the wrong nonce" rather than "3 bad
 * packets".
 *
 * How a reason travels: the codecs stay pure and say why in what they
 * return (a negative errno, documented per codec in its header in
 * src/proto/; PCP's matcher returns enum pcp_mismatch); the gateway client
 * (gw/mapping.h) turns that into an enum gw_reject (gw_reject_decode,
 * gw_map_reject, the events of gw_map_answer and gw_query_answer); the
 * probe counts it in its result (gw_proto_result.rejected[]); the verdict
 * writes the counts into the finding's evidence with reject_summary, and
 * the JSON report lists them under "rejected" by reject_key.
 */
#ifndef ND_CHECK_REJECT_H
#define ND_CHECK_REJECT_H

#include <stddef.h>

#include "gw/mapping.h"

/* The JSON key ("nonce"); "" for a value out of range. Static strings. */
const char *reject_key(unsigned reason);

/* Whether a reason counts as a bad packet: all but GW_REJECT_DUPLICATE (a
 * gateway that answers a retransmission twice does nothing wrong). */
int reject_is_fault(unsigned reason);

/*
 * Write the counts as evidence into out (cap bytes, NUL-terminated,
 * truncated to fit): "3 answers with the wrong nonce, 1 answer of the wrong
 * length". Faults only; "" when there are none. Returns the length written.
 */
size_t reject_summary(const unsigned counts[static GW_REJECT_MAX], char *out, size_t cap);

#endif
