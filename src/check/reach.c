/* SPDX-License-Identifier: MIT */
/*
 * How a node port's causes are told apart (docs/REPORT.md has the
 * operator's version). A dial-back that does not connect says only that
 * something drops or refuses; natdoctor's own probe listener says where:
 *   - the probe on a random port arrives: the path into this host works
 *     for ports in general;
 *   - mapped through the router on the node's external port number too
 *     (possible only when nothing forwards that number already): it
 *     arrives as well, so the router's missing forward is the gap; it
 *     never arrives while the random one does, so something upstream
 *     filters that port number;
 *   - a host with the public address itself, whose node listens and whose
 *     probe arrives: its own firewall drops the node port.
 * The provider's CGNAT stands in front of all of that. Where none of these
 * decides, the cause is "unknown": we never guess.
 */
#include "check/reach.h"

#include "proto/dialback.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "check/verdict.h"
#include "util/text.h"

enum nat_mapping reach_classify_mapping(const struct netaddr *local, const struct netaddr *m1,
					const struct netaddr *m2, const struct netaddr *m3)
{
	if (!m1->family)
		return MAPPING_UNKNOWN;
	if (local->family && netaddr_eq(local, m1, false))
		return MAPPING_NONE;
	if (!m2->family)
		return MAPPING_UNKNOWN;
	if (netaddr_eq(m1, m2, false))
		return MAPPING_ENDPOINT_INDEPENDENT;
	if (!m3->family)
		return MAPPING_UNKNOWN;
	return netaddr_eq(m2, m3, false) ? MAPPING_ADDRESS_DEPENDENT
					 : MAPPING_ADDRESS_AND_PORT_DEPENDENT;
}

static enum tristate listening_of(const struct local_view *l, const struct node_port *p)
{
	for (size_t i = 0; i < l->n_listeners; i++) {
		const struct local_listener *li = &l->listeners[i];

		if (li->port.port != p->port || li->port.proto != p->proto)
			continue;
		/* Bound to loopback only: nobody outside can reach it. */
		if (li->listening == TRI_YES && li->loopback_only)
			return TRI_NO;
		return li->listening;
	}
	return TRI_UNKNOWN;
}

static const struct reach_port *reach_port_of(const struct reach_view *rv,
					      const struct node_port *p)
{
	for (size_t i = 0; i < rv->n_ports; i++)
		if (rv->ports[i].port.port == p->port && rv->ports[i].port.proto == p->proto)
			return &rv->ports[i];
	return NULL;
}

/* A UPnP mapping of the port to a host other than ours: the forward
 * exists, but goes elsewhere. */
static bool forward_elsewhere(const struct check_result *res, const struct node_port *p)
{
	const struct upnp_result *u = &res->gateway.upnp;
	struct netaddr host = res->local.route4.source;

	if (!host.family)
		return false;
	for (size_t i = 0; i < u->n_mappings; i++) {
		const struct upnp_port_mapping *m = &u->mappings[i];

		if (m->exists && m->port.port == p->port && m->port.proto == p->proto &&
		    m->internal.family && !netaddr_eq(&m->internal, &host, true))
			return true;
	}
	return false;
}

static bool probe_reached(const struct reach_view *rv)
{
	return rv->probe_port && (rv->probe_arrived || rv->probe_dial == DIALBACK_PROBE);
}

static unsigned causes(const struct check_result *res, const struct reach_facts *facts,
		       const struct reach_decision *d, const struct reach_port *rp)
{
	const struct reach_view *rv = &res->reach;
	unsigned mask = 0;

	if (d->listening == TRI_NO)
		mask |= 1u << BLOCKER_NOT_LISTENING;
	if (rp->wire == WIRE_DROPPED && d->listening == TRI_YES) {
		/* Seen on the wire before this host's firewall, never
		 * answered by the listening node: the firewall dropped it.
		 * Everything in front of this host let it through. */
		mask |= 1u << BLOCKER_HOST_FIREWALL;
	} else if (rp->wire == WIRE_NOTHING && facts->layers == 0) {
		/* A host with the public address itself, and the SYN never
		 * reached its interface: dropped upstream (the provider, a
		 * cloud security group). */
		mask |= 1u << BLOCKER_PROVIDER_FILTER;
	} else if (facts->cgnat) {
		mask |= 1u << BLOCKER_CGNAT;
	} else if (facts->layers == 0) {
		/* The probe got in, the node's listening port did not. */
		if (probe_reached(rv) && d->listening == TRI_YES)
			mask |= 1u << BLOCKER_HOST_FIREWALL;
	} else if (facts->layers >= 1) {
		if (forward_elsewhere(res, &d->port))
			mask |= 1u << BLOCKER_NO_PORT_FORWARD;
		else if (probe_reached(rv) && rp->num_probe_tried)
			mask |= 1u << (rp->num_probe_arrived ? BLOCKER_NO_PORT_FORWARD
							     : BLOCKER_PROVIDER_FILTER);
	}
	if (!mask)
		mask = 1u << BLOCKER_UNKNOWN;
	return mask;
}

