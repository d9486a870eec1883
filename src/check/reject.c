/* SPDX-License-Identifier: MIT */
#include "check/reject.h"

#include "util/text.h"

static const struct {
	const char *key;
	const char *phrase; /* after "N answer(s) " */
} reasons[GW_REJECT_MAX] = {
	[GW_REJECT_LENGTH] = { "length", "of the wrong length" },
	[GW_REJECT_VERSION] = { "version", "in another protocol version" },
	[GW_REJECT_NOT_ANSWER] = { "not_answer", "marked as requests (R bit clear)" },
	[GW_REJECT_OPCODE] = { "opcode", "for an opcode never sent" },
	[GW_REJECT_MALFORMED] = { "malformed", "otherwise malformed" },
	[GW_REJECT_NONCE] = { "nonce", "with the wrong nonce" },
	[GW_REJECT_UNASKED] = { "unasked", "to a question never asked" },
	[GW_REJECT_ADDRESS] = { "address", "with an impossible external address" },
	[GW_REJECT_DUPLICATE] = { "duplicate", "repeating an earlier answer" },
};

const char *reject_key(unsigned reason)
{
	return reason < GW_REJECT_MAX ? reasons[reason].key : "";
}

int reject_is_fault(unsigned reason)
{
	return reason < GW_REJECT_MAX && reason != GW_REJECT_DUPLICATE;
}

size_t reject_summary(const unsigned counts[static GW_REJECT_MAX], char *out, size_t cap)
{
	size_t len = 0;

	if (cap)
		out[0] = '\0';
	for (unsigned i = 0; i < GW_REJECT_MAX; i++) {
		if (!counts[i] || !reject_is_fault(i))
			continue;
		text_appendf(out, cap, &len, "%s%u answer%s %s", len ? ", " : "", counts[i],
			     counts[i] == 1 ? "" : "s", reasons[i].phrase);
	}
	return len;
}
