/* SPDX-License-Identifier: MIT */
/* serve's counters and their Prometheus text (serve/metrics). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto/prom.h"
#include "serve/metrics.h"

/* Add k to a counter k times over, as the owning thread would. */
static void count_n(_Atomic uint64_t *c, unsigned k)
{
	for (unsigned i = 0; i < k; i++)
		SERVE_COUNT(*c);
}

/* Every series serve writes, the label it carries (NULL: none) and the
 * value counters_set() gives it; docs/METRICS.md is the contract. */
static const struct {
	const char *name, *label, *value;
	double expect;
} want[] = {
	{ "natdoctor_serve_requests_total", "transport", "udp", 3 },
	{ "natdoctor_serve_requests_total", "transport", "tcp", 4 },
	{ "natdoctor_serve_answers_total", "class", "success", 5 },
	{ "natdoctor_serve_answers_total", "class", "error", 6 },
	{ "natdoctor_serve_errors_total", "code", "400", 7 },
	{ "natdoctor_serve_errors_total", "code", "420", 8 },
	{ "natdoctor_serve_errors_total", "code", "other", 9 },
	{ "natdoctor_serve_dropped_total", "reason", "not_stun", 10 },
	{ "natdoctor_serve_dropped_total", "reason", "malformed", 11 },
	{ "natdoctor_serve_dropped_total", "reason", "not_request", 12 },
	{ "natdoctor_serve_cookies_total", NULL, NULL, 13 },
	{ "natdoctor_serve_dialbacks_total", "result", "libp2p", 21 },
	{ "natdoctor_serve_dialbacks_total", "result", "rate-limited", 28 },
	{ "natdoctor_serve_dialbacks_total", "result", "busy", 29 },
	{ "natdoctor_serve_rate_limited_total", NULL, NULL, 14 },
	{ "natdoctor_serve_tcp_refused_total", NULL, NULL, 15 },
};

/* Each counter a different value, split over two threads' sets. */
static void counters_set(struct serve_counters *a, struct serve_counters *b)
{
	count_n(&a->requests_udp, 1), count_n(&b->requests_udp, 2);
	count_n(&a->requests_tcp, 4);
	count_n(&b->answers_success, 5);
	count_n(&a->answers_error, 6);
	count_n(&a->errors_400, 7);
	count_n(&b->errors_420, 8);
	count_n(&a->errors_other, 9);
	count_n(&a->dropped[SERVE_DROP_NOT_STUN], 10);
	count_n(&b->dropped[SERVE_DROP_MALFORMED], 11);
	count_n(&a->dropped[SERVE_DROP_NOT_REQUEST], 12);
	count_n(&b->cookies, 13);
	for (unsigned r = 1; r <= DIALBACK_RESULT_MAX; r++)
		count_n(&a->dialbacks[r], 20 + r);
	count_n(&b->rate_limited, 14);
	count_n(&a->tcp_refused, 15);
}

/* serve's exposition read back with proto/prom (our reader): every line
 * parses, each family's HELP and TYPE counter come before its samples,
 * and every counter is carried, summed over the threads, under its
 * name and label. */
static void metrics_text_parses(void **state)
{
	static struct serve_counters c1, c2;
	const struct serve_counters *sets[] = { &c1, &c2 };
	static char text[8192];
	char typed[PROM_NAME_MAX] = "";
	bool seen[sizeof(want) / sizeof(want[0])] = { false };
	unsigned n_samples = 0;
	int n;

	(void)state;
	counters_set(&c1, &c2);
	n = serve_metrics_render(sets, 2, text, sizeof(text));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(text));
	for (char *line = text, *nl; *line; line = nl + 1) {
		struct prom_sample s;
		int kind;

		nl = strchr(line, '\n');
		assert_non_null(nl);
		kind = prom_parse_line(line, (size_t)(nl - line), &s);
		assert_true(kind == PROM_LINE_HELP || kind == PROM_LINE_TYPE ||
			    kind == PROM_LINE_SAMPLE);
		if (kind == PROM_LINE_TYPE) {
			assert_true(nl - line > 8 && !memcmp(nl - 8, " counter", 8));
			snprintf(typed, sizeof(typed), "%s", s.name);
		}
		if (kind != PROM_LINE_SAMPLE)
			continue;
		n_samples++;
		assert_string_equal(s.name, typed); /* its family's TYPE came first */
		assert_true(s.n_labels <= 1);
		for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
			if (strcmp(s.name, want[w].name) ||
			    (want[w].label &&
			     (!prom_label(&s, want[w].label) ||
			      strcmp(prom_label(&s, want[w].label), want[w].value))))
				continue;
			assert_false(seen[w]);
			assert_true(s.value == want[w].expect);
			seen[w] = true;
		}
	}
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++)
		if (!seen[w])
			fail_msg("missing %s %s=%s", want[w].name,
				 want[w].label ? want[w].label : "",
				 want[w].value ? want[w].value : "");
	/* 2 + 2 + 3 + 3 + 1 + one per dial-back result + 1 + 1. */
	assert_int_equal(n_samples, 13 + DIALBACK_RESULT_MAX);
	assert_non_null(
	    strstr(text, "natdoctor_serve_dialbacks_total{result=\"rate-limited\"} 28\n"));
	assert_int_equal(serve_metrics_render(sets, 2, text, 100), -ENOBUFS);
}

/* serve_count_answer: what serve_answer decided lands in its counter. */
static void count_answer(void **state)
{
	static struct serve_counters c;
	struct serve_out err420 = { .action = SERVE_REPLY, .error = 420 };
	struct serve_out ok = { .action = SERVE_REPLY, .cookie_issued = true };
	struct serve_out drop = { .action = SERVE_DROP, .drop = SERVE_DROP_MALFORMED };
	struct serve_out bad_drop = { .action = SERVE_DROP, .drop = 9 };

	(void)state;
	serve_count_answer(&c, &err420);
	serve_count_answer(&c, &ok);
	serve_count_answer(&c, &drop);
	serve_count_answer(&c, &bad_drop); /* out of range: counted nowhere */
	assert_int_equal(c.errors_420, 1);
	assert_int_equal(c.answers_error, 1);
	assert_int_equal(c.answers_success, 1);
	assert_int_equal(c.cookies, 1);
	assert_int_equal(c.dropped[SERVE_DROP_MALFORMED], 1);
	assert_int_equal(c.dropped[SERVE_DROP_NOT_STUN] + c.dropped[SERVE_DROP_NOT_REQUEST], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_text_parses),
		cmocka_unit_test(count_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
