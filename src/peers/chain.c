/* SPDX-License-Identifier: MIT */
#include "peers/chain.h"

#include <string.h>

#include "util/text.h"

void chain_init(struct chain *c, const char *name)
{
	size_t n = strnlen(name, CHAIN_NAME_MAX - 1);

	memset(c, 0, sizeof(*c));
	memcpy(c->name, name, n);
	c->rpc.best = c->rpc.highest = -1;
	c->prev_opened_in = -1;
	prom_peers_init(&c->prom.p);
}

void chain_update_rpc_health(struct chain *c, const struct rpc_health *h, uint64_t now_ms)
{
	c->rpc.health = *h;
	c->rpc.at_ms = now_ms;
}

void chain_update_rpc_sync(struct chain *c, const struct rpc_sync_state *s, uint64_t now_ms)
{
	(void)now_ms;
	c->rpc.best = s->current;
	c->rpc.highest = s->highest;
}

void chain_update_rpc_peers(struct chain *c, const struct rpc_peers *p, uint64_t now_ms)
{
	c->rpc_peers.count = p->count;
	c->rpc_peers.at_ms = now_ms;
}

void chain_update_rpc_listen(struct chain *c, const struct rpc_listen_addrs *l)
{
	uint16_t port = 0;

	c->listen_public = false;
	for (size_t i = 0; i < l->n; i++) {
		const struct multiaddr *m = &l->addrs[i];

		if (m->transport != MULTIADDR_TCP || m->port == 0 || m->relayed)
			continue;
		if (m->ip.family && netaddr_classify(&m->ip) == NETADDR_PUBLIC)
			c->listen_public = true;
		/* Prefer the port on an address others could use over loopback's:
		 * they are the same in practice, but not always (--listen-addr). */
		if (!port || (m->ip.family && netaddr_classify(&m->ip) > NETADDR_LOOPBACK))
			port = m->port;
	}
	if (port)
		c->listen_port = port;
}

void chain_update_rpc_peer_id(struct chain *c, const char *peer_id)
{
	size_t n = strnlen(peer_id, sizeof(c->peer_id) - 1);

	memcpy(c->peer_id, peer_id, n);
	c->peer_id[n] = '\0';
}

void chain_update_prom(struct chain *c, const struct prom_peers *p, uint64_t now_ms)
{
	if (!prom_peers_found(p))
		return;
	c->prom.p = *p;
	/* The chain label is the node's text and goes to a terminal: printable
	 * ASCII only, so no escape sequence rides along. */
	text_sanitize(c->prom.p.chain, sizeof(c->prom.p.chain), c->prom.p.chain,
		      sizeof(c->prom.p.chain));
	c->prom.at_ms = now_ms;
	if (p->opened_in < 0)
		return;
	if (!c->watch_since_ms)
		c->watch_since_ms = now_ms;
	/* An inbound connection is open now, or one opened (and maybe closed
	 * again) since the last reading: either way a stranger got in. A
	 * counter that went down means the node restarted: not an inbound. */
	if ((p->closed_in >= 0 && p->opened_in > p->closed_in) ||
	    (c->prev_opened_in >= 0 && p->opened_in > c->prev_opened_in))
		c->last_inbound_ms = now_ms;
	if (c->prev_opened_in >= 0 && p->opened_in < c->prev_opened_in) {
		c->watch_since_ms = now_ms;
		c->last_inbound_ms = 0;
	}
	c->prev_opened_in = p->opened_in;
}

void chain_update_log(struct chain *c, const struct nodelog_status *st, uint64_t now_ms)
{
	c->log.st = *st;
	c->log.at_ms = now_ms;
}

static bool fresh(uint64_t at_ms, uint64_t now_ms, uint64_t stale_ms)
{
	return at_ms != 0 && now_ms - at_ms <= stale_ms;
}

static int64_t open_now(int64_t opened, int64_t closed)
{
	if (opened < 0 || closed < 0)
		return -1;
	/* Counters read from one body cannot disagree, but never trust it. */
	return opened > closed ? opened - closed : 0;
}