enum tristate reach_port_reached(const struct reach_port *rp)
{
	if (rp->port.proto == IPPROTO_TCP) {
		switch (rp->dial) {
		case DIALBACK_LIBP2P:
		case DIALBACK_OTHER:
		case DIALBACK_PROBE: /* our own probe held the port */
			return TRI_YES;
		case DIALBACK_REFUSED:
		case DIALBACK_FILTERED:
			return TRI_NO;
		default:
			return TRI_UNKNOWN; /* no result, denied, rate-limited, busy */
		}
	}
	/* UDP: only our own socket on the port can tell whether the server's
	 * datagram arrived. */
	if (rp->udp_watched && rp->dial == DIALBACK_SENT)
		return rp->udp_arrived ? TRI_YES : TRI_NO;
	return TRI_UNKNOWN;
}

void reach_decide(const struct check_config *cfg, const struct check_result *res,
		  const struct reach_facts *facts, struct reach_verdict *out)
{
	const struct reach_view *rv = &res->reach;

	memset(out, 0, sizeof(*out));
	out->measured = rv->measured;
	for (size_t i = 0; i < cfg->n_ports && i < CHECK_MAX_PORTS; i++) {
		struct reach_decision *d = &out->ports[out->n_ports++];
		const struct reach_port *rp;
		unsigned mask;

		d->port = cfg->ports[i];
		d->listening = listening_of(&res->local, &d->port);
		d->reachable = rv->measured ? rv->reached[i] : TRI_UNKNOWN;
		rp = reach_port_of(rv, &d->port);
		if (!rp || d->reachable == TRI_UNKNOWN)
			continue;
		if (d->reachable == TRI_YES) {
			if (rp->dial == DIALBACK_LIBP2P || rp->dial == DIALBACK_OTHER)
				d->answered_by = rp->dial;
			continue;
		}
		mask = causes(res, facts, d, rp);
		for (int b = BLOCKER_CGNAT; b < BLOCKER_N; b++) {
			if (mask & (1u << b)) {
				d->blocked_by = (enum reach_blocker)b;
				break;
			}
		}
		d->also_blocked_by = mask & ~(1u << d->blocked_by);
	}
}

bool reach_all_reachable(const struct reach_verdict *rv)
{
	if (!rv->n_ports)
		return false;
	for (size_t i = 0; i < rv->n_ports; i++)
		if (rv->ports[i].reachable != TRI_YES)
			return false;
	return true;
}

const char *reach_blocker_name(enum reach_blocker b)
{
	static const char *const names[BLOCKER_N] = {
		[BLOCKER_CGNAT] = "cgnat",
		[BLOCKER_PROVIDER_FILTER] = "provider-filter",
		[BLOCKER_NO_PORT_FORWARD] = "no-port-forward",
		[BLOCKER_HOST_FIREWALL] = "host-firewall",
		[BLOCKER_NOT_LISTENING] = "not-listening",
		[BLOCKER_UNKNOWN] = "unknown",
	};

	return (unsigned)b < BLOCKER_N ? names[b] : NULL;
}

const char *reach_mapping_name(enum nat_mapping m)
{
	switch (m) {
	case MAPPING_NONE:
		return "none";
	case MAPPING_ENDPOINT_INDEPENDENT:
		return "endpoint-independent";
	case MAPPING_ADDRESS_DEPENDENT:
		return "address-dependent";
	case MAPPING_ADDRESS_AND_PORT_DEPENDENT:
		return "address-and-port-dependent";
	case MAPPING_UNKNOWN:
		break;
	}
	return NULL;
}

/* --- findings ----------------------------------------------------------- */

#define SET(field, ...) TEXT_SET(field, __VA_ARGS__)

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_UDP ? "UDP" : "TCP";
}

