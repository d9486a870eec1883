/* SPDX-License-Identifier: MIT */
/*
 * The peers runtime (see peers.h). One loop; every interval a tick starts a
 * round: each HTTP source not still busy asks its node once (RPC: a short
 * sequence of calls, stopped at the first transport failure; metrics: one
 * GET read line by line). When the round's requests are all done (or at the
 * next tick, whichever first) the sample is taken: each chain is judged,
 * its history extended, and the view printed. Log sources feed their chains
 * whenever lines arrive; they are sampled with everything else.
 *
 * Nothing a source sends can stop the others: every failure becomes the
 * source's state and message, shown in the view.
 */
#include "peers/peers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/http.h"
#include "net/loop.h"
#include "net/metricsd.h"
#include "peers/logsrc.h"
#include "peers/metrics.h"
#include "peers/view.h"
#include "proto/nodelog.h"
#include "proto/prom.h"
#include "proto/rpc.h"
#include "util/dynbuf.h"
#include "util/exit.h"
#include "util/linebuf.h"
#include "util/log.h"
#include "util/text.h"

#define FRAME_MAX	  (32 * 1024)
#define STATIC_REFRESH_MS (5 * 60 * 1000) /* listen addresses and peer id */

struct peers;

struct src {
	const struct peers_source_config *cfg;
	struct peers *app;
	int chain; /* index into app->chains; for logs, the chain of untagged lines (-1 until seen) */

	int state; /* 1 ok, 0 nothing yet, -1 failing */
	char msg[VIEW_SOURCE_MSG_MAX];
	char reported[VIEW_SOURCE_MSG_MAX]; /* the last message written to stderr */
	uint64_t reported_ms;		    /* when, on loop_now_ms()'s clock */
	bool ever_ok;

	/* HTTP sources */
	size_t url;				     /* current candidate in cfg->where */
	char shown[PEERS_MAX_URLS][PEERS_WHERE_MAX]; /* cfg->where, password masked */
	unsigned tried;				     /* bit per candidate tried in this round */
	struct http_req *req;
	bool busy;

	/* RPC */
	enum rpc_method queue[RPC_METHOD_COUNT];
	size_t q_len, q_pos;
	uint32_t next_id, cur_id;
	struct dynbuf body;
	bool peers_refused;
	uint64_t static_at_ms;

	/* metrics */
	struct linebuf lb;
	char *linemem;
	struct prom_peers acc;

	/* logs */
	struct logsrc *log;
	bool log_ended, log_drained;
	unsigned seen[PEERS_MAX_CHAINS]; /* informant lines per chain, for --once */
	uint64_t informant_lines;
};

struct peers {
	const struct peers_config *cfg;
	struct loop *loop;
	struct http *http;
	struct chain chains[PEERS_MAX_CHAINS];
	size_t n_chains;
	struct src src[PEERS_MAX_SOURCES];
	size_t n_src;
	struct loop_timer tick, deadline;
	size_t pending;	  /* HTTP rounds in flight */
	bool sampled;	  /* this tick's sample is out */
	bool first_round; /* the first round has completed */
	bool done;
	bool interrupted;
	bool alt_screen;
	bool chain_overflow_told;
	bool no_source; /* live: the first round found nothing; say so after the screen is back */
	int status;
	struct metricsd *metricsd; /* --listen-metrics */
	uint64_t stale_ms;
	char frame[FRAME_MAX];
};

/* --- chains ------------------------------------------------------------------ */

static int peers_chain_find(struct peers *a, const char *name, bool create)
{
	for (size_t i = 0; i < a->n_chains; i++)
		if (!strcmp(a->chains[i].name, name))
			return (int)i;
	if (!create)
		return -1;
	if (a->n_chains == PEERS_MAX_CHAINS)
		return -1;
	chain_init(&a->chains[a->n_chains], name);
	return (int)a->n_chains++;
}

/* --- source state and messages ----------------------------------------------- */

static const char *kind_name(enum peers_src_kind k)
{
	return k == PEERS_SRC_RPC ? "rpc" : k == PEERS_SRC_METRICS ? "metrics" : "log";
}

/* The source as messages name it: a URL's password masked (issue 7
 * defect 11: cron mails what we print). */
static const char *src_where(const struct src *s)
{
	return s->shown[s->url];
}

/* The URL to ask. */
static const char *src_url(const struct src *s)
{
	return s->cfg->where[s->url];
}

