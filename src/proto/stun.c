/* SPDX-License-Identifier: MIT */
#include "proto/stun.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "util/buf.h"

/* FINGERPRINT is CRC-32 XOR this ("STUN" in ASCII), RFC 8489 §14.7. */
#define STUN_FINGERPRINT_XOR 0x5354554eu
#define MI_SHA1_LEN	     20 /* HMAC-SHA1, RFC 8489 §14.5 */

/* Attribute families, RFC 8489 §14.1. */
#define FAMILY_IPV4 0x01
#define FAMILY_IPV6 0x02

/* Attributes we decode, as bits in walk.seen: the first occurrence of each
 * counts, later ones are skipped even if the first was malformed. */
enum {
	SEEN_MAPPED = 1u << 0,
	SEEN_XOR_MAPPED = 1u << 1,
	SEEN_RESPONSE_ORIGIN = 1u << 2,
	SEEN_OTHER_ADDRESS = 1u << 3,
	SEEN_SOURCE_ADDRESS = 1u << 4,
	SEEN_CHANGED_ADDRESS = 1u << 5,
	SEEN_CHANGE_REQUEST = 1u << 6,
	SEEN_RESPONSE_PORT = 1u << 7,
	SEEN_PADDING = 1u << 8,
	SEEN_ERROR_CODE = 1u << 9,
	SEEN_UNKNOWN_ATTRIBUTES = 1u << 10,
	SEEN_SOFTWARE = 1u << 11,
};

/* State of one attribute walk that is not part of the result. */
struct walk {
	uint8_t xor_key[16]; /* magic cookie then transaction id, RFC 8489 §14.2 */
	unsigned seen;
	/* RFC 3489 spellings, used only when the RFC 5780 ones are absent. */
	bool has_source, has_changed;
	struct netaddr source, changed;
};

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/*
 * CRC-32 of ITU-T V.42 (the one of Ethernet and zlib: reflected polynomial
 * 0xEDB88320), four bits at a time from a 16-entry table: STUN messages are
 * small and this keeps the table out of the way.
 */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	static const uint32_t nibble[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
		0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ nibble[crc & 0xf];
		crc = (crc >> 4) ^ nibble[crc & 0xf];
	}
	return crc;
}

/*
 * The FINGERPRINT value for a message whose FINGERPRINT attribute starts at
 * offset fp_at: CRC-32 over everything before it, header included (RFC 8489
 * §14.7). FINGERPRINT is the last attribute, so the header's Message Length
 * already counts it: the decoder rejects a message where anything follows.
 */
static uint32_t fingerprint(const uint8_t *msg, size_t fp_at)
{
	return (crc32_update(0xffffffffu, msg, fp_at) ^ 0xffffffffu) ^ STUN_FINGERPRINT_XOR;
}

/* Length of a text attribute we send, or -EINVAL when it breaks RFC 8489's
 * rule for senders (§14.8, §14.14): fewer than 128 characters, at most 509
 * bytes. A UTF-8 character is a byte that does not continue a multi-byte
 * sequence (10xxxxxx). */
static long send_text_len(const char *s)
{
	size_t n, chars = 0;

	for (n = 0; s[n] && n <= STUN_TEXT_SEND_MAX; n++)
		chars += ((uint8_t)s[n] & 0xc0) != 0x80;
	if (n > STUN_TEXT_SEND_MAX || chars > STUN_TEXT_SEND_CHARS)
		return -EINVAL;
	return (long)n;
}

/*
 * MAPPED-ADDRESS, RFC 8489 §14.1, and everything shaped like it
 * (RESPONSE-ORIGIN and OTHER-ADDRESS, RFC 5780 §7.3 and §7.4; RFC 3489's
 * SOURCE-ADDRESS and CHANGED-ADDRESS):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |0 0 0 0 0 0 0 0|    Family     |           Port                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Address (32 bits or 128 bits)                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Family 0x01 is IPv4 (value 8 bytes), 0x02 IPv6 (20 bytes); the first
 * byte is ignored. XOR-MAPPED-ADDRESS (§14.2) is the same with the port
 * XORed with the top 16 bits of the magic cookie and the address with the
 * cookie (IPv4) or the cookie followed by the transaction id (IPv6): that is
 * key, or NULL for the plain form. Returns false for a malformed value.
 */
