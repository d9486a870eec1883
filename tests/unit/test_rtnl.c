/* SPDX-License-Identifier: MIT */
/*
 * proto/rtnl.c on real kernel replies (tests/fuzz/corpus/rtnl/, captured by
 * scripts/rtnl_corpus.sh from namespaces with known addresses and routes)
 * and on hand-built malformed ones. Netlink is host byte order and the
 * captures are little-endian, so the capture tests skip on big-endian hosts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nd_test.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/rtnl.h"

/* --- fixtures ------------------------------------------------------------- */

struct capture {
	uint8_t data[16384];
	size_t len;
	struct rtnl_msg msgs[64];
	size_t n;
};

/* Load a corpus file and split it into messages. */
static struct capture *load(const char *name)
{
	const char *src = getenv("ND_SOURCE_DIR");
	struct capture *c;
	struct rtnl_iter it;
	char path[512];
	FILE *f;

	if (!nd_host_is_little_endian())
		skip();
	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/rtnl/%s", src, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->len = fread(c->data, 1, sizeof(c->data), f);
	assert_true(feof(f));
	fclose(f);
	it = rtnl_iter(c->data, c->len);
	while (c->n < 64 && rtnl_next(&it, &c->msgs[c->n]) > 0)
		c->n++;
	assert_false(it.err);
	return c;
}

static void assert_ip(const struct netaddr *a, const char *want)
{
	char buf[NETADDR_FMT_MAX];

	assert_string_equal(netaddr_fmt_ip(a, buf), want);
}

/* Hand-built messages, in host byte order like the kernel's. */
static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static size_t put_msg_hdr(uint8_t *p, uint32_t len, uint16_t type, uint16_t flags)
{
	put32(p, len);
	put16(p + 4, type);
	put16(p + 6, flags);
	put32(p + 8, 1);
	put32(p + 12, 0);
	return 16;
}

static size_t put_attr(uint8_t *p, uint16_t len, uint16_t type, const void *v, size_t vlen)
{
	put16(p, len);
	put16(p + 2, type);
	memcpy(p + 4, v, vlen);
	return (4 + vlen + 3) & ~(size_t)3;
}

/* --- captured replies ----------------------------------------------------- */

static void addr_dump_lab(void **state)
{
	struct capture *c = load("lab-dump-addrs-v4-v6-cgnat-ptp");
	struct rtnl_addr a;
	struct rtnl_status st;

	(void)state;
	assert_int_equal(c->n, 11); /* 10 addresses and NLMSG_DONE */
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(c->msgs[i].type, RTM_NEWADDR);

	assert_int_equal(rtnl_parse_addr(c->msgs[0].payload, c->msgs[0].len, &a), 0);
	assert_ip(&a.local, "127.0.0.1");
	assert_int_equal(a.prefixlen, 8);
	assert_int_equal(a.index, 1);
	assert_int_equal(a.scope, RT_SCOPE_HOST);
	assert_string_equal(a.label, "lo");
	assert_int_equal(a.peer.family, 0);

	assert_int_equal(rtnl_parse_addr(c->msgs[2].payload, c->msgs[2].len, &a), 0);
	assert_ip(&a.local, "100.64.7.7");
	assert_int_equal(a.prefixlen, 32);
	assert_string_equal(a.label, "nd-cg");

	/* The IPv6 ULA added with nodad: IFA_FLAGS carries NODAD and
	 * PERMANENT, and IPv6 addresses have no label. */
	assert_int_equal(rtnl_parse_addr(c->msgs[6].payload, c->msgs[6].len, &a), 0);
	assert_ip(&a.local, "fd77::2");
	assert_int_equal(a.prefixlen, 64);
	assert_int_equal(a.index, 2);
	assert_true(a.flags & IFA_F_NODAD);
	assert_true(a.flags & IFA_F_PERMANENT);
	assert_string_equal(a.label, "");

	assert_int_equal(rtnl_parse_status(&c->msgs[10], &st), 0);
	assert_int_equal(c->msgs[10].type, NLMSG_DONE);
	assert_int_equal(st.error, 0);
	free(c);
}