static void src_ok(struct src *s, const char *note)
{
	s->state = 1;
	s->ever_ok = true;
	snprintf(s->msg, sizeof(s->msg), "%s", note ? note : "");
}

__attribute__((format(printf, 2, 3))) static void src_fail(struct src *s, const char *fmt, ...)
{
	va_list ap;

	char raw[sizeof(s->msg)];

	s->state = -1;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* libcurl's own words may quote the URL too. */
	text_copy(s->msg, sizeof(s->msg), raw);
	for (size_t i = 0; i < s->cfg->n_where; i++) {
		text_redact_url(s->msg, sizeof(s->msg), raw, s->cfg->where[i]);
		text_copy(raw, sizeof(raw), s->msg);
	}
}

/* Two messages that differ only in their numbers ("14 lines" and "17
 * lines", "within 1000 ms") say the same thing. */
static bool src_same_words(const char *a, const char *b)
{
	for (;;) {
		while (*a >= '0' && *a <= '9')
			a++;
		while (*b >= '0' && *b <= '9')
			b++;
		if (*a != *b)
			return false;
		if (!*a)
			return true;
		a++, b++;
	}
}

/* A failing source whose reason keeps changing (an endless answer is cut at
 * the size cap on one sample and runs into the timeout on the next) is told
 * again at most this often. */
#define SRC_REPORT_AGAIN_MS 60000

/* Outside the live terminal view, a source's trouble goes to stderr once
 * per change, not once per sample: when it starts failing, when it works
 * again, and when its reason changes in words (not just in numbers), at
 * most once a minute while it keeps failing. */
static void src_report(struct src *s)
{
	const struct peers_config *cfg = s->app->cfg;
	uint64_t now = loop_now_ms(s->app->loop);

	if ((cfg->tty && !cfg->once && !cfg->json) || src_same_words(s->msg, s->reported))
		return;
	if (s->state < 0 && s->reported[0] && !cfg->once &&
	    now - s->reported_ms < SRC_REPORT_AGAIN_MS)
		return;
	s->reported_ms = now;
	if (s->state < 0)
		log_warnx("%s %s: %s", kind_name(s->cfg->kind), src_where(s), s->msg);
	else if (s->reported[0] && s->state > 0)
		log_warnx("%s %s: working again", kind_name(s->cfg->kind), src_where(s));
	snprintf(s->reported, sizeof(s->reported), "%s", s->state < 0 ? s->msg : "");
}

/* The words for a failed HTTP request (http_describe), with the likely
 * cause. */
static void src_http_fail(struct src *s, const struct http_result *res)
{
	const struct peers_config *cfg = s->app->cfg;
	bool rpc = s->cfg->kind == PEERS_SRC_RPC;
	char what[128];
	const char *hint = "";

	http_describe(res, cfg->timeout_ms, rpc ? PEERS_RPC_BODY_MAX : PEERS_METRICS_BODY_MAX, what,
		      sizeof(what));
	switch (res->err) {
	case -ECONNREFUSED:
		hint =
		    rpc ? ": is the node running, and is this its RPC (--rpc-port) port?"
			: ": is the node running, and is this its Prometheus (--prometheus-port) "
			  "port?";
		break;
	case -ETIMEDOUT:
		hint = ": the port is open but nothing answers like a node";
		break;
	case -EFBIG:
		hint =
		    rpc ? ": is this the node's RPC port?" : ": is this the node's metrics port?";
		break;
	case -EPROTO:
		hint = !rpc && res->status == 404 ? " (the path is usually /metrics)"
		       : rpc && res->status == 405
			   ? " (a websocket-only RPC port? use the HTTP one)"
			   : "";
		break;
	default:
		src_fail(s, "%s (%s)", what, res->detail);
		return;
	}
	src_fail(s, "%s%s", what, hint);
}

/* --- the round bookkeeping ------------------------------------------------------ */

static void take_sample(struct peers *a);
static void maybe_finish_once(struct peers *a);

/* Live, and the first round found nothing anywhere and there is no log to
 * wait for: stop with "no source worked" rather than draw an empty screen
 * forever. Later failures only show in the view: a node restarts. */
static bool live_gave_up(struct peers *a)
{
	for (size_t i = 0; i < a->n_src; i++)
		if (a->src[i].ever_ok || a->src[i].cfg->kind == PEERS_SRC_LOG)
			return false;
	a->no_source = true;
	a->done = true;
	a->status = ND_EXIT_NOTEST;
	loop_stop(a->loop);
	return true;
}

