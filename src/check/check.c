/* SPDX-License-Identifier: MIT */
#include "check/check.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "check/local.h"
#include "check/probes.h"
#include "net/resolve.h"
#include "util/text.h"

#include <netdb.h>
#include <signal.h>

const char *const check_default_stun[] = {
	"stun.l.google.com:19302",
	"stun1.l.google.com:19302",
	"stun.cloudflare.com:3478",
	NULL,
};

void check_config_default(struct check_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ports[0] = (struct node_port){ 30333, IPPROTO_TCP };
	cfg->ports[1] = (struct node_port){ 30334, IPPROTO_TCP };
	cfg->n_ports = 2;
	for (size_t i = 0; check_default_stun[i] && i < CHECK_MAX_STUN; i++) {
		struct stun_target *t = &cfg->stun[cfg->n_stun++];
		uint16_t port = 3478;

		netaddr_split_hostport(check_default_stun[i], t->host, sizeof(t->host), &port);
		t->port = port;
	}
	cfg->deadline_ms = CHECK_DEFAULT_DEADLINE_MS;
	cfg->ipv4 = cfg->ipv6 = true;
	cfg->upnp = true;
	cfg->pcp_map_test = true;
	cfg->path_max_ttl = 8;
	cfg->hairpin = true;
}

int check_probe_register(struct check_run *r, const char *name, check_finish_fn finish, void *state)
{
	if (r->n_probes == CHECK_MAX_PROBES)
		return -ENOSPC;
	r->probes[r->n_probes].name = name;
	r->probes[r->n_probes].finish = finish;
	r->probes[r->n_probes].state = state;
	r->probes[r->n_probes].done = false;
	return (int)r->n_probes++;
}

void check_probe_done(struct check_run *r, int id)
{
	if (id < 0 || (size_t)id >= r->n_probes)
		return;
	r->probes[id].done = true;
	for (size_t i = 0; i < r->n_probes; i++)
		if (!r->probes[i].done)
			return;
	loop_stop(r->loop);
}

void *check_probe_state(struct check_run *r, const char *name)
{
	for (size_t i = 0; i < r->n_probes; i++)
		if (!strcmp(r->probes[i].name, name))
			return r->probes[i].state;
	return NULL;
}

uint64_t check_time_left(struct check_run *r)
{
	uint64_t end = r->started_ms + r->cfg->deadline_ms, now = loop_now_ms(r->loop);

	return now >= end ? 0 : end - now;
}

uint32_t check_elapsed(struct check_run *r)
{
	return (uint32_t)(loop_now_ms(r->loop) - r->started_ms);
}

static void on_deadline(struct loop *l, struct loop_timer *t, void *data)
{
	(void)t;
	(void)data;
	loop_stop(l);
}

/* SIGINT, SIGTERM or SIGHUP (the SSH session that ran us went away): stop the loop at once; what the probes made on the
 * router is removed by their finish functions, then end_by_signal. */
static void on_signal(struct loop *l, int signo, void *data)
{
	int *got = data;

	if (!*got)
		*got = signo;
	loop_stop(l);
}

/* Take SIGINT, SIGTERM and SIGHUP through l's signalfd. A signal the parent set to
 * be ignored (a background job of a non-interactive shell ignores SIGINT)
 * stays ignored: blocked signals are queued even when ignored, so watching
 * it would end the check on a signal that was never meant for it. Called
 * before any thread starts, so the workers inherit the blocked mask and
 * the signal always comes to the loop. */
static void watch_signals(struct loop *l, int *got)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		/* Best effort: without the signalfd a signal ends the check
		 * the default way, as it would any program. */
		if (loop_add_signal(l, sigs[i], on_signal, got) < 0)
			continue;
	}
}

/* The run ended because of signo (0: it did not). Queue it again while it
 * is still blocked: loop_free unblocks it, and its default action ends the
 * process the conventional way (a shell sees 128 + signo). */
static void end_by_signal(int signo)
{
	if (signo)
		(void)raise(signo);
}

struct preflight {
	struct check_config *cfg;
	struct resolve_req *reqs[CHECK_MAX_STUN];
	size_t pending;
	int first_bad; /* index of the first target whose name does not exist */
	int first_bad_gai;
	int signo; /* SIGINT or SIGTERM ended the wait */
};

struct preflight_item {
	struct preflight *pf;
	size_t i;
};

static void on_preflight(struct loop *l, const struct resolve_result *res, void *data)
{
	struct preflight_item *it = data;
	struct preflight *pf = it->pf;
	struct stun_target *t = &pf->cfg->stun[it->i];

	pf->reqs[it->i] = NULL;
	if (res->gai_error == 0) {
		for (size_t k = 0; k < res->n && t->n_addrs < CHECK_MAX_STUN_ADDRS; k++)
			t->addrs[t->n_addrs++] = res->addrs[k];
	} else if (res->gai_error == EAI_AGAIN || res->gai_error == EAI_SYSTEM) {
		snprintf(t->resolve_error, sizeof(t->resolve_error), "DNS: %s",
			 gai_strerror(res->gai_error));
	} else if (pf->first_bad < 0) {
		pf->first_bad = (int)it->i;
		pf->first_bad_gai = res->gai_error;
	}
	if (--pf->pending == 0)
		loop_stop(l);
}

/* Every --server is also a STUN target, so the RFC 5780 tests of
 * check/stunprobe.c run against it too; stun_idx[i] is where server i went
 * (-1: no room, or already there). */
