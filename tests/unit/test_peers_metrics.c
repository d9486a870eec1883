/* SPDX-License-Identifier: MIT */
/* peers' Prometheus exposition, from judged chains (peers/metrics). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "peers/metrics.h"

static void peers_chains_as_metrics(void **state)
{
	struct view_chain vc[2];
	struct view_source vs[2] = {
		{ .kind = "metrics", .chain = "parachain", .where = "x", .state = 1 },
		{ .kind = "rpc", .chain = "relaychain", .where = "y", .state = -1 },
	};
	char mem[8192];
	struct strbuf b;

	(void)state;
	memset(vc, 0, sizeof(vc));
	vc[0].snap = (struct chain_snapshot){ .name = "parachain",
					      .peers = 8,
					      .inbound = 0,
					      .outbound = 8,
					      .syncing = 0,
					      .inbound_total = 0,
					      .last_inbound_ago_s = -1,
					      .no_inbound_for_s = 7200,
					      .target_min = 40,
					      .target_max = 50,
					      .below_target = 1 };
	vc[0].verdict = ASSESS_NO_INBOUND;
	vc[1].snap = (struct chain_snapshot){ .name = "relaychain",
					      .peers = -1,
					      .inbound = -1,
					      .outbound = -1,
					      .syncing = -1,
					      .inbound_total = -1,
					      .last_inbound_ago_s = -1,
					      .no_inbound_for_s = -1,
					      .target_min = 40,
					      .target_max = 50,
					      .below_target = -1 };
	vc[1].verdict = ASSESS_UNKNOWN;
	strbuf_init(&b, mem, sizeof(mem));
	peers_metrics_write(&b, vc, 2, vs, 2);
	assert_false(b.truncated);
	assert_non_null(strstr(mem, "\nnatdoctor_peers{chain=\"parachain\"} 8\n"));
	assert_non_null(strstr(mem, "\nnatdoctor_peers_inbound{chain=\"parachain\"} 0\n"));
	assert_non_null(strstr(mem, "\nnatdoctor_peers_below_target{chain=\"parachain\"} 1\n"));
	assert_non_null(
	    strstr(mem, "\nnatdoctor_peers_no_inbound_seconds{chain=\"parachain\"} 7200\n"));
	assert_non_null(strstr(mem, "# TYPE natdoctor_peers_inbound_opened_total counter\n"));
	assert_non_null(
	    strstr(mem, "\nnatdoctor_peers_status{chain=\"parachain\",status=\"no-inbound\"} 1\n"));
	assert_non_null(
	    strstr(mem, "\nnatdoctor_peers_status{chain=\"parachain\",status=\"low\"} 0\n"));
	assert_non_null(
	    strstr(mem, "\nnatdoctor_peers_status{chain=\"relaychain\",status=\"unknown\"} 1\n"));
	/* unknown numbers are absent */
	assert_null(strstr(mem, "natdoctor_peers{chain=\"relaychain\"}"));
	assert_null(strstr(mem, "natdoctor_peers_last_inbound_seconds{"));
	assert_non_null(strstr(
	    mem, "\nnatdoctor_source_up{kind=\"metrics\",chain=\"parachain\",source=\"0\"} 1\n"));
	assert_non_null(strstr(
	    mem, "\nnatdoctor_source_up{kind=\"rpc\",chain=\"relaychain\",source=\"1\"} 0\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(peers_chains_as_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
