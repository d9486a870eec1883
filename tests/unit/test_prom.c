/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "proto/prom.h"

static int parse(const char *line, struct prom_sample *s)
{
	return prom_parse_line(line, strlen(line), s);
}

static void help_type_and_comments(void **state)
{
	struct prom_sample s;

	(void)state;
	assert_int_equal(
	    parse("# HELP substrate_sub_libp2p_peers_count Number of connected peers", &s),
	    PROM_LINE_HELP);
	assert_string_equal(s.name, "substrate_sub_libp2p_peers_count");
	assert_int_equal(parse("# TYPE substrate_sub_libp2p_peers_count gauge", &s),
			 PROM_LINE_TYPE);
	assert_string_equal(s.name, "substrate_sub_libp2p_peers_count");
	assert_int_equal(parse("# just a comment", &s), PROM_LINE_COMMENT);
	assert_int_equal(parse("#HELPER x", &s), PROM_LINE_COMMENT);
	assert_int_equal(parse("", &s), PROM_LINE_BLANK);
	assert_int_equal(parse("   \t", &s), PROM_LINE_BLANK);
	assert_int_equal(parse("# HELP 1bad name", &s), -EINVAL);
}

static void sample_with_labels_and_timestamp(void **state)
{
	struct prom_sample s;

	(void)state;
	assert_int_equal(parse("substrate_sub_libp2p_connections_closed_total{direction=\"in\","
			       "reason=\"keep-alive-timeout\",chain=\"khala\"} 49758 1714557605000",
			       &s),
			 PROM_LINE_SAMPLE);
	assert_string_equal(s.name, "substrate_sub_libp2p_connections_closed_total");
	assert_int_equal(s.n_labels, 3);
	assert_string_equal(prom_label(&s, "direction"), "in");
	assert_string_equal(prom_label(&s, "reason"), "keep-alive-timeout");
	assert_string_equal(prom_label(&s, "chain"), "khala");
	assert_null(prom_label(&s, "protocol"));
	assert_true(s.value == 49758.0);
	assert_true(s.has_timestamp);
	assert_true(s.timestamp_ms == INT64_C(1714557605000));
}

static void escapes_in_label_values(void **state)
{
	struct prom_sample s;

	(void)state;
	/* As Substrate writes notification protocol names. */
	assert_int_equal(
	    parse("substrate_sub_libp2p_out_events_events_total{action=\"received\",event_name="
		  "\"notif-\\\"/sup/transactions/1\\\"\",name=\"a\\\\b\\nc\"} 3683",
		  &s),
	    PROM_LINE_SAMPLE);
	assert_string_equal(prom_label(&s, "event_name"), "notif-\"/sup/transactions/1\"");
	assert_string_equal(prom_label(&s, "name"), "a\\b\nc");
	/* An escape the format does not define is kept as it is. */
	assert_int_equal(parse("m{a=\"x\\ty\"} 1", &s), PROM_LINE_SAMPLE);
	assert_string_equal(prom_label(&s, "a"), "x\\ty");
}

static void special_values(void **state)
{
	struct prom_sample s;

	(void)state;
	assert_int_equal(parse("a NaN", &s), PROM_LINE_SAMPLE);
	assert_true(isnan(s.value));
	assert_int_equal(parse("a +Inf", &s), PROM_LINE_SAMPLE);
	assert_true(isinf(s.value) && s.value > 0);
	assert_int_equal(parse("a_bucket{le=\"+Inf\"} -Inf", &s), PROM_LINE_SAMPLE);
	assert_true(isinf(s.value) && s.value < 0);
	assert_int_equal(parse("a 1.5e3", &s), PROM_LINE_SAMPLE);
	assert_true(s.value == 1500.0);
	assert_int_equal(parse("a{} 7", &s), PROM_LINE_SAMPLE);
	assert_int_equal(s.n_labels, 0);
	assert_int_equal(parse("a{b=\"c\",} 7", &s), PROM_LINE_SAMPLE);
	assert_int_equal(s.n_labels, 1);
}

