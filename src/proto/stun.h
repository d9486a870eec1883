/* SPDX-License-Identifier: MIT */
/*
 * STUN codec: RFC 8489 messages with the RFC 5780 NAT behaviour discovery
 * attributes. Pure: bytes to a struct and back, no sockets, no logging, no
 * globals, no allocation, so it is unit-tested and fuzzed on its own.
 *
 * Used by `check` (Binding requests to several servers, RFC 5780 filtering
 * and mapping tests, path probes with small TTLs), a future `serve` (decode
 * requests, encode success and error responses) and the lab's responders.
 *
 * Message header, RFC 8489 §5:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |0 0|     STUN Message Type     |         Message Length        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Magic Cookie (0x2112A442)                    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                                                               |
 *  |                  Transaction ID (96 bits)                     |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The 14-bit type interleaves a 12-bit method (M) and a 2-bit class (C):
 *
 *   13 12 11 10  9  8  7  6  5  4  3  2  1  0
 *  +--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *  |M |M |M |M |M |C |M |M |M |C |M |M |M |M |
 *  |11|10|9 |8 |7 |1 |6 |5 |4 |0 |3 |2 |1 |0 |
 *  +--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *
 * Message Length counts the attributes after the 20-byte header; it is a
 * multiple of 4 and, over UDP, exactly the rest of the datagram.
 *
 * Attributes, §14: type, length of the value (before padding), the
 * value, then 0-3 bytes padding it to a 32-bit boundary (any value):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Type                  |            Length             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Value (variable)                ....
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Types below 0x8000 are comprehension-required: an agent that does not
 * know one must fail the transaction (a server answers 420 listing it in
 * UNKNOWN-ATTRIBUTES). Types from 0x8000 are optional and skipped.
 *
 * What this codec does not do: authentication. MESSAGE-INTEGRITY(-SHA256)
 * is noticed (so the caller knows a message was authenticated) but never
 * checked; USERNAME, REALM, NONCE and friends are skipped. Neither does it
 * do TURN or ICE attributes (ICE's PRIORITY shows up as unknown).
 */
#ifndef ND_PROTO_STUN_H
#define ND_PROTO_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

#define STUN_HEADER_LEN 20
#define STUN_MAGIC	0x2112A442u
#define STUN_TID_LEN	12
#define STUN_PORT	3478 /* RFC 8489 §9: the default for UDP and TCP */

/* Longest SOFTWARE or ERROR-CODE reason we keep (RFC 8489 asks for fewer
 * than 128 characters); longer values are truncated, not rejected. */
#define STUN_TEXT_MAX 128
/* Longest text a peer may send us: 127 UTF-8 characters of up to 6 bytes
 * were allowed by RFC 5389, hence RFC 8489's "763 bytes" when decoding. The
 * decoder keeps the first STUN_TEXT_MAX bytes of whatever comes. */
#define STUN_TEXT_WIRE_MAX 763
/* Longest text the encoder writes (RFC 8489 §14.8, §14.14): fewer than 128
 * UTF-8 characters, which is at most 509 bytes when sending. */
#define STUN_TEXT_SEND_CHARS 127
#define STUN_TEXT_SEND_MAX   509
/* How many attribute types we keep from a message's unknown
 * comprehension-required attributes, and from an UNKNOWN-ATTRIBUTES list. */
#define STUN_MAX_UNKNOWN 16

/* Message classes, RFC 8489 §5. */
enum stun_class {
	STUN_REQUEST = 0,
	STUN_INDICATION = 1,
	STUN_SUCCESS = 2,
	STUN_ERROR = 3,
};

/* Methods. Binding is the only one RFC 8489 defines and the only one we use. */
#define STUN_BINDING 0x001

