/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <string.h>

#include "peers/view.h"

#define NOW_UNIX ((time_t)1714557605) /* 2024-05-01T10:00:05Z */

static void judged(struct view_chain *vc, struct chain *c, const char *name, int64_t peers,
		   bool with_metrics)
{
	struct rpc_health h = { .peers = (uint32_t)peers, .should_have_peers = true };

	chain_init(c, name);
	chain_update_rpc_health(c, &h, 1000);
	if (with_metrics) {
		struct prom_peers p;

		prom_peers_init(&p);
		p.peers = peers;
		p.opened_in = p.closed_in = 3;
		p.opened_out = peers + 10;
		p.closed_out = 10;
		memcpy(p.chain, "khala", 6);
		chain_update_prom(c, &p, 1000);
	}
	chain_record(c, peers);
	view_judge(vc, c, 1000, 30000, NOW_UNIX, 40, 50);
}

static void sparkline_scales_and_gaps(void **state)
{
	struct chain c;
	char mem[256];
	struct strbuf b;

	(void)state;
	chain_init(&c, "");
	chain_record(&c, 0);
	chain_record(&c, 25);
	chain_record(&c, -1);
	chain_record(&c, 50);
	strbuf_init(&b, mem, sizeof(mem));
	view_sparkline(&b, &c, 10, 50, false);
	assert_string_equal(mem, "_- #");
	strbuf_init(&b, mem, sizeof(mem));
	view_sparkline(&b, &c, 10, 50, true);
	assert_string_equal(mem, "▁▄ █");
	/* A sample above the scale raises it: 100 is the top, 50 half. */
	chain_record(&c, 100);
	strbuf_init(&b, mem, sizeof(mem));
	view_sparkline(&b, &c, 2, 50, false);
	assert_string_equal(mem, "-#");
}

static void plain_line(void **state)
{
	struct chain c;
	struct view_chain vc;
	char mem[1024];
	struct strbuf b;

	(void)state;
	judged(&vc, &c, "parachain", 8, true);
	strbuf_init(&b, mem, sizeof(mem));
	view_plain_line(&b, &vc, NOW_UNIX);
	assert_string_equal(mem,
			    "2024-05-01T10:00:05Z parachain peers=8 in=0 out=8 syncing=no best=- "
			    "target=40-50 status=no-inbound: 8 peers, none inbound right now: "
			    "strangers may not reach this node; run `natdoctor check --port "
			    "30333`\n");
}

static void json_fields(void **state)
{
	struct chain c;
	struct view_chain vc;
	char mem[2048];
	struct strbuf b;
	json_object *o, *v;

	(void)state;
	judged(&vc, &c, "", 45, false);
	strbuf_init(&b, mem, sizeof(mem));
	assert_int_equal(view_json_line(&b, &vc, NOW_UNIX), 0);
	assert_int_equal(mem[b.len - 1], '\n');
	assert_null(strchr(mem, '\n') == mem + b.len - 1 ? NULL : mem); /* one line */
	o = json_tokener_parse(mem);
	assert_non_null(o);
	/* The fields the issue asks for, with null where the source does not tell. */
	assert_true(json_object_object_get_ex(o, "chain", &v) && v == NULL);
	assert_true(json_object_object_get_ex(o, "peers", &v) && json_object_get_int(v) == 45);
	assert_true(json_object_object_get_ex(o, "inbound", &v) && v == NULL);
	assert_true(json_object_object_get_ex(o, "outbound", &v) && v == NULL);
	assert_true(json_object_object_get_ex(o, "syncing", &v) && !json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "best", &v) && v == NULL);
	assert_true(json_object_object_get_ex(o, "target_min", &v) && json_object_get_int(v) == 40);
	assert_true(json_object_object_get_ex(o, "target_max", &v) && json_object_get_int(v) == 50);
	assert_true(json_object_object_get_ex(o, "below_target", &v) &&
		    json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "status", &v));
	assert_string_equal(json_object_get_string(v), "ok");
	assert_true(json_object_object_get_ex(o, "time", &v));
	assert_string_equal(json_object_get_string(v), "2024-05-01T10:00:05Z");
	json_object_put(o);
	/* A named chain with metrics: inbound and outbound are numbers. */
	judged(&vc, &c, "relaychain", 8, true);
	strbuf_init(&b, mem, sizeof(mem));
	assert_int_equal(view_json_line(&b, &vc, NOW_UNIX), 0);
	o = json_tokener_parse(mem);
	assert_true(json_object_object_get_ex(o, "chain", &v));
	assert_string_equal(json_object_get_string(v), "relaychain");
	assert_true(json_object_object_get_ex(o, "chain_id", &v));
	assert_string_equal(json_object_get_string(v), "khala");
	assert_true(json_object_object_get_ex(o, "inbound", &v) && json_object_get_int(v) == 0);
	assert_true(json_object_object_get_ex(o, "outbound", &v) && json_object_get_int(v) == 8);
	assert_true(json_object_object_get_ex(o, "below_target", &v) && json_object_get_boolean(v));
	/* Backticks and slashes are not escaped beyond JSON's needs. */
	assert_non_null(strstr(mem, "`natdoctor check --port 30334`"));
	json_object_put(o);
}

