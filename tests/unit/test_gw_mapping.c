/* SPDX-License-Identifier: MIT */
/*
 * gw/mapping.c on a fake clock: PCP and NAT-PMP retransmission, RFC 6887
 * §11.2.1's renewal points and their 4 s floor, answers matched by nonce,
 * protocol and port, the epoch rules (RFC 6887 §8.5, RFC 6886 §3.6), delete,
 * lapse, UNSUPP_VERSION, and answers that must never count as "mapped".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "gw/mapping.h"

static const uint8_t NONCE[PCP_NONCE_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

static struct netaddr client(void)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse_ip(&a, "192.168.1.10"), 0);
	return a;
}

static void setup_map(struct gw_map *m, enum gw_method method)
{
	struct netaddr c = client();

	gw_map_init(m, method, IPPROTO_TCP, 30333, 30333, 3600, &c, NONCE);
	assert_int_equal(m->state, GW_MAP_IDLE);
	assert_int_equal(gw_map_due(m), RETX_DONE);
}

/* Drive m until it sends, from *now, jumping the clock to each due time.
 * Returns the send's length, the time in *now. */
static int next_send(struct gw_map *m, uint64_t *now, uint32_t rnd, uint8_t *buf)
{
	for (int i = 0; i < 100; i++) {
		uint64_t due = gw_map_due(m);
		int n;

		if (due == RETX_DONE)
			return 0;
		if (due > *now)
			*now = due;
		n = gw_map_tick(m, *now, rnd, buf);
		if (n != 0)
			return n;
	}
	fail_msg("no send in 100 ticks");
	return -1;
}

/* A mapping set up, started at *now and sent once (the clock in *now). */
static void asked(struct gw_map *m, enum gw_method method, uint64_t *now)
{
	uint8_t buf[PCP_MAX_LEN];

	setup_map(m, method);
	gw_map_start(m, *now);
	assert_true(next_send(m, now, 0, buf) > 0);
}

/* A PCP MAP answer to m's request: result, lifetime, external port and
 * address, epoch; nonce_delta changes the nonce's first byte. */
static struct gw_answer pcp_answer(const struct gw_map *m, uint8_t result, uint32_t lifetime,
				   uint16_t ext_port, uint32_t epoch, int nonce_delta)
{
	struct pcp_response r = { .version = PCP_VERSION, .opcode = PCP_OP_MAP };
	uint8_t buf[PCP_MAX_LEN];
	struct gw_answer a;
	int n;

	r.result = result;
	r.lifetime = lifetime;
	r.epoch = epoch;
	r.has_map = true;
	memcpy(r.map.nonce, m->nonce, PCP_NONCE_LEN);
	r.map.nonce[0] = (uint8_t)(r.map.nonce[0] + nonce_delta);
	r.map.protocol = m->protocol;
	r.map.internal_port = m->internal_port;
	r.map.external_port = ext_port;
	assert_int_equal(netaddr_parse_ip(&r.map.external, "11.0.2.2"), 0);
	n = pcp_encode_response(&r, buf);
	assert_true(n > 0);
	assert_int_equal(gw_decode(&a, buf, (size_t)n), 0);
	return a;
}

static struct gw_answer natpmp_answer(uint8_t op, uint16_t result, uint16_t internal,
				      uint16_t ext_port, uint32_t lifetime, uint32_t epoch)
{
	struct natpmp_response r = { .opcode = op, .result = result, .epoch = epoch };
	uint8_t buf[NATPMP_MSG_MAX];
	struct gw_answer a;
	int n;

	r.internal_port = internal;
	r.external_port = ext_port;
	r.lifetime = lifetime;
	if (op == NATPMP_OP_EXTERNAL)
		assert_int_equal(netaddr_parse_ip(&r.external, "11.0.2.2"), 0);
	n = natpmp_encode_response(&r, buf);
	assert_true(n > 0);
	assert_int_equal(gw_decode(&a, buf, (size_t)n), 0);
	return a;
}

/* PCP: first send at once, then RFC 6887 §8.1.1's doubling from a 250 ms
 * first wait, randomised within +-10 %, never giving up. The request is a
 * MAP of this host's address with our nonce each time. */