static void round_done(struct src *s)
{
	struct peers *a = s->app;

	s->busy = false;
	s->req = NULL;
	src_report(s);
	if (a->pending && --a->pending == 0) {
		bool first = !a->first_round;

		a->first_round = true;
		if (!a->cfg->once && first && live_gave_up(a))
			return;
		if (!a->cfg->once && !a->sampled)
			take_sample(a);
		maybe_finish_once(a);
	}
}

/* After a failure: try the next candidate URL in this round if there is
 * one not tried yet. Returns true if a new request is under way. */
static bool try_next_url(struct src *s, void (*start)(struct src *))
{
	if (s->cfg->n_where < 2)
		return false;
	s->url = (s->url + 1) % s->cfg->n_where;
	if (s->tried & (1u << s->url))
		return false;
	start(s);
	return s->busy;
}

/* --- JSON-RPC -------------------------------------------------------------------- */

static void src_rpc_send(struct src *s);

static int src_rpc_on_body(void *data, const char *p, size_t n)
{
	struct src *s = data;

	return dynbuf_append(&s->body, p, n); /* http enforces the ceiling too */
}

static void src_rpc_free_body(struct src *s)
{
	/* Answers are small and come every few seconds: give the memory back. */
	dynbuf_free(&s->body);
}

static void src_rpc_apply(struct src *s, const struct rpc_reply *r)
{
	struct chain *c = &s->app->chains[s->chain];
	uint64_t now = loop_now_ms(s->app->loop);

	switch (r->method) {
	case RPC_SYSTEM_HEALTH:
		chain_update_rpc_health(c, &r->u.health, now);
		break;
	case RPC_SYSTEM_SYNC_STATE:
		chain_update_rpc_sync(c, &r->u.sync_state, now);
		break;
	case RPC_SYSTEM_PEERS:
		chain_update_rpc_peers(c, &r->u.peers, now);
		break;
	case RPC_SYSTEM_LOCAL_LISTEN_ADDRESSES:
		chain_update_rpc_listen(c, &r->u.listen);
		s->static_at_ms = now;
		break;
	case RPC_SYSTEM_LOCAL_PEER_ID:
		chain_update_rpc_peer_id(c, r->u.peer_id);
		break;
	case RPC_SYSTEM_NETWORK_STATE: /* check's, not asked here */
	case RPC_METHOD_COUNT:
		break;
	}
}

static void src_rpc_on_done(void *data, const struct http_result *res)
{
	struct src *s = data;
	enum rpc_method m = s->queue[s->q_pos];
	struct rpc_reply reply;
	char head[41]; /* the first 40 printable bytes of the body */
	int r;

	s->req = NULL;
	if (res->err < 0) {
		src_rpc_free_body(s);
		src_http_fail(s, res);
		if (m == RPC_SYSTEM_HEALTH && try_next_url(s, src_rpc_send))
			return;
		round_done(s); /* the node did not answer: skip the rest of the round */
		return;
	}
	r = rpc_decode(m, s->cur_id, s->body.p ? s->body.p : "", s->body.len, &reply);
	/* The first printable bytes, to show what came instead of JSON. */
	text_clean(head, sizeof(head), s->body.p ? s->body.p : "", s->body.len,
		   TEXT_CLEAN_PAST_NUL | TEXT_CLEAN_DROP);
	src_rpc_free_body(s);
	if (r < 0) {
		if (r == -EBADMSG)
			src_fail(s,
				 "the answer is not JSON (it starts \"%s\"): is this the node's "
				 "RPC port?",
				 head);
		else if (r == -E2BIG)
			src_fail(s, "the answer to %s is too large or too deeply nested",
				 rpc_method_name(m));
		else
			src_fail(s, "JSON, but not a JSON-RPC answer to %s", rpc_method_name(m));
		if (m == RPC_SYSTEM_HEALTH) {
			if (!try_next_url(s, src_rpc_send))
				round_done(s);
			return;
		}
	} else if (reply.is_error) {
		if (m == RPC_SYSTEM_HEALTH) {
			src_fail(s, "the node refused system_health: %s (%lld)",
				 reply.error.message, (long long)reply.error.code);
			round_done(s);
			return;
		}
		if (m == RPC_SYSTEM_PEERS)
			s->peers_refused = true; /* --rpc-methods=safe: fine, ask no more */
		log_debug("rpc %s: %s: %s (%lld)", src_where(s), rpc_method_name(m),
			  reply.error.message, (long long)reply.error.code);
	} else {
		src_rpc_apply(s, &reply);
		if (m == RPC_SYSTEM_HEALTH)
			src_ok(s, s->peers_refused ? "system_peers refused (safe RPC methods): fine"
						   : NULL);
	}
	if (++s->q_pos < s->q_len) {
		src_rpc_send(s);
		if (s->busy)
			return;
	}
	round_done(s);
}