static void addr_point_to_point_peer(void **state)
{
	struct capture *c = load("lab-dump-addrs-v4-v6-cgnat-ptp");
	struct rtnl_addr a;

	(void)state;
	/* `ip addr add 10.99.0.1 peer 10.99.0.2`: IFA_LOCAL is ours,
	 * IFA_ADDRESS the far end. */
	assert_int_equal(rtnl_parse_addr(c->msgs[3].payload, c->msgs[3].len, &a), 0);
	assert_ip(&a.local, "10.99.0.1");
	assert_ip(&a.peer, "10.99.0.2");
	free(c);
}

static void link_dump_up_and_down(void **state)
{
	struct capture *c = load("lab-dump-links-veth-up-down");
	struct rtnl_link l;

	(void)state;
	assert_int_equal(c->n, 7);
	assert_int_equal(rtnl_parse_link(c->msgs[0].payload, c->msgs[0].len, &l), 0);
	assert_string_equal(l.name, "lo");
	assert_int_equal(l.index, 1);
	assert_true(l.flags & IFF_LOOPBACK);
	assert_true(l.flags & IFF_UP);
	assert_true(l.flags & IFF_RUNNING);

	assert_int_equal(rtnl_parse_link(c->msgs[1].payload, c->msgs[1].len, &l), 0);
	assert_string_equal(l.name, "ndv0");
	assert_true(l.flags & IFF_UP);
	assert_int_equal(l.operstate, 6); /* IF_OPER_UP */

	assert_int_equal(rtnl_parse_link(c->msgs[5].payload, c->msgs[5].len, &l), 0);
	assert_string_equal(l.name, "nd-down");
	assert_false(l.flags & IFF_UP);
	assert_int_equal(l.operstate, 2); /* IF_OPER_DOWN */
	free(c);
}