static void test_pcp_retransmission(void **state)
{
	struct gw_map m;
	uint8_t buf[PCP_MAX_LEN];
	uint64_t now = 1000, prev = 0;
	struct pcp_request req;

	(void)state;
	setup_map(&m, GW_PCP);
	gw_map_start(&m, now);
	for (int i = 0; i < 14; i++) {
		int n = next_send(&m, &now, 1u << 31, buf); /* RAND = 0 */

		assert_true(n > 0);
		assert_int_equal(pcp_decode_request(&req, buf, (size_t)n), 0);
		assert_int_equal(req.opcode, PCP_OP_MAP);
		assert_int_equal(req.lifetime, 3600);
		assert_memory_equal(req.map.nonce, NONCE, PCP_NONCE_LEN);
		if (i == 0)
			assert_int_equal(now, 1000);
		else if (i <= 12)
			assert_int_equal(now - prev, 250ull << (i - 1));
		prev = now;
	}
	assert_int_equal(m.state, GW_MAP_ASKING); /* MRC 0: never gives up */
}

/* NAT-PMP: RFC 6886 §3.1, 250 ms doubling, nine sends, then IDLE. */
static void test_natpmp_retransmission(void **state)
{
	struct gw_map m;
	uint8_t buf[PCP_MAX_LEN];
	uint64_t now = 0, at[9];
	int sends = 0;

	(void)state;
	setup_map(&m, GW_NATPMP);
	gw_map_start(&m, now);
	while (sends < 20) {
		int n = next_send(&m, &now, 0, buf);

		if (n == 0)
			break;
		assert_int_equal(n, NATPMP_MAP_REQ_LEN);
		at[sends++] = now;
	}
	assert_int_equal(sends, 9);
	for (int i = 1; i < 9; i++)
		assert_int_equal(at[i] - at[i - 1], 250ull << (i - 1));
	assert_int_equal(m.state, GW_MAP_IDLE);
}

/* RFC 6887 §11.2.1: 1/2..5/8, then 3/4..3/4+1/16, 7/8..7/8+1/32, ..., never
 * within 4 s of the last send, none at or past the expiry. */
static void test_renew_points(void **state)
{
	(void)state;
	/* lifetime 3600 s granted at 0 */
	assert_int_equal(gw_renew_point(0, 3600000, 0, 0, 0), 1800000);
	assert_int_equal(gw_renew_point(0, 3600000, 0, UINT32_MAX, 0), 1800000 + 450000 - 1);
	assert_int_equal(gw_renew_point(0, 3600000, 1, 0, 1800000), 2700000);
	assert_int_equal(gw_renew_point(0, 3600000, 1, UINT32_MAX, 1800000), 2700000 + 225000 - 1);
	assert_int_equal(gw_renew_point(0, 3600000, 2, 0, 2700000), 3150000);
	/* the 4 s floor */
	assert_int_equal(gw_renew_point(0, 3600000, 0, 0, 1799000), 1803000);
	/* a 20 s lease: 10 s, then 15 s, then 17.5 s would be < 4 s after 15:
	 * 19 s; then 19 + 4 = 23 > 20: none left */
	assert_int_equal(gw_renew_point(0, 20000, 0, 0, 0), 10000);
	assert_int_equal(gw_renew_point(0, 20000, 1, 0, 10000), 15000);
	assert_int_equal(gw_renew_point(0, 20000, 2, 0, 15000), 19000);
	assert_int_equal(gw_renew_point(0, 20000, 3, 0, 19000), RETX_DONE);
}

/* Granted; renewed at the first point; a renewal unanswered goes on to the
 * next points; the lease runs out: ASKING again. */
static void test_pcp_grant_renew_lapse(void **state)
{
	struct gw_map m;
	uint8_t buf[PCP_MAX_LEN];
	uint64_t now = 0;
	struct gw_answer a;

	(void)state;
	asked(&m, GW_PCP, &now);
	now += 3;
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 100, 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_MAPPED);
	assert_int_equal(m.state, GW_MAP_HELD);
	assert_int_equal(m.external_port, 30333);
	assert_int_equal(gw_map_due(&m), 3 + 1800000);
	/* the same answer again (to a retransmission): a duplicate */
	assert_int_equal(gw_map_answer(&m, &a, now + 10, 0), GW_EV_DUPLICATE);
	/* the renewal: same nonce, names the granted port */
	assert_true(next_send(&m, &now, 0, buf) > 0);
	assert_int_equal(now, 3 + 1800000);
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 1900, 0);
	assert_int_equal(gw_map_answer(&m, &a, now + 2, 0), GW_EV_RENEWED);
	/* next renewal unanswered: 3/4, 7/8, ... then the lease lapses */
	now += 2;
	{
		uint64_t granted = now;
		int renewals = 0;

		while (m.state == GW_MAP_HELD && renewals < 40) {
			assert_true(next_send(&m, &now, 0, buf) > 0);
			if (m.state == GW_MAP_HELD)
				renewals++;
		}
		assert_true(renewals >= 4);
		assert_int_equal(m.state, GW_MAP_ASKING);
		assert_true(now >= granted + 3600000);
	}
}