static void src_rpc_send(struct src *s)
{
	struct peers *a = s->app;
	char req[RPC_REQUEST_MAX];
	struct http_request rq;
	int n, r;

	s->cur_id = ++s->next_id;
	n = rpc_build_request(req, sizeof(req), s->queue[s->q_pos], s->cur_id);
	if (n < 0) {
		src_fail(s, "internal: cannot build %s", rpc_method_name(s->queue[s->q_pos]));
		s->busy = false;
		return;
	}
	rq = (struct http_request){ .url = src_url(s),
				    .post_body = req,
				    .post_len = (size_t)n,
				    .timeout_ms = a->cfg->timeout_ms,
				    .max_bytes = PEERS_RPC_BODY_MAX,
				    .on_body = src_rpc_on_body,
				    .on_done = src_rpc_on_done,
				    .data = s };
	s->tried |= 1u << s->url;
	src_rpc_free_body(s);
	r = http_start(a->http, &rq, &s->req);
	if (r < 0) {
		src_fail(s, "cannot start a request to %s: %s", src_where(s), http_strerror(r));
		s->busy = false;
		return;
	}
	s->busy = true;
}

static void src_rpc_round(struct src *s)
{
	uint64_t now = loop_now_ms(s->app->loop);

	s->q_len = s->q_pos = 0;
	s->queue[s->q_len++] = RPC_SYSTEM_HEALTH;
	s->queue[s->q_len++] = RPC_SYSTEM_SYNC_STATE;
	if (!s->peers_refused)
		s->queue[s->q_len++] = RPC_SYSTEM_PEERS;
	if (!s->static_at_ms || now - s->static_at_ms > STATIC_REFRESH_MS) {
		s->queue[s->q_len++] = RPC_SYSTEM_LOCAL_LISTEN_ADDRESSES;
		s->queue[s->q_len++] = RPC_SYSTEM_LOCAL_PEER_ID;
	}
	src_rpc_send(s);
}

/* --- Prometheus ------------------------------------------------------------------ */

static void src_metrics_get(struct src *s);

static int src_metrics_on_line(void *data, const char *line, size_t len)
{
	prom_peers_feed(data, line, len);
	return 0;
}

static int src_metrics_on_body(void *data, const char *p, size_t n)
{
	struct src *s = data;

	return linebuf_feed(&s->lb, p, n, src_metrics_on_line, &s->acc);
}

static void src_metrics_on_done(void *data, const struct http_result *res)
{
	struct src *s = data;

	s->req = NULL;
	if (res->err < 0) {
		src_http_fail(s, res);
		if (try_next_url(s, src_metrics_get))
			return;
		round_done(s);
		return;
	}
	linebuf_finish(&s->lb, src_metrics_on_line, &s->acc);
	if (!prom_peers_found(&s->acc)) {
		src_fail(
		    s,
		    "no Substrate peer metrics in the answer (%u lines, %u unreadable): is this "
		    "the node's Prometheus port?",
		    s->acc.n_lines, s->acc.n_bad);
	} else {
		chain_update_prom(&s->app->chains[s->chain], &s->acc, loop_now_ms(s->app->loop));
		src_ok(s, s->acc.opened_in < 0 ? "no connection counters: inbound unknown" : NULL);
	}
	round_done(s);
}

static void src_metrics_get(struct src *s)
{
	struct http_request rq = { .url = src_url(s),
				   .timeout_ms = s->app->cfg->timeout_ms,
				   .max_bytes = PEERS_METRICS_BODY_MAX,
				   .on_body = src_metrics_on_body,
				   .on_done = src_metrics_on_done,
				   .data = s };
	int r;

	prom_peers_init(&s->acc);
	linebuf_reset(&s->lb);
	s->lb.n_long = 0;
	s->tried |= 1u << s->url;
	r = http_start(s->app->http, &rq, &s->req);
	if (r < 0) {
		src_fail(s, "cannot start a request to %s: %s", src_where(s), http_strerror(r));
		s->busy = false;
		return;
	}
	s->busy = true;
}

