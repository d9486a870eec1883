/* SPDX-License-Identifier: MIT */
/* serve's counters and their Prometheus text (serve/metrics). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "proto/prom.h"
#include "serve/metrics.h"

static void metrics_text_parses(void **state)
{
	static struct serve_counters c1, c2;
	const struct serve_counters *sets[] = { &c1, &c2 };
	static char text[8192];
	struct serve_out o = { .action = SERVE_REPLY, .error = 420 };
	int n;
	bool seen420 = false, seen_udp = false;

	(void)state;
	SERVE_COUNT(c1.requests_udp);
	SERVE_COUNT(c2.requests_udp);
	serve_count_answer(&c1, &o);
	SERVE_COUNT(c2.dialbacks[DIALBACK_RATE_LIMITED]);
	n = serve_metrics_render(sets, 2, text, sizeof(text));
	assert_true(n > 0);
	for (char *line = text, *nl; *line; line = nl + 1) {
		struct prom_sample s;
		int kind;

		nl = strchr(line, '\n');
		assert_non_null(nl);
		kind = prom_parse_line(line, (size_t)(nl - line), &s);
		assert_true(kind >= 0);
		if (kind != PROM_LINE_SAMPLE)
			continue;
		assert_non_null(strstr(s.name, "natdoctor_serve_"));
		if (!strcmp(s.name, "natdoctor_serve_errors_total") &&
		    !strcmp(prom_label(&s, "code"), "420")) {
			assert_true(s.value == 1.0);
			seen420 = true;
		}
		if (!strcmp(s.name, "natdoctor_serve_requests_total") &&
		    !strcmp(prom_label(&s, "transport"), "udp")) {
			assert_true(s.value == 2.0);
			seen_udp = true;
		}
	}
	assert_true(seen420 && seen_udp);
	assert_non_null(
	    strstr(text, "natdoctor_serve_dialbacks_total{result=\"rate-limited\"} 1\n"));
	assert_int_equal(serve_metrics_render(sets, 2, text, 100), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_text_parses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