static void route_dump_kinds(void **state)
{
	struct capture *c = load("lab-dump-routes-multipath-via-blackhole");
	struct rtnl_route r;

	(void)state;
	/* ECMP default in table 100: the first hop's gateway and interface,
	 * and both hops counted. */
	assert_int_equal(rtnl_parse_route(c->msgs[0].payload, c->msgs[0].len, &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.dst_len, 0);
	assert_int_equal(r.table, 100);
	assert_int_equal(r.n_nexthops, 2);
	assert_ip(&r.gateway, "10.77.0.1");
	assert_int_equal(r.oif, 2);

	/* The main table's default. */
	assert_int_equal(rtnl_parse_route(c->msgs[1].payload, c->msgs[1].len, &r), 0);
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.n_nexthops, 1);
	assert_ip(&r.gateway, "10.77.0.1");
	assert_int_equal(r.dst.family, 0);

	/* A connected route: no gateway, a preferred source. */
	assert_int_equal(rtnl_parse_route(c->msgs[2].payload, c->msgs[2].len, &r), 0);
	assert_ip(&r.dst, "10.77.0.0");
	assert_int_equal(r.dst_len, 24);
	assert_int_equal(r.gateway.family, 0);
	assert_ip(&r.prefsrc, "10.77.0.2");

	assert_int_equal(rtnl_parse_route(c->msgs[4].payload, c->msgs[4].len, &r), 0);
	assert_int_equal(r.type, RTN_BLACKHOLE);
	assert_ip(&r.dst, "198.18.0.0");

	/* RFC 5549: an IPv4 route whose next hop is IPv6 (RTA_VIA). */
	assert_int_equal(rtnl_parse_route(c->msgs[5].payload, c->msgs[5].len, &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_ip(&r.gateway, "fd77::1");

	/* The IPv6 default, with its metric. */
	assert_int_equal(rtnl_parse_route(c->msgs[18].payload, c->msgs[18].len, &r), 0);
	assert_int_equal(r.family, AF_INET6);
	assert_int_equal(r.dst_len, 0);
	assert_int_equal(r.priority, 1024);
	assert_ip(&r.gateway, "fd77::1");
	free(c);
}

static void route_get_answers(void **state)
{
	struct capture *c4 = load("lab-get-route-v4-default");
	struct capture *c6 = load("lab-get-route-v6-default");
	struct rtnl_route r;

	(void)state;
	assert_int_equal(c4->n, 1);
	assert_int_equal(c4->msgs[0].type, RTM_NEWROUTE);
	assert_int_equal(rtnl_parse_route(c4->msgs[0].payload, c4->msgs[0].len, &r), 0);
	assert_ip(&r.dst, "8.8.8.8");
	assert_ip(&r.gateway, "10.77.0.1");
	assert_ip(&r.prefsrc, "10.77.0.2");
	assert_int_equal(r.oif, 2);

	assert_int_equal(rtnl_parse_route(c6->msgs[0].payload, c6->msgs[0].len, &r), 0);
	assert_ip(&r.gateway, "fd77::1");
	assert_ip(&r.prefsrc, "fd77::2");
	assert_int_equal(r.oif, 2);
	free(c4);
	free(c6);
}

static void status_errors(void **state)
{
	struct capture *unreach = load("lab-get-route-no-default-enetunreach");
	struct capture *nodev = load("lab-get-link-nodev-error");
	struct capture *ext = load("lab-get-route-extack-error");
	struct rtnl_status st;

	(void)state;
	assert_int_equal(unreach->msgs[0].type, NLMSG_ERROR);
	assert_int_equal(rtnl_parse_status(&unreach->msgs[0], &st), 0);
	assert_int_equal(st.error, -ENETUNREACH);
	assert_string_equal(st.msg, "");

	assert_int_equal(rtnl_parse_status(&nodev->msgs[0], &st), 0);
	assert_int_equal(st.error, -ENODEV);

	/* Extended ACK: the echoed request is skipped, the text is found. */
	assert_int_equal(rtnl_parse_status(&ext->msgs[0], &st), 0);
	assert_int_equal(st.error, -EINVAL);
	assert_string_equal(st.msg, "ipv4: Invalid values in header for route get request");

	/* Neither an error nor a DONE. */
	assert_int_equal(rtnl_parse_status(&(struct rtnl_msg){ .type = RTM_NEWLINK }, &st),
			 -EINVAL);
	free(unreach);
	free(nodev);
	free(ext);
}

/* --- malformed input ------------------------------------------------------ */

static void walk_bounds(void **state)
{
	uint8_t b[64] = { 0 };
	struct rtnl_iter it;
	struct rtnl_msg m;

	(void)state;
	/* Fewer bytes than a header: padding, the walk just ends. */
	it = rtnl_iter(b, 15);
	assert_int_equal(rtnl_next(&it, &m), 0);

	/* A length under the header size. */
	put_msg_hdr(b, 8, NLMSG_DONE, 0);
	it = rtnl_iter(b, 32);
	assert_int_equal(rtnl_next(&it, &m), -EBADMSG);
	/* ...and the walk stays failed. */
	assert_int_equal(rtnl_next(&it, &m), -EBADMSG);

	/* A length past the end. */
	put_msg_hdr(b, 33, NLMSG_DONE, 0);
	it = rtnl_iter(b, 32);
	assert_int_equal(rtnl_next(&it, &m), -EBADMSG);

	/* Two messages, the last without its padding: 18 bytes, then 20. */
	put_msg_hdr(b, 18, RTM_NEWLINK, 0);
	put_msg_hdr(b + 20, 20, NLMSG_DONE, 0);
	it = rtnl_iter(b, 40);
	assert_int_equal(rtnl_next(&it, &m), 1);
	assert_int_equal(m.type, RTM_NEWLINK);
	assert_int_equal(m.len, 2);
	assert_int_equal(rtnl_next(&it, &m), 1);
	assert_int_equal(m.type, NLMSG_DONE);
	assert_int_equal(rtnl_next(&it, &m), 0);
}

static void short_family_headers(void **state)
{
	uint8_t b[16] = { 0 };
	struct rtnl_link l;
	struct rtnl_addr a;
	struct rtnl_route r;

	(void)state;
	assert_int_equal(rtnl_parse_link(b, 15, &l), -EBADMSG);
	assert_int_equal(rtnl_parse_addr(b, 7, &a), -EBADMSG);
	assert_int_equal(rtnl_parse_route(b, 11, &r), -EBADMSG);
	assert_int_equal(rtnl_parse_route(b, 12, &r), 0);
}

static void attribute_bounds(void **state)
{
	uint8_t b[128] = { 0 };
	const uint8_t gw[4] = { 10, 0, 0, 1 }, src[3] = { 10, 0, 0 };
	const uint32_t oif = 7; /* host order, as the kernel writes it */
	struct rtnl_route r;
	size_t off = 12;

	(void)state;
	b[0] = AF_INET;
	b[7] = RTN_UNICAST;
	off += put_attr(b + off, 8, RTA_GATEWAY, gw, 4);
	/* Wrong size for an IPv4 address: ignored, not trusted. */
	off += put_attr(b + off, 7, RTA_PREFSRC, src, 3);
	/* Claims more bytes than are left: ends the walk here. */
	put_attr(b + off, 200, RTA_OIF, &oif, 4);
	assert_int_equal(rtnl_parse_route(b, off + 8, &r), 0);
	assert_ip(&r.gateway, "10.0.0.1");
	assert_int_equal(r.prefsrc.family, 0);
	assert_int_equal(r.oif, 0);

	/* The same OIF attribute, well formed this time, and without padding
	 * at the very end. */
	put_attr(b + off, 8, RTA_OIF, &oif, 4);
	assert_int_equal(rtnl_parse_route(b, off + 8, &r), 0);
	assert_int_equal(r.oif, 7);

	/* An attribute length under 4 ends the walk. */
	memset(b + 12, 0, 4);
	put16(b + 12, 2);
	assert_int_equal(rtnl_parse_route(b, 32, &r), 0);
	assert_int_equal(r.gateway.family, 0);
}

static void names_are_printable_and_terminated(void **state)
{
	uint8_t b[64] = { 0 };
	const char name[] = "et\x1b[2Jh0123456789"; /* escape, then too long, no NUL */
	struct rtnl_link l;
	size_t off = 16;

	(void)state;
	off += put_attr(b + off, (uint16_t)(4 + sizeof(name) - 1), IFLA_IFNAME, name,
			sizeof(name) - 1);
	assert_int_equal(rtnl_parse_link(b, off, &l), 0);
	assert_int_equal(strlen(l.name), IF_NAMESIZE - 1);
	assert_memory_equal(l.name, "et?[2Jh01234567", IF_NAMESIZE - 1);
}

static void multipath_truncated_hop(void **state)
{
	uint8_t b[96] = { 0 }, mp[32] = { 0 };
	struct rtnl_route r;

	(void)state;
	b[0] = AF_INET;
	/* One good hop (8 bytes, oif 3) and one claiming 40 bytes of 16. */
	put16(mp, 8);
	put32(mp + 4, 3);
	put16(mp + 8, 40);
	put_attr(b + 12, 4 + 16, RTA_MULTIPATH, mp, 16);
	assert_int_equal(rtnl_parse_route(b, 12 + 20, &r), 0);
	assert_int_equal(r.n_nexthops, 1);
	assert_int_equal(r.oif, 3);
}

static void error_with_uncapped_request_and_tlv(void **state)
{
	uint8_t b[128] = { 0 };
	const char text[] = "nope";
	struct rtnl_iter it;
	struct rtnl_msg m;
	struct rtnl_status st;
	size_t off;

	(void)state;
	/* NLMSG_ERROR: error, the echoed 20-byte request (header + 4 bytes of
	 * payload, not capped), then NLMSGERR_ATTR_MSG. */
	off = put_msg_hdr(b, 0, NLMSG_ERROR, NLM_F_ACK_TLVS);
	put32(b + off, (uint32_t)-EPERM);
	off += 4;
	off += put_msg_hdr(b + off, 20, RTM_GETROUTE, 0);
	off += 4;
	off += put_attr(b + off, 4 + sizeof(text), NLMSGERR_ATTR_MSG, text, sizeof(text));
	put32(b, (uint32_t)off);
	it = rtnl_iter(b, off);
	assert_int_equal(rtnl_next(&it, &m), 1);
	assert_int_equal(rtnl_parse_status(&m, &st), 0);
	assert_int_equal(st.error, -EPERM);
	assert_string_equal(st.msg, "nope");

	/* An echoed request that claims more than is there: no text, no
	 * overread. */
	put32(b + 20, 200);
	assert_int_equal(rtnl_parse_status(&m, &st), 0);
	assert_int_equal(st.error, -EPERM);
	assert_string_equal(st.msg, "");

	/* A positive "errno" is not one. */
	put32(b + 16, 5);
	assert_int_equal(rtnl_parse_status(&m, &st), 0);
	assert_int_equal(st.error, -EPROTO);

	/* An error message too short for its error field. */
	m.len = 3;
	assert_int_equal(rtnl_parse_status(&m, &st), -EBADMSG);
}

/* --- requests ------------------------------------------------------------- */

static void request_layouts(void **state)
{
	uint8_t b[RTNL_REQ_MAX];
	struct netaddr dst;
	struct rtnl_iter it;
	struct rtnl_msg m;
	struct rtnl_route r;
	struct rtnl_link l;

	(void)state;
	assert_int_equal(rtnl_req_dump(b, sizeof(b), RTM_GETADDR, AF_INET6, 42), 16 + 8);
	it = rtnl_iter(b, 24);
	assert_int_equal(rtnl_next(&it, &m), 1);
	assert_int_equal(m.type, RTM_GETADDR);
	assert_int_equal(m.flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(m.seq, 42);
	assert_int_equal(m.pid, 0);
	assert_int_equal(m.payload[0], AF_INET6);
	assert_int_equal(rtnl_req_dump(b, sizeof(b), RTM_GETLINK, 0, 1), 32);
	assert_int_equal(rtnl_req_dump(b, sizeof(b), RTM_GETROUTE, 0, 1), 28);
	assert_int_equal(rtnl_req_dump(b, sizeof(b), RTM_NEWROUTE, 0, 1), -EINVAL);
	assert_int_equal(rtnl_req_dump(b, 23, RTM_GETADDR, 0, 1), -ENOBUFS);

	/* A route get reads back as a host-route lookup for dst. */
	assert_int_equal(netaddr_parse_ip(&dst, "2001:db8::7"), 0);
	assert_int_equal(rtnl_req_route_get(b, sizeof(b), &dst, 9), 16 + 12 + 20);
	it = rtnl_iter(b, 48);
	assert_int_equal(rtnl_next(&it, &m), 1);
	assert_int_equal(m.flags, NLM_F_REQUEST);
	assert_int_equal(rtnl_parse_route(m.payload, m.len, &r), 0);
	assert_int_equal(r.dst_len, 128);
	assert_ip(&r.dst, "2001:db8::7");
	assert_int_equal(rtnl_req_route_get(b, 16 + 12 + 19, &dst, 9), -ENOBUFS);
	assert_int_equal(rtnl_req_route_get(b, sizeof(b), &(struct netaddr){ 0 }, 9),
			 -EAFNOSUPPORT);

	assert_int_equal(rtnl_req_link_get(b, sizeof(b), 77, 3), 32);
	it = rtnl_iter(b, 32);
	assert_int_equal(rtnl_next(&it, &m), 1);
	assert_int_equal(rtnl_parse_link(m.payload, m.len, &l), 0);
	assert_int_equal(l.index, 77);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addr_dump_lab),
		cmocka_unit_test(addr_point_to_point_peer),
		cmocka_unit_test(link_dump_up_and_down),
		cmocka_unit_test(route_dump_kinds),
		cmocka_unit_test(route_get_answers),
		cmocka_unit_test(status_errors),
		cmocka_unit_test(walk_bounds),
		cmocka_unit_test(short_family_headers),
		cmocka_unit_test(attribute_bounds),
		cmocka_unit_test(names_are_printable_and_terminated),
		cmocka_unit_test(multipath_truncated_hop),
		cmocka_unit_test(error_with_uncapped_request_and_tlv),
		cmocka_unit_test(request_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
