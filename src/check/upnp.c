/* SPDX-License-Identifier: MIT */
/*
 * UPnP IGD: SSDP on the loop, then a bounded HTTP/SOAP conversation on a
 * worker thread through gw/upnp.h (the one file that includes miniupnpc,
 * as the XML parser only; map uses it too).
 *
 * 1. SSDP (proto/ssdp.h): M-SEARCH for the IGD device and WAN connection
 *    service types, MX 1, from one socket on the loop; resent at 300 and
 *    700 ms (UDP, UDA 1.1 §1.3.2 suggests more than one). The first IGD
 *    answer from the default gateway wins at once; an IGD elsewhere on the
 *    LAN is used only if the gateway has not answered when the search
 *    window (UPNP_SSDP_WAIT_MS, MX plus a margin) ends. We do this part
 *    ourselves because miniupnpc's discovery waits at least a second, and a
 *    full second more after the last answer.
 * 2. The answer's LOCATION must be an http URL whose host is the IP
 *    literal the answer came from: a device on the LAN cannot make us
 *    fetch from anyone else (ssdp_igd_answer judges every answer, as it
 *    does for map's search in gw/upnp.c).
 * 3. A worker thread (net/worker.h) runs the blocking part: it fetches the
 *    description itself (net/httpfetch.h: at most GW_UPNP_DESC_MAX bytes,
 *    within the check's deadline, redirects not followed), has
 *    libminiupnpc parse it (parserootdesc, GetUPNPUrls), and checks the
 *    control URL that results (URLBase and controlURL both resolved) the
 *    same way as the LOCATION: http, the host that answered, nothing else.
 *    Then the SOAP actions GetStatusInfo, GetConnectionTypeInfo,
 *    GetExternalIPAddress and GetSpecificPortMappingEntry for each node
 *    port, each answer capped at GW_UPNP_SOAP_MAX and parsed by libminiupnpc
 *    (ParseNameValue), into a private upnp_result that the loop copies
 *    when it arrives. libminiupnpc never opens a socket: it cannot follow
 *    a URL we did not check, nor read without a cap (it reads a whole
 *    answer into memory, however long). At the deadline the job is
 *    abandoned; its own fetches end by the same deadline.
 *
 * Read-only: nothing is changed on the router. Every string the router
 * sends is sanitised before it is kept, and the external address must
 * parse as an IP literal: miniupnpc's own parsers have had overflows
 * (CVE-2014-3985, CVE-2015-6031), and a router's XML is untrusted input.
 */
#include "check/probes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw/upnp.h"
#include "net/retx.h"
#include "net/udp.h"
#include "net/worker.h"
#include "proto/ssdp.h"
#include "util/text.h"

/* How long the search waits: MX (1 s) lets a device delay its answer by up
 * to a second (UDA 1.1 §1.3.3); LAN routers answer in milliseconds, and
 * the first answer from the gateway ends the wait at once. */
#define UPNP_SSDP_WAIT_MS 1200
#define UPNP_SSDP_MX	  1
/* When the gateway says its port 1900 is closed, other LAN devices still
 * get this long to answer the multicast search. */
#define UPNP_SSDP_REFUSED_MS 300

/* M-SEARCH at once and again 300 and 700 ms later (net/retx.h). */
static const uint32_t ssdp_resend_ms[] = { 300, 700 };
static const struct retx_profile ssdp_retx = {
	.fixed_ms = ssdp_resend_ms,
	.n_fixed = sizeof(ssdp_resend_ms) / sizeof(ssdp_resend_ms[0]),
};

static const char *const igd_types[] = {
	"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
	"urn:schemas-upnp-org:device:InternetGatewayDevice:2",
	"urn:schemas-upnp-org:service:WANIPConnection:1",
	"urn:schemas-upnp-org:service:WANIPConnection:2",
	"urn:schemas-upnp-org:service:WANPPPConnection:1",
};

struct upnp_job {
	struct check_run *run; /* only touched on the loop thread */
	int probe_id;
	/* Inputs, copied so the thread never reads the run. */
	struct node_port ports[CHECK_MAX_PORTS];
	size_t n_ports;
	char location[SSDP_FIELD_MAX];
	uint64_t deadline_ms; /* the check's deadline, CLOCK_MONOTONIC */
	/* Output. */
	struct upnp_result out;
	/* The conversation: deadline, error, the buffer answers are read into. */
	struct gw_upnp_io io;
};