/* "TCP 30333 and TCP 30334": the ports whose decision matches. */
static size_t ports_where(const struct reach_verdict *rv, char *out, size_t size,
			  bool (*match)(const struct reach_decision *d, const void *arg),
			  const void *arg)
{
	size_t len = 0, n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < rv->n_ports; i++) {
		const struct reach_decision *d = &rv->ports[i];

		if (!match(d, arg))
			continue;
		text_appendf(out, size, &len, "%s%s %u", n ? ", " : "", proto_name(d->port.proto),
			     d->port.port);
		n++;
	}
	return n;
}

static bool is_reached(const struct reach_decision *d, const void *arg)
{
	(void)arg;
	return d->reachable == TRI_YES;
}

static bool is_blocked_by(const struct reach_decision *d, const void *arg)
{
	enum reach_blocker b = *(const enum reach_blocker *)arg;

	return d->reachable == TRI_NO && (d->blocked_by == b || (d->also_blocked_by & (1u << b)));
}

static bool is_other(const struct reach_decision *d, const void *arg)
{
	(void)arg;
	return d->reachable == TRI_YES && d->answered_by == DIALBACK_OTHER &&
	       d->port.proto == IPPROTO_TCP;
}

/* The server whose dial-backs the reachability is; else the one asked
 * last (the others were skipped for it); else the first. */
static const struct server_result *used_server(const struct reach_view *rv)
{
	for (size_t i = 0; i < rv->n_servers; i++)
		if (rv->servers[i].dialled)
			return &rv->servers[i];
	for (size_t i = 0; i < rv->n_servers; i++)
		if (rv->servers[i].server.family && !rv->servers[i].skipped)
			return &rv->servers[i];
	return rv->n_servers ? &rv->servers[0] : NULL;
}

static void finding_no_server(const struct check_config *cfg, struct verdict *v)
{
	struct finding *f = verdict_add(v, "no-dialback-server", SEV_INFO);
	unsigned port = cfg->n_ports ? cfg->ports[0].port : 30333;

	if (!f)
		return;
	SET(f->summary, "Whether strangers can reach the node was not measured: no natdoctor "
			"serve was given (--server)");
	SET(f->evidence, "from inside, natdoctor sees the NAT and the router, but only a "
			 "connection from outside shows a provider filter, a host firewall, "
			 "or whether a port forward works");
	SET(f->remedy,
	    "On any VPS with a public address, run `natdoctor serve --listen VPS_IP` (open UDP "
	    "and TCP 3478 there; it dials back only the address that asks), then run "
	    "`natdoctor check --server VPS_IP` here: it connects back to port %u and the other "
	    "node ports and says who drops what.",
	    port);
}

static void finding_server_failed(const struct reach_view *rv, const struct server_result *s,
				  struct verdict *v)
{
	const struct server_result *first = s;
	struct finding *f;
	size_t len = 0;
	bool later;

	for (size_t i = rv->n_servers; i-- > 0;)
		if (rv->servers[i].skipped)
			first = &rv->servers[i];
	/* A server was skipped and a later one measured without fault: the
	 * node's report is whole, a note rather than a warning that would
	 * fail the check. */
	later = first != s && s->dialled && !s->error[0];
	f = later ? verdict_add(v, "server-skipped", SEV_INFO)
		  : verdict_add(v, "server-failed", SEV_WARNING);
	if (!f)
		return;
	if (later) {
		/* An earlier server failed, a later one measured. */
		text_appendf(f->summary, sizeof(f->summary), &len,
			     "The natdoctor serve at %s gave no dial-back (%s); %s dialled back "
			     "instead",
			     first->name, first->error[0] ? first->error : "no usable answer",
			     s->name);
	} else {
		text_appendf(f->summary, sizeof(f->summary), &len,
			     "The natdoctor serve at %s could not measure reachability: %s",
			     s->name, s->error[0] ? s->error : "no usable answer");
	}
	for (size_t i = 0; i < rv->n_servers; i++)
		if (rv->servers[i].skipped && (&rv->servers[i] != first || !later))
			text_appendf(f->summary, sizeof(f->summary), &len,
				     "; asked before it, %s: %s", rv->servers[i].name,
				     rv->servers[i].error);
	SET(f->evidence, "%s%s%u answers thrown away as malformed, unasked or lying", rv->error,
	    rv->error[0] ? "; " : "", s->bad_packets);
	if (later)
		SET(f->remedy,
		    "Check that natdoctor serve runs on %.64s and that UDP and TCP on its port are "
		    "open there. The reachability in this report is from %.64s's dial-backs.",
		    first->name, s->name);
	else
		SET(f->remedy,
		    "Check that natdoctor serve runs on %.64s and that UDP and TCP on its port are "
		    "open there, or give another --server. Everything else in this report stands; "
		    "only reachability from outside is unknown.",
		    s->name);
}