static bool get_addr(struct netaddr *out, const uint8_t *v, size_t n, const uint8_t *key)
{
	uint8_t ip[16];
	size_t iplen;
	uint16_t port;

	if (n < 4)
		return false;
	if (v[1] == FAMILY_IPV4)
		iplen = 4;
	else if (v[1] == FAMILY_IPV6)
		iplen = 16;
	else
		return false;
	if (n != 4 + iplen)
		return false;
	port = be16_load(v + 2);
	memcpy(ip, v + 4, iplen);
	if (key) {
		port ^= be16_load(key);
		for (size_t i = 0; i < iplen; i++)
			ip[i] ^= key[i];
	}
	*out = iplen == 4 ? netaddr_v4(ip, port) : netaddr_v6(ip, port);
	return true;
}

/* Copy a text attribute's raw bytes, truncated to STUN_TEXT_MAX. */
static size_t get_text(char out[static STUN_TEXT_MAX + 1], const uint8_t *v, size_t n)
{
	if (n > STUN_TEXT_MAX)
		n = STUN_TEXT_MAX;
	memcpy(out, v, n);
	out[n] = '\0';
	return n;
}

/*
 * ERROR-CODE, RFC 8489 §14.8:
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Reserved, should be 0         |Class|     Number    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Reason Phrase (variable)                                ..
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The code is Class * 100 + Number, Class 3..6, Number 0..99. The reason is
 * UTF-8 meant for humans, under 128 characters.
 */
static bool get_error(struct stun_msg *m, const uint8_t *v, size_t n)
{
	unsigned cls, num;

	if (n < 4)
		return false;
	cls = v[2] & 0x07;
	num = v[3];
	if (cls < 3 || cls > 6 || num > 99)
		return false;
	m->error_code = (uint16_t)(cls * 100 + num);
	m->error_reason_len = get_text(m->error_reason, v + 4, n - 4);
	return true;
}

/*
 * UNKNOWN-ATTRIBUTES, RFC 8489 §14.13: a list of 16-bit types,
 * padded like any other attribute (RFC 3489 repeated the last type
 * instead; either way the length is even).
 */
static bool get_unknown_list(struct stun_msg *m, const uint8_t *v, size_t n)
{
	if (n % 2)
		return false;
	for (size_t i = 0; i + 1 < n && m->n_unknown_attributes < STUN_MAX_UNKNOWN; i += 2)
		m->unknown_attributes[m->n_unknown_attributes++] = be16_load(v + i);
	return true;
}

static void add_unknown(struct stun_msg *m, uint16_t type)
{
	for (size_t i = 0; i < m->n_unknown; i++)
		if (m->unknown[i] == type)
			return;
	if (m->n_unknown < STUN_MAX_UNKNOWN)
		m->unknown[m->n_unknown++] = type;
}

/* Attributes we know and deliberately skip: authentication (we do none)
 * and ALTERNATE-SERVER/-DOMAIN (we do not follow redirects). Knowing them
 * keeps them out of the unknown list, so no 420 for a plain USERNAME. */
static bool skipped_known(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_USERNAME:
	case STUN_ATTR_REALM:
	case STUN_ATTR_NONCE:
	case STUN_ATTR_PASSWORD_ALGORITHM:
	case STUN_ATTR_USERHASH:
	case STUN_ATTR_PASSWORD_ALGORITHMS:
	case STUN_ATTR_ALTERNATE_DOMAIN:
	case STUN_ATTR_ALTERNATE_SERVER:
		return true;
	default:
		return false;
	}
}