struct upnp_probe {
	struct check_run *run;
	int id;
	int fd;		 /* the SSDP multicast socket, -1 once the search is over */
	int ufd;	 /* unicast to the gateway's port 1900, -1 if none */
	bool gw_refused; /* the gateway sent ICMP port unreachable for 1900 */
	struct loop_timer timer;
	uint64_t started_ms;
	struct retx rx;
	struct netaddr gateway;
	/* An IGD that is not the default gateway, kept in case the gateway
	 * stays silent. */
	char fallback[SSDP_FIELD_MAX];
	struct upnp_result ssdp; /* what the search learnt (bad answers) */
	struct upnp_job *job;	 /* non-NULL while the worker runs */
	struct worker_job *worker;
};

static void query_mappings(struct upnp_job *j, const struct gw_upnp_ctl *c)
{
	struct upnp_result *o = &j->out;

	for (size_t i = 0; i < j->n_ports; i++) {
		struct upnp_port_mapping *m = &o->mappings[o->n_mappings++];
		struct gw_upnp_entry_info info;
		struct igd_entry e;
		int r;

		m->port = j->ports[i];
		r = gw_upnp_entry_info(&j->io, c, j->ports[i].proto, j->ports[i].port, &e, &info);
		/* Mapped, also when the router's NewInternalClient or
		 * NewInternalPort did not parse (a bad answer, counted). */
		if (info.listed) {
			m->exists = true;
			m->internal = e.client;
			m->internal.port = e.internal_port;
			text_copy(m->description, sizeof(m->description), info.description);
			m->lease_s = info.lease_s;
		}
		/* 714 NoSuchEntryInArray: not mapped; another UPnP error: not
		 * known to be mapped. */
		if (r < 0 && r != -EPROTO && !info.listed)
			return; /* the deadline, or the router went away */
	}
}

/* Worker thread: the whole conversation with the IGD (gw/upnp.c: every
 * byte fetched within a byte cap and the check's deadline, from the
 * gateway only; libminiupnpc only parses). */
static void upnp_conversation(struct upnp_job *j)
{
	struct upnp_result *o = &j->out;
	struct gw_upnp_ctl c;
	struct gw_upnp_value status = { .name = "NewConnectionStatus" };
	struct gw_upnp_value type = { .name = "NewConnectionType" };
	struct gw_upnp_value extip = { .name = "NewExternalIPAddress" };
	int r;

	o->tried = true;
	text_copy(o->location, sizeof(o->location), j->location);
	if (gw_upnp_describe(&j->io, j->location, &c) < 0)
		return;
	o->igd_version = c.igd_version;

	r = gw_upnp_call(&j->io, &c, "GetStatusInfo", "", &status, 1);
	if (r == 0)
		text_copy(o->connection_status, sizeof(o->connection_status), status.value);
	if (r < 0 && r != -EPROTO) {
		gw_upnp_fetch_error(&j->io, "control answer", r);
		return;
	}
	r = gw_upnp_call(&j->io, &c, "GetConnectionTypeInfo", "", &type, 1);
	if (r == 0)
		text_copy(o->connection_type, sizeof(o->connection_type), type.value);
	r = gw_upnp_call(&j->io, &c, "GetExternalIPAddress", "", &extip, 1);
	if (r == 0) {
		if (extip.value[0] && netaddr_parse_ip(&o->external, extip.value) < 0) {
			memset(&o->external, 0, sizeof(o->external));
			j->io.bad_answers++;
		}
	} else {
		gw_upnp_error(j->io.error, sizeof(j->io.error), "GetExternalIPAddress", r);
	}
	query_mappings(j, &c);
}

static void upnp_work(void *arg)
{
	struct upnp_job *j = arg;

	j->io.deadline_ms = j->deadline_ms;
	upnp_conversation(j);
	j->out.available = j->io.answered;
	j->out.bad_answers += j->io.bad_answers;
	if (j->io.error[0])
		text_copy(j->out.error, sizeof(j->out.error), j->io.error);
}

/* Loop thread: the worker finished in time. */
static void upnp_done(struct loop *l, void *arg)
{
	struct upnp_job *j = arg;
	struct upnp_probe *p = j->run->probes[j->probe_id].state;

	(void)l;
	j->out.bad_answers += p->ssdp.bad_answers;
	j->run->res->gateway.upnp = j->out;
	p->job = NULL;
	p->worker = NULL;
	check_probe_done(j->run, j->probe_id);
	free(j);
}

static void upnp_search_close(struct upnp_probe *p)
{
	if (p->ufd >= 0) {
		loop_del_fd(p->run->loop, p->ufd);
		close(p->ufd);
		p->ufd = -1;
	}
	if (p->fd >= 0) {
		loop_del_fd(p->run->loop, p->fd);
		close(p->fd);
		p->fd = -1;
	}
	loop_timer_stop(p->run->loop, &p->timer);
}