/* --- logs ------------------------------------------------------------------------ */

static void src_log_on_line(void *data, const char *line, size_t len)
{
	struct src *s = data;
	struct peers *a = s->app;
	struct nodelog_status st;
	const char *name;
	int c;

	if (nodelog_parse_line(line, len, &st) != 1)
		return;
	s->informant_lines++;
	name = st.chain == NODELOG_CHAIN_PARA	 ? "parachain"
	       : st.chain == NODELOG_CHAIN_RELAY ? "relaychain"
						 : s->cfg->chain;
	c = peers_chain_find(a, name, true);
	if (c < 0) {
		if (!a->chain_overflow_told)
			log_warnx("log %s: more than %d chains; ignoring chain '%s'",
				  s->cfg->where[0], PEERS_MAX_CHAINS, name);
		a->chain_overflow_told = true;
		return;
	}
	chain_update_log(&a->chains[c], &st, loop_now_ms(a->loop));
	if (s->seen[c] < UINT32_MAX)
		s->seen[c]++;
	if (s->state <= 0)
		src_ok(s, NULL);
}

static void src_log_on_event(void *data, enum logsrc_event ev, int err)
{
	struct src *s = data;
	struct peers *a = s->app;

	if (ev == LOGSRC_DRAINED) {
		s->log_drained = true;
		maybe_finish_once(a);
		return;
	}
	s->log_ended = true;
	if (ev == LOGSRC_ERROR)
		src_fail(s, "read failed: %s", strerror(-err));
	else if (!s->informant_lines)
		src_fail(s, "ended without one informant line (\"Idle (N peers)\"): is this the "
			    "node's log, with its INFO lines?");
	else
		snprintf(s->msg, sizeof(s->msg), "ended");
	src_report(s);
	maybe_finish_once(a);
	if (a->done || a->cfg->once)
		return;
	/* Live, and every source was a log that has ended: show the last
	 * sample and stop, as --once would. */
	for (size_t i = 0; i < a->n_src; i++)
		if (a->src[i].cfg->kind != PEERS_SRC_LOG || !a->src[i].log_ended)
			return;
	take_sample(a);
	a->done = true;
	loop_stop(a->loop);
}

/* --once with a log: ready at its end, or once the backlog is read and a
 * chain has printed twice (a whole 5 s informant cycle, so every chain in
 * the stream has shown up). */
static bool src_log_ready(const struct src *s)
{
	if (s->log_ended)
		return true;
	if (!s->log_drained)
		return false;
	for (size_t i = 0; i < PEERS_MAX_CHAINS; i++)
		if (s->seen[i] >= 2)
			return true;
	return false;
}

/* --- sampling and output ------------------------------------------------------ */

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* EPIPE (| head) and friends: nothing more to say */
		p += w;
		n -= (size_t)w;
	}
}

static size_t build_view_sources(struct peers *a, struct view_source *vs)
{
	for (size_t i = 0; i < a->n_src; i++) {
		struct src *s = &a->src[i];

		vs[i] = (struct view_source){ .kind = kind_name(s->cfg->kind),
					      .chain = s->cfg->chain,
					      .where = src_where(s),
					      .state = s->state };
		snprintf(vs[i].msg, sizeof(vs[i].msg), "%s", s->msg);
		if (s->cfg->kind == PEERS_SRC_LOG && s->state == 0 && !s->msg[0])
			snprintf(vs[i].msg, sizeof(vs[i].msg), "waiting for an informant line");
	}
	return a->n_src;
}