/* Answers that are not ours never count: another nonce, protocol, port. A
 * "success" with lifetime 0 or port 0 maps nothing. A refusal is REFUSED. */
static void test_pcp_matching(void **state)
{
	struct gw_map m;
	uint64_t now = 0;
	struct gw_answer a;

	(void)state;
	asked(&m, GW_PCP, &now);
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 1, 1);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_NOT_OURS);
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 1, 0);
	a.u.pcp.map.internal_port = 30334;
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_NOT_OURS);
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 1, 0);
	a.u.pcp.map.protocol = IPPROTO_UDP;
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_NOT_OURS);
	a = natpmp_answer(NATPMP_OP_MAP_TCP, NATPMP_SUCCESS, 30333, 30333, 3600, 1);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_NOT_OURS);
	/* ours, but an external address nobody can reach: never "mapped" */
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 1, 0);
	assert_int_equal(netaddr_parse_ip(&a.u.pcp.map.external, "127.0.0.1"), 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_BOGUS);
	assert_int_equal(netaddr_parse_ip(&a.u.pcp.map.external, "0.0.0.0"), 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_BOGUS);
	a.u.pcp.map.external.family = 0;
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_BOGUS);
	assert_int_equal(m.state, GW_MAP_ASKING);
	a = pcp_answer(&m, PCP_SUCCESS, 0, 30333, 1, 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_REFUSED);
	assert_int_equal(gw_map_due(&m), RETX_DONE);

	setup_map(&m, GW_PCP);
	gw_map_start(&m, now);
	a = pcp_answer(&m, PCP_NO_RESOURCES, 30, 0, 1, 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_REFUSED);
	assert_int_equal(m.result, PCP_NO_RESOURCES);
	assert_int_equal(m.state, GW_MAP_REFUSED);
}

/* A lease longer than asked is held as asked (renewed by our own lease). */
static void test_lease_capped(void **state)
{
	struct gw_map m;
	struct gw_answer a;

	(void)state;
	setup_map(&m, GW_PCP);
	gw_map_start(&m, 0);
	a = pcp_answer(&m, PCP_SUCCESS, 86400, 30333, 1, 0);
	assert_int_equal(gw_map_answer(&m, &a, 0, 0), GW_EV_MAPPED);
	assert_int_equal(m.granted_s, 3600);
}

/* Delete: lifetime 0 with the same nonce, on the fast schedule; answered
 * (lifetime 0): GONE; unanswered: GONE after the schedule. From IDLE:
 * nothing sent. */
static void test_delete(void **state)
{
	struct gw_map m;
	uint8_t buf[PCP_MAX_LEN];
	uint64_t now = 0;
	struct pcp_request req;
	struct gw_answer a;
	int n, sends = 0;

	(void)state;
	setup_map(&m, GW_PCP);
	gw_map_delete(&m, 0);
	assert_int_equal(m.state, GW_MAP_GONE);
	assert_int_equal(gw_map_tick(&m, 0, 0, buf), 0);

	setup_map(&m, GW_PCP);
	gw_map_start(&m, now);
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 40000, 1, 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_MAPPED);
	gw_map_delete(&m, now);
	n = next_send(&m, &now, 0, buf);
	assert_int_equal(pcp_decode_request(&req, buf, (size_t)n), 0);
	assert_int_equal(req.lifetime, 0);
	assert_int_equal(req.map.external_port, 40000);
	assert_memory_equal(req.map.nonce, NONCE, PCP_NONCE_LEN);
	/* a late grant is not the delete's answer */
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_DUPLICATE);
	a = pcp_answer(&m, PCP_SUCCESS, 0, 40000, 2, 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_DELETED);
	assert_int_equal(m.state, GW_MAP_GONE);

	setup_map(&m, GW_NATPMP);
	now = 0;
	gw_map_start(&m, now);
	a = natpmp_answer(NATPMP_OP_MAP_TCP, NATPMP_SUCCESS, 30333, 30333, 3600, 1);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_MAPPED);
	gw_map_delete(&m, now);
	while ((n = next_send(&m, &now, 0, buf)) > 0) {
		struct natpmp_request nreq;

		/* RFC 6886 §3.4: lifetime 0, suggested external port 0 */
		assert_int_equal(natpmp_decode_request(&nreq, buf, (size_t)n), 0);
		assert_int_equal(nreq.lifetime, 0);
		assert_int_equal(nreq.external_port, 0);
		assert_int_equal(nreq.internal_port, 30333);
		sends++;
	}
	assert_int_equal(sends, 4); /* 0, 250, 750, 1750 ms */
	assert_true(now <= 2750);
	assert_int_equal(m.state, GW_MAP_GONE);
}

