/* SPDX-License-Identifier: MIT */
/*
 * The IPv4 and TCP headers of a packet, as a packet socket delivers it
 * (from the IP header on): just enough to tell who sent a TCP segment to
 * whom and with which flags. Pure: no sockets; fuzzed
 * (tests/fuzz/fuzz_iptcp.c).
 *
 * RFC 791 §3.1 (IPv4 header: version 4, IHL >= 5 words, Total Length,
 * Protocol 6, no fragment offset) and RFC 9293 §3.1 (TCP header: ports,
 * Data Offset >= 5 words, flags).
 */
#ifndef ND_PROTO_IPTCP_H
#define ND_PROTO_IPTCP_H

#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

#define IPTCP_FIN 0x01u
#define IPTCP_SYN 0x02u
#define IPTCP_RST 0x04u
#define IPTCP_ACK 0x10u

struct iptcp {
	struct netaddr src, dst; /* addresses with the TCP ports */
	uint8_t flags;		 /* IPTCP_* bits */
};

/* Parse one packet (p, len: the bytes captured, maybe truncated after the
 * TCP header). Returns 0, or -EPROTO (not IPv4, not TCP, a fragment other
 * than the first) or -EBADMSG (a header shorter than it says, lengths that
 * do not fit). */
int iptcp_parse(const uint8_t *p, size_t len, struct iptcp *out);

#endif