/* Some port blocked by b has evidence pred(its reach_port, arg). */
static bool any_blocked(const struct check_result *res, const struct verdict *v,
			enum reach_blocker b, bool (*pred)(const struct reach_port *rp, int arg),
			int arg)
{
	for (size_t i = 0; i < v->reach.n_ports; i++) {
		const struct reach_port *rp = reach_port_of(&res->reach, &v->reach.ports[i].port);

		if (rp && is_blocked_by(&v->reach.ports[i], &b) && pred(rp, arg))
			return true;
	}
	return false;
}

static bool wire_is(const struct reach_port *rp, int w)
{
	return rp->wire == (enum reach_wire)w;
}

static bool num_probe_in(const struct reach_port *rp, int arg)
{
	(void)arg;
	return rp->num_probe_arrived;
}

static void finding_cause(const struct check_config *cfg, const struct check_result *res,
			  struct verdict *v, enum reach_blocker b, const char *ports)
{
	char host[NETADDR_FMT_MAX], gw[NETADDR_FMT_MAX], fwd[200] = "";
	struct finding *f;
	size_t len = 0;

	netaddr_fmt_ip(&res->local.route4.source, host);
	if (res->local.route4.gateway.family)
		netaddr_fmt_ip(&res->local.route4.gateway, gw);
	else
		text_copy(gw, sizeof(gw), "your router");
	for (size_t i = 0; i < v->reach.n_ports; i++) {
		const struct reach_decision *d = &v->reach.ports[i];

		if (is_blocked_by(d, &b))
			text_appendf(fwd, sizeof(fwd), &len, "%s%s %u -> %s:%u", len ? ", " : "",
				     proto_name(d->port.proto), d->port.port, host, d->port.port);
	}
	switch (b) {
	case BLOCKER_PROVIDER_FILTER:
		f = verdict_add(v, "blocked-provider-filter", SEV_PROBLEM);
		if (!f)
			return;
		SET(f->summary, "Something upstream of your router drops %s", ports);
		if (v->layers == 0 && any_blocked(res, v, b, wire_is, WIRE_NOTHING))
			SET(f->evidence,
			    "this host holds its public address, and the server's connection never "
			    "reached %s (watched as root, before any firewall of this host)",
			    res->reach.wire_ifname);
		else
			SET(f->evidence,
			    "natdoctor's own probe port, mapped through the router, was reached "
			    "from "
			    "outside on a random port but never on the node's port number");
		SET(f->remedy,
		    "Your provider (or a firewall in front of your router or host: a cloud "
		    "security group) filters that port. Allow inbound %s there, ask the provider "
		    "to stop filtering it, or move the node to another port (Substrate: --port N) "
		    "and open or forward that one.",
		    ports);
		break;
	case BLOCKER_NO_PORT_FORWARD:
		f = verdict_add(v, "blocked-no-port-forward", SEV_PROBLEM);
		if (!f)
			return;
		SET(f->summary, "Your router does not forward %s to this host", ports);
		if (any_blocked(res, v, b, num_probe_in, 0))
			SET(f->evidence,
			    "the dial-back did not get in, but natdoctor's own probe, mapped "
			    "through "
			    "the router (PCP) on the same external port number, did: the number "
			    "gets "
			    "through to the router, and nothing there forwards it to the node");
		else
			SET(f->evidence, "the dial-back did not get in, and the router's UPnP list "
					 "forwards the port to another host");
		SET(f->remedy,
		    "On your router (%s), forward %s (port forwarding / virtual server).", gw, fwd);
		break;
	case BLOCKER_HOST_FIREWALL:
		f = verdict_add(v, "blocked-host-firewall", SEV_PROBLEM);
		if (!f)
			return;
		SET(f->summary, "This host's firewall drops %s", ports);
		if (any_blocked(res, v, b, wire_is, WIRE_DROPPED))
			SET(f->evidence,
			    "confirmed on the wire: the server's connection reached %s (watched on "
			    "a "
			    "packet socket, before the firewall) and nothing answered it, while "
			    "the "
			    "node listens",
			    res->reach.wire_ifname);
		else
			SET(f->evidence,
			    "the node listens and this host holds its public address; natdoctor's "
			    "probe port on the same host was reached from outside, the node's port "
			    "was not. Not confirmed on the wire: run as root to see the connection "
			    "arrive before the firewall");
		SET(f->remedy,
		    "Allow the port in the host firewall: `nft add rule inet filter input tcp "
		    "dport %u accept`, or `ufw allow %u/tcp`, or `iptables -I INPUT -p tcp --dport "
		    "%u -j ACCEPT`; and in any cloud security group. To see which rule drops it, "
		    "as root: `nft list ruleset | grep -n %u`.",
		    cfg->ports[0].port, cfg->ports[0].port, cfg->ports[0].port, cfg->ports[0].port);
		break;
	case BLOCKER_UNKNOWN:
		f = verdict_add(v, "blocked-unknown", SEV_PROBLEM);
		if (!f)
			return;
		SET(f->summary,
		    "Strangers cannot reach %s, and natdoctor cannot tell what drops it", ports);
		SET(f->evidence,
		    "the dial-back from outside did not get in; natdoctor's probe port "
		    "%s, so the path alone does not say where the packet dies",
		    res->reach.probe_port &&
			    (res->reach.probe_arrived || res->reach.probe_dial == DIALBACK_PROBE)
			? "was reached"
			: "was not reached either");
		SET(f->remedy,
		    "Check in this order: a port forward on your router (%s) for %s; this host's "
		    "firewall; a filter at your provider (ask them).",
		    gw, fwd);
		break;
	default:
		return; /* cgnat and not-listening are findings of their own */
	}
}

