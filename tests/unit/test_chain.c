/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "peers/chain.h"

#define STALE 30000

static struct prom_peers metrics(int64_t peers, int64_t opened_in, int64_t closed_in)
{
	struct prom_peers p;

	prom_peers_init(&p);
	p.peers = peers;
	p.opened_in = opened_in;
	p.closed_in = closed_in;
	p.opened_out = 1000;
	p.closed_out = 1000 - peers;
	return p;
}

static void rpc_wins_over_metrics_and_log(void **state)
{
	struct chain c;
	struct chain_snapshot s;
	struct rpc_health h = { .peers = 12, .is_syncing = false, .should_have_peers = true };
	struct prom_peers p = metrics(11, 5, 5);
	struct nodelog_status st = {
		.peers = 10, .state = NODELOG_IDLE, .best = 77, .finalized = 75
	};

	(void)state;
	chain_init(&c, "");
	chain_update_log(&c, &st, 1000);
	chain_snapshot(&c, 1000, STALE, 0, 40, 50, &s);
	assert_int_equal(s.peers, 10);
	assert_string_equal(s.peers_from, "log");
	assert_string_equal(s.state, "idle");
	assert_int_equal(s.best, 77);
	assert_int_equal(s.inbound, -1);
	assert_null(s.name);

	chain_update_prom(&c, &p, 1000);
	chain_snapshot(&c, 1000, STALE, 0, 40, 50, &s);
	assert_int_equal(s.peers, 11);
	assert_string_equal(s.peers_from, "metrics");
	assert_int_equal(s.inbound, 0);
	assert_int_equal(s.outbound, 11);

	chain_update_rpc_health(&c, &h, 1000);
	chain_snapshot(&c, 1000, STALE, 0, 40, 50, &s);
	assert_int_equal(s.peers, 12);
	assert_string_equal(s.peers_from, "rpc");
	assert_int_equal(s.syncing, 0);
	assert_int_equal(s.below_target, 1);
}

static void stale_readings_are_dropped(void **state)
{
	struct chain c;
	struct chain_snapshot s;
	struct rpc_health h = { .peers = 45, .should_have_peers = true };

	(void)state;
	chain_init(&c, "parachain");
	chain_update_rpc_health(&c, &h, 1000);
	chain_snapshot(&c, 1000 + STALE, STALE, 0, 40, 50, &s);
	assert_int_equal(s.peers, 45);
	assert_int_equal(s.below_target, 0);
	chain_snapshot(&c, 1001 + STALE, STALE, 0, 40, 50, &s);
	assert_int_equal(s.peers, -1);
	assert_int_equal(s.below_target, -1);
	assert_string_equal(s.name, "parachain");
}

static void inbound_tracking(void **state)
{
	struct chain c;
	struct chain_snapshot s;
	struct prom_peers p = metrics(8, 100, 100);

	(void)state;
	chain_init(&c, "");
	/* First reading: 100 inbound in the past, none now, when unknown. */
	chain_update_prom(&c, &p, 10000);
	chain_snapshot(&c, 10000, STALE, 0, 40, 50, &s);
	assert_int_equal(s.inbound, 0);
	assert_int_equal(s.last_inbound_ago_s, -1);
	assert_int_equal(s.no_inbound_for_s, 0);
	assert_false(s.no_inbound_since_start);
	/* Ten minutes later, still no new one. */
	chain_update_prom(&c, &p, 610000);
	chain_snapshot(&c, 610000, STALE, 0, 40, 50, &s);
	assert_int_equal(s.no_inbound_for_s, 600);
	/* One opened and closed between two readings: seen. */
	p = metrics(8, 101, 101);
	chain_update_prom(&c, &p, 620000);
	chain_snapshot(&c, 625000, STALE, 0, 40, 50, &s);
	assert_int_equal(s.last_inbound_ago_s, 5);
	assert_int_equal(s.no_inbound_for_s, 5);
	/* One open now. */
	p = metrics(9, 103, 102);
	chain_update_prom(&c, &p, 630000);
	chain_snapshot(&c, 630000, STALE, 0, 40, 50, &s);
	assert_int_equal(s.inbound, 1);
	assert_int_equal(s.no_inbound_for_s, -1);
	assert_int_equal(s.last_inbound_ago_s, 0);
}