/* UNSUPP_VERSION from a NAT-PMP-only server to our PCP request, from a PCP
 * server of version 1, and a PCP-only server's refusal of NAT-PMP. */
static void test_unsupported(void **state)
{
	struct gw_map m;
	struct gw_answer a;
	uint8_t buf[PCP_MAX_LEN];
	struct pcp_response r = { .version = 1,
				  .opcode = PCP_OP_MAP,
				  .result = PCP_UNSUPP_VERSION };
	int n;

	(void)state;
	setup_map(&m, GW_PCP);
	gw_map_start(&m, 0);
	a = natpmp_answer(NATPMP_OP_MAP_TCP, NATPMP_UNSUPP_VERSION, 0, 0, 0, 5);
	assert_true(a.unsupp_version);
	assert_int_equal(gw_map_answer(&m, &a, 0, 0), GW_EV_UNSUPPORTED);
	n = pcp_encode_response(&r, buf);
	assert_true(n > 0);
	assert_int_equal(gw_decode(&a, buf, (size_t)n), 0);
	assert_int_equal(gw_map_answer(&m, &a, 0, 0), GW_EV_UNSUPPORTED);

	setup_map(&m, GW_NATPMP);
	gw_map_start(&m, 0);
	r.version = PCP_VERSION;
	n = pcp_encode_response(&r, buf);
	assert_int_equal(gw_decode(&a, buf, (size_t)n), 0);
	assert_int_equal(gw_map_answer(&m, &a, 0, 0), GW_EV_UNSUPPORTED);
	/* ...but not to a PCP mapping: a v2 UNSUPP_VERSION answers no PCP request */
	setup_map(&m, GW_PCP);
	gw_map_start(&m, 0);
	assert_int_equal(gw_map_answer(&m, &a, 0, 0), GW_EV_NOT_OURS);
}

/* Epoch rules: the first answer only starts the count; a PCP epoch that
 * keeps pace is fine, one that went back is a lost state; NAT-PMP's 7/8
 * rule with its 2 s slack. */
static void test_epoch(void **state)
{
	struct gw_epoch e = { 0 };
	struct gw_map m;
	struct gw_answer a;

	(void)state;
	setup_map(&m, GW_PCP);
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 1000, 0);
	assert_false(gw_epoch_lost(&e, &a, 0));
	a.epoch = 1100;
	assert_false(gw_epoch_lost(&e, &a, 100000));
	a.epoch = 3; /* rebooted */
	assert_true(gw_epoch_lost(&e, &a, 110000));
	a.epoch = 13;
	assert_false(gw_epoch_lost(&e, &a, 120000));
	a.epoch = 200; /* jumped far ahead of 10 s: also lost state (§8.5) */
	assert_true(gw_epoch_lost(&e, &a, 130000));

	memset(&e, 0, sizeof(e));
	a = natpmp_answer(NATPMP_OP_EXTERNAL, NATPMP_SUCCESS, 0, 0, 0, 1000);
	assert_false(gw_epoch_lost(&e, &a, 0));
	a.epoch = 1000 + 80 - 2; /* 100 s later, 7/8 of it is 87.5: 78 < 85.5 */
	assert_true(gw_epoch_lost(&e, &a, 100000));
	a.epoch = 1078 + 86;
	assert_false(gw_epoch_lost(&e, &a, 200000));
	/* switching method starts over */
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 5, 0);
	assert_false(gw_epoch_lost(&e, &a, 300000));
}

