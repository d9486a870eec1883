/* SPDX-License-Identifier: MIT */
#include "peers/assess.h"

#include <stdio.h>

void assess_fmt_duration(int64_t s, char *out, size_t cap)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(out, cap, "%lld s", (long long)s);
	else if (s < 2 * 3600)
		snprintf(out, cap, "%lld min", (long long)(s / 60));
	else if (s < 2 * 86400)
		snprintf(out, cap, "%lld h", (long long)(s / 3600));
	else
		snprintf(out, cap, "%lld d", (long long)(s / 86400));
}

const char *assess_name(enum assess v)
{
	switch (v) {
	case ASSESS_UNKNOWN:
		return "unknown";
	case ASSESS_OK:
		return "ok";
	case ASSESS_LOW:
		return "low";
	case ASSESS_NO_INBOUND:
		return "no-inbound";
	case ASSESS_ISOLATED:
		return "isolated";
	}
	return "unknown";
}

static const char *plural(int64_t n)
{
	return n == 1 ? "" : "s";
}

/* "8 peers, none inbound for 30 min: strangers cannot reach this node; ..." */
static enum assess no_inbound(const struct chain_snapshot *s, char *text, size_t cap)
{
	char dur[32];
	bool strong = s->no_inbound_for_s >= ASSESS_NO_INBOUND_STRONG_S;

	assess_fmt_duration(s->no_inbound_for_s, dur, sizeof(dur));
	if (s->no_inbound_since_start && s->uptime_s >= 0)
		snprintf(text, cap,
			 "%lld peer%s, none inbound since the node started %s ago: strangers %s "
			 "reach this node; run `natdoctor check --port %u`",
			 (long long)s->peers, plural(s->peers), dur, strong ? "cannot" : "may not",
			 s->p2p_port);
	else if (s->no_inbound_for_s <= 0)
		snprintf(text, cap,
			 "%lld peer%s, none inbound right now: strangers may not reach this node; "
			 "run `natdoctor check --port %u`",
			 (long long)s->peers, plural(s->peers), s->p2p_port);
	else
		snprintf(text, cap,
			 "%lld peer%s, none inbound for %s: strangers %s reach this node; run "
			 "`natdoctor check --port %u`",
			 (long long)s->peers, plural(s->peers), dur, strong ? "cannot" : "may not",
			 s->p2p_port);
	return ASSESS_NO_INBOUND;
}

enum assess assess_chain(const struct chain_snapshot *s, char *text, size_t cap)
{
	if (s->peers < 0) {
		snprintf(text, cap, "no fresh data from any source for this chain");
		return ASSESS_UNKNOWN;
	}
	if (!s->should_have_peers) {
		snprintf(text, cap,
			 "%lld peer%s; the node says this chain expects none (a dev chain?)",
			 (long long)s->peers, plural(s->peers));
		return ASSESS_OK;
	}
	if (s->peers == 0) {
		snprintf(
		    text, cap,
		    "0 peers: the node reaches no one, not even outbound. Check its internet "
		    "access, outgoing firewall rules, bootnodes and clock; then run `natdoctor "
		    "check --port %u`",
		    s->p2p_port);
		return ASSESS_ISOLATED;
	}
	if ((uint64_t)s->peers >= s->target_min) {
		if ((uint64_t)s->peers > s->target_max)
			snprintf(text, cap, "%lld peers, above the %u-%u target: fine",
				 (long long)s->peers, s->target_min, s->target_max);
		else
			snprintf(text, cap, "%lld peers, within the %u-%u target",
				 (long long)s->peers, s->target_min, s->target_max);
		return ASSESS_OK;
	}
	if (s->inbound == 0)
		return no_inbound(s, text, cap);
	if (s->inbound > 0) {
		snprintf(text, cap,
			 "%lld peer%s, below the %u-%u target, but %lld inbound: strangers can "
			 "reach this node. Give it time after a restart%s, or raise the node's "
			 "--in-peers / --out-peers",
			 (long long)s->peers, plural(s->peers), s->target_min, s->target_max,
			 (long long)s->inbound, s->syncing == 1 ? " and while it syncs" : "");
		return ASSESS_LOW;
	}
	/* No direction: no metrics, or metrics without the connection
	 * counters (then asking for --metrics would be no help). Near 8 is
	 * still telling. */
	if (s->peers <= CHAIN_SUBSTRATE_OUT_PEERS + 2)
		snprintf(text, cap,
			 "%lld peer%s, below the %u-%u target and close to the %d outbound "
			 "connections a node makes itself: a sign that nobody connects in. Run "
			 "`natdoctor check --port %u`; %s",
			 (long long)s->peers, plural(s->peers), s->target_min, s->target_max,
			 CHAIN_SUBSTRATE_OUT_PEERS, s->p2p_port,
			 s->metrics_read ? "this node's metrics have no connection counters "
					   "(sub_libp2p_connections_*), so inbound vs outbound is "
					   "unknown"
					 : "add --metrics to see inbound vs outbound");
	else if (s->metrics_read)
		snprintf(text, cap,
			 "%lld peers, below the %u-%u target; this node's metrics have no "
			 "connection counters (sub_libp2p_connections_*), so whether any are "
			 "inbound is unknown. Run `natdoctor check --port %u` to test reachability",
			 (long long)s->peers, s->target_min, s->target_max, s->p2p_port);
	else
		snprintf(text, cap,
			 "%lld peers, below the %u-%u target. Add --metrics to see whether any are "
			 "inbound; run `natdoctor check --port %u` to test reachability",
			 (long long)s->peers, s->target_min, s->target_max, s->p2p_port);
	return ASSESS_LOW;
}