static void restart_resets_the_watch(void **state)
{
	struct chain c;
	struct chain_snapshot s;
	struct prom_peers p = metrics(8, 50, 49);

	(void)state;
	chain_init(&c, "");
	chain_update_prom(&c, &p, 1000);
	p = metrics(8, 0, 0); /* counters back to zero: a restart, not an inbound */
	chain_update_prom(&c, &p, 6000);
	chain_snapshot(&c, 6000, STALE, 0, 40, 50, &s);
	assert_int_equal(s.last_inbound_ago_s, -1);
	assert_int_equal(s.no_inbound_for_s, 0);
}

static void none_since_start_uses_uptime(void **state)
{
	struct chain c;
	struct chain_snapshot s;
	struct prom_peers p = metrics(8, 0, 0);

	(void)state;
	p.start_time = 1700000000;
	chain_init(&c, "relaychain");
	chain_update_prom(&c, &p, 1000);
	chain_snapshot(&c, 1000, STALE, 1700007200, 40, 50, &s);
	assert_true(s.no_inbound_since_start);
	assert_int_equal(s.uptime_s, 7200);
	assert_int_equal(s.no_inbound_for_s, 7200);
	assert_int_equal(s.p2p_port, 30334); /* relay chain default guess */
}

static void listen_port_prefers_a_reachable_address(void **state)
{
	struct chain c;
	struct rpc_listen_addrs l = { 0 };
	struct chain_snapshot s;

	(void)state;
	chain_init(&c, "");
	assert_int_equal(multiaddr_parse("/ip4/127.0.0.1/tcp/40333", 24, &l.addrs[0]), 0);
	assert_int_equal(multiaddr_parse("/ip4/192.168.1.10/tcp/30444", 27, &l.addrs[1]), 0);
	l.n = 2;
	chain_update_rpc_listen(&c, &l);
	assert_int_equal(c.listen_port, 30444);
	assert_false(c.listen_public);
	chain_snapshot(&c, 0, STALE, 0, 40, 50, &s);
	assert_int_equal(s.p2p_port, 30444);
}

static void chain_label_sanitised(void **state)
{
	struct chain c;
	struct prom_peers p = metrics(8, 0, 0);

	(void)state;
	memcpy(p.chain, "kh\x1b]0;pwned\x07la", 15);
	chain_init(&c, "");
	chain_update_prom(&c, &p, 1);
	assert_string_equal(c.prom.p.chain, "kh?]0;pwned?la");
}

static void history_ring(void **state)
{
	struct chain c;

	(void)state;
	chain_init(&c, "");
	for (int i = 0; i < CHAIN_HISTORY + 5; i++)
		chain_record(&c, i);
	assert_int_equal(c.hist_len, CHAIN_HISTORY);
	assert_int_equal(chain_history_at(&c, 0), 5);
	assert_int_equal(chain_history_at(&c, CHAIN_HISTORY - 1), CHAIN_HISTORY + 4);
	assert_int_equal(chain_history_at(&c, CHAIN_HISTORY), -1);
	chain_record(&c, -1);
	assert_int_equal(chain_history_at(&c, CHAIN_HISTORY - 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rpc_wins_over_metrics_and_log),
		cmocka_unit_test(stale_readings_are_dropped),
		cmocka_unit_test(inbound_tracking),
		cmocka_unit_test(restart_resets_the_watch),
		cmocka_unit_test(none_since_start_uses_uptime),
		cmocka_unit_test(listen_port_prefers_a_reachable_address),
		cmocka_unit_test(chain_label_sanitised),
		cmocka_unit_test(history_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