/* The walk.seen bit for a type we decode, or 0. */
static unsigned seen_bit(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS:
		return SEEN_MAPPED;
	case STUN_ATTR_XOR_MAPPED_ADDRESS:
		return SEEN_XOR_MAPPED;
	case STUN_ATTR_RESPONSE_ORIGIN:
		return SEEN_RESPONSE_ORIGIN;
	case STUN_ATTR_OTHER_ADDRESS:
		return SEEN_OTHER_ADDRESS;
	case STUN_ATTR_SOURCE_ADDRESS:
		return SEEN_SOURCE_ADDRESS;
	case STUN_ATTR_CHANGED_ADDRESS:
		return SEEN_CHANGED_ADDRESS;
	case STUN_ATTR_CHANGE_REQUEST:
		return SEEN_CHANGE_REQUEST;
	case STUN_ATTR_RESPONSE_PORT:
		return SEEN_RESPONSE_PORT;
	case STUN_ATTR_PADDING:
		return SEEN_PADDING;
	case STUN_ATTR_ERROR_CODE:
		return SEEN_ERROR_CODE;
	case STUN_ATTR_UNKNOWN_ATTRIBUTES:
		return SEEN_UNKNOWN_ATTRIBUTES;
	case STUN_ATTR_SOFTWARE:
		return SEEN_SOFTWARE;
	default:
		return 0;
	}
}

/* Decode the first occurrence of an attribute we know; returns false if
 * its value is malformed. */
static bool get_attr(struct stun_msg *m, struct walk *w, uint16_t type, const uint8_t *v, size_t n)
{
	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS:
		return (m->has_mapped = get_addr(&m->mapped, v, n, NULL));
	case STUN_ATTR_XOR_MAPPED_ADDRESS:
		return (m->has_xor_mapped = get_addr(&m->xor_mapped, v, n, w->xor_key));
	case STUN_ATTR_RESPONSE_ORIGIN:
		return (m->has_response_origin = get_addr(&m->response_origin, v, n, NULL));
	case STUN_ATTR_OTHER_ADDRESS:
		return (m->has_other_address = get_addr(&m->other_address, v, n, NULL));
	case STUN_ATTR_SOURCE_ADDRESS:
		return (w->has_source = get_addr(&w->source, v, n, NULL));
	case STUN_ATTR_CHANGED_ADDRESS:
		return (w->has_changed = get_addr(&w->changed, v, n, NULL));
	case STUN_ATTR_CHANGE_REQUEST:
		/*
		 * RFC 5780 §7.2: 32 bits, A = change IP, B = change port.
		 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
		 *  |0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 A B 0|
		 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
		 */
		if (n != 4)
			return false;
		m->has_change_request = true;
		m->change_ip = v[3] & STUN_CHANGE_IP;
		m->change_port = v[3] & STUN_CHANGE_PORT;
		return true;
	case STUN_ATTR_RESPONSE_PORT:
		/*
		 * RFC 5780 §7.5: the port to answer to, then padding.
		 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
		 *  |              Port             |    Padding (must be 0)        |
		 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
		 * The figure says 4 bytes; stuntman's client sends length 2
		 * (the port alone, the padding outside the length) and coturn
		 * reads 2 or more. A server that meets every client takes both.
		 */
		if (n != 2 && n != 4)
			return false;
		m->has_response_port = true;
		m->response_port = be16_load(v);
		return true;
	case STUN_ATTR_PADDING:
		/* RFC 5780 §7.6: any bytes, to make the datagram big
		 * enough to fragment; only the length means something. */
		m->has_padding = true;
		m->padding_len = (uint16_t)n;
		return true;
	case STUN_ATTR_ERROR_CODE:
		return (m->has_error = get_error(m, v, n));
	case STUN_ATTR_UNKNOWN_ATTRIBUTES:
		return (m->has_unknown_attributes = get_unknown_list(m, v, n));
	default: /* STUN_ATTR_SOFTWARE, the last type seen_bit knows */
		/* RFC 8489 §14.14: UTF-8 text, under 128 characters. */
		m->has_software = true;
		m->software_len = get_text(m->software, v, n);
		return true;
	}
}

bool stun_is_message(const uint8_t *pkt, size_t len)
{
	return len >= STUN_HEADER_LEN && (pkt[0] & 0xc0) == 0 && be32_load(pkt + 4) == STUN_MAGIC;
}

