/* SPDX-License-Identifier: MIT */
/*
 * natdoctor map's daemon (map/map.h). How it goes:
 *
 *   start   default gateway from rtnetlink; a UDP socket connected to its
 *           port 5351 (only its answers arrive; the local address it gets
 *           is this host's own LAN address, the only one ever mapped); a
 *           socket on 224.0.0.1:5350 for its announcements
 *   ask     a PCP MAP per port (gw/mapping.c); NAT-PMP instead when the
 *           gateway answers PCP with NAT-PMP's UNSUPP_VERSION, or when PCP
 *           is silent for MAP_PCP_SILENT_MS, or with --no-pcp; NAT-PMP also
 *           asks the external address (opcode 0)
 *   hold    renewals at RFC 6887 §11.2.1's points; an epoch that shows a
 *           reboot (RFC 6887 §8.5, RFC 6886 §3.6), or an announcement from
 *           the gateway (from anyone else: ignored), maps every port again
 *   leave   SIGINT/SIGTERM: every mapping deleted (lifetime 0), exit once
 *           the gateway confirmed or MAP_QUIT_MS passed
 *
 * Every mapping opened or closed is one line on stderr. A router whose own
 * external address is private or shared (100.64/10) sits behind another NAT:
 * the mappings are removed, and map says so and exits 5.
 */
#include "map/map.h"
#include "map/confirm.h"
#include "map/nodeflags.h"
#include "map/status.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include "gw/igd.h"
#include "gw/mapping.h"
#include "map/upnp.h"
#include "net/loop.h"
#include "net/metricsd.h"
#include "net/netlink.h"
#include "net/retx.h"
#include "net/udp.h"
#include "net/worker.h"
#include "proto/dialback.h"
#include "proto/promtext.h"
#include "proto/rtnl.h"
#include "util/exit.h"
#include "util/keyedhash.h"
#include "util/log.h"
#include "util/text.h"

#define MAP_PCP_SILENT_MS 1000	/* no PCP answer at all by then: try NAT-PMP */
#define MAP_QUIT_MS	  900	/* deletes answered or not, exit by then */
#define MAP_RETRY_MS	  30000 /* nothing answers: start over after this */
#define MAP_ONCE_MS	  5000	/* --once/--delete: give up after this */
_Static_assert(MAP_MAX_SERVERS == CONFIRM_MAX_SERVERS, "map.h and confirm.h disagree");
#define MAP_REMAP_GAP_MS	4000 /* re-mapping everything at most this often */
#define MAP_NETCHANGE_SETTLE_MS 300  /* rtnetlink bursts: look once they settle */
#define MAP_UPNP_AFTER_MS	3000 /* neither PCP nor NAT-PMP answered by then: UPnP */
#define MAP_UPNP_JOB_MS		3000 /* one UPnP conversation (search to confirm) */
#define MAP_UPNP_DELETE_MS	800  /* the deletes on the way out, within MAP_QUIT_MS */

struct map_state {
	const struct map_config *c;
	struct loop *loop;
	int fd;	 /* connected to the gateway's 5351 */
	int afd; /* 224.0.0.1:5350, -1 if it could not be opened */
	struct netaddr gw, local;
	enum gw_method method;
	bool pcp_heard; /* any PCP answer at all */
	struct gw_epoch epoch;
	/* One mapping per port over IPv4, then (--ipv6) one PCP pinhole per
	 * port for this host's global IPv6 address: n in all. */
	struct gw_map m[2 * MAP_MAX_PORTS];
	unsigned n;
	int fd6; /* connected to the IPv6 gateway's 5351, -1 without --ipv6 */
	struct netaddr gw6, local6;
	struct gw_epoch epoch6;
	bool told[2 * MAP_MAX_PORTS]; /* the current grant printed */
	/* What was last printed per port, and how often it changed since. */
	struct netaddr told_ext[2 * MAP_MAX_PORTS];
	uint16_t told_port[2 * MAP_MAX_PORTS];
	uint64_t changes[2 * MAP_MAX_PORTS];
	uint64_t errors[2 * MAP_MAX_PORTS]; /* refusals, lapsed leases */
	struct metricsd *metricsd;
	int sfd; /* the status socket, -1 if none */
	char last_error[2 * MAP_MAX_PORTS][120];
	/* The last UPnP refusal per port and the last_error it wrote. */
	struct map_upnp_port urefusal[2 * MAP_MAX_PORTS];
	char usaid[2 * MAP_MAX_PORTS][120];

	/* NAT-PMP's external address request (opcode 0), and the address. */
	struct gw_query ext_q;
	struct netaddr ext;

	struct loop_timer tick, fallback, quit, retry, deadline, netchange;
	int nlfd; /* rtnetlink address and route events, -1 if none */
	bool remapped;
	uint64_t last_remap_ms;
	bool stopping;
	int status;
	unsigned bad_answers;

	/* UPnP IGD (map/upnp.c), once neither PCP nor NAT-PMP answers. */
	bool upnp;
	bool upnp_off_told;	    /* --no-upnp: said once why nothing maps */
	struct worker_job *uworker; /* the running UPnP job, NULL if none */
	bool ujob_del;		    /* it deletes */
	bool udel_pending;	    /* stopping: delete once the running map job ends */
	uint64_t uretry_ms;	    /* no IGD found: UPnP not looked for before then */
	struct loop_timer ucheck, usilent;

	/* --server: each new mapping confirmed by dial-back (map/confirm.c). */
	struct confirm *confirm;
	bool once_ready;	/* --once: mapped and printed; waits for confirmations */
	unsigned once_extended; /* --once's bound stretched for them, once a server */
};

static uint32_t rnd32(void)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint32_t)random();
	return v;
}

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : "udp";
}

static void rearm(struct map_state *s);
static void on_retry(struct loop *l, struct loop_timer *t, void *data);
static void on_fallback(struct loop *l, struct loop_timer *t, void *data);
static void on_quit(struct loop *l, struct loop_timer *t, void *data);
static bool all_done(const struct map_state *s);
static void upnp_run(struct map_state *s, bool del);
static void upnp_consider(struct map_state *s, const char *why);
static void on_usilent(struct loop *l, struct loop_timer *t, void *data);

/* --no-pcp --no-natpmp: UPnP IGD is the one method left, asked at once. */
static bool upnp_only(const struct map_config *c)
{
	return c->no_pcp && c->no_natpmp;
}

static bool is6(const struct gw_map *m)
{
	return m->client.family == AF_INET6;
}

static int fd_of(const struct map_state *s, const struct gw_map *m)
{
	return is6(m) ? s->fd6 : s->fd;
}

static void send_dgram(int fd, const uint8_t *buf, int n)
{
	if (n > 0 && send(fd, buf, (size_t)n, 0) < 0 && errno != ECONNREFUSED)
		log_debug("map: send to the gateway: %s", strerror(errno));
}

static void ext_start(struct map_state *s, uint64_t now)
{
	if (s->method != GW_NATPMP)
		return;
	gw_query_start(&s->ext_q, GW_NATPMP, NULL, &retx_rfc6886, now);
}

/* Ask for every port from `at`. */
static void all_start(struct map_state *s, uint64_t at)
{
	for (unsigned i = 0; i < s->n; i++) {
		/* NAT-PMP and UPnP are IPv4 only */
		s->m[i].method = is6(&s->m[i]) ? GW_PCP : s->upnp ? GW_UPNP : s->method;
		s->m[i].external_port = 0;
		gw_map_start(&s->m[i], at);
		s->told[i] = false;
	}
	ext_start(s, at);
	if (s->upnp)
		upnp_run(s, false);
}

/* The gateway lost its state (epoch) or announced itself: ask for every
 * port again, but never sooner than MAP_REMAP_GAP_MS after the last time,
 * so a gateway whose epochs or announcements flip back and forth cannot
 * make us send in a tight loop. */
static void remap_all(struct map_state *s, uint64_t now)
{
	uint64_t at = now;

	if (s->remapped && now < s->last_remap_ms + MAP_REMAP_GAP_MS)
		at = s->last_remap_ms + MAP_REMAP_GAP_MS;
	s->remapped = true;
	s->last_remap_ms = at;
	all_start(s, at);
}