static void frame_without_colour_has_no_escapes(void **state)
{
	struct chain c[2];
	struct view_chain vc[2];
	struct view_source src[2] = {
		{ .kind = "rpc",
		  .chain = "parachain",
		  .where = "http://127.0.0.1:9944",
		  .state = 1 },
		{ .kind = "metrics",
		  .chain = "relaychain",
		  .where = "http://127.0.0.1:9616/metrics",
		  .state = -1,
		  .msg = "connection refused" },
	};
	struct view_opts o = { .color = false, .utf8 = true, .interval_s = 5, .live = true };
	char mem[8192];
	struct strbuf b;

	(void)state;
	judged(&vc[0], &c[0], "parachain", 8, true);
	judged(&vc[1], &c[1], "relaychain", 45, false);
	strbuf_init(&b, mem, sizeof(mem));
	view_frame(&b, &o, vc, 2, src, 2, NOW_UNIX);
	assert_false(b.truncated);
	assert_null(strchr(mem, '\x1b'));
	assert_non_null(strstr(mem, "parachain (khala)"));
	assert_non_null(strstr(mem, "in 0  out 8"));
	assert_non_null(strstr(mem, "in/out: needs --metrics"));
	assert_non_null(strstr(mem, "✗ parachain: 8 peers, none inbound"));
	assert_non_null(strstr(mem, "✓ relaychain: 45 peers, within the 40-50 target"));
	assert_non_null(strstr(mem, "FAIL  metrics relaychain http://127.0.0.1:9616/metrics: "
				    "connection refused"));
	assert_non_null(strstr(mem, "Ctrl-C quits"));
	/* With colour, escapes appear. */
	o.color = true;
	strbuf_init(&b, mem, sizeof(mem));
	view_frame(&b, &o, vc, 2, src, 2, NOW_UNIX);
	assert_non_null(strchr(mem, '\x1b'));
}

/* Issue 7 defect 12: metrics without the connection counters. */
static void frame_metrics_without_counters(void **state)
{
	struct chain c;
	struct view_chain vc;
	struct prom_peers p;
	struct view_opts o = { .color = false, .utf8 = true, .interval_s = 5, .live = true };
	char mem[4096];
	struct strbuf b;

	(void)state;
	chain_init(&c, "parachain");
	prom_peers_init(&p);
	p.peers = 8;
	chain_update_prom(&c, &p, 1000);
	chain_record(&c, 8);
	view_judge(&vc, &c, 1000, 30000, NOW_UNIX, 40, 50);
	strbuf_init(&b, mem, sizeof(mem));
	view_frame(&b, &o, &vc, 1, NULL, 0, NOW_UNIX);
	assert_non_null(strstr(mem, "in/out: not in the metrics"));
	assert_non_null(strstr(mem, "no connection counters"));
	assert_null(strstr(mem, "--metrics"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frame_metrics_without_counters),
		cmocka_unit_test(sparkline_scales_and_gaps),
		cmocka_unit_test(plain_line),
		cmocka_unit_test(json_fields),
		cmocka_unit_test(frame_without_colour_has_no_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