/* Attribute types (IANA "STUN Attributes" registry). */
enum stun_attr_type {
	/* comprehension-required, 0x0000-0x7FFF */
	STUN_ATTR_MAPPED_ADDRESS = 0x0001,	     /* RFC 8489 §14.1 */
	STUN_ATTR_CHANGE_REQUEST = 0x0003,	     /* RFC 5780 §7.2 */
	STUN_ATTR_SOURCE_ADDRESS = 0x0004,	     /* RFC 3489, old RESPONSE-ORIGIN */
	STUN_ATTR_CHANGED_ADDRESS = 0x0005,	     /* RFC 3489, old OTHER-ADDRESS */
	STUN_ATTR_USERNAME = 0x0006,		     /* RFC 8489 §14.3, skipped */
	STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,	     /* RFC 8489 §14.5, noticed */
	STUN_ATTR_ERROR_CODE = 0x0009,		     /* RFC 8489 §14.8 */
	STUN_ATTR_UNKNOWN_ATTRIBUTES = 0x000A,	     /* RFC 8489 §14.13 */
	STUN_ATTR_REALM = 0x0014,		     /* RFC 8489 §14.9, skipped */
	STUN_ATTR_NONCE = 0x0015,		     /* RFC 8489 §14.10, skipped */
	STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C, /* RFC 8489 §14.6, noticed */
	STUN_ATTR_PASSWORD_ALGORITHM = 0x001D,	     /* RFC 8489 §14.12, skipped */
	STUN_ATTR_USERHASH = 0x001E,		     /* RFC 8489 §14.4, skipped */
	STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,	     /* RFC 8489 §14.2 */
	STUN_ATTR_PADDING = 0x0026,		     /* RFC 5780 §7.6 */
	STUN_ATTR_RESPONSE_PORT = 0x0027,	     /* RFC 5780 §7.5 */
	/* comprehension-optional, 0x8000-0xFFFF */
	STUN_ATTR_PASSWORD_ALGORITHMS = 0x8002, /* RFC 8489 §14.11, skipped */
	STUN_ATTR_ALTERNATE_DOMAIN = 0x8003,	/* RFC 8489 §14.16, skipped */
	STUN_ATTR_SOFTWARE = 0x8022,		/* RFC 8489 §14.14 */
	STUN_ATTR_ALTERNATE_SERVER = 0x8023,	/* RFC 8489 §14.15, skipped */
	STUN_ATTR_FINGERPRINT = 0x8028,		/* RFC 8489 §14.7 */
	STUN_ATTR_RESPONSE_ORIGIN = 0x802B,	/* RFC 5780 §7.3 */
	STUN_ATTR_OTHER_ADDRESS = 0x802C,	/* RFC 5780 §7.4 */
};

/* ERROR-CODE values we name (RFC 8489 §14.8). */
enum stun_error_code {
	STUN_ERR_TRY_ALTERNATE = 300,
	STUN_ERR_BAD_REQUEST = 400,
	STUN_ERR_UNAUTHORIZED = 401,
	STUN_ERR_UNKNOWN_ATTRIBUTE = 420,
	STUN_ERR_STALE_NONCE = 438,
	STUN_ERR_SERVER_ERROR = 500,
};

/* CHANGE-REQUEST flags, RFC 5780 §7.2. */
#define STUN_CHANGE_IP	 0x04u
#define STUN_CHANGE_PORT 0x02u

/*
 * A decoded message. Each attribute we understand has a has_ flag and a
 * value; the value is meaningful only when the flag is set. When an
 * attribute appears more than once, the first occurrence counts (RFC 8489
 * §14) and the rest are skipped; a first occurrence that is malformed
 * (wrong length, address family other than 1 or 2, ERROR-CODE class outside
 * 3..6) is counted in bad_attrs and the attribute is treated as absent.
 *
 * Texts (software, error_reason) are RAW BYTES from the network: possibly
 * not UTF-8, possibly with control characters or NULs inside. They are
 * NUL-terminated for convenience and truncated to STUN_TEXT_MAX, and the
 * caller MUST sanitise them (text_sanitize(): printable ASCII only) before
 * printing or storing them anywhere a human or a terminal reads.
 */