static void on_tick(struct loop *l, struct loop_timer *t, void *data)
{
	struct map_state *s = data;
	uint8_t buf[PCP_MAX_LEN];
	uint64_t now = loop_now_ms(l);
	bool any_live = false;

	(void)t;
	for (unsigned i = 0; i < s->n; i++) {
		struct gw_map *m = &s->m[i];
		enum gw_map_state before = m->state;
		int n = gw_map_tick(m, now, rnd32(), buf);

		send_dgram(fd_of(s, m), buf, n);
		if (before == GW_MAP_HELD && m->state == GW_MAP_ASKING) {
			s->errors[i]++;
			snprintf(s->last_error[i], sizeof(s->last_error[i]),
				 "the lease ran out unrenewed (the gateway is silent)");
		}
		if (before == GW_MAP_HELD && m->state == GW_MAP_ASKING)
			log_warnx(
			    "map: %u/%s: the lease ran out unrenewed (the gateway is silent); "
			    "asking again",
			    m->internal_port, proto_name(m->protocol));
		if (m->state != GW_MAP_IDLE)
			any_live = true;
	}
	send_dgram(s->fd, buf, gw_query_tick(&s->ext_q, now, 0, buf));
	if (s->stopping && all_done(s)) {
		loop_stop(l);
		return;
	}
	if (!any_live && !s->stopping && !loop_timer_armed(&s->retry)) {
		/* NAT-PMP's nine sends went unanswered. */
		log_warnx("map: the gateway %s answers neither PCP nor NAT-PMP on port 5351",
			  netaddr_fmt_ip(&s->gw, (char[NETADDR_FMT_MAX]){ 0 }));
		if (s->c->once || s->c->del) {
			s->status = ND_EXIT_NOTEST;
			loop_stop(l);
			return;
		}
		log_warnx("map: trying again in %d s", MAP_RETRY_MS / 1000);
		loop_timer_start(l, &s->retry, MAP_RETRY_MS, on_retry, s);
	}
	rearm(s);
}

static void rearm(struct map_state *s)
{
	uint64_t due = gw_query_due(&s->ext_q), now = loop_now_ms(s->loop);

	for (unsigned i = 0; i < s->n; i++) {
		uint64_t d = gw_map_due(&s->m[i]);

		if (d < due)
			due = d;
	}
	if (due == RETX_DONE) {
		loop_timer_stop(s->loop, &s->tick);
		return;
	}
	loop_timer_start(s->loop, &s->tick, due > now ? due - now : 0, on_tick, s);
}

static void on_retry(struct loop *l, struct loop_timer *t, void *data)
{
	struct map_state *s = data;

	(void)t;
	if (upnp_only(s->c)) {
		upnp_consider(s, "PCP and NAT-PMP are off (--no-pcp --no-natpmp)");
		return;
	}
	s->method = s->c->no_pcp ? GW_NATPMP : GW_PCP;
	s->pcp_heard = false;
	all_start(s, loop_now_ms(l));
	if (s->method == GW_PCP && !s->c->no_natpmp)
		loop_timer_start(l, &s->fallback, MAP_PCP_SILENT_MS, on_fallback, s);
	if (!s->upnp)
		loop_timer_start(l, &s->usilent, MAP_UPNP_AFTER_MS, on_usilent, s);
	rearm(s);
}

static void switch_to_natpmp(struct map_state *s, const char *why)
{
	if (s->method == GW_NATPMP)
		return;
	if (s->c->no_natpmp) {
		log_warnx("map: PCP: %s, and NAT-PMP is off (--no-natpmp)", why);
		return;
	}
	log_info("map: PCP: %s; using NAT-PMP", why);
	s->method = GW_NATPMP;
	loop_timer_stop(s->loop, &s->fallback);
	all_start(s, loop_now_ms(s->loop));
	rearm(s);
}

static void on_fallback(struct loop *l, struct loop_timer *t, void *data)
{
	struct map_state *s = data;

	(void)l;
	(void)t;
	if (!s->pcp_heard && !s->stopping)
		switch_to_natpmp(s, "no answer within 1 s");
}

static bool all_done(const struct map_state *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		enum gw_map_state st = s->m[i].state;

		if (s->stopping ? st != GW_MAP_GONE : (st != GW_MAP_HELD && st != GW_MAP_REFUSED))
			return false;
	}
	return true;
}

static void begin_stop(struct map_state *s, int status)
{
	uint64_t now = loop_now_ms(s->loop);

	if (s->stopping)
		return;
	s->stopping = true;
	s->status = status;
	loop_timer_stop(s->loop, &s->fallback);
	loop_timer_stop(s->loop, &s->retry);
	gw_query_stop(&s->ext_q);
	loop_timer_stop(s->loop, &s->usilent);
	loop_timer_stop(s->loop, &s->ucheck);
	for (unsigned i = 0; i < s->n; i++)
		gw_map_delete(&s->m[i], now);
	if (s->upnp)
		upnp_run(s, true);
	if (all_done(s)) {
		loop_stop(s->loop);
		return;
	}
	loop_timer_start(s->loop, &s->quit, MAP_QUIT_MS, on_quit, s);
	rearm(s);
}

/* The router's own external address: private or shared means a provider
 * NAT in front of it. */
static bool behind_provider(const struct netaddr *ext)
{
	return ext->family && gw_external_behind_nat(ext);
}

static void provider_nat(struct map_state *s, const struct netaddr *ext)
{
	char a[NETADDR_FMT_MAX];

	printf("The router's own internet address is %s, a %s address: your provider's NAT\n"
	       "stands in front of it (CGNAT, or a second router). A mapping on this router\n"
	       "cannot let strangers in. What will: ask the provider for a public IPv4\n"
	       "address (or a port forward on their side), use IPv6 if the node's peers\n"
	       "have it, or run the node on a host with a public address.\n",
	       netaddr_fmt_ip(ext, a), netaddr_class_name(netaddr_classify(ext)));
	fflush(stdout);
	begin_stop(s, ND_EXIT_PROVIDER_NAT);
}

static const struct netaddr *external_of(const struct map_state *s, const struct gw_map *m)
{
	return m->method == GW_PCP ? &m->external : &s->ext;
}

/* --on-change: run `sh -c CMD` with the new mapping in its environment, not
 * waited for (on_child reaps it). The child gets an empty signal mask: the
 * loop's signalfd blocks SIGINT/SIGTERM/SIGCHLD here. */
static void run_on_change(struct map_state *s, const struct gw_map *m, const char *ext)
{
	extern char **environ;
	char vars[6][160], *envp[256], pa[NETADDR_FMT_MAX + 24];
	char sh[] = "sh", dash_c[] = "-c";
	char *argv[] = { sh, dash_c, (char *)s->c->on_change, NULL };
	posix_spawnattr_t at;
	sigset_t none;
	size_t n = 0;
	pid_t pid;
	int err;

	snprintf(pa, sizeof(pa), "/ip4/%s/%s/%u", ext, proto_name(m->protocol), m->external_port);
	snprintf(vars[0], sizeof(vars[0]), "NATDOCTOR_EXTERNAL_ADDRESS=%s", ext);
	snprintf(vars[1], sizeof(vars[1]), "NATDOCTOR_EXTERNAL_PORT=%u", m->external_port);
	snprintf(vars[2], sizeof(vars[2]), "NATDOCTOR_PORT=%u", m->internal_port);
	snprintf(vars[3], sizeof(vars[3]), "NATDOCTOR_PROTO=%s", proto_name(m->protocol));
	snprintf(vars[4], sizeof(vars[4]), "NATDOCTOR_METHOD=%s", gw_method_name(m->method));
	snprintf(vars[5], sizeof(vars[5]), "NATDOCTOR_PUBLIC_ADDR=%s", pa);
	for (size_t i = 0; i < 6; i++)
		envp[n++] = vars[i];
	for (char **e = environ; e && *e && n < sizeof(envp) / sizeof(envp[0]) - 1; e++)
		if (strncmp(*e, "NATDOCTOR_", 10))
			envp[n++] = *e;
	envp[n] = NULL;
	sigemptyset(&none);
	if (posix_spawnattr_init(&at) != 0)
		return;
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	err = posix_spawn(&pid, "/bin/sh", NULL, &at, argv, envp);
	posix_spawnattr_destroy(&at);
	if (err)
		log_warnx("map: --on-change: cannot run /bin/sh: %s", strerror(err));
	else
		log_info("map: --on-change for %u/%s: %s (pid %d)", m->internal_port,
			 proto_name(m->protocol), pa, (int)pid);
}