static void print_frame(struct peers *a, struct view_chain *vc, size_t n, bool live_tty)
{
	struct view_source vs[PEERS_MAX_SOURCES];
	struct view_opts o = { .color = a->cfg->color,
			       .utf8 = a->cfg->utf8,
			       .interval_s = (a->cfg->interval_ms + 999) / 1000,
			       .live = live_tty };
	char *frame = a->frame;
	struct strbuf b;

	strbuf_init(&b, frame, FRAME_MAX);
	view_frame(&b, &o, vc, n, vs, build_view_sources(a, vs), time(NULL));
	if (!live_tty) {
		write_all(b.p, b.len);
		return;
	}
	/* Home, then each line followed by erase-to-end-of-line, then erase
	 * below: no flicker, and wrapped lines are overwritten too. */
	{
		char out[FRAME_MAX + 4096];
		struct strbuf t;

		strbuf_init(&t, out, sizeof(out));
		strbuf_put(&t, "\x1b[H");
		for (const char *p = frame; *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			strbuf_putn(&t, p, len);
			strbuf_put(&t, "\x1b[K");
			if (!nl)
				break;
			strbuf_put(&t, "\n");
			p = nl + 1;
		}
		strbuf_put(&t, "\x1b[J");
		write_all(t.p, t.len);
	}
}

static void judge_all(struct peers *a, struct view_chain *vc, time_t now)
{
	uint64_t now_ms = loop_now_ms(a->loop);

	for (size_t i = 0; i < a->n_chains; i++)
		view_judge(&vc[i], &a->chains[i], now_ms, a->stale_ms, now, a->cfg->target_min,
			   a->cfg->target_max);
}

/* A scrape of --listen-metrics: the chains judged now, as the screen would. */
static void on_scrape(struct strbuf *out, void *data)
{
	struct peers *a = data;
	struct view_chain vc[PEERS_MAX_CHAINS];
	struct view_source vs[PEERS_MAX_SOURCES];

	judge_all(a, vc, time(NULL));
	peers_metrics_write(out, vc, a->n_chains, vs, build_view_sources(a, vs));
}

static void take_sample(struct peers *a)
{
	struct view_chain vc[PEERS_MAX_CHAINS];
	time_t now = time(NULL);

	a->sampled = true;
	judge_all(a, vc, now);
	for (size_t i = 0; i < a->n_chains; i++)
		chain_record(&a->chains[i], vc[i].snap.peers);

	/* Piped, --once or not: one line per chain (docs/PEERS.md). */
	if (a->cfg->json || !a->cfg->tty) {
		struct strbuf b;

		strbuf_init(&b, a->frame, FRAME_MAX);
		for (size_t i = 0; i < a->n_chains; i++) {
			if (a->cfg->json) {
				if (view_json_line(&b, &vc[i], now) < 0)
					log_warnx("out of memory formatting JSON");
			} else {
				view_plain_line(&b, &vc[i], now);
			}
		}
		write_all(b.p, b.len);
		return;
	}
	print_frame(a, vc, a->n_chains, a->cfg->tty && !a->cfg->once);
}

/* The exit status for the sample now: 3 if no chain has data, 1 if one is
 * below target, else 0. */
static int evaluate(struct peers *a)
{
	struct view_chain vc[PEERS_MAX_CHAINS];
	bool any = false, problem = false;

	judge_all(a, vc, time(NULL));
	for (size_t i = 0; i < a->n_chains; i++) {
		any |= vc[i].verdict != ASSESS_UNKNOWN;
		problem |= assess_is_problem(vc[i].verdict);
	}
	if (!any)
		return ND_EXIT_NOTEST;
	return problem ? ND_EXIT_PROBLEM : ND_EXIT_OK;
}

static void no_source_worked(struct peers *a)
{
	log_warnx("no source gave a peer count:");
	for (size_t i = 0; i < a->n_src; i++) {
		struct src *s = &a->src[i];

		log_warnx("  %s %s: %s", kind_name(s->cfg->kind), src_where(s),
			  s->msg[0] ? s->msg : "nothing yet");
	}
	if (a->cfg->defaults)
		log_warnx(
		    "those are the defaults for a node on this host; point natdoctor at yours "
		    "with --rpc URL, --metrics URL or --log FILE (see natdoctor peers --help)");
}

static void finish_once(struct peers *a)
{
	a->done = true;
	loop_timer_stop(a->loop, &a->deadline);
	a->status = evaluate(a);
	for (size_t i = 0; i < a->n_src; i++)
		src_report(&a->src[i]);
	if (a->status == ND_EXIT_NOTEST)
		no_source_worked(a);
	if (a->n_chains)
		take_sample(a);
	loop_stop(a->loop);
}

static void maybe_finish_once(struct peers *a)
{
	if (!a->cfg->once || a->done || a->pending)
		return;
	for (size_t i = 0; i < a->n_src; i++)
		if (a->src[i].cfg->kind == PEERS_SRC_LOG && !src_log_ready(&a->src[i]))
			return;
	finish_once(a);
}