/* Garbage never decodes into an answer; a request is not an answer. */
static void test_decode_garbage(void **state)
{
	struct gw_answer a;
	uint8_t req[PCP_MAX_LEN], junk[40] = { 2, 0x81 };
	struct pcp_request r = { .opcode = PCP_OP_MAP, .lifetime = 10 };
	int n;

	(void)state;
	assert_true(gw_decode(&a, junk, 0) < 0);
	assert_true(gw_decode(&a, junk, 3) < 0);
	assert_true(gw_decode(&a, junk, 26) < 0);
	r.client = client();
	r.map.protocol = IPPROTO_TCP;
	r.map.internal_port = 1;
	n = pcp_encode_request(&r, req);
	assert_true(n > 0);
	assert_int_equal(gw_decode(&a, req, (size_t)n), -EBADMSG);
}

/* A UPnP mapping only holds the caller's result: no send, no timer, no
 * PCP or NAT-PMP answer counts for it, and its delete waits for the
 * caller (DELETING, nothing due). */
static void test_upnp_holds_only(void **state)
{
	struct gw_map m, p;
	uint8_t buf[PCP_MAX_LEN];
	uint64_t now = 1000;
	struct gw_answer a;

	(void)state;
	asked(&p, GW_PCP, &now);
	a = pcp_answer(&p, PCP_SUCCESS, 3600, 30333, 0, 0);
	setup_map(&m, GW_UPNP);
	assert_string_equal(gw_method_name(GW_UPNP), "UPnP");
	gw_map_start(&m, now);
	assert_int_equal(m.state, GW_MAP_ASKING);
	assert_int_equal(gw_map_due(&m), RETX_DONE);
	assert_int_equal(gw_map_tick(&m, now + 100000, 0, buf), 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_NOT_OURS);
	m.state = GW_MAP_HELD;
	gw_map_delete(&m, now);
	assert_int_equal(m.state, GW_MAP_DELETING);
	assert_int_equal(gw_map_due(&m), RETX_DONE);
}

/* gw_decode's errors by reason; -EBADMSG is a request (both codecs). */
static void test_reject_decode(void **state)
{
	uint8_t req[PCP_MAX_LEN];
	struct pcp_request preq = { .opcode = PCP_OP_ANNOUNCE };
	struct gw_answer a;
	int n;

	(void)state;
	preq.client = client();
	assert_int_equal(gw_reject_decode(-EMSGSIZE), GW_REJECT_LENGTH);
	assert_int_equal(gw_reject_decode(-EPROTONOSUPPORT), GW_REJECT_VERSION);
	assert_int_equal(gw_reject_decode(-EOPNOTSUPP), GW_REJECT_OPCODE);
	assert_int_equal(gw_reject_decode(-EBADMSG), GW_REJECT_NOT_ANSWER);
	assert_int_equal(gw_reject_decode(-E2BIG), GW_REJECT_MALFORMED);
	assert_int_equal(gw_reject_decode(0), GW_REJECT_MALFORMED);
	/* Our own PCP request looped back is no answer. */
	n = pcp_encode_request(&preq, req);
	assert_true(n > 0);
	assert_int_equal(gw_reject_decode(gw_decode(&a, req, (size_t)n)), GW_REJECT_NOT_ANSWER);
}

/* check's test mapping: asked on retx_lan_fast (0, 250, 750, 1750 ms),
 * then waiting without giving up; granted, never renewed; deleted at once
 * with the same nonce; a repeat of the grant is a duplicate. */