static void on_child(struct loop *l, int signo, void *data)
{
	int st;
	pid_t pid;

	(void)l;
	(void)signo;
	(void)data;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			log_warnx("map: --on-change command (pid %d) failed: %s %d", (int)pid,
				  WIFEXITED(st) ? "exit status" : "signal",
				  WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/* --once, every port mapped and printed: exit once the confirmations
 * (--server) are in. 1 for a port not mapped, or found not reachable. */
static void once_finish(struct map_state *s)
{
	s->once_ready = true;
	if (confirm_busy(s->confirm))
		return; /* on_confirmed comes back here */
	for (unsigned i = 0; i < s->n; i++)
		if (s->m[i].state != GW_MAP_HELD || confirm_get(s->confirm, i)->state == CONFIRM_NO)
			s->status = ND_EXIT_PROBLEM;
	loop_stop(s->loop); /* the mappings live out their lease */
}

/* A confirmation from outside came in (--server): one line under the
 * port's "mapped" lines. */
static void on_confirmed(void *data, unsigned i)
{
	struct map_state *s = data;
	const struct confirm_port *cp = confirm_get(s->confirm, i);
	const char *srv = cp->server;
	char a[NETADDR_FMT_MAX];

	netaddr_fmt_ip(&cp->ext, a);
	if (cp->state == CONFIRM_YES)
		printf("  confirmed from outside: %s reached %s:%u (%s; %u ms)\n", srv, a,
		       cp->ext.port,
		       cp->result == DIALBACK_LIBP2P ? "the node answered, libp2p"
		       : cp->result == DIALBACK_SENT ? "its datagram arrived"
						     : "a listener answered",
		       cp->ms);
	else if (cp->state == CONFIRM_NO)
		printf("  not reachable from outside: %s could not reach %s:%u: %s\n", srv, a,
		       cp->ext.port, cp->reason);
	else if (cp->unknowns <= 1) /* a retry still unknown: said already */
		printf("  reachable from outside: unknown for %s:%u: %s\n", a, cp->ext.port,
		       cp->reason);
	fflush(stdout);
	if (s->c->once && s->once_ready && !s->stopping)
		once_finish(s);
}

/* A renewal or check found mapping i still held, as printed: a
 * confirmation that came out unknown (--server silent, DNS not up yet,
 * rate-limited) is asked again when confirm_retry_due says so, so never
 * more often than the renewals and backing off. YES and NO stand until
 * the mapping changes (tell asks then). */
static void reconfirm(struct map_state *s, unsigned i)
{
	struct netaddr e;

	if (!s->confirm || !s->told[i] || !s->told_port[i] || is6(&s->m[i]) ||
	    !confirm_retry_due(confirm_get(s->confirm, i), loop_now_ms(s->loop)))
		return;
	e = s->told_ext[i];
	e.port = s->told_port[i];
	log_info("map: %u/%s: asking %s again to confirm it from outside", s->m[i].internal_port,
		 proto_name(s->m[i].protocol), confirm_server_name(s->confirm));
	confirm_ask(s->confirm, i, s->m[i].protocol, s->m[i].internal_port, &e);
}

/* "lease 7200 s", or what a permanent mapping (UPnP 725) is, into out. */
static const char *lease_text(const struct gw_map *m, char out[static 96])
{
	if (m->method == GW_UPNP && !m->granted_s)
		snprintf(out, 96,
			 "permanent (the router allows no lease: UPnP 725; deleted when "
			 "map stops)");
	else
		snprintf(out, 96, "lease %u s", m->granted_s);
	return out;
}

/* Print every granted mapping not printed yet, with its node flags, once
 * the external address is known. */
static void tell(struct map_state *s)
{
	char a[NETADDR_FMT_MAX], l[NETADDR_FMT_MAX], lt[96];
	bool all = true, changed;

	for (unsigned i = 0; i < s->n; i++) {
		struct gw_map *m = &s->m[i];
		const struct netaddr *ext = external_of(s, m);

		if (m->state != GW_MAP_HELD || s->told[i])
			continue;
		if (!ext->family) {
			all = false; /* NAT-PMP: the address is still to come */
			continue;
		}
		if (!gw_external_believable(ext) || netaddr_classify(ext) == NETADDR_UNSPECIFIED) {
			/* Loopback, multicast, 0.0.0.0: no mapping anyone could
			 * use, whatever the gateway says. Never "mapped". */
			if (!s->told[i])
				log_warnx("map: %u/%s: the gateway names %s as its external "
					  "address: not an address strangers can reach",
					  m->internal_port, proto_name(m->protocol),
					  netaddr_fmt_ip(ext, a));
			s->told[i] = true;
			all = false;
			continue;
		}
		if (!is6(m) && behind_provider(ext)) {
			provider_nat(s, ext);
			return;
		}
		netaddr_fmt_ip(ext, a);
		if (is6(m)) {
			/* A pinhole: the host's own address, let through. */
			printf("mapped %u/%s: [%s]:%u (IPv6 pinhole) by PCP, lease %u s\n",
			       m->internal_port, proto_name(m->protocol), a, m->external_port,
			       m->granted_s);
			printf("  node flags: --listen-addr /ip6/::/%s/%u --public-addr "
			       "/ip6/%s/%s/%u\n",
			       proto_name(m->protocol), m->internal_port, a,
			       proto_name(m->protocol), m->external_port);
			s->told[i] = true;
			continue;
		}
		netaddr_fmt_ip(&s->local, l);
		printf("mapped %u/%s: %s:%u -> %s:%u by %s, %s\n", m->internal_port,
		       proto_name(m->protocol), a, m->external_port, l, m->internal_port,
		       gw_method_name(m->method), lease_text(m, lt));
		printf(
		    "  node flags: --listen-addr /ip4/0.0.0.0/%s/%u --public-addr /ip4/%s/%s/%u\n",
		    proto_name(m->protocol), m->internal_port, a, proto_name(m->protocol),
		    m->external_port);
		if (nodeflags_phala_env(m->internal_port, m->protocol))
			printf(
			    "  Phala docker, node environment: "
			    "%s=--listen-addr /ip4/0.0.0.0/tcp/%u --public-addr /ip4/%s/tcp/%u\n",
			    nodeflags_phala_env(m->internal_port, m->protocol), m->internal_port, a,
			    m->external_port);
		s->told[i] = true;
		changed = !s->told_port[i] || s->told_port[i] != m->external_port ||
			  !netaddr_eq(&s->told_ext[i], ext, true);
		if (changed && s->told_port[i])
			s->changes[i]++;
		if (changed && s->c->on_change)
			run_on_change(s, m, a);
		if (changed && s->confirm) {
			struct netaddr e = *ext;

			e.port = m->external_port;
			confirm_ask(s->confirm, i, m->protocol, m->internal_port, &e);
		}
		s->told_ext[i] = *ext;
		s->told_port[i] = m->external_port;
	}
	fflush(stdout);
	if (s->c->once && all && all_done(s) && !s->stopping)
		once_finish(s);
}

static void on_event(struct map_state *s, struct gw_map *m, unsigned i, enum gw_event ev)
{
	char a[NETADDR_FMT_MAX];

	switch (ev) {
	case GW_EV_MAPPED:
		if (m->external_port != m->internal_port && !s->c->any_external) {
			log_warnx("map: %u/%s: external port %u is taken on the router (it offered "
				  "%u): another host holds it; --any-external-port takes %u",
				  m->internal_port, proto_name(m->protocol), m->internal_port,
				  m->external_port, m->external_port);
			snprintf(s->last_error[i], sizeof(s->last_error[i]),
				 "external port %u taken on the router (offered %u)",
				 m->internal_port, m->external_port);
			s->errors[i]++;
			gw_map_delete(m, loop_now_ms(s->loop));
			m->state = GW_MAP_DELETING;
			m->result = -1;
			break;
		}
		log_warnx("map: opened %u/%s on %s by %s: external port %u, lease %u s",
			  m->internal_port, proto_name(m->protocol), netaddr_fmt_ip(&s->gw, a),
			  gw_method_name(m->method), m->external_port, m->granted_s);
		s->told[i] = false;
		break;
	case GW_EV_RENEWED:
		log_info("map: renewed %u/%s, lease %u s", m->internal_port,
			 proto_name(m->protocol), m->granted_s);
		reconfirm(s, i);
		break;
	case GW_EV_REFUSED:
		s->errors[i]++;
		snprintf(s->last_error[i], sizeof(s->last_error[i]), "refused: %s",
			 m->method == GW_PCP ? pcp_result_name((unsigned)m->result)
					     : natpmp_result_name((unsigned)m->result));
		log_warnx("map: %u/%s: the gateway refused the mapping: %s", m->internal_port,
			  proto_name(m->protocol),
			  m->method == GW_PCP ? pcp_result_name((unsigned)m->result)
					      : natpmp_result_name((unsigned)m->result));
		if (!is6(m) && behind_provider(&m->external))
			provider_nat(s, &m->external);
		break;
	case GW_EV_DELETED:
		if (!s->stopping) {
			/* Our own delete of a mapping on the wrong port. */
			m->state = GW_MAP_REFUSED;
			break;
		}
		if (m->result > 0) {
			s->status = ND_EXIT_PROBLEM;
			log_warnx("map: %u/%s: the gateway refused the delete: %s (the mapping, "
				  "if any, ends with its lease)",
				  m->internal_port, proto_name(m->protocol),
				  m->method == GW_PCP ? pcp_result_name((unsigned)m->result)
						      : natpmp_result_name((unsigned)m->result));
			break;
		}
		log_warnx("map: closed %u/%s on %s", m->internal_port, proto_name(m->protocol),
			  netaddr_fmt_ip(&s->gw, a));
		break;
	default:
		break;
	}
}

/* One answer from the IPv4 gateway (v6 false) or the IPv6 one. */
static void on_answer(struct map_state *s, bool v6, const uint8_t *buf, size_t n)
{
	struct gw_answer ans;
	uint64_t now = loop_now_ms(s->loop);
	bool unsupported = false;

	if (gw_decode(&ans, buf, n) < 0) {
		s->bad_answers++;
		log_debug("map: an answer that does not decode (%u so far)", s->bad_answers);
		return;
	}
	if (ans.method == GW_PCP && !ans.unsupp_version && !v6)
		s->pcp_heard = true;
	if (gw_epoch_lost(v6 ? &s->epoch6 : &s->epoch, &ans, now) && !s->stopping) {
		log_warnx("map: the gateway's epoch went back: it lost its mappings (a reboot); "
			  "mapping again");
		remap_all(s, now);
	}
	/* NAT-PMP's external address (a gw_query: only a believable address
	 * is kept; 0.0.0.0, "not connected", leaves the last one). */
	if (!v6 && gw_query_answer(&s->ext_q, &ans) == GW_EV_ANSWERED && s->ext_q.external.family) {
		if (s->ext.family && !netaddr_eq(&s->ext, &s->ext_q.external, true))
			for (unsigned i = 0; i < s->n; i++)
				s->told[i] = false; /* the address changed */
		s->ext = s->ext_q.external;
	}
	for (unsigned i = 0; i < s->n; i++) {
		enum gw_event ev;

		if (is6(&s->m[i]) != v6)
			continue;
		ev = gw_map_answer(&s->m[i], &ans, now, rnd32());

		if (ev == GW_EV_UNSUPPORTED)
			unsupported = true;
		else
			on_event(s, &s->m[i], i, ev);
	}
	if (unsupported && v6)
		log_warnx("map: IPv6: the gateway does not speak PCP version 2 over IPv6");
	else if (unsupported && s->method == GW_PCP)
		switch_to_natpmp(s, "the gateway speaks NAT-PMP only");
	else if (unsupported)
		log_warnx("map: NAT-PMP: the gateway speaks PCP only");
	if (s->stopping) {
		if (all_done(s))
			loop_stop(s->loop);
	} else {
		tell(s);
	}
	rearm(s);
}

/* --- UPnP IGD, when neither PCP nor NAT-PMP answers ------------------- */

static void on_ucheck(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	upnp_run(data, false);
}

/* The same refusal as at the last check: said once, not at every check
 * (a port another host holds is asked again each time, in case it frees).
 * The same kind and holder (map_upnp_same_refusal), and nothing else said
 * since (was, the text before, is still what UPnP wrote then). */
static bool same_refusal(struct map_state *s, unsigned i, bool was_refused, const char *was,
			 const struct map_upnp_port *p)
{
	bool same =
	    was_refused && !strcmp(was, s->usaid[i]) && map_upnp_same_refusal(&s->urefusal[i], p);

	s->urefusal[i] = *p;
	text_copy(s->usaid[i], sizeof(s->usaid[i]), s->last_error[i]);
	return same;
}

/* A UPnP job came back: take each port's result. */
static void upnp_took(struct map_state *s, struct map_upnp_job *j)
{
	uint64_t now = loop_now_ms(s->loop), next = RETX_DONE, hold = MAP_RETRY_MS;
	char a[NETADDR_FMT_MAX], h[NETADDR_FMT_MAX];

	for (unsigned k = 0; k < j->n; k++) {
		const struct map_upnp_port *p = &j->p[k];
		unsigned i = p->idx;
		struct gw_map *m = &s->m[i];
		bool was_held =
		    m->state == GW_MAP_HELD && m->external_port == p->external_port && !p->restored;
		bool was_refused;
		char was[sizeof(s->last_error[0])];
		uint64_t check = igd_next_check(p->lease_s, j->lease_s, now);

		if (j->error[0]) {
			snprintf(s->last_error[i], sizeof(s->last_error[i]), "UPnP: %.100s",
				 j->error);
			/* Our UPnP router is away (a reboot): looked for again
			 * when the mapping would have been checked, if sooner. */
			if (m->state == GW_MAP_HELD && check - now < hold)
				hold = check - now;
			continue;
		}
		switch (p->state) {
		case MAP_UPNP_HELD:
			m->state = GW_MAP_HELD;
			m->external_port = p->external_port;
			m->granted_s = p->lease_s;
			m->granted_ms = now;
			m->expires_ms = p->lease_s ? now + (uint64_t)p->lease_s * 1000 : 0;
			if (!was_held) {
				if (p->restored)
					log_warnx("map: %u/%s: the router had lost the mapping (it "
						  "rebooted, or dropped it): mapped again",
						  m->internal_port, proto_name(m->protocol));
				if (p->lease_s)
					log_warnx(
					    "map: opened %u/%s on %s by UPnP: external port %u, "
					    "lease %u s",
					    m->internal_port, proto_name(m->protocol),
					    netaddr_fmt_ip(&s->gw, a), m->external_port,
					    p->lease_s);
				else
					log_warnx(
					    "map: opened %u/%s on %s by UPnP: external port %u, "
					    "PERMANENT (the router allows no lease: UPnP 725); "
					    "deleted on exit, checked every %u s",
					    m->internal_port, proto_name(m->protocol),
					    netaddr_fmt_ip(&s->gw, a), m->external_port,
					    (unsigned)((check - now) / 1000));
				s->told[i] = false;
			} else {
				reconfirm(s, i);
			}
			if (check < next)
				next = check;
			break;
		case MAP_UPNP_TAKEN:
			was_refused = m->state == GW_MAP_REFUSED;
			text_copy(was, sizeof(was), s->last_error[i]);
			m->state = GW_MAP_REFUSED;
			if (p->holder.family)
				snprintf(s->last_error[i], sizeof(s->last_error[i]),
					 "external port %u is held by %s on the router: not moved",
					 m->internal_port, netaddr_fmt_ip(&p->holder, h));
			else
				snprintf(s->last_error[i], sizeof(s->last_error[i]),
					 "external port %u is taken on the router: %.70s",
					 m->internal_port, p->error[0] ? p->error : "UPnP 718");
			/* Asked again at each check, in case it is freed; said
			 * and counted (docs/METRICS.md) once per refusal. */
			if (!same_refusal(s, i, was_refused, was, p)) {
				s->errors[i]++;
				log_warnx("map: %u/%s: %s; free it there or give this node another "
					  "port",
					  m->internal_port, proto_name(m->protocol),
					  s->last_error[i]);
			}
			break;
		default:
			was_refused = m->state == GW_MAP_REFUSED;
			text_copy(was, sizeof(was), s->last_error[i]);
			m->state = GW_MAP_REFUSED;
			snprintf(s->last_error[i], sizeof(s->last_error[i]), "UPnP: %.100s",
				 p->error[0] ? p->error : "no answer");
			if (!same_refusal(s, i, was_refused, was, p)) {
				s->errors[i]++;
				log_warnx("map: %u/%s: the router refused the mapping: %s",
					  m->internal_port, proto_name(m->protocol),
					  s->last_error[i]);
			}
			break;
		}
	}
	if (j->error[0]) {
		log_warnx("map: UPnP: %s", j->error);
		/* No IGD either (a router that is away answers nothing): back
		 * to PCP and NAT-PMP, and UPnP not before MAP_RETRY_MS (or the
		 * check interval of what it held, if shorter); --once then ends
		 * at its bound, saying so. */
		s->upnp = false;
		s->uretry_ms = now + hold;
		loop_timer_stop(s->loop, &s->ucheck);
		if (upnp_only(s->c) && s->c->once) {
			s->status = ND_EXIT_NOTEST; /* nothing else to ask */
			loop_stop(s->loop);
		} else if (upnp_only(s->c)) {
			log_warnx("map: trying UPnP again in %u s", (unsigned)(hold / 1000));
			loop_timer_start(s->loop, &s->retry, hold, on_retry, s);
		} else {
			on_retry(s->loop, &s->retry, s);
		}
		return;
	}
	if (j->external.family && s->ext.family && !netaddr_eq(&s->ext, &j->external, true)) {
		/* A new WAN address (the provider's DHCP, a reboot) while the
		 * mappings held: every port printed again, --on-change run,
		 * or the node goes on advertising the old address. */
		log_warnx("map: the router's external address changed: %s -> %s",
			  netaddr_fmt_ip(&s->ext, a), netaddr_fmt_ip(&j->external, h));
		for (unsigned i = 0; i < s->n; i++)
			if (!is6(&s->m[i]))
				s->told[i] = false;
	}
	if (j->external.family)
		s->ext = j->external;
	if (!s->c->once)
		loop_timer_start(s->loop, &s->ucheck, next == RETX_DONE ? MAP_RETRY_MS : next - now,
				 on_ucheck, s);
	tell(s);
}

/* A UPnP delete came back (the way out): every port is GONE now. */
static void upnp_deleted(struct map_state *s, struct map_upnp_job *j)
{
	char a[NETADDR_FMT_MAX];

	for (unsigned k = 0; k < j->n; k++) {
		struct gw_map *m = &s->m[j->p[k].idx];

		if (m->state != GW_MAP_DELETING)
			continue;
		m->state = GW_MAP_GONE;
		if (!j->error[0] && j->p[k].state == MAP_UPNP_TAKEN) {
			s->status = ND_EXIT_PROBLEM;
			log_warnx(
			    "map: %u/%s: external port %u is another host's (%s): not deleted",
			    m->internal_port, proto_name(m->protocol), m->external_port,
			    netaddr_fmt_ip(&j->p[k].holder, a));
			continue;
		}
		if (j->error[0] || j->p[k].state != MAP_UPNP_HELD) {
			s->status = ND_EXIT_PROBLEM;
			log_warnx("map: %u/%s: the UPnP delete failed: %s", m->internal_port,
				  proto_name(m->protocol), j->error[0] ? j->error : j->p[k].error);
			continue;
		}
		m->external_port = j->p[k].external_port;
		if (m->external_port != m->internal_port)
			log_warnx("map: closed %u/%s on %s (external port %u)", m->internal_port,
				  proto_name(m->protocol), netaddr_fmt_ip(&s->gw, a),
				  m->external_port);
		else
			log_warnx("map: closed %u/%s on %s", m->internal_port,
				  proto_name(m->protocol), netaddr_fmt_ip(&s->gw, a));
	}
	if (all_done(s))
		loop_stop(s->loop);
}

static void on_upnp_done(struct loop *l, void *arg)
{
	struct map_upnp_job *j = arg;
	struct map_state *s = j->owner;

	(void)l;
	s->uworker = NULL;
	s->bad_answers += j->io.bad_answers;
	if (j->del) {
		upnp_deleted(s, j);
	} else if (!s->stopping) {
		upnp_took(s, j);
	} else {
		/* Stopped while it ran: what it made is deleted now (never
		 * left behind, above all a permanent one). */
		for (unsigned k = 0; k < j->n && !j->error[0]; k++) {
			struct gw_map *m = &s->m[j->p[k].idx];

			/* Held: delete that port. Another host's: never touch
			 * it. Refused or unknown: delete what we knew, if any. */
			if (j->p[k].state == MAP_UPNP_HELD) {
				m->external_port = j->p[k].external_port;
				log_warnx("map: opened %u/%s on %s by UPnP as it stopped: external "
					  "port %u; deleting it",
					  m->internal_port, proto_name(m->protocol),
					  netaddr_fmt_ip(&s->gw, (char[NETADDR_FMT_MAX]){ 0 }),
					  m->external_port);
			} else if (j->p[k].state == MAP_UPNP_TAKEN)
				m->external_port = 0;
		}
		if (s->udel_pending)
			upnp_run(s, true);
		if (all_done(s))
			loop_stop(s->loop);
	}
	free(j);
}

/* Start a UPnP job: map (or check) every IPv4 port, or delete the held
 * ones. A delete replaces a running map job (abandoned). */
static void upnp_run(struct map_state *s, bool del)
{
	struct map_upnp_job *j;
	int err;

	if (s->uworker) {
		/* One job at a time; a delete waits for a running map job,
		 * whose adds would otherwise race it (on_upnp_done). */
		if (del && !s->ujob_del)
			s->udel_pending = true;
		return;
	}
	s->udel_pending = false;
	/* All but the 64 KiB answer buffer zeroed: calloc would touch every
	 * page of it, and the daemon keeps them (memory at rest). */
	j = malloc(sizeof(*j));
	if (j)
		memset(j, 0, offsetof(struct map_upnp_job, io.buf));
	if (!j) {
		log_warnx("map: UPnP: out of memory");
		return;
	}
	j->owner = s;
	j->gateway = s->gw;
	j->local = s->local;
	j->lease_s = s->c->lifetime_s;
	j->any_external = s->c->any_external;
	j->no_permanent = s->c->once;
	j->del = del;
	j->search = del && s->c->del; /* --delete: where --once put it is not known */
	for (unsigned i = 0; i < s->n; i++) {
		const struct gw_map *m = &s->m[i];

		if (is6(m) || m->method != GW_UPNP)
			continue;
		if (del && m->state != GW_MAP_DELETING)
			continue;
		if (del && !m->external_port) {
			s->m[i].state = GW_MAP_GONE; /* never granted: nothing to delete */
			continue;
		}
		j->p[j->n].idx = i;
		j->p[j->n].port = m->internal_port;
		j->p[j->n].protocol = m->protocol;
		j->p[j->n].external_port = m->external_port;
		j->p[j->n].held = !del && m->state == GW_MAP_HELD;
		j->p[j->n].lease_s = m->granted_s;
		j->n++;
	}
	if (del && !j->n) {
		free(j);
		return;
	}
	j->io.deadline_ms = loop_now_ms(s->loop) + (del ? MAP_UPNP_DELETE_MS : MAP_UPNP_JOB_MS);
	s->ujob_del = del;
	err = worker_start(s->loop, map_upnp_work, on_upnp_done, free, j, &s->uworker);
	if (err < 0) {
		s->uworker = NULL;
		free(j);
		log_warnx("map: UPnP: cannot start its worker: %s", strerror(-err));
	}
}

/* Neither PCP nor NAT-PMP answers (why): UPnP IGD, unless --no-upnp. Never
 * while either has answered. */
static void upnp_consider(struct map_state *s, const char *why)
{
	if (s->upnp || s->stopping || s->c->del || s->pcp_heard || s->epoch.have)
		return;
	if (loop_now_ms(s->loop) < s->uretry_ms) {
		/* Held off after a search that found nothing: look again
		 * then, if PCP and NAT-PMP are still silent (a router whose
		 * 5351 drops silently sends no ICMP to bring us here). */
		loop_timer_start(s->loop, &s->usilent, s->uretry_ms - loop_now_ms(s->loop),
				 on_usilent, s);
		return;
	}
	if (s->c->no_upnp) {
		if (!s->upnp_off_told)
			log_warnx("map: the gateway %s answers neither PCP nor NAT-PMP (%s), and "
				  "UPnP is off (--no-upnp): nothing is mapped",
				  netaddr_fmt_ip(&s->gw, (char[NETADDR_FMT_MAX]){ 0 }), why);
		s->upnp_off_told = true;
		return;
	}
	if (upnp_only(s->c))
		log_info("map: %s: using UPnP IGD on the gateway %s", why,
			 netaddr_fmt_ip(&s->gw, (char[NETADDR_FMT_MAX]){ 0 }));
	else
		log_warnx("map: the gateway %s answers neither PCP nor NAT-PMP (%s): using UPnP "
			  "IGD",
			  netaddr_fmt_ip(&s->gw, (char[NETADDR_FMT_MAX]){ 0 }), why);
	s->upnp = true;
	loop_timer_stop(s->loop, &s->fallback);
	loop_timer_stop(s->loop, &s->retry);
	loop_timer_stop(s->loop, &s->usilent);
	gw_query_stop(&s->ext_q);
	all_start(s, loop_now_ms(s->loop)); /* IPv4 ports: method UPnP, and the job */
	rearm(s);
}

/* --delete, and the gateway's 5351 is closed: what --once made by UPnP
 * (external port = internal port) is deleted there, if it is ours. */
static void upnp_delete_only(struct map_state *s)
{
	if (s->upnp || s->c->no_upnp)
		return;
	s->upnp = true;
	for (unsigned i = 0; i < s->n; i++) {
		struct gw_map *m = &s->m[i];

		if (is6(m) || m->state != GW_MAP_DELETING)
			continue;
		m->method = GW_UPNP;
		m->next_ms = RETX_DONE;
		m->external_port = m->internal_port;
	}
	upnp_run(s, true);
	rearm(s);
}

static void on_usilent(struct loop *l, struct loop_timer *t, void *data)
{
	(void)l;
	(void)t;
	upnp_consider(data, "no answer within 3 s");
}

struct map_read {
	struct map_state *s;
	bool v6;
};

/* One read of udp_drain on a socket connected to the gateway's 5351. */
static bool on_gw_datagram(int fd, const struct udp_datagram *d, void *data)
{
	struct map_read *r = data;
	struct map_state *s = r->s;

	(void)fd;
	if (d->error == -ECONNREFUSED) {
		log_debug("map: port 5351 closed on the gateway (ICMP)");
		if (!r->v6 && s->c->del)
			upnp_delete_only(s);
		else if (!r->v6)
			upnp_consider(s, "its port 5351 is closed");
	}
	if (d->error)
		return true;
	if (d->len == 0 || d->truncated || d->len > PCP_MAX_LEN) {
		s->bad_answers++;
		return true;
	}
	on_answer(s, r->v6, d->data, d->len);
	return true;
}

static void read_answers(struct map_state *s, struct loop *l, int fd, bool v6)
{
	uint8_t buf[PCP_MAX_LEN + 4];
	struct map_read r = { s, v6 };

	loop_update_time(l);
	(void)udp_drain(fd, buf, sizeof(buf), 64, on_gw_datagram, &r);
}

static void on_readable(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)events;
	read_answers(data, l, fd, false);
}

static void on_readable6(struct loop *l, int fd, uint32_t events, void *data)
{
	(void)events;
	read_answers(data, l, fd, true);
}

/* An unsolicited announcement on 224.0.0.1:5350 (RFC 6887 §14.1.3, RFC
 * 6886 §3.2.1): from the gateway's port 5351 it maps everything again;
 * from anyone else it is ignored. */
/* One read of udp_drain on the announcement socket; an error ends the
 * wakeup's reading. */
static bool on_announce_datagram(int fd, const struct udp_datagram *d, void *data)
{
	struct map_state *s = data;
	struct gw_answer ans;

	(void)fd;
	if (d->error)
		return false;
	if (!netaddr_eq(&d->from, &s->gw, true) || d->from.port != PCP_PORT) {
		log_debug("map: an announcement not from the gateway: ignored");
		return true;
	}
	if (d->len == 0 || d->truncated || d->len > PCP_MAX_LEN ||
	    gw_decode(&ans, d->data, d->len) < 0 || ans.unsupp_version)
		return true;
	if (s->stopping || s->c->del)
		return true;
	(void)gw_epoch_lost(&s->epoch, &ans, loop_now_ms(s->loop));
	log_warnx("map: the gateway announced itself (%s): mapping again",
		  gw_method_name(ans.method));
	remap_all(s, loop_now_ms(s->loop));
	rearm(s);
	return true;
}

static void on_announce(struct loop *l, int fd, uint32_t events, void *data)
{
	uint8_t buf[PCP_MAX_LEN + 4];

	(void)events;
	loop_update_time(l);
	(void)udp_drain(fd, buf, sizeof(buf), 64, on_announce_datagram, data);
}

static void on_signal(struct loop *l, int signo, void *data)
{
	struct map_state *s = data;

	(void)l;
	log_info("map: %s: removing the mappings", strsignal(signo));
	begin_stop(s, s->stopping ? s->status : ND_EXIT_OK);
}

static void on_quit(struct loop *l, struct loop_timer *t, void *data)
{
	(void)t;
	(void)data;
	loop_stop(l);
}

static void on_once_deadline(struct loop *l, struct loop_timer *t, void *data)
{
	struct map_state *s = data;

	(void)t;
	if (s->once_ready && confirm_busy(s->confirm) && s->once_extended < s->c->n_servers) {
		/* Mapped late (a silent PCP, then NAT-PMP or UPnP): the
		 * confirmations asked then get their own bound, once per
		 * server (the next is asked when one cannot tell). */
		s->once_extended++;
		loop_timer_start(l, &s->deadline, CONFIRM_WAIT_MS, on_once_deadline, s);
		return;
	}
	for (unsigned i = 0; i < s->n; i++)
		if (confirm_get(s->confirm, i)->state == CONFIRM_ASKING)
			printf("  reachable from outside: unknown: no verdict from %s in time\n",
			       confirm_server_name(s->confirm));
	for (unsigned i = 0; i < s->n; i++)
		if (s->m[i].state != GW_MAP_HELD && s->m[i].state != GW_MAP_GONE) {
			log_warnx("map: %u/%s: not mapped within %d s", s->m[i].internal_port,
				  proto_name(s->m[i].protocol), MAP_ONCE_MS / 1000);
			s->status =
			    s->pcp_heard || s->epoch.have ? ND_EXIT_PROBLEM : ND_EXIT_NOTEST;
		}
	loop_stop(l);
}

/* GET /metrics (docs/METRICS.md, "From map --metrics"). */
static void on_scrape(struct strbuf *out, void *data)
{
	struct map_state *s = data;
	uint64_t now = loop_now_ms(s->loop);
	char port[8];

	promtext_family(out, "natdoctor_mapping_up", "gauge",
			"1 while the port is mapped on the router, else 0");
	for (unsigned i = 0; i < s->n; i++) {
		const struct gw_map *m = &s->m[i];
		const char *l[] = { "port",   port,
				    "proto",  proto_name(m->protocol),
				    "method", gw_method_name(m->method),
				    "family", is6(m) ? "ipv6" : "ipv4" };

		snprintf(port, sizeof(port), "%u", m->internal_port);
		promtext_sample(out, "natdoctor_mapping_up", l, 4, m->state == GW_MAP_HELD);
	}
	promtext_family(out, "natdoctor_mapping_lease_seconds", "gauge",
			"seconds left of the mapping's lease (absent when not mapped, or "
			"permanent)");
	for (unsigned i = 0; i < s->n; i++) {
		const struct gw_map *m = &s->m[i];
		const char *l[] = { "port",   port,
				    "proto",  proto_name(m->protocol),
				    "family", is6(m) ? "ipv6" : "ipv4" };

		if (m->state != GW_MAP_HELD || (m->method == GW_UPNP && !m->granted_s))
			continue; /* not mapped, or permanent (UPnP 725): no lease */
		snprintf(port, sizeof(port), "%u", m->internal_port);
		promtext_sample(out, "natdoctor_mapping_lease_seconds", l, 3,
				m->expires_ms > now ? (double)((m->expires_ms - now) / 1000) : 0);
	}
	promtext_family(out, "natdoctor_mapping_external_changes_total", "counter",
			"times the external address or port of the mapping changed");
	for (unsigned i = 0; i < s->n; i++) {
		const char *l[] = { "port",   port,
				    "proto",  proto_name(s->m[i].protocol),
				    "family", is6(&s->m[i]) ? "ipv6" : "ipv4" };

		snprintf(port, sizeof(port), "%u", s->m[i].internal_port);
		promtext_sample(out, "natdoctor_mapping_external_changes_total", l, 3,
				(double)s->changes[i]);
	}
	promtext_family(out, "natdoctor_mapping_errors_total", "counter",
			"refusals by the router (one asked again at each check, unchanged, counts "
			"once), and leases that ran out unrenewed");
	for (unsigned i = 0; i < s->n; i++) {
		const char *l[] = { "port",   port,
				    "proto",  proto_name(s->m[i].protocol),
				    "family", is6(&s->m[i]) ? "ipv6" : "ipv4" };

		snprintf(port, sizeof(port), "%u", s->m[i].internal_port);
		promtext_sample(out, "natdoctor_mapping_errors_total", l, 3, (double)s->errors[i]);
	}
	if (s->confirm) {
		promtext_family(out, "natdoctor_mapping_confirmed", "gauge",
				"1 when natdoctor serve's dial-back (--server) reached the "
				"mapping from outside, 0 when it did not; absent while unknown");
		for (unsigned i = 0; i < s->n; i++) {
			const struct gw_map *m = &s->m[i];
			enum confirm_state st = confirm_get(s->confirm, i)->state;
			const char *l[] = { "port",   port,
					    "proto",  proto_name(m->protocol),
					    "method", gw_method_name(m->method) };

			if (is6(m) || (st != CONFIRM_YES && st != CONFIRM_NO))
				continue;
			snprintf(port, sizeof(port), "%u", m->internal_port);
			promtext_sample(out, "natdoctor_mapping_confirmed", l, 3,
					st == CONFIRM_YES);
		}
	}
	promtext_family(out, "natdoctor_map_bad_answers_total", "counter",
			"datagrams from the gateway that did not decode");
	promtext_sample(out, "natdoctor_map_bad_answers_total", NULL, 0, (double)s->bad_answers);
}

static const char *state_name(enum gw_map_state st)
{
	switch (st) {
	case GW_MAP_HELD:
		return "mapped";
	case GW_MAP_ASKING:
		return "asking";
	case GW_MAP_REFUSED:
		return "refused";
	case GW_MAP_DELETING:
		return "deleting";
	case GW_MAP_GONE:
		return "deleted";
	default:
		return "waiting (no answer)";
	}
}

/* What --server's dial-back said of port i, for natdoctor status. */
static const char *outside_text(const struct map_state *s, unsigned i, char *buf, size_t size)
{
	const struct confirm_port *cp = confirm_get(s->confirm, i);
	const char *srv = cp->server;

	switch (cp->state) {
	case CONFIRM_ASKING:
		snprintf(buf, size, "; from outside: asking %s", srv);
		break;
	case CONFIRM_YES:
		snprintf(buf, size, "; from outside: confirmed by %s", srv);
		break;
	case CONFIRM_NO:
		snprintf(buf, size, "; from outside: not reachable (%s: %.90s)", srv, cp->reason);
		break;
	case CONFIRM_UNKNOWN:
		snprintf(buf, size, "; from outside: unknown (%.90s)", cp->reason);
		break;
	default:
		buf[0] = '\0';
		break;
	}
	return buf;
}

/* One line per port for natdoctor status. */
static void on_status(struct loop *l, int fd, uint32_t events, void *data)
{
	struct map_state *s = data;
	char text[MAP_STATUS_TEXT_MAX], a[NETADDR_FMT_MAX], lease[40];
	uint64_t now = loop_now_ms(l);
	size_t len = 0;

	(void)events;
	for (unsigned i = 0; i < s->n && len < sizeof(text); i++) {
		const struct gw_map *m = &s->m[i];
		const struct netaddr *ext = external_of(s, m);
		int n;

		if (m->method == GW_UPNP && !m->granted_s)
			snprintf(lease, sizeof(lease), "permanent (UPnP 725)");
		else
			snprintf(lease, sizeof(lease), "lease %llu s left",
				 (unsigned long long)(m->expires_ms > now
							  ? (m->expires_ms - now) / 1000
							  : 0));
		if (m->state == GW_MAP_HELD && ext->family)
			n = snprintf(text + len, sizeof(text) - len,
				     "%u/%s %s by %s on %s: %s:%u, %s, last error: %s%s\n",
				     m->internal_port, proto_name(m->protocol),
				     state_name(m->state), gw_method_name(m->method),
				     netaddr_fmt_ip(&s->gw, (char[NETADDR_FMT_MAX]){ 0 }),
				     netaddr_fmt_ip(ext, a), m->external_port, lease,
				     s->last_error[i][0] ? s->last_error[i] : "none",
				     outside_text(s, i, (char[CONFIRM_TEXT_MAX + 64]){ 0 },
						  CONFIRM_TEXT_MAX + 64));
		else
			n = snprintf(text + len, sizeof(text) - len,
				     "%u/%s %s by %s on %s, last error: %s\n", m->internal_port,
				     proto_name(m->protocol), state_name(m->state),
				     gw_method_name(m->method),
				     netaddr_fmt_ip(&s->gw, (char[NETADDR_FMT_MAX]){ 0 }),
				     s->last_error[i][0] ? s->last_error[i] : "none");
		if (n < 0)
			break;
		len += (size_t)n;
	}
	map_status_answer(fd, text, len < sizeof(text) ? len : sizeof(text) - 1);
}

static int open_announce(const struct netaddr *local)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PCP_CLIENT_PORT) };
	struct ip_mreq mr;
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	sin.sin_addr.s_addr = htonl(0xe0000001); /* 224.0.0.1 */
	memset(&mr, 0, sizeof(mr));
	mr.imr_multiaddr.s_addr = sin.sin_addr.s_addr;
	memcpy(&mr.imr_interface, local->ip, 4);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The PCP nonce of --once and --delete for port on this host's address
 * local: BLAKE2b keyed with /etc/machine-id over the port, protocol and
 * address, so a later --delete can name the mapping an earlier --once made
 * (RFC 6887 §15). The daemon draws random nonces instead. A host without a
 * machine id, or without libsodium: a negative errno (random then;
 * --delete cannot remove such a mapping). */
