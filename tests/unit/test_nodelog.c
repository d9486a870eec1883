/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "proto/nodelog.h"

static int parse(const char *line, struct nodelog_status *st)
{
	return nodelog_parse_line(line, strlen(line), st);
}

static void idle_line(void **state)
{
	struct nodelog_status st;

	(void)state;
	assert_int_equal(
	    parse("2023-11-02 04:19:56 💤 Idle (8 peers), best: #4567890 (0xc090…3722), finalized "
		  "#4567888 (0xc090…3722), ⬇ 1.6kiB/s ⬆ 1.3kiB/s    ",
		  &st),
	    1);
	assert_int_equal(st.state, NODELOG_IDLE);
	assert_int_equal(st.chain, NODELOG_CHAIN_NONE);
	assert_int_equal(st.peers, 8);
	assert_int_equal(st.best, 4567890);
	assert_int_equal(st.finalized, 4567888);
	assert_int_equal(st.target, -1);
}

static void syncing_with_speed_and_target(void **state)
{
	struct nodelog_status st;

	(void)state;
	assert_int_equal(
	    parse("2024-05-01 10:00:05 ⚙️  Syncing  5.4 bps, target=#531028 (4 peers), best: "
		  "#90683 (0x4ca8…51b8), finalized #360 (0x6f24…a38b), ⬇ 5.5kiB/s ⬆ 0.9kiB/s",
		  &st),
	    1);
	assert_int_equal(st.state, NODELOG_SYNCING);
	assert_int_equal(st.peers, 4);
	assert_int_equal(st.target, 531028);
	assert_int_equal(st.best, 90683);
	assert_int_equal(st.finalized, 360);
	assert_true(nodelog_state_is_syncing(st.state));
}

static void phala_prefixes_kept_apart(void **state)
{
	struct nodelog_status st;

	(void)state;
	assert_int_equal(parse("2021-05-30 17:00:04 [Relaychain] 💤 Idle (2 peers), best: #30 "
			       "(0xfc02…2a2a), finalized #28 (0x10ff…6539), ⬇ 1.0kiB/s ⬆ 0.3kiB/s",
			       &st),
			 1);
	assert_int_equal(st.chain, NODELOG_CHAIN_RELAY);
	assert_int_equal(st.peers, 2);
	assert_int_equal(parse("2021-05-30 17:00:04 [Parachain] 💤 Idle (0 peers), best: #0 "
			       "(0xd42b…f271), finalized #0 (0xd42b…f271), ⬇ 0 ⬆ 0",
			       &st),
			 1);
	assert_int_equal(st.chain, NODELOG_CHAIN_PARA);
	assert_int_equal(st.peers, 0);
	assert_int_equal(st.best, 0);
}

static void ansi_colours_stripped(void **state)
{
	struct nodelog_status st;

	(void)state;
	/* As sc-informant styles it on a terminal: white bold words and numbers,
	 * green and red rates. */
	assert_int_equal(parse("2024-05-01 10:00:05 [Parachain] 💤 \x1b[1;37mIdle\x1b[0m "
			       "(\x1b[1;37m45\x1b[0m peers), best: #\x1b[1;37m4567890\x1b[0m "
			       "(0x1a2b…3c4d), finalized #\x1b[1;37m4567888\x1b[0m (0x5e6f…7a8b), "
			       "\x1b[32m⬇ 3.1kiB/s\x1b[0m \x1b[31m⬆ 2.0kiB/s\x1b[0m",
			       &st),
			 1);
	assert_int_equal(st.peers, 45);
	assert_int_equal(st.best, 4567890);
	assert_int_equal(st.finalized, 4567888);
	assert_int_equal(st.chain, NODELOG_CHAIN_PARA);
}

static void other_status_words(void **state)
{
	struct nodelog_status st;

	(void)state;
	assert_int_equal(
	    parse("⚙️  Preparing  0.0 bps, target=#100 (3 peers), best: #0 (0x1…2), "
		  "finalized #0 (0x1…2), ⬇ 0 ⬆ 0",
		  &st),
	    1);
	assert_int_equal(st.state, NODELOG_PREPARING);
	assert_int_equal(parse("⚙️  Downloading state, 42%, (12.50) Mib (6 peers), best: #0 "
			       "(0x1…2), finalized #0 (0x1…2), ⬇ 1 ⬆ 2",
			       &st),
			 1);
	assert_int_equal(st.state, NODELOG_STATE_SYNC);
	assert_int_equal(
	    parse("⚙️  State sync, Importing state, 42%, 12.50 Mib (6 peers), best: "
		  "#0 (0x1…2), finalized #0 (0x1…2), ⬇ 1 ⬆ 2",
		  &st),
	    1);
	assert_int_equal(st.state, NODELOG_STATE_SYNC);
	/* A warp line has no best/finalized, and "Downloading state" after
	 * "Warping" is a phase of the warp. */
	assert_int_equal(
	    parse("⏩ Warping, Downloading state, 3.91 Mib (5 peers), ⬇ 101.1kiB/s ⬆ 0.6kiB/s", &st),
	    1);
	assert_int_equal(st.state, NODELOG_WARPING);
	assert_int_equal(st.best, -1);
	assert_int_equal(st.peers, 5);
	assert_int_equal(parse("⏩ Block history, #1234 (40 peers), best: #9000 (0x1…2), finalized "
			       "#8998 (0x3…4), ⬇ 1 ⬆ 2",
			       &st),
			 1);
	assert_int_equal(st.state, NODELOG_BLOCK_HISTORY);
	assert_int_equal(st.best, 9000);
	/* Before the emoji (2019). */
	assert_int_equal(parse("2019-09-26 15:42:15 Idle (0 peers), best: #0 (0x8855…e564), "
			       "finalized #0 (0x8855…e564), ⬇ 0 ⬆ 0",
			       &st),
			 1);
}