int stun_decode(struct stun_msg *m, const uint8_t *pkt, size_t len)
{
	struct buf_reader r = buf_reader(pkt, len);
	struct walk w = { .seen = 0 };
	bool after_mi = false, after_mi256 = false;
	uint16_t mlen;

	if (!stun_is_message(pkt, len))
		return -ENOMSG;
	memset(m, 0, sizeof(*m));
	m->type = br_u16(&r);
	mlen = br_u16(&r);
	br_bytes(&r, w.xor_key, 4);
	br_bytes(&r, m->tid, STUN_TID_LEN);
	memcpy(w.xor_key + 4, m->tid, STUN_TID_LEN);
	/* §5: the length excludes the header, attributes are padded
	 * to 32 bits, and over UDP the message is the whole datagram. */
	if (mlen % 4 || mlen != br_left(&r))
		return -EBADMSG;
	m->len = STUN_HEADER_LEN + (size_t)mlen;
	m->method = (m->type & 0x000f) | (m->type & 0x00e0) >> 1 | (m->type & 0x3e00) >> 2;
	m->cls = (enum stun_class)((m->type & 0x0010) >> 4 | (m->type & 0x0100) >> 7);

	/* What is left is always a multiple of 4, so a value that fits has
	 * room for its padding too. */
	while (br_left(&r) > 0) {
		size_t at = r.off;
		uint16_t type = br_u16(&r);
		uint16_t alen = br_u16(&r);
		const uint8_t *v = br_take(&r, alen);
		unsigned bit;

		br_take(&r, pad4(alen));
		if (r.err)
			return -EBADMSG;
		if (type == STUN_ATTR_FINGERPRINT) {
			/* §14.7: FINGERPRINT MUST be the last attribute, so
			 * anything after it makes the message malformed (its
			 * CRC would cover a length that is not the message's).
			 * A wrong one means "not STUN": drop the message. */
			if (br_left(&r) > 0 || alen != 4 || be32_load(v) != fingerprint(pkt, at))
				return -EBADMSG;
			m->has_fingerprint = true;
			break;
		}
		/* §14.5, §14.6: after MESSAGE-INTEGRITY only
		 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT count; after
		 * MESSAGE-INTEGRITY-SHA256 only FINGERPRINT. */
		if (after_mi256 || (after_mi && type != STUN_ATTR_MESSAGE_INTEGRITY_SHA256))
			continue;
		if (type == STUN_ATTR_MESSAGE_INTEGRITY) {
			if (alen != MI_SHA1_LEN) {
				m->bad_attrs++;
				continue;
			}
			m->has_message_integrity = after_mi = true;
			continue;
		}
		if (type == STUN_ATTR_MESSAGE_INTEGRITY_SHA256) {
			/* 16 to 32 bytes in steps of 4 (truncated HMAC). */
			if (alen < 16 || alen > 32 || alen % 4) {
				m->bad_attrs++;
				continue;
			}
			m->has_message_integrity = after_mi = after_mi256 = true;
			continue;
		}
		bit = seen_bit(type);
		if (!bit) {
			if (type < 0x8000 && !skipped_known(type))
				add_unknown(m, type);
			continue;
		}
		if (w.seen & bit)
			continue;
		w.seen |= bit;
		if (!get_attr(m, &w, type, v, alen))
			m->bad_attrs++;
	}
	/* RFC 5780 §7.3, §7.4 renamed these; old servers still send
	 * the RFC 3489 ones, which say the same thing. */
	if (!m->has_response_origin && w.has_source) {
		m->has_response_origin = true;
		m->response_origin = w.source;
	}
	if (!m->has_other_address && w.has_changed) {
		m->has_other_address = true;
		m->other_address = w.changed;
	}
	return 0;
}

const struct netaddr *stun_msg_mapped(const struct stun_msg *m)
{
	if (m->has_xor_mapped)
		return &m->xor_mapped;
	if (m->has_mapped)
		return &m->mapped;
	return NULL;
}