static void test_oneshot(void **state)
{
	struct gw_map m;
	uint8_t buf[PCP_MAX_LEN];
	uint64_t now = 1000, at[4];
	struct pcp_request req;
	struct gw_answer a;
	int n;

	(void)state;
	setup_map(&m, GW_PCP);
	gw_map_oneshot(&m, &retx_lan_fast);
	gw_map_start(&m, now);
	for (int i = 0; i < 4; i++) {
		assert_true(next_send(&m, &now, 12345, buf) > 0);
		at[i] = now;
	}
	assert_int_equal(at[1] - at[0], 250);
	assert_int_equal(at[2] - at[0], 750);
	assert_int_equal(at[3] - at[0], 1750);
	assert_int_equal(gw_map_due(&m), RETX_DONE); /* waits, never gives up */
	assert_int_equal(m.state, GW_MAP_ASKING);
	assert_int_equal(gw_map_tick(&m, now + 60000, 0, buf), 0);
	assert_int_equal(m.state, GW_MAP_ASKING);

	a = pcp_answer(&m, PCP_SUCCESS, 30, 40000, 0, 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_MAPPED);
	assert_int_equal(gw_map_due(&m), RETX_DONE); /* no renewal */
	assert_int_equal(gw_map_tick(&m, now + 3600000, 0, buf), 0);
	assert_int_equal(m.state, GW_MAP_HELD);

	gw_map_delete(&m, now);
	n = gw_map_tick(&m, now, 0, buf);
	assert_true(n > 0);
	assert_int_equal(pcp_decode_request(&req, buf, (size_t)n), 0);
	assert_int_equal(req.lifetime, 0);
	assert_int_equal(req.map.external_port, 40000);
	assert_memory_equal(req.map.nonce, NONCE, PCP_NONCE_LEN);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_DUPLICATE); /* the grant again */
	a = pcp_answer(&m, PCP_SUCCESS, 0, 40000, 0, 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_DELETED);
	assert_int_equal(m.state, GW_MAP_GONE);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_DUPLICATE);
}

/* A delete goes out even when this run never asked (map --delete);
 * forget sends nothing. */
static void test_delete_unasked_and_forget(void **state)
{
	struct gw_map m;
	uint8_t buf[PCP_MAX_LEN];
	uint64_t now = 1000;
	struct gw_answer a;

	(void)state;
	/* map --delete: this run never asked, an earlier one did. */
	setup_map(&m, GW_PCP);
	gw_map_start(&m, now);
	gw_map_delete(&m, now);
	assert_int_equal(m.state, GW_MAP_DELETING);
	assert_true(gw_map_tick(&m, now, 0, buf) > 0);

	asked(&m, GW_PCP, &now);
	gw_map_forget(&m);
	assert_int_equal(m.state, GW_MAP_GONE);
	assert_int_equal(gw_map_due(&m), RETX_DONE);
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 0, 0);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_DUPLICATE);
	gw_map_delete(&m, now);
	assert_int_equal(gw_map_tick(&m, now, 0, buf), 0);
}

/* Why an answer is not ours: the nonce, or nothing we asked. */
static void test_map_reject(void **state)
{
	struct gw_map m, n;
	uint64_t now = 1000;
	struct gw_answer a;

	(void)state;
	asked(&m, GW_PCP, &now);
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 0, 1);
	assert_int_equal(gw_map_answer(&m, &a, now, 0), GW_EV_NOT_OURS);
	assert_int_equal(gw_map_reject(&m, &a), GW_REJECT_NONCE);
	a = natpmp_answer(NATPMP_OP_MAP_UDP, 0, 9, 9, 60, 0);
	assert_int_equal(gw_map_reject(&m, &a), GW_REJECT_UNASKED);
	setup_map(&n, GW_NATPMP);
	a = pcp_answer(&m, PCP_SUCCESS, 3600, 30333, 0, 1);
	assert_int_equal(gw_map_reject(&n, &a), GW_REJECT_UNASKED);
}

/* NAT-PMP's external address question and PCP's ANNOUNCE: asked on the
 * caller's profile, the first answer taken, the rest duplicates; a lie
 * about the address is taken but not kept; 0.0.0.0 is no lie. */
