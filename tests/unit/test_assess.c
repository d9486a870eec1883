/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "peers/assess.h"

static struct chain_snapshot snap(int64_t peers, int64_t inbound)
{
	return (struct chain_snapshot){
		.peers = peers,
		.inbound = inbound,
		.outbound = -1,
		.syncing = 0,
		.best = -1,
		.finalized = -1,
		.inbound_total = -1,
		.last_inbound_ago_s = -1,
		.no_inbound_for_s = inbound == 0 ? 0 : -1,
		.uptime_s = -1,
		.should_have_peers = true,
		.p2p_port = 30333,
		.target_min = 40,
		.target_max = 50,
		.below_target = peers >= 0 ? peers < 40 : -1,
	};
}

static void the_issue_example(void **state)
{
	struct chain_snapshot s = snap(8, 0);
	char text[512];

	(void)state;
	s.no_inbound_for_s = 30 * 60;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_NO_INBOUND);
	assert_string_equal(text, "8 peers, none inbound for 30 min: strangers cannot reach this "
				  "node; run `natdoctor check --port 30333`");
	assert_true(assess_is_problem(ASSESS_NO_INBOUND));
}

static void weak_evidence_says_may_not(void **state)
{
	struct chain_snapshot s = snap(8, 0);
	char text[512];

	(void)state;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_NO_INBOUND);
	assert_non_null(strstr(text, "none inbound right now: strangers may not reach"));
	s.no_inbound_for_s = 180;
	assess_chain(&s, text, sizeof(text));
	assert_non_null(strstr(text, "none inbound for 3 min: strangers may not reach"));
}

static void none_since_start(void **state)
{
	struct chain_snapshot s = snap(9, 0);
	char text[512];

	(void)state;
	s.no_inbound_since_start = true;
	s.uptime_s = s.no_inbound_for_s = 3 * 3600;
	s.p2p_port = 30334;
	assess_chain(&s, text, sizeof(text));
	assert_string_equal(text, "9 peers, none inbound since the node started 3 h ago: strangers "
				  "cannot reach this node; run `natdoctor check --port 30334`");
}

static void ok_and_above(void **state)
{
	struct chain_snapshot s = snap(45, 20);
	char text[512];

	(void)state;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_OK);
	assert_string_equal(text, "45 peers, within the 40-50 target");
	s.peers = 40;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_OK);
	s.peers = 63;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_OK);
	assert_string_equal(text, "63 peers, above the 40-50 target: fine");
	assert_false(assess_is_problem(ASSESS_OK));
}

static void low_but_reachable(void **state)
{
	struct chain_snapshot s = snap(22, 5);
	char text[512];

	(void)state;
	s.syncing = 1;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_LOW);
	assert_non_null(strstr(text, "but 5 inbound: strangers can reach this node"));
	assert_non_null(strstr(text, "while it syncs"));
}

static void low_without_metrics(void **state)
{
	struct chain_snapshot s = snap(8, -1);
	char text[512];

	(void)state;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_LOW);
	assert_non_null(strstr(text, "close to the 8 outbound connections"));
	assert_non_null(strstr(text, "natdoctor check --port 30333"));
	s.peers = 25;
	assess_chain(&s, text, sizeof(text));
	assert_null(strstr(text, "outbound connections"));
	assert_non_null(strstr(text, "Add --metrics"));
}

/* Issue 7 defect 12: metrics came, but without the connection counters:
 * asking for --metrics would send the operator in a circle. */
static void low_with_metrics_but_no_counters(void **state)
{
	struct chain_snapshot s = snap(8, -1);
	char text[512];

	(void)state;
	s.metrics_read = true;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_LOW);
	assert_non_null(strstr(text, "close to the 8 outbound connections"));
	assert_non_null(strstr(text, "no connection counters"));
	assert_null(strstr(text, "--metrics"));
	s.peers = 25;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_LOW);
	assert_non_null(strstr(text, "no connection counters"));
	assert_non_null(strstr(text, "natdoctor check --port 30333"));
	assert_null(strstr(text, "--metrics"));
}

static void isolated_unknown_and_dev(void **state)
{
	struct chain_snapshot s = snap(0, 0);
	char text[512], tiny[16];

	(void)state;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_ISOLATED);
	assert_non_null(strstr(text, "not even outbound"));
	s.should_have_peers = false;
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_OK);
	s = snap(-1, -1);
	assert_int_equal(assess_chain(&s, text, sizeof(text)), ASSESS_UNKNOWN);
	assert_false(assess_is_problem(ASSESS_UNKNOWN));
	/* Cut to fit, always terminated. */
	s = snap(8, 0);
	assess_chain(&s, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

static void durations(void **state)
{
	char d[32];

	(void)state;
	assess_fmt_duration(45, d, sizeof(d));
	assert_string_equal(d, "45 s");
	assess_fmt_duration(119, d, sizeof(d));
	assert_string_equal(d, "119 s");
	assess_fmt_duration(1800, d, sizeof(d));
	assert_string_equal(d, "30 min");
	assess_fmt_duration(7200, d, sizeof(d));
	assert_string_equal(d, "2 h");
	assess_fmt_duration(3 * 86400, d, sizeof(d));
	assert_string_equal(d, "3 d");
	assess_fmt_duration(-5, d, sizeof(d));
	assert_string_equal(d, "0 s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_issue_example),
		cmocka_unit_test(weak_evidence_says_may_not),
		cmocka_unit_test(none_since_start),
		cmocka_unit_test(ok_and_above),
		cmocka_unit_test(low_but_reachable),
		cmocka_unit_test(low_without_metrics),
		cmocka_unit_test(low_with_metrics_but_no_counters),
		cmocka_unit_test(isolated_unknown_and_dev),
		cmocka_unit_test(durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