static int once_nonce(const struct map_port *p, const struct netaddr *local,
		      uint8_t nonce[PCP_NONCE_LEN])
{
	uint8_t key[64], in[32], out[16];
	size_t klen = 0;
	int err = 0;
	FILE *f;

	if (keyedhash_load() < 0)
		return -ELIBACC;
	f = fopen("/etc/machine-id", "re");
	if (!f)
		return -ENOENT;
	klen = fread(key, 1, sizeof(key), f);
	fclose(f);
	memset(in, 0, sizeof(in));
	memcpy(in, "natdoctor-map-once", 18);
	in[18] = (uint8_t)(p->port >> 8);
	in[19] = (uint8_t)p->port;
	in[20] = p->protocol;
	memcpy(in + 21, local->ip, 4);
	if (klen < 16)
		err = -ENOENT;
	else if (keyedhash(out, sizeof(out), in, sizeof(in), key, klen) < 0)
		err = -EIO;
	else
		memcpy(nonce, out, PCP_NONCE_LEN);
	/* The machine id is a secret of this host (machine-id(5)): leave
	 * neither it nor what was derived from it on the stack. */
	keyedhash_wipe(key, sizeof(key));
	keyedhash_wipe(out, sizeof(out));
	return err;
}

/* --ipv6: the IPv6 default gateway and this host's address toward it; a
 * socket connected to its 5351. Returns 0, or -1 after saying why IPv6
 * pinholes are left out (the IPv4 mappings go on). */
