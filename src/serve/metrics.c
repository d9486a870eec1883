/* SPDX-License-Identifier: MIT */
#include "serve/metrics.h"

#include <errno.h>

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

#define SUM(field)                                                                          \
	({                                                                                  \
		uint64_t s_ = 0;                                                            \
		for (size_t i_ = 0; i_ < n; i_++)                                           \
			s_ += atomic_load_explicit(&sets[i_]->field, memory_order_relaxed); \
		s_;                                                                         \
	})

int serve_metrics_render(const struct serve_counters *const *sets, size_t n, char *out, size_t cap)
{
	static const char *const drop_reason[4] = { "", "not_stun", "malformed", "not_request" };
	struct strbuf b;

	strbuf_init(&b, out, cap);
	strbuf_put(&b, "# HELP natdoctor_serve_requests_total STUN messages received.\n"
		       "# TYPE natdoctor_serve_requests_total counter\n");
	strbuf_printf(&b, "natdoctor_serve_requests_total{transport=\"udp\"} %llu\n",
		      (unsigned long long)SUM(requests_udp));
	strbuf_printf(&b, "natdoctor_serve_requests_total{transport=\"tcp\"} %llu\n",
		      (unsigned long long)SUM(requests_tcp));
	strbuf_put(&b, "# HELP natdoctor_serve_answers_total STUN responses sent, by class.\n"
		       "# TYPE natdoctor_serve_answers_total counter\n");
	strbuf_printf(&b, "natdoctor_serve_answers_total{class=\"success\"} %llu\n",
		      (unsigned long long)SUM(answers_success));
	strbuf_printf(&b, "natdoctor_serve_answers_total{class=\"error\"} %llu\n",
		      (unsigned long long)SUM(answers_error));
	strbuf_put(&b, "# HELP natdoctor_serve_errors_total STUN error responses, by code.\n"
		       "# TYPE natdoctor_serve_errors_total counter\n");
	strbuf_printf(&b, "natdoctor_serve_errors_total{code=\"400\"} %llu\n",
		      (unsigned long long)SUM(errors_400));
	strbuf_printf(&b, "natdoctor_serve_errors_total{code=\"420\"} %llu\n",
		      (unsigned long long)SUM(errors_420));
	strbuf_printf(&b, "natdoctor_serve_errors_total{code=\"other\"} %llu\n",
		      (unsigned long long)SUM(errors_other));
	strbuf_put(&b, "# HELP natdoctor_serve_dropped_total Messages dropped without an "
		       "answer, by reason.\n"
		       "# TYPE natdoctor_serve_dropped_total counter\n");
	for (size_t r = 1; r < 4; r++)
		strbuf_printf(&b, "natdoctor_serve_dropped_total{reason=\"%s\"} %llu\n",
			      drop_reason[r], (unsigned long long)SUM(dropped[r]));
	strbuf_put(&b, "# HELP natdoctor_serve_cookies_total ND-COOKIEs issued.\n"
		       "# TYPE natdoctor_serve_cookies_total counter\n");
	strbuf_printf(&b, "natdoctor_serve_cookies_total %llu\n", (unsigned long long)SUM(cookies));
	strbuf_put(&b, "# HELP natdoctor_serve_dialbacks_total Dial-backs answered, by result.\n"
		       "# TYPE natdoctor_serve_dialbacks_total counter\n");
	for (unsigned r = 1; r <= DIALBACK_RESULT_MAX; r++)
		strbuf_printf(&b, "natdoctor_serve_dialbacks_total{result=\"%s\"} %llu\n",
			      dialback_result_name(r), (unsigned long long)SUM(dialbacks[r]));
	strbuf_put(&b, "# HELP natdoctor_serve_rate_limited_total Dial-backs refused by the "
		       "per-source rate limit.\n"
		       "# TYPE natdoctor_serve_rate_limited_total counter\n");
	strbuf_printf(&b, "natdoctor_serve_rate_limited_total %llu\n",
		      (unsigned long long)SUM(rate_limited));
	strbuf_put(&b, "# HELP natdoctor_serve_tcp_refused_total TCP connections closed at "
		       "once because the connection table was full.\n"
		       "# TYPE natdoctor_serve_tcp_refused_total counter\n");
	strbuf_printf(&b, "natdoctor_serve_tcp_refused_total %llu\n",
		      (unsigned long long)SUM(tcp_refused));
	return b.truncated ? -ENOBUFS : (int)b.len;
}