int stun_find_attr(const uint8_t *pkt, size_t len, uint16_t type, const uint8_t **val, size_t *vlen)
{
	struct buf_reader r = buf_reader(pkt, len);

	if (!stun_is_message(pkt, len) || STUN_HEADER_LEN + (size_t)be16_load(pkt + 2) != len)
		return -EBADMSG;
	br_take(&r, STUN_HEADER_LEN);
	while (br_left(&r) >= 4) {
		uint16_t t = br_u16(&r);
		uint16_t alen = br_u16(&r);
		const uint8_t *v = br_take(&r, alen);

		br_take(&r, pad4(alen));
		if (r.err)
			return -EBADMSG;
		/* RFC 8489 §14.5 to §14.7: the integrity attributes and the
		 * fingerprint close what counts. */
		if (t == STUN_ATTR_FINGERPRINT || t == STUN_ATTR_MESSAGE_INTEGRITY ||
		    t == STUN_ATTR_MESSAGE_INTEGRITY_SHA256)
			break;
		if (t == type) {
			*val = v;
			*vlen = alen;
			return 0;
		}
	}
	return -ENOENT;
}

/* --- encoding ------------------------------------------------------------ */

/* Value length of an address attribute, or 0 for an unusable family. */
static size_t addr_len(const struct netaddr *a)
{
	return a->family == AF_INET ? 8 : a->family == AF_INET6 ? 20 : 0;
}

static void put_attr(struct buf_writer *w, uint16_t type, const void *v, size_t n)
{
	bw_u16(w, type);
	bw_u16(w, (uint16_t)n);
	bw_bytes(w, v, n);
	bw_zero(w, pad4(n));
}

static void put_addr(struct buf_writer *w, uint16_t type, const struct netaddr *a,
		     const uint8_t *key)
{
	uint8_t v[20];
	/* Callers checked the family (encoded_len); spelt out so the length is
	 * visibly 4 or 16 and never addr_len's 0 - 4. */
	size_t iplen = a->family == AF_INET6 ? 16 : 4;
	uint16_t port = a->port;

	v[0] = 0;
	v[1] = iplen == 4 ? FAMILY_IPV4 : FAMILY_IPV6;
	memcpy(v + 4, a->ip, iplen);
	if (key) {
		port ^= be16_load(key);
		for (size_t i = 0; i < iplen; i++)
			v[4 + i] ^= key[i];
	}
	be16_store(v + 2, port);
	put_attr(w, type, v, 4 + iplen);
}

/* Bytes an attribute with an n-byte value takes, padding included. */
static size_t attr_size(size_t n)
{
	return 4 + n + pad4(n);
}

/* Check o and return the Message Length it encodes to (which may be over
 * 0xffff: the caller checks), or a negative errno. */
static long encoded_len(const struct stun_opts *o, size_t *reason_len, size_t *software_len)
{
	const struct netaddr *addrs[] = { o->xor_mapped, o->mapped, o->response_origin,
					  o->other_address };
	size_t n = 0;

	if (!o->tid || o->method > 0xfff || (unsigned)o->cls > STUN_ERROR)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		if (!addrs[i])
			continue;
		if (!addr_len(addrs[i]))
			return -EAFNOSUPPORT;
		n += attr_size(addr_len(addrs[i]));
	}
	if (o->change_request)
		n += attr_size(4);
	if (o->response_port)
		n += attr_size(4);
	if (o->padding_len)
		n += attr_size(o->padding_len);
	if (o->error_code) {
		const char *reason =
		    o->error_reason ? o->error_reason : stun_error_name(o->error_code);

		long rl = send_text_len(reason);

		if (o->error_code < 300 || o->error_code > 699 || rl < 0)
			return -EINVAL;
		*reason_len = (size_t)rl;
		n += attr_size(4 + *reason_len);
	}
	if (o->n_unknown_attributes) {
		if (!o->unknown_attributes || o->n_unknown_attributes > STUN_MAX_UNKNOWN)
			return -EINVAL;
		n += attr_size(2 * o->n_unknown_attributes);
	}
	if (o->software) {
		long sl = send_text_len(o->software);

		if (sl < 0)
			return -EINVAL;
		*software_len = (size_t)sl;
		n += attr_size(*software_len);
	}
	if (o->extra_len) {
		if (!o->extra || o->extra_len % 4)
			return -EINVAL;
		n += o->extra_len;
	}
	if (o->fingerprint)
		n += attr_size(4);
	return (long)n;
}

