/* SPDX-License-Identifier: MIT */
#include "proto/rtnl.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>

/* Sizes of the kernel's fixed headers (linux/netlink.h, linux/rtnetlink.h,
 * linux/if_addr.h), written out so the layout is visible where it is read:
 *   nlmsghdr  u32 len, u16 type, u16 flags, u32 seq, u32 pid
 *   ifinfomsg u8 family, u8 pad, u16 type, i32 index, u32 flags, u32 change
 *   ifaddrmsg u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index
 *   rtmsg     u8 family, dst_len, src_len, tos, table, protocol, scope,
 *             type, u32 flags
 *   rtattr    u16 len, u16 type (len counts these 4 bytes)
 *   rtnexthop u16 len, u8 flags, u8 hops, i32 ifindex (len counts the
 *             nested attributes that follow)
 *   nlmsgerr  i32 error, then the request's nlmsghdr (and its payload
 *             unless NLM_F_CAPPED), then extended-ACK attributes if
 *             NLM_F_ACK_TLVS */
enum {
	HDR_NLMSG = 16,
	HDR_IFINFO = 16,
	HDR_IFADDR = 8,
	HDR_RTMSG = 12,
	HDR_RTATTR = 4,
	HDR_RTNH = 8,
};

_Static_assert(HDR_NLMSG == sizeof(struct nlmsghdr), "nlmsghdr layout");
_Static_assert(HDR_IFINFO == sizeof(struct ifinfomsg), "ifinfomsg layout");
_Static_assert(HDR_IFADDR == sizeof(struct ifaddrmsg), "ifaddrmsg layout");
_Static_assert(HDR_RTMSG == sizeof(struct rtmsg), "rtmsg layout");
_Static_assert(HDR_RTNH == sizeof(struct rtnexthop), "rtnexthop layout");