static void on_deadline(struct loop *l, struct loop_timer *t, void *data)
{
	struct peers *a = data;

	(void)l;
	(void)t;
	for (size_t i = 0; i < a->n_src; i++) {
		struct src *s = &a->src[i];

		if (s->cfg->kind == PEERS_SRC_LOG && !s->informant_lines && s->state >= 0)
			src_fail(
			    s, "no informant line (\"Idle (N peers)\") in time: is this the node's "
			       "log, with its INFO lines?");
	}
	finish_once(a);
}

static void start_round(struct peers *a)
{
	for (size_t i = 0; i < a->n_src; i++) {
		struct src *s = &a->src[i];

		if (s->cfg->kind == PEERS_SRC_LOG || s->busy)
			continue;
		s->tried = 0;
		if (s->cfg->kind == PEERS_SRC_RPC)
			src_rpc_round(s);
		else
			src_metrics_get(s);
		if (s->busy)
			a->pending++;
		else
			src_report(s);
	}
}

static void on_tick(struct loop *l, struct loop_timer *t, void *data)
{
	struct peers *a = data;

	/* The last round outlived the interval: sample what we have. */
	if (!a->sampled && a->first_round)
		take_sample(a);
	a->sampled = false;
	loop_timer_start(l, t, a->cfg->interval_ms, on_tick, a);
	start_round(a);
	if (!a->pending && !a->done) {
		if (!a->first_round && live_gave_up(a))
			return;
		a->first_round = true;
		take_sample(a);
	}
}

static void on_signal(struct loop *l, int signo, void *data)
{
	struct peers *a = data;

	(void)signo;
	a->interrupted = true;
	loop_stop(l);
}

/* --- set-up ------------------------------------------------------------------------ */

static int src_setup(struct peers *a, struct src *s, const struct peers_source_config *cfg)
{
	*s = (struct src){ .cfg = cfg, .app = a, .chain = -1 };
	dynbuf_init(&s->body, PEERS_RPC_BODY_MAX);
	for (size_t i = 0; i < cfg->n_where; i++)
		text_redact_url(s->shown[i], sizeof(s->shown[i]), cfg->where[i], cfg->where[i]);
	if (cfg->kind == PEERS_SRC_LOG) {
		struct logsrc_opts o = { .path = cfg->where[0],
					 .follow = !a->cfg->once,
					 .tail_bytes = PEERS_LOG_TAIL,
					 .on_line = src_log_on_line,
					 .on_event = src_log_on_event,
					 .data = s };
		int r = logsrc_open(a->loop, &o, &s->log);

		if (r < 0) {
			log_warnx("cannot read the log %s: %s", cfg->where[0], strerror(-r));
			return ND_EXIT_USAGE;
		}
		if (!strcmp(cfg->where[0], "-") && isatty(STDIN_FILENO))
			log_warnx("--log -: reading the node's log from the terminal; pipe it in, "
				  "e.g. docker logs -f phala-node 2>&1 | natdoctor peers --log -");
		return 0;
	}
	s->chain = peers_chain_find(a, cfg->chain, true);
	if (s->chain < 0) {
		log_warnx("at most %d chains (NAME= labels); '%s' is one too many",
			  PEERS_MAX_CHAINS, cfg->chain);
		return ND_EXIT_USAGE;
	}
	if (cfg->kind == PEERS_SRC_METRICS) {
		s->linemem = malloc(PROM_LINE_MAX);
		if (!s->linemem)
			return ND_EXIT_INTERNAL;
		linebuf_init(&s->lb, s->linemem, PROM_LINE_MAX);
	}
	return 0;
}

/* With -v: what each log source read, so a benchmark can check the
 * count and an operator can see why nothing matched. */
static void peers_log_stats(struct peers *a)
{
	for (size_t i = 0; i < a->n_src; i++) {
		struct src *s = &a->src[i];
		struct logsrc_stats st;

		if (!s->log)
			continue;
		logsrc_get_stats(s->log, &st);
		log_info("log %s: %llu bytes, %llu lines, %llu informant lines, %llu too long",
			 s->cfg->where[0], (unsigned long long)st.bytes,
			 (unsigned long long)st.lines, (unsigned long long)s->informant_lines,
			 (unsigned long long)st.long_lines);
	}
}