/* The search is over: hand location (or nothing) on. */
static void upnp_search_end(struct upnp_probe *p, const char *location)
{
	struct check_run *r = p->run;
	struct upnp_result *o = &r->res->gateway.upnp;
	struct upnp_job *j;
	int err;

	upnp_search_close(p);
	*o = p->ssdp;
	o->tried = true;
	if (!location) {
		if (p->gw_refused)
			text_copy(o->error, sizeof(o->error),
				  "the gateway's SSDP port 1900 is closed (ICMP port unreachable)");
		else
			snprintf(o->error, sizeof(o->error),
				 "no UPnP IGD answered SSDP within %u ms",
				 (unsigned)(loop_now_ms(r->loop) - p->started_ms));
		check_probe_done(r, p->id);
		return;
	}
	/* All but the 64 KiB answer buffer zeroed: calloc would touch every
	 * page of it (peak RSS), and only the bytes received are read. */
	j = malloc(sizeof(*j));
	if (j)
		memset(j, 0, offsetof(struct upnp_job, io.buf));
	if (!j) {
		text_copy(o->error, sizeof(o->error), "out of memory");
		check_probe_done(r, p->id);
		return;
	}
	j->run = r;
	j->probe_id = p->id;
	j->deadline_ms = r->started_ms + r->cfg->deadline_ms;
	j->n_ports = r->cfg->n_ports;
	memcpy(j->ports, r->cfg->ports, sizeof(j->ports));
	text_copy(j->location, sizeof(j->location), location);
	p->job = j;
	err = worker_start(r->loop, upnp_work, upnp_done, free, j, &p->worker);
	if (err < 0) {
		p->job = NULL;
		free(j);
		snprintf(o->error, sizeof(o->error), "could not start the UPnP worker: %s",
			 strerror(-err));
		check_probe_done(r, p->id);
	}
}

static void upnp_search_send_all(struct upnp_probe *p)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(SSDP_PORT) };
	char buf[SSDP_MSEARCH_MAX];

	inet_pton(AF_INET, SSDP_MCAST_V4, &to.sin_addr);
	for (size_t i = 0; i < sizeof(igd_types) / sizeof(igd_types[0]); i++) {
		int n = ssdp_encode_msearch(igd_types[i], UPNP_SSDP_MX, buf, sizeof(buf));

		if (n <= 0)
			continue;
		(void)sendto(p->fd, buf, (size_t)n, 0, (struct sockaddr *)&to, sizeof(to));
		/* Unicast M-SEARCH (UDA 1.1 §1.3.2) to the gateway too, its
		 * HOST naming the gateway: a gateway without UPnP then says
		 * so with ICMP port unreachable instead of leaving us to wait. */
		if (p->ufd < 0)
			continue;
		n = ssdp_encode_msearch_to(igd_types[i], UPNP_SSDP_MX, &p->gateway, buf,
					   sizeof(buf));
		if (n > 0)
			(void)send(p->ufd, buf, (size_t)n, 0);
	}
}

static void on_ssdp_timer(struct loop *l, struct loop_timer *t, void *data)
{
	struct upnp_probe *p = data;
	uint64_t now = loop_now_ms(l), since = now - p->started_ms, next;

	if (since >= UPNP_SSDP_WAIT_MS || (p->gw_refused && since >= UPNP_SSDP_REFUSED_MS)) {
		upnp_search_end(p, p->fallback[0] ? p->fallback : NULL);
		return;
	}
	if (now >= p->rx.next_ms) {
		upnp_search_send_all(p);
		retx_sent(&p->rx, now, 0);
	}
	/* The next resend or the end of the wait, whichever is first. */
	next = p->started_ms + UPNP_SSDP_WAIT_MS;
	if (p->rx.next_ms < next)
		next = p->rx.next_ms;
	if (p->gw_refused && p->started_ms + UPNP_SSDP_REFUSED_MS < next)
		next = p->started_ms + UPNP_SSDP_REFUSED_MS;
	loop_timer_start(l, t, next > now ? next - now : 0, on_ssdp_timer, p);
}

/* One read of udp_drain on the multicast or the gateway's unicast search
 * socket. Returns false once the search is over (the sockets are closed)
 * or has restarted. */