void chain_snapshot(const struct chain *c, uint64_t now_ms, uint64_t stale_ms, time_t now_unix,
		    uint32_t target_min, uint32_t target_max, struct chain_snapshot *out)
{
	bool rpc = fresh(c->rpc.at_ms, now_ms, stale_ms);
	bool prom = fresh(c->prom.at_ms, now_ms, stale_ms);
	bool log = fresh(c->log.at_ms, now_ms, stale_ms);
	const struct prom_peers *p = &c->prom.p;

	*out = (struct chain_snapshot){
		.name = c->name[0] ? c->name : NULL,
		.peers = -1,
		.inbound = -1,
		.outbound = -1,
		.syncing = -1,
		.best = -1,
		.finalized = -1,
		.inbound_total = -1,
		.last_inbound_ago_s = -1,
		.no_inbound_for_s = -1,
		.uptime_s = -1,
		.should_have_peers = true,
		.target_min = target_min,
		.target_max = target_max,
		.below_target = -1,
	};
	if (p->chain[0])
		memcpy(out->chain_id, p->chain, sizeof(out->chain_id));

	if (rpc) {
		out->peers = c->rpc.health.peers;
		out->peers_from = "rpc";
		out->syncing = c->rpc.health.is_syncing;
		out->should_have_peers = c->rpc.health.should_have_peers;
		out->best = c->rpc.best;
	}
	if (prom) {
		out->metrics_read = true;
		if (out->peers < 0) {
			out->peers = p->peers >= 0 ? p->peers : p->sync_peers;
			out->peers_from = "metrics";
		}
		if (out->syncing < 0 && p->major_syncing >= 0)
			out->syncing = p->major_syncing > 0;
		if (out->best < 0)
			out->best = p->best;
		out->finalized = p->finalized;
		out->inbound = open_now(p->opened_in, p->closed_in);
		out->outbound = open_now(p->opened_out, p->closed_out);
		out->inbound_total = p->opened_in;
		if (p->start_time > 0 && now_unix > p->start_time)
			out->uptime_s = (int64_t)now_unix - p->start_time;
	}
	if (log) {
		const struct nodelog_status *st = &c->log.st;

		if (out->peers < 0) {
			out->peers = st->peers;
			out->peers_from = "log";
		}
		out->state = nodelog_state_name(st->state);
		if (out->syncing < 0)
			out->syncing = nodelog_state_is_syncing(st->state);
		if (out->best < 0)
			out->best = st->best;
		if (out->finalized < 0)
			out->finalized = st->finalized;
	}

	if (prom && c->last_inbound_ms)
		out->last_inbound_ago_s = (int64_t)((now_ms - c->last_inbound_ms) / 1000);
	if (out->inbound == 0) {
		uint64_t since = c->last_inbound_ms ? c->last_inbound_ms : c->watch_since_ms;

		out->no_inbound_for_s = since ? (int64_t)((now_ms - since) / 1000) : 0;
		if (out->inbound_total == 0) {
			out->no_inbound_since_start = true;
			if (out->uptime_s > out->no_inbound_for_s)
				out->no_inbound_for_s = out->uptime_s;
		}
	}

	out->p2p_port = c->listen_port;
	if (!out->p2p_port)
		out->p2p_port = !strcmp(c->name, "relaychain") ? 30334 : 30333;
	if (out->peers >= 0)
		out->below_target = (uint64_t)out->peers < target_min;
}

void chain_record(struct chain *c, int64_t peers)
{
	int32_t v = peers < 0 ? -1 : peers > INT32_MAX ? INT32_MAX : (int32_t)peers;

	if (c->hist_len < CHAIN_HISTORY) {
		c->hist[(c->hist_head + c->hist_len) % CHAIN_HISTORY] = v;
		c->hist_len++;
	} else {
		c->hist[c->hist_head] = v;
		c->hist_head = (c->hist_head + 1) % CHAIN_HISTORY;
	}
}

int32_t chain_history_at(const struct chain *c, size_t i)
{
	return i < c->hist_len ? c->hist[(c->hist_head + i) % CHAIN_HISTORY] : -1;
}
