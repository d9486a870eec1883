/* SPDX-License-Identifier: MIT */
#include "serve/metrics.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto/promtext.h"
#include "util/strbuf.h"

void serve_count_answer(struct serve_counters *c, const struct serve_out *o)
{
	if (o->action == SERVE_DROP) {
		if (o->drop > 0 && o->drop < 4)
			SERVE_COUNT(c->dropped[o->drop]);
		return;
	}
	if (o->action != SERVE_REPLY)
		return;
	if (!o->error) {
		SERVE_COUNT(c->answers_success);
		if (o->cookie_issued)
			SERVE_COUNT(c->cookies);
		return;
	}
	SERVE_COUNT(c->answers_error);
	if (o->error == 400)
		SERVE_COUNT(c->errors_400);
	else if (o->error == 420)
		SERVE_COUNT(c->errors_420);
	else
		SERVE_COUNT(c->errors_other);
}

/* The sum over n counter sets of the counter at byte offset off. */
static uint64_t sum_at(const struct serve_counters *const *sets, size_t n, size_t off)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += atomic_load_explicit((const _Atomic uint64_t *)((const char *)sets[i] + off),
					  memory_order_relaxed);
	return s;
}

#define AT(field) offsetof(struct serve_counters, field)

/* Serve's families in the order they are written (docs/METRICS.md names
 * them): each is a counter with at most one label, and its series are
 * the label's values with where their counters are; dialbacks has one
 * series per enum dialback_result instead. */
static const struct {
	const char *name, *help, *label; /* label NULL: one series, no label */
	struct {
		const char *value;
		size_t off;
	} s[3];
	size_t n;
	bool by_dialback_result;
} families[] = {
	{ "natdoctor_serve_requests_total",
	  "STUN messages received.",
	  "transport",
	  { { "udp", AT(requests_udp) }, { "tcp", AT(requests_tcp) } },
	  2,
	  false },
	{ "natdoctor_serve_answers_total",
	  "STUN responses sent, by class.",
	  "class",
	  { { "success", AT(answers_success) }, { "error", AT(answers_error) } },
	  2,
	  false },
	{ "natdoctor_serve_errors_total",
	  "STUN error responses, by code.",
	  "code",
	  { { "400", AT(errors_400) }, { "420", AT(errors_420) }, { "other", AT(errors_other) } },
	  3,
	  false },
	{ "natdoctor_serve_dropped_total",
	  "Messages dropped without an answer, by reason.",
	  "reason",
	  { { "not_stun", AT(dropped[SERVE_DROP_NOT_STUN]) },
	    { "malformed", AT(dropped[SERVE_DROP_MALFORMED]) },
	    { "not_request", AT(dropped[SERVE_DROP_NOT_REQUEST]) } },
	  3,
	  false },
	{ "natdoctor_serve_cookies_total",
	  "ND-COOKIEs issued.",
	  NULL,
	  { { NULL, AT(cookies) } },
	  1,
	  false },
	{ "natdoctor_serve_dialbacks_total",
	  "Dial-backs answered, by result.",
	  "result",
	  { { 0 } },
	  0,
	  true },
	{ "natdoctor_serve_rate_limited_total",
	  "Dial-backs refused by the per-source rate limit.",
	  NULL,
	  { { NULL, AT(rate_limited) } },
	  1,
	  false },
	{ "natdoctor_serve_tcp_refused_total",
	  "TCP connections closed at once because the connection table was full.",
	  NULL,
	  { { NULL, AT(tcp_refused) } },
	  1,
	  false },
};

int serve_metrics_render(const struct serve_counters *const *sets, size_t n, char *out, size_t cap)
{
	struct strbuf b;

	strbuf_init(&b, out, cap);
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		const char *label[2] = { families[f].label, NULL };
		size_t n_labels = families[f].label ? 1 : 0;

		promtext_family(&b, families[f].name, "counter", families[f].help);
		for (size_t i = 0; i < families[f].n; i++) {
			label[1] = families[f].s[i].value;
			/* A double holds every count below 2^53 exactly (Prometheus
			 * reads them as float64 anyway). */
			promtext_sample(&b, families[f].name, label, n_labels,
					(double)sum_at(sets, n, families[f].s[i].off));
		}
		for (unsigned r = 1; families[f].by_dialback_result && r <= DIALBACK_RESULT_MAX;
		     r++) {
			label[1] = dialback_result_name(r);
			promtext_sample(&b, families[f].name, label, n_labels,
					(double)sum_at(sets, n, AT(dialbacks[r])));
		}
	}
	return b.truncated ? -ENOBUFS : (int)b.len;
}
