/* SPDX-License-Identifier: MIT */
/*
 * rtnetlink messages (NETLINK_ROUTE, see netlink(7), rtnetlink(7)) as bytes:
 * build the few requests natdoctor sends and walk and parse what the kernel
 * answers. Pure: no sockets, no logging, no globals (the socket side is
 * net/netlink.c), so unit tests and the fuzzer feed it captured replies.
 *
 * Netlink integers are in the host's byte order, not network order: the
 * kernel and we share a machine. Everything is read through memcpy at
 * checked offsets, never by casting the buffer to a kernel struct, because
 * the buffer may be short, misaligned or lying (the fuzzer makes it so).
 *
 *   struct nlmsghdr (16 bytes)            a message; many per datagram
 *   +--------+------+-------+-----+-----+
 *   | len 32 | type | flags | seq | pid |  len counts the header
 *   +--------+------+-------+-----+-----+
 *   family header (ifinfomsg 16, ifaddrmsg 8, rtmsg 12 bytes), then
 *   attributes: struct rtattr { u16 len; u16 type; } + value, each padded
 *   to 4 bytes (NLMSG_ALIGN / RTA_ALIGN).
 */
#ifndef ND_PROTO_RTNL_H
#define ND_PROTO_RTNL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

/* Room for any request built here. */
#define RTNL_REQ_MAX 64

/* One message found in a received buffer. payload points into that buffer
 * and is valid as long as it is. */
struct rtnl_msg {
	uint16_t type;	/* RTM_NEWLINK, NLMSG_DONE, NLMSG_ERROR, ... */
	uint16_t flags; /* NLM_F_MULTI, NLM_F_DUMP_INTR, ... */
	uint32_t seq;
	uint32_t pid;
	const uint8_t *payload; /* after the 16-byte header */
	size_t len;		/* payload bytes (nlmsg_len - 16) */
};

/* Walks the messages of one datagram. Start with rtnl_iter(). */
struct rtnl_iter {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err; /* a malformed message was met; the walk is over */
};

static inline struct rtnl_iter rtnl_iter(const void *p, size_t len)
{
	return (struct rtnl_iter){ .p = p, .len = len };
}

/* The next message. Returns 1 and fills *m, 0 at the end of the buffer, or
 * -EBADMSG when the rest is not a well-formed message (a header that does
 * not fit, a length under 16 or past the end); the walk stops there, and
 * every later call returns -EBADMSG too. Trailing bytes shorter than a
 * header are treated as padding and end the walk. */
int rtnl_next(struct rtnl_iter *it, struct rtnl_msg *m);

/* NLMSG_ERROR or NLMSG_DONE. error is 0 (an ACK, or a dump's clean end) or
 * a negative errno from the kernel; msg is the kernel's extended-ACK text
 * (NETLINK_EXT_ACK) when it sent one, else "". */
struct rtnl_status {
	int error;
	char msg[96];
};

/* Parse the payload of an NLMSG_ERROR or NLMSG_DONE message (flags are the
 * message's flags: they say whether extended-ACK attributes follow). A
 * DONE without the 4-byte error (old kernels) reads as error 0. Returns 0,
 * or -EBADMSG when an NLMSG_ERROR payload is shorter than its error field,
 * or -EINVAL for another type. */
int rtnl_parse_status(const struct rtnl_msg *m, struct rtnl_status *out);

/* RTM_NEWLINK (struct ifinfomsg + IFLA_* attributes). */
struct rtnl_link {
	uint32_t index;
	uint32_t flags;		/* IFF_UP, IFF_RUNNING, IFF_LOOPBACK, ... */
	uint16_t type;		/* ARPHRD_* */
	uint8_t operstate;	/* IF_OPER_*, IF_OPER_UNKNOWN (0) if absent */
	char name[IF_NAMESIZE]; /* IFLA_IFNAME, "" if absent (see below) */
};

/* RTM_NEWADDR (struct ifaddrmsg + IFA_* attributes). */
struct rtnl_addr {
	uint32_t index; /* interface index */
	uint8_t prefixlen;
	uint8_t scope;	/* RT_SCOPE_* */
	uint32_t flags; /* IFA_F_*: IFA_FLAGS when present (32 bits), else the
			   8-bit field of the header */
	/* The local address: IFA_LOCAL when present, else IFA_ADDRESS (on
	 * point-to-point links IFA_ADDRESS is the peer). family 0 if none. */
	struct netaddr local;
	struct netaddr peer;	 /* IFA_ADDRESS when it differs from IFA_LOCAL */
	char label[IF_NAMESIZE]; /* IFA_LABEL (IPv4 only), "" if absent */
};

/* RTM_NEWROUTE (struct rtmsg + RTA_* attributes). */
struct rtnl_route {
	uint8_t family;
	uint8_t dst_len;
	uint8_t type;		/* RTN_UNICAST, RTN_UNREACHABLE, ... */
	uint8_t scope;		/* RT_SCOPE_* */
	uint8_t protocol;	/* RTPROT_* */
	uint32_t table;		/* RTA_TABLE when present, else the 8-bit header field */
	uint32_t flags;		/* RTM_F_*, RTNH_F_* */
	uint32_t priority;	/* RTA_PRIORITY (the metric), 0 if absent */
	uint32_t oif;		/* RTA_OIF, 0 if absent */
	struct netaddr dst;	/* RTA_DST, family 0 if absent (a default) */
	struct netaddr gateway; /* RTA_GATEWAY or RTA_VIA, family 0 if on-link */
	struct netaddr prefsrc; /* RTA_PREFSRC, family 0 if absent */
	/* With RTA_MULTIPATH, oif and gateway are the first next hop's and
	 * n_nexthops counts them all; 1 for a plain route. */
	unsigned n_nexthops;
};

/* Parse a message payload of the named kind. Names (IFLA_IFNAME, IFA_LABEL)
 * and the extended-ACK text are copied as printable ASCII: any other byte
 * becomes '?', so they are safe to print and to put in JSON. Every attribute length is
 * checked; unknown attributes are skipped; an attribute of the wrong size
 * is ignored rather than trusted; a malformed attribute ends the walk of
 * that message and what was read so far stands. Returns 0, or -EBADMSG
 * when the family header itself does not fit. */
int rtnl_parse_link(const uint8_t *p, size_t len, struct rtnl_link *out);
int rtnl_parse_addr(const uint8_t *p, size_t len, struct rtnl_addr *out);
int rtnl_parse_route(const uint8_t *p, size_t len, struct rtnl_route *out);

/* Requests. Each writes one message into buf and returns its length, or
 * -ENOBUFS if cap is too small (RTNL_REQ_MAX always suffices).
 *
 * A dump (NLM_F_DUMP) of RTM_GETLINK, RTM_GETADDR or RTM_GETROUTE for one
 * family (AF_UNSPEC: all). */
int rtnl_req_dump(uint8_t *buf, size_t cap, uint16_t type, uint8_t family, uint32_t seq);

/* RTM_GETROUTE for one destination: the route the kernel would use toward
 * dst (a lookup; nothing is sent on the network). The reply carries the
 * gateway, the output interface and the preferred source address. */
int rtnl_req_route_get(uint8_t *buf, size_t cap, const struct netaddr *dst, uint32_t seq);

/* RTM_GETLINK for one interface index. */
int rtnl_req_link_get(uint8_t *buf, size_t cap, uint32_t index, uint32_t seq);

#endif