static int open_v6(struct map_state *s)
{
	struct netlink *nl;
	struct rtnl_route rt;
	char a[NETADDR_FMT_MAX];
	int err = netlink_open(&nl, 0);

	if (err == 0) {
		err = netlink_default_route(nl, AF_INET6, &rt);
		netlink_close(nl);
	}
	if (err == 0 && rt.gateway.family != AF_INET6)
		err = -ENETUNREACH;
	if (err < 0) {
		log_warnx("map: --ipv6: no IPv6 default gateway (%s): no pinholes", strerror(-err));
		return -1;
	}
	s->gw6 = rt.gateway;
	s->gw6.port = PCP_PORT;
	err = udp_open(AF_INET6, &s->gw6, &s->local6);
	if (err < 0) {
		log_warnx("map: --ipv6: cannot reach the IPv6 gateway %s (%s%s): no pinholes",
			  netaddr_fmt_ip(&s->gw6, a), strerror(-err),
			  netaddr_classify(&s->gw6) == NETADDR_LINKLOCAL
			      ? "; a link-local gateway is not supported yet"
			      : "");
		return -1;
	}
	s->fd6 = err;
	if (netaddr_classify(&s->local6) != NETADDR_PUBLIC) {
		log_warnx("map: --ipv6: this host's IPv6 address toward the gateway, %s, is not "
			  "global: no pinholes",
			  netaddr_fmt_ip(&s->local6, a));
		return -1;
	}
	return 0;
}

