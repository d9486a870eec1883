/* SPDX-License-Identifier: MIT */
#include "peers/view.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define C_RESET	 "\x1b[0m"
#define C_BOLD	 "\x1b[1m"
#define C_DIM	 "\x1b[2m"
#define C_RED	 "\x1b[31m"
#define C_GREEN	 "\x1b[32m"
#define C_YELLOW "\x1b[33m"

void view_fmt_time(time_t t, char out[static 32])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		memcpy(out, "-", 2);
}

void view_judge(struct view_chain *vc, const struct chain *c, uint64_t now_ms, uint64_t stale_ms,
		time_t now_unix, uint32_t target_min, uint32_t target_max)
{
	vc->chain = c;
	chain_snapshot(c, now_ms, stale_ms, now_unix, target_min, target_max, &vc->snap);
	vc->verdict = assess_chain(&vc->snap, vc->text, sizeof(vc->text));
}

void view_sparkline(struct strbuf *out, const struct chain *c, size_t width, uint32_t scale_max,
		    bool utf8)
{
	static const char *const blocks[8] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[8] = { '_', '.', ':', '-', '=', '+', '*', '#' };
	size_t first = c->hist_len > width ? c->hist_len - width : 0;
	int64_t scale = scale_max ? scale_max : 1;

	for (size_t i = first; i < c->hist_len; i++)
		if (chain_history_at(c, i) > scale)
			scale = chain_history_at(c, i);
	for (size_t i = first; i < c->hist_len; i++) {
		int32_t v = chain_history_at(c, i);
		int level;

		if (v < 0) {
			strbuf_put(out, " ");
			continue;
		}
		level = (int)((int64_t)v * 7 / scale);
		if (utf8)
			strbuf_put(out, blocks[level]);
		else
			strbuf_putn(out, &ascii[level], 1);
	}
}

static const char *col(const struct view_opts *o, const char *code)
{
	return o->color ? code : "";
}

static const char *view_verdict_colour(enum assess v)
{
	switch (v) {
	case ASSESS_OK:
		return C_GREEN;
	case ASSESS_LOW:
		return C_YELLOW;
	case ASSESS_NO_INBOUND:
	case ASSESS_ISOLATED:
		return C_RED;
	case ASSESS_UNKNOWN:
		break;
	}
	return C_DIM;
}

static const char *view_chain_label(const struct chain_snapshot *s)
{
	return s->name ? s->name : "node";
}

static void frame_chain(struct strbuf *out, const struct view_opts *o, const struct view_chain *vc)
{
	const struct chain_snapshot *s = &vc->snap;
	char name[CHAIN_NAME_MAX + PROM_LABEL_VALUE_MAX + 4], dur[32];

	if (s->chain_id[0])
		snprintf(name, sizeof(name), "%s (%.40s)", view_chain_label(s), s->chain_id);
	else
		snprintf(name, sizeof(name), "%s", view_chain_label(s));
	strbuf_printf(out, "%s%-24s%s ", col(o, C_BOLD), name, col(o, C_RESET));
	if (s->peers >= 0)
		strbuf_printf(out, "%s%4lld peers%s  ", col(o, view_verdict_colour(vc->verdict)),
			      (long long)s->peers, col(o, C_RESET));
	else
		strbuf_printf(out, "%s   ? peers%s  ", col(o, C_DIM), col(o, C_RESET));
	view_sparkline(out, vc->chain, VIEW_SPARK_WIDTH, s->target_max, o->utf8);
	/* Pad to the full width so the columns after it stay put. */
	for (size_t i = vc->chain->hist_len; i < VIEW_SPARK_WIDTH; i++)
		strbuf_put(out, " ");
	if (s->inbound >= 0)
		strbuf_printf(out, "  in %lld  out %lld", (long long)s->inbound,
			      (long long)(s->outbound >= 0 ? s->outbound : 0));
	else
		strbuf_printf(out, "  %sin/out: %s%s", col(o, C_DIM),
			      s->metrics_read ? "not in the metrics" : "needs --metrics",
			      col(o, C_RESET));
	strbuf_put(out, "\n    ");

	if (s->state)
		strbuf_put(out, s->state);
	else if (s->syncing >= 0)
		strbuf_put(out, s->syncing ? "syncing" : "in sync");
	else
		strbuf_put(out, "sync state unknown");
	if (s->best >= 0)
		strbuf_printf(out, " at #%lld", (long long)s->best);
	if (s->inbound >= 0) {
		strbuf_put(out, " · last inbound: ");
		if (s->inbound > 0) {
			strbuf_put(out, "now");
		} else if (s->last_inbound_ago_s >= 0) {
			assess_fmt_duration(s->last_inbound_ago_s, dur, sizeof(dur));
			strbuf_printf(out, "%s ago", dur);
		} else if (s->no_inbound_since_start && s->uptime_s >= 0) {
			assess_fmt_duration(s->uptime_s, dur, sizeof(dur));
			strbuf_printf(out, "none since the node started %s ago", dur);
		} else {
			assess_fmt_duration(s->no_inbound_for_s, dur, sizeof(dur));
			strbuf_printf(out, "none in the %s watched", dur);
		}
	}
	if (s->peers_from)
		strbuf_printf(out, " · count from %s", s->peers_from);
	strbuf_put(out, "\n");
}