static void test_query(void **state)
{
	struct netaddr c = client(), lo;
	struct gw_query q;
	uint8_t buf[PCP_MAX_LEN];
	struct pcp_request preq;
	struct natpmp_request nreq;
	struct pcp_response pr = { .version = PCP_VERSION, .opcode = PCP_OP_ANNOUNCE };
	struct natpmp_response nr = { .opcode = NATPMP_OP_EXTERNAL };
	struct gw_answer a;
	int n, sends = 0;

	(void)state;
	gw_query_start(&q, GW_PCP, &c, &retx_lan_fast, 1000);
	pr.epoch = 77;
	n = pcp_encode_response(&pr, buf);
	assert_true(n > 0);
	assert_int_equal(gw_decode(&a, buf, (size_t)n), 0);
	assert_int_equal(gw_query_answer(&q, &a), GW_EV_NOT_OURS); /* not asked yet */
	assert_int_equal(gw_query_due(&q), 1000);
	n = gw_query_tick(&q, 1000, 0, buf);
	assert_true(n > 0);
	assert_int_equal(pcp_decode_request(&preq, buf, (size_t)n), 0);
	assert_int_equal(preq.opcode, PCP_OP_ANNOUNCE);
	assert_true(netaddr_eq(&preq.client, &c, false));
	assert_int_equal(gw_query_due(&q), 1250);
	assert_int_equal(gw_query_tick(&q, 1100, 0, buf), 0);
	n = pcp_encode_response(&pr, buf);
	assert_int_equal(gw_decode(&a, buf, (size_t)n), 0);
	assert_int_equal(gw_query_answer(&q, &a), GW_EV_ANSWERED);
	assert_int_equal(q.epoch, 77);
	assert_int_equal(q.result, PCP_SUCCESS);
	assert_int_equal(gw_query_due(&q), RETX_DONE);
	assert_int_equal(gw_query_answer(&q, &a), GW_EV_DUPLICATE);

	/* NAT-PMP: four sends on retx_lan_fast, then nothing more due. */
	gw_query_start(&q, GW_NATPMP, NULL, &retx_lan_fast, 0);
	for (uint64_t t = 0; t < 10000; t += 10) {
		n = gw_query_tick(&q, t, 0, buf);
		if (n <= 0)
			continue;
		assert_int_equal(natpmp_decode_request(&nreq, buf, (size_t)n), 0);
		assert_int_equal(nreq.opcode, NATPMP_OP_EXTERNAL);
		sends++;
	}
	assert_int_equal(sends, 4);
	assert_int_equal(gw_query_due(&q), RETX_DONE);
	a = natpmp_answer(NATPMP_OP_MAP_TCP, 0, 30333, 30333, 60, 5);
	assert_int_equal(gw_query_answer(&q, &a), GW_EV_NOT_OURS);
	a = natpmp_answer(NATPMP_OP_EXTERNAL, 0, 0, 0, 0, 5);
	assert_int_equal(gw_query_answer(&q, &a), GW_EV_ANSWERED);
	assert_string_equal(netaddr_fmt_ip(&q.external, (char[NETADDR_FMT_MAX]){ 0 }), "11.0.2.2");
	assert_int_equal(q.epoch, 5);

	/* A loopback "external address": taken, not kept. 0.0.0.0: no lie. */
	assert_int_equal(netaddr_parse_ip(&lo, "127.0.0.1"), 0);
	for (int k = 0; k < 2; k++) {
		gw_query_start(&q, GW_NATPMP, NULL, &retx_lan_fast, 0);
		assert_true(gw_query_tick(&q, 0, 0, buf) > 0);
		nr.external = lo;
		if (k)
			memset(nr.external.ip, 0, sizeof(nr.external.ip));
		n = natpmp_encode_response(&nr, buf);
		assert_int_equal(gw_decode(&a, buf, (size_t)n), 0);
		assert_int_equal(gw_query_answer(&q, &a), k ? GW_EV_ANSWERED : GW_EV_BOGUS);
		assert_int_equal(q.external.family, 0);
		assert_true(q.answered);
	}

	/* Stopped: nothing due, a late answer is a duplicate. */
	gw_query_start(&q, GW_NATPMP, NULL, &retx_lan_fast, 0);
	assert_true(gw_query_tick(&q, 0, 0, buf) > 0);
	gw_query_stop(&q);
	assert_int_equal(gw_query_due(&q), RETX_DONE);
	a = natpmp_answer(NATPMP_OP_EXTERNAL, 0, 0, 0, 0, 5);
	assert_int_equal(gw_query_answer(&q, &a), GW_EV_DUPLICATE);
	assert_false(q.answered);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcp_retransmission),
		cmocka_unit_test(test_natpmp_retransmission),
		cmocka_unit_test(test_renew_points),
		cmocka_unit_test(test_pcp_grant_renew_lapse),
		cmocka_unit_test(test_pcp_matching),
		cmocka_unit_test(test_lease_capped),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_decode_garbage),
		cmocka_unit_test(test_upnp_holds_only),
		cmocka_unit_test(test_reject_decode),
		cmocka_unit_test(test_oneshot),
		cmocka_unit_test(test_delete_unasked_and_forget),
		cmocka_unit_test(test_map_reject),
		cmocka_unit_test(test_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
