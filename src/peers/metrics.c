/* SPDX-License-Identifier: MIT */
#include "peers/metrics.h"

#include <stdio.h>

#include "peers/assess.h"
#include "proto/promtext.h"

/* Which number of a snapshot a per-chain family shows; < 0 means unknown
 * and the chain's sample is left out (absent, never a made-up 0). */
typedef int64_t (*snap_value)(const struct chain_snapshot *s);

static int64_t v_peers(const struct chain_snapshot *s)
{
	return s->peers;
}
static int64_t v_inbound(const struct chain_snapshot *s)
{
	return s->inbound;
}
static int64_t v_outbound(const struct chain_snapshot *s)
{
	return s->outbound;
}
static int64_t v_target_min(const struct chain_snapshot *s)
{
	return s->target_min;
}
static int64_t v_target_max(const struct chain_snapshot *s)
{
	return s->target_max;
}
static int64_t v_below(const struct chain_snapshot *s)
{
	return s->below_target;
}
static int64_t v_last_inbound(const struct chain_snapshot *s)
{
	return s->last_inbound_ago_s;
}
/* 0 while an inbound connection is open; how long there has been none when
 * that is known; unknown otherwise (no --metrics source). */
static int64_t v_no_inbound(const struct chain_snapshot *s)
{
	if (s->inbound > 0)
		return 0;
	return s->no_inbound_for_s;
}
static int64_t v_inbound_total(const struct chain_snapshot *s)
{
	return s->inbound_total;
}
static int64_t v_syncing(const struct chain_snapshot *s)
{
	return s->syncing;
}

static const struct {
	const char *name, *type, *help;
	snap_value get;
} per_chain[] = {
	{ "natdoctor_peers", "gauge", "Connected peers, as the node reports them.", v_peers },
	{ "natdoctor_peers_inbound", "gauge", "Inbound connections open now (needs --metrics).",
	  v_inbound },
	{ "natdoctor_peers_outbound", "gauge", "Outbound connections open now (needs --metrics).",
	  v_outbound },
	{ "natdoctor_peers_target_min", "gauge", "The healthy band's lower end (--target).",
	  v_target_min },
	{ "natdoctor_peers_target_max", "gauge", "The healthy band's upper end (--target).",
	  v_target_max },
	{ "natdoctor_peers_below_target", "gauge",
	  "1 when the chain has fewer peers than --target.", v_below },
	{ "natdoctor_peers_last_inbound_seconds", "gauge",
	  "Seconds since an inbound connection was last seen open or opening; absent if never.",
	  v_last_inbound },
	{ "natdoctor_peers_no_inbound_seconds", "gauge",
	  "How long the chain is known to have had no inbound connection (0 while one is "
	  "open); absent when unknown.",
	  v_no_inbound },
	{ "natdoctor_peers_inbound_opened_total", "counter",
	  "Inbound connections the node opened since it started (its own counter).",
	  v_inbound_total },
	{ "natdoctor_peers_syncing", "gauge", "1 while the node is catching up.", v_syncing },
};

void peers_metrics_write(struct strbuf *b, const struct view_chain *vc, size_t n_chains,
			 const struct view_source *vs, size_t n_src)
{
	static const enum assess all[] = { ASSESS_UNKNOWN, ASSESS_OK, ASSESS_LOW, ASSESS_NO_INBOUND,
					   ASSESS_ISOLATED };

	for (size_t f = 0; f < sizeof(per_chain) / sizeof(per_chain[0]); f++) {
		promtext_family(b, per_chain[f].name, per_chain[f].type, per_chain[f].help);
		for (size_t i = 0; i < n_chains; i++) {
			const char *l[] = { "chain", vc[i].snap.name ? vc[i].snap.name : "" };
			int64_t v = per_chain[f].get(&vc[i].snap);

			if (v >= 0)
				promtext_sample(b, per_chain[f].name, l, 1, (double)v);
		}
	}
	promtext_family(b, "natdoctor_peers_status", "gauge",
			"The chain's verdict: 1 for the current status, 0 for the others "
			"(ok, low, no-inbound, isolated, unknown).");
	for (size_t i = 0; i < n_chains; i++) {
		for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
			const char *l[] = { "chain", vc[i].snap.name ? vc[i].snap.name : "",
					    "status", assess_name(all[k]) };

			promtext_sample(b, "natdoctor_peers_status", l, 2, vc[i].verdict == all[k]);
		}
	}
	promtext_family(b, "natdoctor_source_up", "gauge",
			"1 when the source (--rpc, --metrics, --log) gave data at its last try.");
	for (size_t i = 0; i < n_src; i++) {
		char idx[24];
		const char *l[] = { "kind",   vs[i].kind, "chain", vs[i].chain ? vs[i].chain : "",
				    "source", idx };

		snprintf(idx, sizeof(idx), "%zu", i);
		promtext_sample(b, "natdoctor_source_up", l, 3, vs[i].state == 1);
	}
}