int stun_encode(const struct stun_opts *o, uint8_t *out, size_t cap)
{
	struct buf_writer w = buf_writer(out, cap);
	size_t reason_len = 0, software_len = 0;
	long mlen = encoded_len(o, &reason_len, &software_len);
	uint8_t key[16];
	uint16_t type;

	if (mlen < 0)
		return (int)mlen;
	if (mlen > 0xffff)
		return -EMSGSIZE;
	if ((size_t)mlen + STUN_HEADER_LEN > cap)
		return -ENOBUFS;

	/* §5: the class bits go to type bits 4 and 8, the method
	 * around them. */
	type = (uint16_t)((o->method & 0x000f) | (o->method & 0x0070) << 1 |
			  (o->method & 0x0f80) << 2 | (o->cls & 1) << 4 | (o->cls & 2) << 7);
	bw_u16(&w, type);
	bw_u16(&w, (uint16_t)mlen);
	bw_u32(&w, STUN_MAGIC);
	bw_bytes(&w, o->tid, STUN_TID_LEN);
	be32_store(key, STUN_MAGIC);
	memcpy(key + 4, o->tid, STUN_TID_LEN);

	if (o->xor_mapped)
		put_addr(&w, STUN_ATTR_XOR_MAPPED_ADDRESS, o->xor_mapped, key);
	if (o->mapped)
		put_addr(&w, STUN_ATTR_MAPPED_ADDRESS, o->mapped, NULL);
	if (o->response_origin)
		put_addr(&w, STUN_ATTR_RESPONSE_ORIGIN, o->response_origin, NULL);
	if (o->other_address)
		put_addr(&w, STUN_ATTR_OTHER_ADDRESS, o->other_address, NULL);
	if (o->change_request) {
		uint8_t v[4] = { 0, 0, 0, 0 };

		v[3] = (uint8_t)((o->change_ip ? STUN_CHANGE_IP : 0) |
				 (o->change_port ? STUN_CHANGE_PORT : 0));
		put_attr(&w, STUN_ATTR_CHANGE_REQUEST, v, 4);
	}
	if (o->response_port) {
		uint8_t v[4] = { 0, 0, 0, 0 };

		be16_store(v, o->response_port);
		put_attr(&w, STUN_ATTR_RESPONSE_PORT, v, 4);
	}
	if (o->error_code) {
		bw_u16(&w, STUN_ATTR_ERROR_CODE);
		bw_u16(&w, (uint16_t)(4 + reason_len));
		bw_u16(&w, 0);
		bw_u8(&w, (uint8_t)(o->error_code / 100));
		bw_u8(&w, (uint8_t)(o->error_code % 100));
		bw_bytes(&w, o->error_reason ? o->error_reason : stun_error_name(o->error_code),
			 reason_len);
		bw_zero(&w, pad4(reason_len));
	}
	if (o->n_unknown_attributes) {
		bw_u16(&w, STUN_ATTR_UNKNOWN_ATTRIBUTES);
		bw_u16(&w, (uint16_t)(2 * o->n_unknown_attributes));
		for (size_t i = 0; i < o->n_unknown_attributes; i++)
			bw_u16(&w, o->unknown_attributes[i]);
		bw_zero(&w, pad4(2 * o->n_unknown_attributes));
	}
	if (o->software)
		put_attr(&w, STUN_ATTR_SOFTWARE, o->software, software_len);
	if (o->extra_len)
		bw_bytes(&w, o->extra, o->extra_len);
	if (o->padding_len) {
		bw_u16(&w, STUN_ATTR_PADDING);
		bw_u16(&w, o->padding_len);
		bw_zero(&w, o->padding_len + pad4(o->padding_len));
	}
	if (o->fingerprint) {
		/* The header already counts the FINGERPRINT, as §14.7 wants. */
		size_t at = w.len;

		bw_u16(&w, STUN_ATTR_FINGERPRINT);
		bw_u16(&w, 4);
		if (!w.err)
			bw_u32(&w, fingerprint(out, at));
	}
	/* The sizing above is exact; a mismatch is a bug here, not input. */
	if (w.err || w.len != (size_t)mlen + STUN_HEADER_LEN)
		return -EFAULT;
	return (int)w.len;
}

