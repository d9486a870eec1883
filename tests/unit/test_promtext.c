/* SPDX-License-Identifier: MIT */
/* The Prometheus text writer, and the two expositions built on it:
 * check's (from a report document) and peers' (from judged chains). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "check/promreport.h"
#include "peers/metrics.h"
#include "proto/promtext.h"
#include "util/atomicfile.h"

static void samples_and_escaping(void **state)
{
	char mem[512];
	struct strbuf b;
	const char *l[] = { "id", "a\"b\\c\nd", "severity", NULL };

	(void)state;
	strbuf_init(&b, mem, sizeof(mem));
	promtext_family(&b, "x_total", "counter", "two\nlines \\ here");
	promtext_sample(&b, "x_total", NULL, 0, 3);
	promtext_sample(&b, "x", l, 2, 0.25);
	promtext_sample(&b, "x", NULL, 0, NAN);
	promtext_sample(&b, "x", NULL, 0, -INFINITY);
	promtext_sample(&b, "x", NULL, 0, 1733022000);
	assert_string_equal(mem, "# HELP x_total two\\nlines \\\\ here\n"
				 "# TYPE x_total counter\n"
				 "x_total 3\n"
				 "x{id=\"a\\\"b\\\\c\\nd\",severity=\"\"} 0.25\n"
				 "x NaN\n"
				 "x -Inf\n"
				 "x 1733022000\n");
	assert_false(b.truncated);
}

static void truncation_is_reported(void **state)
{
	char mem[16];
	struct strbuf b;

	(void)state;
	strbuf_init(&b, mem, sizeof(mem));
	promtext_sample(&b, "natdoctor_something_long", NULL, 0, 1);
	assert_true(b.truncated);
}

static const char report_doc[] =
    "{ \"version\": 1, \"elapsed_ms\": 306,"
    "  \"public\": { \"ipv4\": \"11.0.4.2\", \"ipv6\": null },"
    "  \"nat\": { \"layers\": 2, \"cgnat\": true, \"mapping_varies_by_destination\": null },"
    "  \"gateway\": { \"pcp\": { \"available\": true }, \"natpmp\": { \"available\": false },"
    "               \"upnp\": { \"available\": false } },"
    "  \"findings\": [ { \"id\": \"cgnat\", \"severity\": \"problem\" },"
    "                { \"id\": \"double-nat\", \"severity\": \"problem\" },"
    "                { \"id\": \"stun-ok\", \"severity\": \"info\" } ],"
    "  \"exit_status\": 1 }";

static void check_report_as_metrics(void **state)
{
	struct json_object *r = json_tokener_parse(report_doc);
	char *mem = malloc(PROMREPORT_MAX);
	struct strbuf b;

	(void)state;
	assert_non_null(r);
	strbuf_init(&b, mem, PROMREPORT_MAX);
	assert_int_equal(promreport_write(&b, r, 1733022000), 0);
	assert_non_null(strstr(mem, "\nnatdoctor_check_timestamp_seconds 1733022000\n"));
	assert_non_null(strstr(mem, "\nnatdoctor_check_exit_status 1\n"));
	assert_non_null(strstr(mem, "\nnatdoctor_check_duration_seconds 0.306"));
	assert_non_null(strstr(mem, "\nnatdoctor_nat_layers 2\n"));
	assert_non_null(strstr(mem, "\nnatdoctor_cgnat 1\n"));
	/* null in the JSON: no sample at all, never a made-up 0 */
	assert_null(strstr(mem, "\nnatdoctor_nat_mapping_varies_by_destination "));
	assert_non_null(strstr(
	    mem, "\nnatdoctor_public_address_info{family=\"ipv4\",address=\"11.0.4.2\"} 1\n"));
	assert_null(strstr(mem, "family=\"ipv6\""));
	assert_non_null(
	    strstr(mem, "\nnatdoctor_gateway_protocol_available{protocol=\"pcp\"} 1\n"));
	assert_non_null(
	    strstr(mem, "\nnatdoctor_gateway_protocol_available{protocol=\"upnp\"} 0\n"));
	assert_non_null(strstr(mem, "\nnatdoctor_finding{id=\"cgnat\",severity=\"problem\"} 1\n"));
	assert_non_null(strstr(mem, "\nnatdoctor_findings{severity=\"problem\"} 2\n"));
	assert_non_null(strstr(mem, "\nnatdoctor_findings{severity=\"warning\"} 0\n"));
	assert_non_null(strstr(mem, "\nnatdoctor_findings{severity=\"info\"} 1\n"));
	json_object_put(r);

	/* Not a report: refused, nothing half-written matters. */
	r = json_tokener_parse("[1, 2]");
	strbuf_init(&b, mem, PROMREPORT_MAX);
	assert_int_equal(promreport_write(&b, r, 0), -EINVAL);
	json_object_put(r);
	free(mem);
}

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

static void atomic_file_replaces_whole(void **state)
{
	char dir[] = "/tmp/nd-atomic.XXXXXX", path[64], buf[64];
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/natdoctor.prom", dir);
	assert_int_equal(atomicfile_check(path), 0);
	assert_int_equal(atomicfile_write(path, "old\n", 4), 0);
	assert_int_equal(atomicfile_write(path, "new text\n", 9), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, 9);
	assert_memory_equal(buf, "new text\n", 9);
	/* a directory that does not exist; a directory given as the file */
	snprintf(path, sizeof(path), "%s/no/such.prom", dir);
	assert_int_equal(atomicfile_check(path), -ENOENT);
	assert_int_equal(atomicfile_write(path, "x", 1), -ENOENT);
	assert_int_equal(atomicfile_check(dir), -EISDIR);
	/* nothing but the target is left behind (no temporary files) */
	snprintf(path, sizeof(path), "%s/natdoctor.prom", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(samples_and_escaping),
		cmocka_unit_test(truncation_is_reported),
		cmocka_unit_test(check_report_as_metrics),
		cmocka_unit_test(peers_chains_as_metrics),
		cmocka_unit_test(atomic_file_replaces_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
