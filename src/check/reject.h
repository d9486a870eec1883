/* SPDX-License-Identifier: MIT */
/*
 * Why a probe threw an answer away (issue 8 item 4), so a report can say "3
 * answers with the wrong nonce" rather than "3 bad packets".
 *
 * How a reason travels: the codecs stay pure and say why in what they
 * return (a negative errno, documented per codec in its header in src/proto/; PCP's
 * matcher returns enum pcp_mismatch); the probe turns that into one of
 * these reasons with reject_from_errno or by its own matching, and counts
 * it in its result (gw_proto_result.rejected[]); the verdict writes the
 * counts into the finding's evidence with reject_summary, and the JSON
 * report lists them under "rejected" by reject_key.
 */
#ifndef ND_CHECK_REJECT_H
#define ND_CHECK_REJECT_H

#include <stddef.h>

enum reject_reason {
	REJECT_LENGTH,	   /* too short or too long for what it claims (-EMSGSIZE) */
	REJECT_VERSION,	   /* another protocol version (-EPROTONOSUPPORT) */
	REJECT_NOT_ANSWER, /* a request, not an answer: R bit clear (-EBADMSG from PCP) */
	REJECT_OPCODE,	   /* an opcode we never send (-EOPNOTSUPP) */
	REJECT_MALFORMED,  /* malformed in another way */
	REJECT_NONCE,	   /* a PCP MAP answer with another nonce */
	REJECT_UNASKED,	   /* answers nothing we asked: opcode, protocol, port */
	REJECT_ADDRESS,	   /* an external address that cannot be (loopback, ...) */
	REJECT_DUPLICATE,  /* repeats an answer already taken: not a fault */
	REJECT_MAX
};

/* The reason for a codec's negative errno: -EMSGSIZE length,
 * -EPROTONOSUPPORT version, -EOPNOTSUPP opcode, anything else malformed.
 * (PCP's -EBADMSG for a clear R bit is the caller's to call
 * REJECT_NOT_ANSWER: the errno alone is shared with other faults.) */
enum reject_reason reject_from_errno(int err);

/* The JSON key ("nonce"); "" for a value out of range. Static strings. */
const char *reject_key(unsigned reason);

/* Whether a reason counts as a bad packet: all but REJECT_DUPLICATE (a
 * gateway that answers a retransmission twice does nothing wrong). */
int reject_is_fault(unsigned reason);

/*
 * Write the counts as evidence into out (cap bytes, NUL-terminated,
 * truncated to fit): "3 answers with the wrong nonce, 1 answer of the wrong
 * length". Faults only; "" when there are none. Returns the length written.
 */
size_t reject_summary(const unsigned counts[static REJECT_MAX], char *out, size_t cap);

#endif