static void servers_to_stun(struct check_config *cfg, int stun_idx[CHECK_MAX_SERVERS])
{
	for (size_t i = 0; i < cfg->n_servers; i++) {
		const struct stun_target *s = &cfg->servers[i];

		stun_idx[i] = -1;
		for (size_t k = 0; k < cfg->n_stun; k++)
			if (cfg->stun[k].port == s->port && !strcmp(cfg->stun[k].host, s->host))
				stun_idx[i] = (int)k;
		if (stun_idx[i] < 0 && cfg->n_stun < CHECK_MAX_STUN) {
			stun_idx[i] = (int)cfg->n_stun;
			cfg->stun[cfg->n_stun++] = *s;
		}
	}
}

int check_resolve_targets(struct check_config *cfg, char *err, size_t errsize)
{
	struct preflight pf = { .cfg = cfg, .first_bad = -1 };
	struct preflight_item items[CHECK_MAX_STUN];
	struct loop_timer deadline;
	int stun_idx[CHECK_MAX_SERVERS];
	struct loop *l;
	int r, ran = 0;

	servers_to_stun(cfg, stun_idx);

	r = loop_new(&l);
	if (r < 0)
		return r;
	watch_signals(l, &pf.signo);
	loop_timer_init(&deadline);
	for (size_t i = 0; i < cfg->n_stun; i++) {
		struct stun_target *t = &cfg->stun[i];

		if (!t->user_given || t->n_addrs)
			continue;
		items[i] = (struct preflight_item){ .pf = &pf, .i = i };
		pf.pending++;
		r = resolve_start(l, t->host, t->port, AF_UNSPEC, on_preflight, &items[i],
				  &pf.reqs[i]);
		if (r < 0) {
			pf.pending--;
			snprintf(t->resolve_error, sizeof(t->resolve_error), "resolver: %s",
				 strerror(-r));
		}
	}
	if (pf.pending) {
		loop_timer_start(l, &deadline, cfg->deadline_ms, on_deadline, NULL);
		ran = loop_run(l);
	}
	for (size_t i = 0; i < cfg->n_stun; i++) {
		if (!pf.reqs[i])
			continue;
		resolve_cancel(pf.reqs[i]);
		snprintf(cfg->stun[i].resolve_error, sizeof(cfg->stun[i].resolve_error),
			 "DNS did not answer within %u ms", cfg->deadline_ms);
	}
	end_by_signal(pf.signo);
	loop_free(l);
	for (size_t i = 0; i < cfg->n_servers; i++) {
		struct stun_target *s = &cfg->servers[i];

		if (stun_idx[i] < 0 || s->n_addrs)
			continue;
		memcpy(s->addrs, cfg->stun[stun_idx[i]].addrs, sizeof(s->addrs));
		s->n_addrs = cfg->stun[stun_idx[i]].n_addrs;
		memcpy(s->resolve_error, cfg->stun[stun_idx[i]].resolve_error,
		       sizeof(s->resolve_error));
	}
	if (ran < 0) {
		snprintf(err, errsize, "cannot wait for the resolver: %s", strerror(-ran));
		return ran;
	}
	if (pf.first_bad >= 0) {
		snprintf(err, errsize,
			 "cannot resolve STUN server '%s': %s; check the name, or give an IP "
			 "address (--stun 192.0.2.10:3478)",
			 cfg->stun[pf.first_bad].host, gai_strerror(pf.first_bad_gai));
		return -ENOENT;
	}
	return 0;
}

int check_execute(const struct check_config *cfg, struct check_result *res)
{
	struct check_run r = { .cfg = cfg, .res = res };
	int err;

	memset(res, 0, sizeof(*res));
	err = loop_new(&r.loop);
	if (err < 0)
		return err;
	r.started_ms = loop_now_ms(r.loop);
	watch_signals(r.loop, &r.signo);

	/* The local view first: the kernel answers at once, and the probes
	 * need the default gateway and the outgoing interface. */
	local_view_gather(cfg, &res->local);
	/* That took real time (netlink, /proc): every probe's first send
	 * time, and so every round trip, is measured from here. */
	loop_update_time(r.loop);

	loop_timer_init(&r.deadline);
	err = loop_timer_start(r.loop, &r.deadline, cfg->deadline_ms, on_deadline, NULL);
	if (err < 0)
		goto out;
	/* Every probe starts now and runs at once; each records its own
	 * failure to start in the result, so the others still run. */
	stunprobe_start(&r);
	if (cfg->ipv4)
		gwprobe_start(&r);
	/* UPnP asks the LAN's router: without an IPv4 default gateway there
	 * is none, and SSDP would go nowhere useful. */
	if (cfg->upnp && cfg->ipv4 && res->local.route4.gateway.family == AF_INET)
		upnp_start(&r);
	/* After the gateway probe: it may map its probe listeners there. */
	serverprobe_start(&r);
	nodeview_start(&r);
	/* A probe that failed to start marked itself done at once; run the
	 * loop only if something is still out there. */
	bool pending = false;
	for (size_t i = 0; i < r.n_probes; i++)
		pending |= !r.probes[i].done;
	if (pending)
		err = loop_run(r.loop);
	/* All done, the deadline, or a signal: each finish removes what its
	 * probe made on the router (PCP's test mapping) and records the rest. */
	for (size_t i = 0; i < r.n_probes; i++)
		r.probes[i].finish(&r, r.probes[i].state);
out:
	res->elapsed_ms = check_elapsed(&r);
	end_by_signal(r.signo);
	loop_free(r.loop);
	return err;
}
