/* SPDX-License-Identifier: MIT */
/* check's Prometheus exposition, from a report document (check/promreport). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check/promreport.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_report_as_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