static void malformed_lines(void **state)
{
	struct prom_sample s;

	(void)state;
	assert_int_equal(parse("a", &s), -EINVAL);		      /* no value */
	assert_int_equal(parse("a 12abc", &s), -EINVAL);	      /* junk value */
	assert_int_equal(parse("a nan(1)", &s), -EINVAL);	      /* not Go's spelling */
	assert_int_equal(parse("a{b=\"c} 1", &s), -EINVAL);	      /* unterminated */
	assert_int_equal(parse("a{b=c} 1", &s), -EINVAL);	      /* unquoted */
	assert_int_equal(parse("a{b=\"c\" d=\"e\"} 1", &s), -EINVAL); /* no comma */
	assert_int_equal(parse("a 1 2 3", &s), -EINVAL);
	assert_int_equal(parse("a 1 1.5", &s), -EINVAL); /* timestamp is integer */
	assert_int_equal(parse("<html><body>", &s), -EINVAL);
	assert_int_equal(parse("9lives 1", &s), -EINVAL);
	assert_int_equal(parse("a{1=\"x\"} 1", &s), -EINVAL);
}

static void limits(void **state)
{
	struct prom_sample s;
	char line[600];

	(void)state;
	memset(line, 'n', 200);
	memcpy(line + 200, " 1", 3);
	assert_int_equal(parse(line, &s), -E2BIG); /* name over PROM_NAME_MAX */
	assert_int_equal(
	    parse("a{a=\"1\",b=\"1\",c=\"1\",d=\"1\",e=\"1\",f=\"1\",g=\"1\",h=\"1\",i=\"1\"} 1",
		  &s),
	    -E2BIG);
	memcpy(line, "a{v=\"", 5);
	memset(line + 5, 'v', 300);
	memcpy(line + 305, "\"} 1", 5);
	assert_int_equal(parse(line, &s), -E2BIG);
	/* A NUL inside a line is an error, not a silent cut. */
	assert_int_equal(prom_parse_line("a{b=\"x\0y\"} 1", 13, &s), -EINVAL);
}

static void feed_all(struct prom_peers *p, const char *text)
{
	const char *s = text;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);

		prom_peers_feed(p, s, len);
		s += len + (nl != NULL);
	}
}

/* Lines as a Phala parachain serves them on :9615 (chain label on every
 * sample, registry prefix "substrate"). */
static const char substrate_body[] =
    "# HELP substrate_block_height Block height info of the chain\n"
    "# TYPE substrate_block_height gauge\n"
    "substrate_block_height{status=\"best\",chain=\"khala\"} 4567890\n"
    "substrate_block_height{status=\"finalized\",chain=\"khala\"} 4567888\n"
    "substrate_block_height{status=\"sync_target\",chain=\"khala\"} 4567890\n"
    "# HELP substrate_process_start_time_seconds Number of seconds between the UNIX epoch and the "
    "moment the process started\n"
    "# TYPE substrate_process_start_time_seconds gauge\n"
    "substrate_process_start_time_seconds{chain=\"khala\"} 1714550000\n"
    "# HELP substrate_sub_libp2p_connections_closed_total Total number of connections closed, by "
    "direction and reason\n"
    "# TYPE substrate_sub_libp2p_connections_closed_total counter\n"
    "substrate_sub_libp2p_connections_closed_total{direction=\"in\",reason=\"keep-alive-timeout\","
    "chain=\"khala\"} 40\n"
    "substrate_sub_libp2p_connections_closed_total{direction=\"in\",reason=\"transport-error\","
    "chain=\"khala\"} 2\n"
    "substrate_sub_libp2p_connections_closed_total{direction=\"out\",reason=\"keep-alive-timeout\","
    "chain=\"khala\"} 100\n"
    "# HELP substrate_sub_libp2p_connections_opened_total Total number of connections opened by "
    "direction\n"
    "# TYPE substrate_sub_libp2p_connections_opened_total counter\n"
    "substrate_sub_libp2p_connections_opened_total{direction=\"in\",chain=\"khala\"} 45\n"
    "substrate_sub_libp2p_connections_opened_total{direction=\"out\",chain=\"khala\"} 140\n"
    "# HELP substrate_sub_libp2p_is_major_syncing Whether the node is performing a major sync or "
    "not.\n"
    "# TYPE substrate_sub_libp2p_is_major_syncing gauge\n"
    "substrate_sub_libp2p_is_major_syncing{chain=\"khala\"} 0\n"
    "# HELP substrate_sub_libp2p_peers_count Number of connected peers\n"
    "# TYPE substrate_sub_libp2p_peers_count gauge\n"
    "substrate_sub_libp2p_peers_count{chain=\"khala\"} 43\n"
    "substrate_sub_libp2p_notifications_sizes_bucket{direction=\"in\",protocol=\"/paritytech/"
    "grandpa/1\",le=\"+Inf\",chain=\"khala\"} 11627560\n";