/* Host-order loads and stores at offsets the caller has bounds-checked. */
static uint16_t ne16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t ne32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void ne16_put(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void ne32_put(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Round n up to 4 (NLMSG_ALIGN, RTA_ALIGN), but never past limit: the
 * padding of the last message or attribute may be missing. */
static size_t align4_within(size_t n, size_t limit)
{
	size_t pad = (4 - (n & 3)) & 3;

	return limit - n < pad ? limit : n + pad;
}

int rtnl_next(struct rtnl_iter *it, struct rtnl_msg *m)
{
	const uint8_t *h;
	size_t left;
	uint32_t len;

	if (it->err)
		return -EBADMSG;
	left = it->len - it->off;
	if (left < HDR_NLMSG) {
		it->off = it->len;
		return 0;
	}
	h = it->p + it->off;
	len = ne32(h);
	if (len < HDR_NLMSG || len > left) {
		it->err = true;
		return -EBADMSG;
	}
	m->type = ne16(h + 4);
	m->flags = ne16(h + 6);
	m->seq = ne32(h + 8);
	m->pid = ne32(h + 12);
	m->payload = h + HDR_NLMSG;
	m->len = len - HDR_NLMSG;
	it->off += align4_within(len, left);
	return 1;
}

/* --- attributes ----------------------------------------------------------- */

struct attr_walk {
	const uint8_t *p;
	size_t len, off;
};

struct attr {
	uint16_t type; /* without NLA_F_NESTED / NLA_F_NET_BYTEORDER */
	const uint8_t *v;
	size_t len;
};

/* The next attribute, or false at the end or at the first malformed one
 * (RTA_OK: the header fits, its length covers the header and stays inside
 * what is left). */
static bool attr_next(struct attr_walk *w, struct attr *a)
{
	size_t left = w->len - w->off;
	const uint8_t *h = w->p + w->off;
	uint16_t len;

	if (left < HDR_RTATTR)
		return false;
	len = ne16(h);
	if (len < HDR_RTATTR || len > left) {
		w->off = w->len;
		return false;
	}
	a->type = ne16(h + 2) & NLA_TYPE_MASK;
	a->v = h + HDR_RTATTR;
	a->len = len - HDR_RTATTR;
	w->off += align4_within(len, left);
	return true;
}

static struct attr_walk attrs_after(const uint8_t *p, size_t len, size_t hdr)
{
	return (struct attr_walk){ .p = p + hdr, .len = len - hdr };
}

/* Copy a kernel string (maybe without its NUL) as printable ASCII. */
static void copy_text(char *out, size_t size, const uint8_t *v, size_t len)
{
	size_t n = 0;

	for (; n < len && n + 1 < size && v[n]; n++)
		out[n] = v[n] >= 0x20 && v[n] < 0x7f ? (char)v[n] : '?';
	out[n] = '\0';
}

/* An address attribute of the message's family; a wrong size leaves *out
 * alone (a kernel bug or a lie, either way not an address). */
static void get_addr(struct netaddr *out, uint8_t family, const struct attr *a)
{
	if (family == AF_INET && a->len == 4)
		*out = netaddr_v4(a->v, 0);
	else if (family == AF_INET6 && a->len == 16)
		*out = netaddr_v6(a->v, 0);
}

static void get_u32(uint32_t *out, const struct attr *a)
{
	if (a->len == 4)
		*out = ne32(a->v);
}

/* RTA_VIA (RFC 5549: an IPv4 route through an IPv6 next hop): a u16
 * family, then the address. */
static void get_via(struct netaddr *out, const struct attr *a)
{
	struct attr inner;

	if (a->len < 2)
		return;
	inner = (struct attr){ .v = a->v + 2, .len = a->len - 2 };
	get_addr(out, (uint8_t)ne16(a->v), &inner);
}

/* --- status, link, address, route ---------------------------------------- */

int rtnl_parse_status(const struct rtnl_msg *m, struct rtnl_status *out)
{
	struct attr_walk w;
	struct attr a;
	size_t skip = 4;

	memset(out, 0, sizeof(*out));
	if (m->type != NLMSG_ERROR && m->type != NLMSG_DONE)
		return -EINVAL;
	if (m->len < 4)
		return m->type == NLMSG_DONE ? 0 : -EBADMSG;
	/* The kernel sends a negative errno; anything else is not one. */
	out->error = (int)ne32(m->payload);
	if (out->error > 0 || out->error < -4095)
		out->error = -EPROTO;
	if (!(m->flags & NLM_F_ACK_TLVS))
		return 0;
	if (m->type == NLMSG_ERROR) {
		/* Skip the echoed request: its header, and its payload unless the
		 * kernel capped it. */
		uint32_t orig;

		if (m->len - skip < HDR_NLMSG)
			return 0;
		orig = ne32(m->payload + skip);
		if (m->flags & NLM_F_CAPPED || orig < HDR_NLMSG)
			orig = HDR_NLMSG;
		if (orig > m->len - skip)
			return 0;
		skip = align4_within(skip + orig, m->len);
	}
	w = attrs_after(m->payload, m->len, skip);
	while (attr_next(&w, &a))
		if (a.type == NLMSGERR_ATTR_MSG)
			copy_text(out->msg, sizeof(out->msg), a.v, a.len);
	return 0;
}

int rtnl_parse_link(const uint8_t *p, size_t len, struct rtnl_link *out)
{
	struct attr_walk w;
	struct attr a;

	memset(out, 0, sizeof(*out));
	if (len < HDR_IFINFO)
		return -EBADMSG;
	out->type = ne16(p + 2);
	out->index = ne32(p + 4);
	out->flags = ne32(p + 8);
	w = attrs_after(p, len, HDR_IFINFO);
	while (attr_next(&w, &a)) {
		if (a.type == IFLA_IFNAME)
			copy_text(out->name, sizeof(out->name), a.v, a.len);
		else if (a.type == IFLA_OPERSTATE && a.len == 1)
			out->operstate = a.v[0];
	}
	return 0;
}

int rtnl_parse_addr(const uint8_t *p, size_t len, struct rtnl_addr *out)
{
	struct netaddr address = { 0 };
	struct attr_walk w;
	struct attr a;
	uint8_t family;

	memset(out, 0, sizeof(*out));
	if (len < HDR_IFADDR)
		return -EBADMSG;
	family = p[0];
	out->prefixlen = p[1];
	out->flags = p[2];
	out->scope = p[3];
	out->index = ne32(p + 4);
	w = attrs_after(p, len, HDR_IFADDR);
	while (attr_next(&w, &a)) {
		switch (a.type) {
		case IFA_ADDRESS:
			get_addr(&address, family, &a);
			break;
		case IFA_LOCAL:
			get_addr(&out->local, family, &a);
			break;
		case IFA_LABEL:
			copy_text(out->label, sizeof(out->label), a.v, a.len);
			break;
		case IFA_FLAGS:
			/* The full 32 flags; the header has only the low 8. */
			get_u32(&out->flags, &a);
			break;
		}
	}
	/* iproute2's rule: IFA_LOCAL is ours; without it IFA_ADDRESS is. With
	 * both, a different IFA_ADDRESS is the far end of a point-to-point
	 * link. */
	if (!out->local.family)
		out->local = address;
	else if (address.family && !netaddr_eq(&address, &out->local, true))
		out->peer = address;
	return 0;
}

/* RTA_MULTIPATH: a run of rtnexthop records, each followed by its own
 * attributes. Keep the first hop's interface and gateway, count them all. */
static void parse_multipath(struct rtnl_route *out, const struct attr *mp)
{
	size_t off = 0;

	out->n_nexthops = 0;
	while (mp->len - off >= HDR_RTNH) {
		const uint8_t *h = mp->v + off;
		uint16_t len = ne16(h);
		struct attr_walk w;
		struct attr a;

		if (len < HDR_RTNH || len > mp->len - off)
			break;
		if (out->n_nexthops++ == 0) {
			out->oif = ne32(h + 4);
			w = attrs_after(h, len, HDR_RTNH);
			while (attr_next(&w, &a)) {
				if (a.type == RTA_GATEWAY)
					get_addr(&out->gateway, out->family, &a);
				else if (a.type == RTA_VIA)
					get_via(&out->gateway, &a);
			}
		}
		off = align4_within(off + len, mp->len);
	}
}

int rtnl_parse_route(const uint8_t *p, size_t len, struct rtnl_route *out)
{
	struct attr_walk w;
	struct attr a;

	memset(out, 0, sizeof(*out));
	if (len < HDR_RTMSG)
		return -EBADMSG;
	out->family = p[0];
	out->dst_len = p[1];
	out->table = p[4];
	out->protocol = p[5];
	out->scope = p[6];
	out->type = p[7];
	out->flags = ne32(p + 8);
	out->n_nexthops = 1;
	w = attrs_after(p, len, HDR_RTMSG);
	while (attr_next(&w, &a)) {
		switch (a.type) {
		case RTA_DST:
			get_addr(&out->dst, out->family, &a);
			break;
		case RTA_GATEWAY:
			get_addr(&out->gateway, out->family, &a);
			break;
		case RTA_VIA:
			get_via(&out->gateway, &a);
			break;
		case RTA_PREFSRC:
			get_addr(&out->prefsrc, out->family, &a);
			break;
		case RTA_OIF:
			get_u32(&out->oif, &a);
			break;
		case RTA_PRIORITY:
			get_u32(&out->priority, &a);
			break;
		case RTA_TABLE:
			/* Table ids above 255 exist only here. */
			get_u32(&out->table, &a);
			break;
		case RTA_MULTIPATH:
			parse_multipath(out, &a);
			break;
		}
	}
	return 0;
}

/* --- requests ------------------------------------------------------------- */

/* Start a request: the netlink header with a length to patch, then hdr_len
 * zero bytes of family header for the caller to fill. Returns the family
 * header, or NULL if it does not fit. */
static uint8_t *req_start(uint8_t *buf, size_t cap, uint16_t type, uint16_t flags, uint32_t seq,
			  size_t hdr_len)
{
	if (cap < HDR_NLMSG + hdr_len)
		return NULL;
	memset(buf, 0, HDR_NLMSG + hdr_len);
	ne32_put(buf, (uint32_t)(HDR_NLMSG + hdr_len));
	ne16_put(buf + 4, type);
	ne16_put(buf + 6, flags);
	ne32_put(buf + 8, seq);
	/* nlmsg_pid 0: the message is for the kernel. */
	return buf + HDR_NLMSG;
}

/* Append one attribute and fix up the message length. */
static int req_attr(uint8_t *buf, size_t cap, uint16_t type, const void *v, size_t len)
{
	uint32_t msg = ne32(buf);
	size_t total = HDR_RTATTR + len;

	if (msg > cap || cap - msg < ((total + 3) & ~(size_t)3))
		return -ENOBUFS;
	ne16_put(buf + msg, (uint16_t)total);
	ne16_put(buf + msg + 2, type);
	memcpy(buf + msg + HDR_RTATTR, v, len);
	memset(buf + msg + total, 0, ((total + 3) & ~(size_t)3) - total);
	ne32_put(buf, msg + (uint32_t)((total + 3) & ~(size_t)3));
	return 0;
}

int rtnl_req_dump(uint8_t *buf, size_t cap, uint16_t type, uint8_t family, uint32_t seq)
{
	size_t hdr_len;
	uint8_t *h;

	switch (type) {
	case RTM_GETLINK:
		hdr_len = HDR_IFINFO;
		break;
	case RTM_GETADDR:
		hdr_len = HDR_IFADDR;
		break;
	case RTM_GETROUTE:
		hdr_len = HDR_RTMSG;
		break;
	default:
		return -EINVAL;
	}
	h = req_start(buf, cap, type, NLM_F_REQUEST | NLM_F_DUMP, seq, hdr_len);
	if (!h)
		return -ENOBUFS;
	h[0] = family; /* the first byte of all three headers */
	return (int)(HDR_NLMSG + hdr_len);
}

int rtnl_req_route_get(uint8_t *buf, size_t cap, const struct netaddr *dst, uint32_t seq)
{
	size_t alen = dst->family == AF_INET ? 4 : dst->family == AF_INET6 ? 16 : 0;
	uint8_t *h;

	if (!alen)
		return -EAFNOSUPPORT;
	h = req_start(buf, cap, RTM_GETROUTE, NLM_F_REQUEST, seq, HDR_RTMSG);
	if (!h)
		return -ENOBUFS;
	h[0] = dst->family;
	h[1] = (uint8_t)(alen * 8); /* dst_len: a host route lookup */
	if (req_attr(buf, cap, RTA_DST, dst->ip, alen) < 0)
		return -ENOBUFS;
	return (int)ne32(buf);
}

int rtnl_req_link_get(uint8_t *buf, size_t cap, uint32_t index, uint32_t seq)
{
	uint8_t *h = req_start(buf, cap, RTM_GETLINK, NLM_F_REQUEST, seq, HDR_IFINFO);

	if (!h)
		return -ENOBUFS;
	h[0] = AF_UNSPEC;
	ne32_put(h + 4, index);
	return HDR_NLMSG + HDR_IFINFO;
}