/* --- names --------------------------------------------------------------- */

const char *stun_class_name(enum stun_class cls)
{
	switch (cls) {
	case STUN_REQUEST:
		return "request";
	case STUN_INDICATION:
		return "indication";
	case STUN_SUCCESS:
		return "success response";
	case STUN_ERROR:
		return "error response";
	}
	return "unknown";
}

const char *stun_method_name(uint16_t method)
{
	return method == STUN_BINDING ? "Binding" : "unknown";
}

const char *stun_attr_name(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS:
		return "MAPPED-ADDRESS";
	case STUN_ATTR_CHANGE_REQUEST:
		return "CHANGE-REQUEST";
	case STUN_ATTR_SOURCE_ADDRESS:
		return "SOURCE-ADDRESS";
	case STUN_ATTR_CHANGED_ADDRESS:
		return "CHANGED-ADDRESS";
	case STUN_ATTR_USERNAME:
		return "USERNAME";
	case STUN_ATTR_MESSAGE_INTEGRITY:
		return "MESSAGE-INTEGRITY";
	case STUN_ATTR_ERROR_CODE:
		return "ERROR-CODE";
	case STUN_ATTR_UNKNOWN_ATTRIBUTES:
		return "UNKNOWN-ATTRIBUTES";
	case STUN_ATTR_REALM:
		return "REALM";
	case STUN_ATTR_NONCE:
		return "NONCE";
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
		return "MESSAGE-INTEGRITY-SHA256";
	case STUN_ATTR_PASSWORD_ALGORITHM:
		return "PASSWORD-ALGORITHM";
	case STUN_ATTR_USERHASH:
		return "USERHASH";
	case STUN_ATTR_XOR_MAPPED_ADDRESS:
		return "XOR-MAPPED-ADDRESS";
	case STUN_ATTR_PADDING:
		return "PADDING";
	case STUN_ATTR_RESPONSE_PORT:
		return "RESPONSE-PORT";
	case STUN_ATTR_PASSWORD_ALGORITHMS:
		return "PASSWORD-ALGORITHMS";
	case STUN_ATTR_ALTERNATE_DOMAIN:
		return "ALTERNATE-DOMAIN";
	case STUN_ATTR_SOFTWARE:
		return "SOFTWARE";
	case STUN_ATTR_ALTERNATE_SERVER:
		return "ALTERNATE-SERVER";
	case STUN_ATTR_FINGERPRINT:
		return "FINGERPRINT";
	case STUN_ATTR_RESPONSE_ORIGIN:
		return "RESPONSE-ORIGIN";
	case STUN_ATTR_OTHER_ADDRESS:
		return "OTHER-ADDRESS";
	}
	return type < 0x8000 ? "unknown (comprehension-required)" : "unknown";
}

const char *stun_error_name(uint16_t code)
{
	switch (code) {
	case STUN_ERR_TRY_ALTERNATE:
		return "Try Alternate";
	case STUN_ERR_BAD_REQUEST:
		return "Bad Request";
	case STUN_ERR_UNAUTHORIZED:
		return "Unauthorized";
	case STUN_ERR_UNKNOWN_ATTRIBUTE:
		return "Unknown Attribute";
	case STUN_ERR_STALE_NONCE:
		return "Stale Nonce";
	case STUN_ERR_SERVER_ERROR:
		return "Server Error";
	}
	return "";
}