struct stun_msg {
	uint16_t type; /* raw 14-bit message type */
	enum stun_class cls;
	uint16_t method; /* STUN_BINDING, ... */
	uint8_t tid[STUN_TID_LEN];
	size_t len; /* whole message: STUN_HEADER_LEN + Message Length */

	/* Addresses: family AF_INET or AF_INET6, port in host order. */
	bool has_xor_mapped; /* XOR-MAPPED-ADDRESS, RFC 8489 §14.2 */
	struct netaddr xor_mapped;
	bool has_mapped; /* MAPPED-ADDRESS, RFC 8489 §14.1 */
	struct netaddr mapped;
	bool has_response_origin; /* RESPONSE-ORIGIN, RFC 5780 §7.3; else RFC 3489 SOURCE-ADDRESS */
	struct netaddr response_origin;
	bool has_other_address; /* OTHER-ADDRESS, RFC 5780 §7.4; else RFC 3489 CHANGED-ADDRESS */
	struct netaddr other_address;

	bool has_change_request; /* CHANGE-REQUEST, RFC 5780 §7.2 */
	bool change_ip, change_port;
	bool has_response_port; /* RESPONSE-PORT, RFC 5780 §7.5 */
	uint16_t response_port;
	bool has_padding; /* PADDING, RFC 5780 §7.6: only its length matters */
	uint16_t padding_len;

	bool has_error;			      /* ERROR-CODE, RFC 8489 §14.8 */
	uint16_t error_code;		      /* 300..699: class * 100 + number */
	char error_reason[STUN_TEXT_MAX + 1]; /* raw bytes, see above */
	size_t error_reason_len;

	bool has_software;		  /* SOFTWARE, RFC 8489 §14.14 */
	char software[STUN_TEXT_MAX + 1]; /* raw bytes, see above */
	size_t software_len;

	/* UNKNOWN-ATTRIBUTES, RFC 8489 §14.13 (in a 420 response): the types the
	 * peer did not understand, the first STUN_MAX_UNKNOWN of them. */
	bool has_unknown_attributes;
	uint16_t unknown_attributes[STUN_MAX_UNKNOWN];
	size_t n_unknown_attributes;

	/* Comprehension-required types in THIS message that we do not
	 * understand, each once, the first STUN_MAX_UNKNOWN of them: what a
	 * server answers 420 with. A client should treat a response that has
	 * any as failed (RFC 8489 §6.3.3). */
	uint16_t unknown[STUN_MAX_UNKNOWN];
	size_t n_unknown;

	bool has_message_integrity; /* MESSAGE-INTEGRITY or -SHA256 seen: NOT verified */
	bool has_fingerprint;	    /* FINGERPRINT seen and correct */
	unsigned bad_attrs;	    /* malformed attributes that were ignored */
};

/*
 * Is this datagram a STUN message rather than other traffic on the same
 * socket? Looks only at the two leading zero bits, the magic cookie and the
 * minimum length (RFC 8489 §5, RFC 7983); stun_decode does the rest.
 */
bool stun_is_message(const uint8_t *pkt, size_t len);

/*
 * Decode one whole datagram (pkt, len; read only, not kept) into *msg,
 * which is overwritten. Returns 0, or
 *   -ENOMSG   not STUN: shorter than a header, top bits set, no magic cookie
 *   -EBADMSG  STUN but broken: Message Length not a multiple of 4 or not
 *             the rest of the datagram, an attribute running past the end,
 *             a FINGERPRINT that does not match (or has the wrong length),
 *             or anything after FINGERPRINT, which must be last (§14.7)
 * On error *msg is unspecified. Attributes after MESSAGE-INTEGRITY other
 * than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are ignored (RFC 8489
 * §14.5, §14.6). RESPONSE-PORT is taken with length 4 (RFC 5780 §7.5) or 2
 * (what stuntman sends).
 */
