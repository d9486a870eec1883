/* SPDX-License-Identifier: MIT */
#include "check/reject.h"

#include <errno.h>

#include "util/text.h"

static const struct {
	const char *key;
	const char *phrase; /* after "N answer(s) " */
} reasons[REJECT_MAX] = {
	[REJECT_LENGTH] = { "length", "of the wrong length" },
	[REJECT_VERSION] = { "version", "in another protocol version" },
	[REJECT_NOT_ANSWER] = { "not_answer", "marked as requests (R bit clear)" },
	[REJECT_OPCODE] = { "opcode", "for an opcode never sent" },
	[REJECT_MALFORMED] = { "malformed", "otherwise malformed" },
	[REJECT_NONCE] = { "nonce", "with the wrong nonce" },
	[REJECT_UNASKED] = { "unasked", "to a question never asked" },
	[REJECT_ADDRESS] = { "address", "with an impossible external address" },
	[REJECT_DUPLICATE] = { "duplicate", "repeating an earlier answer" },
};

enum reject_reason reject_from_errno(int err)
{
	switch (err) {
	case -EMSGSIZE:
		return REJECT_LENGTH;
	case -EPROTONOSUPPORT:
		return REJECT_VERSION;
	case -EOPNOTSUPP:
		return REJECT_OPCODE;
	default:
		return REJECT_MALFORMED;
	}
}

const char *reject_key(unsigned reason)
{
	return reason < REJECT_MAX ? reasons[reason].key : "";
}

int reject_is_fault(unsigned reason)
{
	return reason < REJECT_MAX && reason != REJECT_DUPLICATE;
}

size_t reject_summary(const unsigned counts[static REJECT_MAX], char *out, size_t cap)
{
	size_t len = 0;

	if (cap)
		out[0] = '\0';
	for (unsigned i = 0; i < REJECT_MAX; i++) {
		if (!counts[i] || !reject_is_fault(i))
			continue;
		text_appendf(out, cap, &len, "%s%u answer%s %s", len ? ", " : "", counts[i],
			     counts[i] == 1 ? "" : "s", reasons[i].phrase);
	}
	return len;
}