void reach_findings(const struct check_config *cfg, const struct check_result *res,
		    struct verdict *v)
{
	const struct reach_view *rv = &res->reach;
	const struct server_result *s = used_server(rv);
	bool skipped = false;
	char ports[96];
	struct finding *f;

	if (v->no_network)
		return;
	if (!rv->tried) {
		finding_no_server(cfg, v);
		return;
	}
	for (size_t i = 0; i < rv->n_servers; i++)
		skipped |= rv->servers[i].skipped;
	if (s && (s->error[0] || !rv->measured || skipped))
		finding_server_failed(rv, s, v);
	if (ports_where(&v->reach, ports, sizeof(ports), is_reached, NULL)) {
		f = verdict_add(v, "port-reachable", SEV_INFO);
		if (f) {
			SET(f->summary, "Strangers can reach %s", ports);
			SET(f->evidence, "natdoctor serve at %.64s connected back to %s",
			    s ? s->name : "?", ports);
			SET(f->remedy, "Nothing to do for those ports.");
		}
	}
	if (ports_where(&v->reach, ports, sizeof(ports), is_other, NULL) &&
	    (!strcmp(cfg->node_kind, "substrate") || !strcmp(cfg->node_kind, "ipfs"))) {
		f = verdict_add(v, "port-answered-by-other", SEV_WARNING);
		if (f) {
			SET(f->summary, "What answers on %s from outside is not a libp2p node",
			    ports);
			SET(f->evidence, "the dial-back connected, but the peer did not answer "
					 "multistream-select (/multistream/1.0.0)");
			SET(f->remedy,
			    "Something else holds the port or the forward points elsewhere (the "
			    "router's own admin page, another device). Forward %s to the node's "
			    "host "
			    "and check that the node itself listens there.",
			    ports);
		}
	}
	for (int b = BLOCKER_CGNAT; b < BLOCKER_N; b++)
		if (ports_where(&v->reach, ports, sizeof(ports), is_blocked_by, &b))
			finding_cause(cfg, res, v, (enum reach_blocker)b, ports);
	if (rv->hairpinning == TRI_NO) {
		f = verdict_add(v, "no-hairpinning", SEV_INFO);
		if (f) {
			SET(f->summary, "Your router does not hairpin: devices in your LAN cannot "
					"reach the node by its public address");
			SET(f->evidence, "a Binding request from a probe socket to its own public "
					 "address never came back");
			SET(f->remedy, "Only matters for nodes in the same LAN: let them use the "
				       "node's LAN address.");
		}
	}
}