static bool on_ssdp_datagram(int fd, const struct udp_datagram *d, void *data)
{
	struct upnp_probe *p = data;
	struct ssdp_response resp;

	if (d->error) {
		/* ICMP port unreachable from the gateway's 1900: no UPnP there. */
		if (d->error == -ECONNREFUSED && fd == p->ufd && !p->gw_refused) {
			p->gw_refused = true;
			on_ssdp_timer(p->run->loop, &p->timer, p);
			return false;
		}
		return true;
	}
	switch (ssdp_igd_answer(d->data, d->len, d->truncated, &d->from, &p->gateway, &resp)) {
	case SSDP_IGD_GATEWAY:
		upnp_search_end(p, resp.location);
		return false;
	case SSDP_IGD_ELSEWHERE:
		if (!p->fallback[0])
			text_copy(p->fallback, sizeof(p->fallback), resp.location);
		return true;
	case SSDP_IGD_OTHER:
		return true; /* another kind of device: not our question */
	case SSDP_IGD_BAD:
		break;
	}
	p->ssdp.bad_answers++;
	return true;
}

static void on_ssdp_readable(struct loop *l, int fd, uint32_t events, void *data)
{
	struct upnp_probe *p = data;
	uint8_t buf[1500];

	(void)l;
	(void)events;
	if (p->fd >= 0)
		(void)udp_drain(fd, buf, sizeof(buf), 32, on_ssdp_datagram, p);
}

static void upnp_finish(struct check_run *r, void *state)
{
	struct upnp_probe *p = state;
	struct upnp_result *o = &r->res->gateway.upnp;

	if (p->fd >= 0) {
		/* The deadline came during the search. */
		upnp_search_close(p);
		*o = p->ssdp;
		o->tried = true;
		snprintf(o->error, sizeof(o->error), "no UPnP IGD answered SSDP within %u ms",
			 r->cfg->deadline_ms);
	}
	if (p->job) {
		o->tried = true;
		snprintf(o->error, sizeof(o->error), "no complete UPnP answer within %u ms",
			 r->cfg->deadline_ms);
		worker_abandon(p->worker); /* the thread frees the job */
	}
	free(p);
}

static int upnp_search_socket(const struct local_route *route)
{
	struct ip_mreqn mif = { 0 };
	int fd = udp_open(AF_INET, NULL, NULL);

	if (fd < 0)
		return fd;
	/* UDA 1.1 §1.3.2: TTL 2 by default; out of the interface that holds
	 * the default route, where the gateway is. */
	(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &(int){ 2 }, sizeof(int));
	mif.imr_ifindex = (int)if_nametoindex(route->ifname);
	if (mif.imr_ifindex)
		(void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mif, sizeof(mif));
	return fd;
}

int upnp_start(struct check_run *r)
{
	struct upnp_probe *p = calloc(1, sizeof(*p));
	struct upnp_result *o = &r->res->gateway.upnp;
	int err;

	if (!p)
		return -ENOMEM;
	p->run = r;
	p->gateway = r->res->local.route4.gateway;
	loop_timer_init(&p->timer);
	p->fd = upnp_search_socket(&r->res->local.route4);
	/* A UDP socket connected to the gateway's SSDP port, -1 if none. */
	p->ufd = -1;
	if (p->gateway.family == AF_INET) {
		struct netaddr to = p->gateway;

		to.port = SSDP_PORT;
		p->ufd = udp_open(AF_INET, &to, NULL);
		if (p->ufd < 0)
			p->ufd = -1;
	}
	p->id = check_probe_register(r, "upnp", upnp_finish, p);
	if (p->id < 0) {
		err = p->id;
		if (p->fd >= 0)
			close(p->fd);
		if (p->ufd >= 0)
			close(p->ufd);
		free(p);
		return err;
	}
	o->tried = true;
	if (p->fd < 0) {
		err = p->fd;
		if (p->ufd >= 0)
			close(p->ufd);
		p->ufd = -1;
		snprintf(o->error, sizeof(o->error), "cannot search for UPnP devices: %s",
			 strerror(-err));
		check_probe_done(r, p->id);
		return err;
	}
	err = loop_add_fd(r->loop, p->fd, LOOP_READABLE, on_ssdp_readable, p);
	if (err == 0 && p->ufd >= 0 &&
	    loop_add_fd(r->loop, p->ufd, LOOP_READABLE, on_ssdp_readable, p) < 0) {
		close(p->ufd);
		p->ufd = -1;
	}
	if (err < 0) {
		if (p->ufd >= 0)
			close(p->ufd);
		p->ufd = -1;
		close(p->fd);
		p->fd = -1;
		text_copy(o->error, sizeof(o->error), "internal: cannot watch the SSDP socket");
		check_probe_done(r, p->id);
		return err;
	}
	p->started_ms = loop_now_ms(r->loop);
	upnp_search_send_all(p);
	retx_init(&p->rx, &ssdp_retx);
	retx_sent(&p->rx, p->started_ms, 0);
	loop_timer_start(r->loop, &p->timer, retx_wait(&p->rx, p->started_ms), on_ssdp_timer, p);
	return 0;
}