static int find_gateway(struct netaddr *gw)
{
	struct netlink *nl;
	struct rtnl_route rt;
	int err = netlink_open(&nl, 0);

	if (err < 0)
		return err;
	err = netlink_default_route(nl, AF_INET, &rt);
	netlink_close(nl);
	if (err < 0)
		return err;
	if (rt.gateway.family != AF_INET)
		return -ENETUNREACH;
	*gw = rt.gateway;
	return 0;
}

/* The IPv4 network changed under us (rtnetlink, debounced): when the default
 * gateway or this host's address toward it is another, the old mappings
 * are asked to go (lifetime 0 from the old socket: best effort, the old
 * address may be gone, and then they end with their lease) and every port
 * is mapped afresh through the new gateway for the new address. */
static void on_netchange_settled(struct loop *l, struct loop_timer *t, void *data)
{
	struct map_state *s = data;
	struct netaddr gw, local;
	char a[4][NETADDR_FMT_MAX];
	uint8_t buf[PCP_MAX_LEN], nonce[PCP_NONCE_LEN];
	uint64_t now = loop_update_time(l);
	int fd;

	(void)t;
	if (s->stopping)
		return;
	if (find_gateway(&gw) < 0) {
		log_warnx("map: the IPv4 default gateway is gone: waiting for the network");
		return;
	}
	gw.port = PCP_PORT;
	fd = udp_open(AF_INET, &gw, &local);
	if (fd < 0)
		return;
	if (netaddr_eq(&gw, &s->gw, true) && netaddr_eq(&local, &s->local, true)) {
		close(fd);
		return;
	}
	log_warnx("map: the network changed (gateway %s -> %s, this host %s -> %s): mapping "
		  "again there",
		  netaddr_fmt_ip(&s->gw, a[0]), netaddr_fmt_ip(&gw, a[1]),
		  netaddr_fmt_ip(&s->local, a[2]), netaddr_fmt_ip(&local, a[3]));
	for (unsigned i = 0; i < s->n; i++) {
		struct gw_map *m = &s->m[i];
		int n;

		if (is6(m))
			continue;
		gw_map_delete(m, now);
		n = gw_map_tick(m, now, rnd32(), buf);
		for (int k = 0; k < 2 && n > 0; k++)
			send_dgram(s->fd, buf, n);
		if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
			memset(nonce, 0, sizeof(nonce));
		gw_map_init(m, s->c->no_pcp ? GW_NATPMP : GW_PCP, m->protocol, m->internal_port,
			    m->internal_port, s->c->lifetime_s, &local, nonce);
	}
	if (s->afd >= 0) {
		struct ip_mreq mr = { .imr_multiaddr.s_addr = htonl(0xe0000001) };

		memcpy(&mr.imr_interface, s->local.ip, 4);
		(void)setsockopt(s->afd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr, sizeof(mr));
		memcpy(&mr.imr_interface, local.ip, 4);
		(void)setsockopt(s->afd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
	}
	loop_del_fd(l, s->fd);
	close(s->fd);
	s->fd = fd;
	if (loop_add_fd(l, s->fd, LOOP_READABLE, on_readable, s) < 0) {
		log_warnx("map: internal: cannot watch the new socket");
		begin_stop(s, ND_EXIT_INTERNAL);
		return;
	}
	s->gw = gw;
	s->local = local;
	s->ext.family = 0;
	memset(&s->epoch, 0, sizeof(s->epoch));
	s->method = s->c->no_pcp ? GW_NATPMP : GW_PCP;
	s->pcp_heard = false;
	all_start(s, now);
	if (s->method == GW_PCP && !s->c->no_natpmp)
		loop_timer_start(l, &s->fallback, MAP_PCP_SILENT_MS, on_fallback, s);
	if (!s->upnp)
		loop_timer_start(l, &s->usilent, MAP_UPNP_AFTER_MS, on_usilent, s);
	rearm(s);
}

/* rtnetlink news: drain it, and look again once the burst settles. */
static void on_netlink(struct loop *l, int fd, uint32_t events, void *data)
{
	struct map_state *s = data;
	char buf[8192];

	(void)events;
	for (int i = 0; i < 64 && recv(fd, buf, sizeof(buf), 0) > 0; i++)
		;
	loop_timer_start(l, &s->netchange, MAP_NETCHANGE_SETTLE_MS, on_netchange_settled, s);
}

static int open_netlink_events(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int map_run(const struct map_config *c)
{
	struct map_state *s;
	char a[NETADDR_FMT_MAX];
	uint8_t nonce[PCP_NONCE_LEN];
	int err, status = ND_EXIT_INTERNAL;

	s = calloc(1, sizeof(*s));
	if (!s)
		return ND_EXIT_INTERNAL;
	s->c = c;
	s->fd = s->afd = s->sfd = s->fd6 = s->nlfd = -1;
	loop_timer_init(&s->netchange);
	gw_query_stop(&s->ext_q);
	s->method = c->no_pcp ? GW_NATPMP : GW_PCP;
	loop_timer_init(&s->tick);
	loop_timer_init(&s->fallback);
	loop_timer_init(&s->quit);
	loop_timer_init(&s->retry);
	loop_timer_init(&s->deadline);
	loop_timer_init(&s->ucheck);
	loop_timer_init(&s->usilent);

	err = find_gateway(&s->gw);
	if (err < 0) {
		log_warnx("map: no IPv4 default gateway (%s): nothing to map on; check 'ip route'",
			  strerror(-err));
		status = ND_EXIT_NOTEST;
		goto out;
	}
	s->gw.port = PCP_PORT;
	err = udp_open(AF_INET, &s->gw, &s->local);
	if (err < 0) {
		log_warnx("map: cannot reach the gateway %s: %s", netaddr_fmt_ip(&s->gw, a),
			  strerror(-err));
		status = ND_EXIT_NOTEST;
		goto out;
	}
	s->fd = err;
	if (loop_new(&s->loop) < 0)
		goto out;
	if (loop_add_fd(s->loop, s->fd, LOOP_READABLE, on_readable, s) < 0 ||
	    loop_add_signal(s->loop, SIGINT, on_signal, s) < 0 ||
	    loop_add_signal(s->loop, SIGTERM, on_signal, s) < 0)
		goto out;
	if (c->on_change && loop_add_signal(s->loop, SIGCHLD, on_child, s) < 0)
		goto out;
	if (c->status_socket && !c->once && !c->del) {
		s->sfd = map_status_listen(c->status_socket);
		if (s->sfd < 0)
			log_warnx("map: no status socket at %s: %s%s", c->status_socket,
				  strerror(-s->sfd),
				  s->sfd == -EADDRINUSE ? " (another natdoctor map answers there)"
							: "");
		else if (loop_add_fd(s->loop, s->sfd, LOOP_READABLE, on_status, s) < 0)
			goto out;
	}
	if (!c->once && !c->del) {
		s->nlfd = open_netlink_events();
		if (s->nlfd < 0)
			log_warnx("map: cannot follow address and route changes (%s): a new "
				  "gateway or address is not noticed",
				  strerror(-s->nlfd));
		else if (loop_add_fd(s->loop, s->nlfd, LOOP_READABLE, on_netlink, s) < 0)
			goto out;
	}
	if (!c->once && !c->del) {
		s->afd = open_announce(&s->local);
		if (s->afd < 0)
			log_warnx("map: cannot listen for the gateway's announcements on "
				  "224.0.0.1:5350 (%s): a router reboot is seen at the next "
				  "renewal instead",
				  strerror(-s->afd));
		else if (loop_add_fd(s->loop, s->afd, LOOP_READABLE, on_announce, s) < 0)
			goto out;
	}
	if (c->metrics) {
		err = metricsd_open(s->loop, c->metrics, on_scrape, s, &s->metricsd);
		if (err < 0) {
			log_warnx(
			    "map: cannot serve metrics on %s: %s%s", c->metrics, strerror(-err),
			    err == -EADDRINUSE ? " (another program has that port: pick another)"
					       : "");
			status = ND_EXIT_USAGE;
			goto out;
		}
	}
	if (c->n_servers && !c->del) {
		const char *hosts[MAP_MAX_SERVERS];

		for (unsigned k = 0; k < c->n_servers; k++)
			hosts[k] = c->server[k];
		err = confirm_open(s->loop, hosts, c->server_port, c->n_servers, on_confirmed, s,
				   &s->confirm);
		if (err < 0)
			log_warnx("map: --server %s: %s; mappings are not confirmed from outside",
				  c->server[0], strerror(-err));
	}
	log_info("map: gateway %s, this host %s", netaddr_fmt_ip(&s->gw, a),
		 netaddr_fmt_ip(&s->local, (char[NETADDR_FMT_MAX]){ 0 }));
	s->n = c->n_ports;
	/* Only PCP carries the nonce (RFC 6887 §11.1); NAT-PMP (--no-pcp)
	 * maps and deletes without it. */
	if ((c->once || c->del) && !c->no_pcp && keyedhash_load() < 0)
		log_warnx("map: cannot load " KEYEDHASH_LIBRARY " (install the Debian package "
			  "libsodium23): %s",
			  c->del ? "cannot name what --once mapped by PCP"
				 : "a later --delete cannot remove this mapping by PCP");
	for (unsigned i = 0; i < c->n_ports; i++) {
		if ((c->once || c->del) && once_nonce(&c->ports[i], &s->local, nonce) == 0)
			; /* --delete can find what --once made */
		else if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
			goto out;
		gw_map_init(&s->m[i], s->method, c->ports[i].protocol, c->ports[i].port,
			    c->ports[i].port, c->lifetime_s, &s->local, nonce);
	}
	if (c->ipv6 && open_v6(s) == 0) {
		for (unsigned i = 0; i < c->n_ports; i++) {
			if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
				goto out;
			gw_map_init(&s->m[s->n++], GW_PCP, c->ports[i].protocol, c->ports[i].port,
				    c->ports[i].port, c->lifetime_s, &s->local6, nonce);
		}
		if (loop_add_fd(s->loop, s->fd6, LOOP_READABLE, on_readable6, s) < 0)
			goto out;
	}
	s->status = ND_EXIT_OK;
	loop_update_time(s->loop);
	if (c->del) {
		/* Lifetime 0 for each port: by PCP with the nonce --once used
		 * (once_nonce: a PCP delete must carry the nonce that made the
		 * mapping, RFC 6887 §15), by NAT-PMP with --no-pcp. A mapping
		 * the daemon made with a random nonce is not ours to delete: the
		 * gateway refuses (NOT_AUTHORIZED), and it ends with its lease. */
		s->stopping = true;
		for (unsigned i = 0; i < c->n_ports; i++) {
			s->m[i].state = GW_MAP_ASKING;
			gw_map_delete(&s->m[i], loop_now_ms(s->loop));
		}
		if (upnp_only(c))
			upnp_delete_only(s);
	} else if (upnp_only(c)) {
		upnp_consider(s, "PCP and NAT-PMP are off (--no-pcp --no-natpmp)");
	} else {
		all_start(s, loop_now_ms(s->loop));
		if (s->method == GW_PCP && !c->no_natpmp)
			loop_timer_start(s->loop, &s->fallback, MAP_PCP_SILENT_MS, on_fallback, s);
		loop_timer_start(s->loop, &s->usilent, MAP_UPNP_AFTER_MS, on_usilent, s);
	}
	if (c->once || c->del)
		loop_timer_start(s->loop, &s->deadline, MAP_ONCE_MS, on_once_deadline, s);
	rearm(s);
	if (loop_run(s->loop) < 0)
		goto out;
	status = s->status;
out:
	confirm_close(s->confirm);
	if (s->uworker)
		worker_abandon(s->uworker);
	metricsd_close(s->metricsd);
	if (s->loop)
		loop_free(s->loop);
	if (s->fd >= 0)
		close(s->fd);
	if (s->fd6 >= 0)
		close(s->fd6);
	if (s->nlfd >= 0)
		close(s->nlfd);
	if (s->afd >= 0)
		close(s->afd);
	if (s->sfd >= 0) {
		close(s->sfd);
		unlink(c->status_socket);
	}
	free(s);
	return status;
}