static void app_free(struct peers *a)
{
	for (size_t i = 0; i < a->n_src; i++) {
		struct src *s = &a->src[i];

		if (s->req)
			http_cancel(a->http, s->req);
		logsrc_close(s->log);
		free(s->linemem);
		dynbuf_free(&s->body);
	}
	metricsd_close(a->metricsd);
	http_free(a->http);
	loop_free(a->loop);
	free(a);
}

int peers_run(const struct peers_config *cfg)
{
	struct peers *a = calloc(1, sizeof(*a));
	bool need_http = false;
	int status, r;

	if (!a)
		return ND_EXIT_INTERNAL;
	a->cfg = cfg;
	a->status = ND_EXIT_OK;
	/* Stale after three missed samples (the log says something every 5 s). */
	a->stale_ms = 3ull * cfg->interval_ms + cfg->timeout_ms;
	if (a->stale_ms < 20000)
		a->stale_ms = 20000;
	loop_timer_init(&a->tick);
	loop_timer_init(&a->deadline);
	r = loop_new(&a->loop);
	if (r < 0) {
		free(a);
		log_warnx("cannot start the event loop: %s", strerror(-r));
		return ND_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < cfg->n_src; i++)
		need_http |= cfg->src[i].kind != PEERS_SRC_LOG;
	/* Only a log to follow: libcurl is never even initialised (memory). */
	if (need_http && (r = http_new(a->loop, &a->http)) < 0) {
		log_warnx("cannot start the HTTP client: %s%s", strerror(-r),
			  r == -ENOENT || r == -ENOSYS ? " (libcurl.so.4: install libcurl4)" : "");
		app_free(a);
		return ND_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < cfg->n_src; i++) {
		status = src_setup(a, &a->src[i], &cfg->src[i]);
		a->n_src = i + 1;
		if (status) {
			app_free(a);
			return status;
		}
	}
	if (cfg->listen_metrics &&
	    (r = metricsd_open(a->loop, cfg->listen_metrics, on_scrape, a, &a->metricsd)) < 0) {
		log_warnx("peers: cannot serve metrics on %s: %s%s", cfg->listen_metrics,
			  strerror(-r),
			  r == -EADDRINUSE ? " (another program has that port: pick another)" : "");
		app_free(a);
		return ND_EXIT_USAGE;
	}
	r = loop_add_signal(a->loop, SIGINT, on_signal, a);
	if (r == 0)
		r = loop_add_signal(a->loop, SIGTERM, on_signal, a);
	if (r < 0) {
		log_warnx("cannot watch for Ctrl-C: %s", strerror(-r));
		app_free(a);
		return ND_EXIT_INTERNAL;
	}
	if (cfg->tty && !cfg->once && !cfg->json) {
		/* The alternate screen, as top and watch use: the shell's
		 * scrollback is left alone and comes back at the end. */
		write_all("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J", 22);
		a->alt_screen = true;
	}
	if (cfg->once) {
		bool has_log = false;
		uint64_t wait = 4ull * cfg->timeout_ms + 2000;

		for (size_t i = 0; i < cfg->n_src; i++)
			has_log |= cfg->src[i].kind == PEERS_SRC_LOG;
		/* Informant lines come every 5 s: wait for two per chain. */
		if (has_log && wait < 12000)
			wait = 12000;
		loop_timer_start(a->loop, &a->deadline, wait, on_deadline, a);
		start_round(a);
		maybe_finish_once(a);
	} else {
		loop_timer_start(a->loop, &a->tick, 0, on_tick, a);
	}

	r = loop_run(a->loop);
	if (r < 0)
		log_warnx("event loop failed: %s", strerror(-r));

	if (a->alt_screen) {
		struct view_chain vc[PEERS_MAX_CHAINS];

		write_all("\x1b[?25h\x1b[?1049l", 14);
		/* Leave the last picture on the normal screen. */
		judge_all(a, vc, time(NULL));
		if (!a->no_source)
			print_frame(a, vc, a->n_chains, false);
	}
	if (a->no_source) {
		for (size_t i = 0; i < a->n_src; i++)
			src_report(&a->src[i]);
		no_source_worked(a);
	}
	peers_log_stats(a);
	status = a->status;
	if (!cfg->once && !a->no_source)
		status = a->done ? evaluate(a) : ND_EXIT_OK; /* logs ended / interrupted */
	app_free(a);
	return status;
}