void view_frame(struct strbuf *out, const struct view_opts *o, const struct view_chain *chains,
		size_t n_chains, const struct view_source *src, size_t n_src, time_t now)
{
	char when[32];
	uint32_t tmin = n_chains ? chains[0].snap.target_min : 0;
	uint32_t tmax = n_chains ? chains[0].snap.target_max : 0;

	view_fmt_time(now, when);
	strbuf_printf(out, "%snatdoctor peers%s   target %u-%u", col(o, C_BOLD), col(o, C_RESET),
		      tmin, tmax);
	if (o->live)
		strbuf_printf(out, "   every %u s   %s   %sCtrl-C quits%s", o->interval_s, when,
			      col(o, C_DIM), col(o, C_RESET));
	else
		strbuf_printf(out, "   %s", when);
	strbuf_put(out, "\n\n");

	if (n_chains == 0)
		strbuf_printf(
		    out, "%swaiting for the first reading (an informant line comes every 5 s)%s\n",
		    col(o, C_DIM), col(o, C_RESET));
	for (size_t i = 0; i < n_chains; i++)
		frame_chain(out, o, &chains[i]);
	strbuf_put(out, "\n");
	for (size_t i = 0; i < n_chains; i++) {
		const struct view_chain *vc = &chains[i];
		const char *mark = vc->verdict == ASSESS_OK	   ? (o->utf8 ? "✓" : "+")
				   : vc->verdict == ASSESS_UNKNOWN ? "?"
				   : o->utf8			   ? "✗"
								   : "!";

		strbuf_printf(out, "%s%s %s:%s %s\n", col(o, view_verdict_colour(vc->verdict)),
			      mark, view_chain_label(&vc->snap), col(o, C_RESET), vc->text);
	}
	if (n_src) {
		strbuf_put(out, "\nsources\n");
		for (size_t i = 0; i < n_src; i++) {
			const struct view_source *s = &src[i];
			const char *state = s->state > 0 ? "ok" : s->state == 0 ? "wait" : "FAIL";
			const char *c = s->state > 0 ? C_GREEN : s->state == 0 ? C_DIM : C_RED;

			strbuf_printf(out, "  %s%-4s%s  %-7s %-10s %s%s%s\n", col(o, c), state,
				      col(o, C_RESET), s->kind, s->chain[0] ? s->chain : "-",
				      s->where, s->msg[0] ? ": " : "", s->msg);
		}
	}
}

static void put_num(struct strbuf *out, const char *key, int64_t v)
{
	if (v >= 0)
		strbuf_printf(out, " %s=%lld", key, (long long)v);
	else
		strbuf_printf(out, " %s=-", key);
}

void view_plain_line(struct strbuf *out, const struct view_chain *vc, time_t now)
{
	const struct chain_snapshot *s = &vc->snap;
	char when[32];

	view_fmt_time(now, when);
	strbuf_printf(out, "%s %s", when, view_chain_label(s));
	put_num(out, "peers", s->peers);
	put_num(out, "in", s->inbound);
	put_num(out, "out", s->outbound);
	strbuf_printf(out, " syncing=%s", s->syncing < 0 ? "-" : s->syncing ? "yes" : "no");
	put_num(out, "best", s->best);
	strbuf_printf(out, " target=%u-%u status=%s: %s\n", s->target_min, s->target_max,
		      assess_name(vc->verdict), vc->text);
}

/* NULL (JSON null) for unknown numbers. */
static json_object *num_or_null(int64_t v)
{
	return v >= 0 ? json_object_new_int64(v) : NULL;
}

static json_object *bool_or_null(int v)
{
	return v >= 0 ? json_object_new_boolean(v) : NULL;
}

static json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

int view_json_line(struct strbuf *out, const struct view_chain *vc, time_t now)
{
	const struct chain_snapshot *s = &vc->snap;
	json_object *o = json_object_new_object();
	char when[32];
	const char *text;

	if (!o)
		return -ENOMEM;
	view_fmt_time(now, when);
	/* json-c keeps insertion order: the order here is the documented one. */
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "chain", str_or_null(s->name));
	json_object_object_add(o, "chain_id", str_or_null(s->chain_id));
	json_object_object_add(o, "peers", num_or_null(s->peers));
	json_object_object_add(o, "peers_source", str_or_null(s->peers_from));
	json_object_object_add(o, "inbound", num_or_null(s->inbound));
	json_object_object_add(o, "outbound", num_or_null(s->outbound));
	json_object_object_add(o, "syncing", bool_or_null(s->syncing));
	json_object_object_add(o, "state", str_or_null(s->state));
	json_object_object_add(o, "best", num_or_null(s->best));
	json_object_object_add(o, "finalized", num_or_null(s->finalized));
	json_object_object_add(o, "target_min", json_object_new_int64(s->target_min));
	json_object_object_add(o, "target_max", json_object_new_int64(s->target_max));
	json_object_object_add(o, "below_target", bool_or_null(s->below_target));
	json_object_object_add(o, "inbound_total", num_or_null(s->inbound_total));
	json_object_object_add(o, "last_inbound_s", num_or_null(s->last_inbound_ago_s));
	json_object_object_add(o, "no_inbound_for_s", num_or_null(s->no_inbound_for_s));
	json_object_object_add(o, "uptime_s", num_or_null(s->uptime_s));
	json_object_object_add(o, "p2p_port", json_object_new_int(s->p2p_port));
	json_object_object_add(o, "status", json_object_new_string(assess_name(vc->verdict)));
	json_object_object_add(o, "verdict", json_object_new_string(vc->text));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text) {
		json_object_put(o);
		return -ENOMEM;
	}
	strbuf_put(out, text);
	strbuf_put(out, "\n");
	json_object_put(o);
	return 0;
}