static void detailed_log_format(void **state)
{
	struct nodelog_status st;

	(void)state;
	assert_int_equal(parse("2022-03-02 09:31:59.750  INFO tokio-runtime-worker substrate: "
			       "[Relaychain] 💤 Idle (49 peers), best: #12584497 (0x1…2), finalized "
			       "#12584495 (0x3…4), ⬇ 300.1kiB/s ⬆ 250.2kiB/s",
			       &st),
			 1);
	assert_int_equal(st.chain, NODELOG_CHAIN_RELAY);
	assert_int_equal(st.peers, 49);
}

static void not_informant_lines(void **state)
{
	struct nodelog_status st;
	char big[NODELOG_LINE_MAX + 100];

	(void)state;
	assert_int_equal(
	    parse("2024-05-01 10:00:06 [Parachain] ✨ Imported #4567891 (0xaaaa…bbbb)", &st), 0);
	assert_int_equal(parse("discovered: 12D3KooW... /ip4/192.168.76.7/tcp/30333", &st), 0);
	assert_int_equal(parse("we have (3 peers) but no status word", &st), 0);
	assert_int_equal(parse("Idle ( peers)", &st), 0);
	assert_int_equal(parse("Idle (x8 peers)", &st), 0);
	assert_int_equal(parse("Idle 8 peers)", &st), 0);
	assert_int_equal(parse("Idle (99999999999999999999999 peers)", &st), 0);
	assert_int_equal(parse("", &st), 0);
	/* Over-long: skipped, even if it looks right. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "💤 Idle (8 peers), best: #1", 29);
	assert_int_equal(nodelog_parse_line(big, sizeof(big), &st), 0);
	/* Binary garbage around a plausible core is still read for the core
	 * only; garbage without it is nothing. */
	assert_int_equal(nodelog_parse_line("\x00\xff\x1b[\x01 Idle (\x1b", 12, &st), 0);
}

static void number_overflow_is_unknown(void **state)
{
	struct nodelog_status st;

	(void)state;
	assert_int_equal(
	    parse("💤 Idle (8 peers), best: #999999999999999999999999, finalized #5 (0x)", &st), 1);
	assert_int_equal(st.best, -1);
	assert_int_equal(st.finalized, 5);
}

static int ext(const char *line, struct nodelog_extaddr *e)
{
	return nodelog_parse_extaddr(line, strlen(line), e);
}

static void external_address_lines(void **state)
{
	struct nodelog_extaddr e;

	(void)state;
	/* libp2p backend, with the emoji. */
	assert_int_equal(ext("2024-05-01 10:00:05 🔍 Discovered new external address for our "
			     "node: /ip4/203.0.113.7/tcp/30333/p2p/"
			     "12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT",
			     &e),
			 1);
	assert_int_equal(e.event, NODELOG_EXTADDR_NEW);
	assert_int_equal(e.chain, NODELOG_CHAIN_NONE);
	assert_string_equal(e.addr.host, "203.0.113.7");
	assert_int_equal(e.addr.port, 30333);
	/* Phala's tags, no emoji (older nodes), an ephemeral port. */
	assert_int_equal(ext("2021-05-30 17:00:04 [Relaychain] Discovered new external address "
			     "for our node: /ip4/203.0.113.7/tcp/41234",
			     &e),
			 1);
	assert_int_equal(e.chain, NODELOG_CHAIN_RELAY);
	assert_int_equal(e.addr.port, 41234);
	assert_int_equal(ext("2021-05-30 17:00:04 [Parachain] 🔍 Expired external address for our "
			     "node: /ip4/203.0.113.7/tcp/41234",
			     &e),
			 1);
	assert_int_equal(e.event, NODELOG_EXTADDR_EXPIRED);
	assert_int_equal(e.chain, NODELOG_CHAIN_PARA);
	/* Colour codes around the address, detailed log format (litep2p's
	 * target), a trailing CR. */
	assert_int_equal(ext("2025-02-11 09:12:44.123  INFO tokio-runtime-worker sub-libp2p: "
			     "\x1b[1;32m🔍 Discovered new external address for our node: "
			     "\x1b[0m/ip6/2001:db8::7/tcp/30333\x1b[0m\r",
			     &e),
			 1);
	assert_int_equal(e.addr.host_kind, MULTIADDR_HOST_IP6);
	/* Not ours: other words, an address that is not one, garbage. */
	assert_int_equal(ext("🔍 Discovered new external address for our node: not-an-addr", &e), 0);
	assert_int_equal(ext("🔍 Found external address for our node: /ip4/1.2.3.4/tcp/1", &e), 0);
	assert_int_equal(ext("external address for our node: /ip4/1.2.3.4/tcp/1", &e), 0);
	assert_int_equal(ext("\xff\xfe\x1b[", &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idle_line),
		cmocka_unit_test(syncing_with_speed_and_target),
		cmocka_unit_test(phala_prefixes_kept_apart),
		cmocka_unit_test(ansi_colours_stripped),
		cmocka_unit_test(other_status_words),
		cmocka_unit_test(detailed_log_format),
		cmocka_unit_test(not_informant_lines),
		cmocka_unit_test(number_overflow_is_unknown),
		cmocka_unit_test(external_address_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