int stun_decode(struct stun_msg *msg, const uint8_t *pkt, size_t len);

/* The mapped address of a response: XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS
 * from a server too old to send it, or NULL. Points into msg. */
const struct netaddr *stun_msg_mapped(const struct stun_msg *msg);

/*
 * What stun_encode writes. Zero-initialise it and set what you need; NULL
 * pointers and false flags leave an attribute out. Attributes are written in
 * a fixed order (addresses, RFC 5780 attributes, ERROR-CODE,
 * UNKNOWN-ATTRIBUTES, SOFTWARE, PADDING, FINGERPRINT last).
 */
struct stun_opts {
	enum stun_class cls;
	uint16_t method;    /* 12 bits: STUN_BINDING */
	const uint8_t *tid; /* STUN_TID_LEN bytes from getrandom(); the caller's */
	/* Addresses are written as given: AF_INET as family 1, AF_INET6 as
	 * family 2. A server on a dual-stack socket sees IPv4 clients as
	 * ::ffff:a.b.c.d and should netaddr_unmap() them first. */
	const struct netaddr *xor_mapped;
	const struct netaddr *mapped;
	const struct netaddr *response_origin;
	const struct netaddr *other_address;
	bool change_request;		    /* write CHANGE-REQUEST ... */
	bool change_ip, change_port;	    /* ... with these flags */
	uint16_t response_port;		    /* RESPONSE-PORT if non-zero */
	uint16_t padding_len;		    /* PADDING of zeros if non-zero */
	uint16_t error_code;		    /* ERROR-CODE if non-zero: 300..699 */
	const char *error_reason;	    /* NUL-terminated; NULL: stun_error_name() */
	const uint16_t *unknown_attributes; /* UNKNOWN-ATTRIBUTES if n > 0 */
	size_t n_unknown_attributes;	    /* at most STUN_MAX_UNKNOWN */
	const char *software;		    /* NUL-terminated; NULL: none */
	/* Whole attributes the caller encoded itself (type, length, value,
	 * padding; a multiple of 4 bytes), copied as they are before PADDING
	 * and FINGERPRINT: extensions such as proto/dialback.h. */
	const uint8_t *extra;
	size_t extra_len;
	bool fingerprint; /* append FINGERPRINT */
};

/*
 * Encode a message into out (cap bytes). Returns the message length, or
 *   -EINVAL        tid NULL, method over 12 bits, class over 3, error code
 *                  outside 300..699, a reason or SOFTWARE of more than
 *                  STUN_TEXT_SEND_CHARS characters or STUN_TEXT_SEND_MAX
 *                  bytes, too many unknown attributes
 *   -EAFNOSUPPORT  an address that is neither AF_INET nor AF_INET6
 *   -EMSGSIZE      the message would exceed 65535 bytes of attributes
 *   -ENOBUFS       it does not fit in cap
 * Nothing is kept; out is garbage on error.
 */
int stun_encode(const struct stun_opts *o, uint8_t *out, size_t cap);

/*
 * The value of the first attribute of this type in a message that
 * stun_decode accepted (pkt, len), under the same rules: nothing after
 * FINGERPRINT counts, nor anything after MESSAGE-INTEGRITY(-SHA256). For
 * attributes this codec does not decode itself (extensions). Returns 0 with
 * *val (pointing into pkt) and *vlen set, or -ENOENT, or -EBADMSG for a
 * message that is not whole.
 */
int stun_find_attr(const uint8_t *pkt, size_t len, uint16_t type, const uint8_t **val,
		   size_t *vlen);

/* Names for logs and reports, static strings, never NULL: "unknown" for
 * values we do not know. stun_error_name gives RFC 8489's reason phrase for
 * a code ("Unknown Attribute"), or "" for codes it does not know. */
const char *stun_class_name(enum stun_class cls);
const char *stun_method_name(uint16_t method);
const char *stun_attr_name(uint16_t type);
const char *stun_error_name(uint16_t code);

#endif