static void substrate_metrics_picked_out(void **state)
{
	struct prom_peers p;

	(void)state;
	prom_peers_init(&p);
	feed_all(&p, substrate_body);
	assert_true(prom_peers_found(&p));
	assert_string_equal(p.chain, "khala");
	assert_int_equal(p.peers, 43);
	assert_int_equal(p.opened_in, 45);
	assert_int_equal(p.opened_out, 140);
	assert_int_equal(p.closed_in, 42); /* summed over reasons */
	assert_int_equal(p.closed_out, 100);
	assert_int_equal(p.best, 4567890);
	assert_int_equal(p.finalized, 4567888);
	assert_int_equal(p.major_syncing, 0);
	assert_int_equal(p.start_time, 1714550000);
	assert_int_equal(p.n_bad, 0);
}

/* A Polkadot/Kusama binary's registry prefix, no chain label (older nodes). */
static void polkadot_prefix_without_chain_label(void **state)
{
	struct prom_peers p;

	(void)state;
	prom_peers_init(&p);
	feed_all(&p, "# TYPE polkadot_sub_libp2p_peers_count gauge\n"
		     "polkadot_sub_libp2p_peers_count 22\n"
		     "polkadot_sub_libp2p_connections_opened_total{direction=\"in\"} 1\n"
		     "polkadot_parachain_foo_block_height{status=\"best\"} 999\n"
		     "polkadot_block_height{status=\"best\"} 12584497\n");
	assert_int_equal(p.peers, 22);
	assert_int_equal(p.opened_in, 1);
	assert_int_equal(p.opened_out, -1);
	assert_int_equal(p.closed_in, -1);
	assert_int_equal(p.best, 12584497);
	assert_string_equal(p.chain, "");
}

static void untrusted_values_ignored(void **state)
{
	struct prom_peers p;

	(void)state;
	prom_peers_init(&p);
	feed_all(&p, "substrate_sub_libp2p_peers_count NaN\n"
		     "substrate_sync_peers -3\n"
		     "substrate_block_height{status=\"best\"} +Inf\n"
		     "substrate_process_start_time_seconds 1e300\n"
		     "<html>\n"
		     "substrate_sub_libp2p_peers_count{chain=\"a\"} 5\n"
		     "substrate_sub_libp2p_peers_count{chain=\"b\"} 50\n");
	/* The NaN is ignored; the first chain label wins; "b" is not mixed in. */
	assert_int_equal(p.peers, 5);
	assert_int_equal(p.sync_peers, -1);
	assert_int_equal(p.best, -1);
	assert_int_equal(p.start_time, -1);
	assert_int_equal(p.n_bad, 1);
	assert_int_equal(p.n_other_chain, 1);
}

static void sync_peers_fallback(void **state)
{
	struct prom_peers p;

	(void)state;
	prom_peers_init(&p);
	assert_false(prom_peers_found(&p));
	feed_all(&p, "substrate_sync_peers 12\n");
	assert_true(prom_peers_found(&p));
	assert_int_equal(p.sync_peers, 12);
	assert_int_equal(p.peers, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(help_type_and_comments),
		cmocka_unit_test(sample_with_labels_and_timestamp),
		cmocka_unit_test(escapes_in_label_values),
		cmocka_unit_test(special_values),
		cmocka_unit_test(malformed_lines),
		cmocka_unit_test(limits),
		cmocka_unit_test(substrate_metrics_picked_out),
		cmocka_unit_test(polkadot_prefix_without_chain_label),
		cmocka_unit_test(untrusted_values_ignored),
		cmocka_unit_test(sync_peers_fallback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
