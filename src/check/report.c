/* SPDX-License-Identifier: MIT */
#include "check/report.h"

#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <string.h>

#include "check/nodereport.h"
#include "check/reach.h"
#include "proto/dialback.h"

/* --- JSON ------------------------------------------------------------------ */

/* json-c takes ownership of values added to objects and arrays; a NULL value
 * is written as JSON null. */
static struct json_object *j_ip(const struct netaddr *a)
{
	char s[NETADDR_FMT_MAX];

	return a->family ? json_object_new_string(netaddr_fmt_ip(a, s)) : NULL;
}

static struct json_object *j_addr(const struct netaddr *a)
{
	char s[NETADDR_FMT_MAX];

	return a->family ? json_object_new_string(netaddr_fmt(a, s)) : NULL;
}

static struct json_object *j_tri(enum tristate t)
{
	return t == TRI_UNKNOWN ? NULL : json_object_new_boolean(t == TRI_YES);
}

static struct json_object *j_str(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static void put(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static const char *proto_lower(uint8_t p)
{
	return p == IPPROTO_UDP ? "udp" : "tcp";
}

static struct json_object *j_local(const struct local_view *l)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	for (size_t i = 0; i < l->n_addrs; i++) {
		struct json_object *e = json_object_new_object();

		put(e, "ifname", json_object_new_string(l->addrs[i].ifname));
		put(e, "address", j_ip(&l->addrs[i].addr));
		put(e, "prefixlen", json_object_new_int(l->addrs[i].prefixlen));
		put(e, "class", json_object_new_string(netaddr_class_name(l->addrs[i].cls)));
		json_object_array_add(a, e);
	}
	put(o, "addresses", a);
	for (int fam = 0; fam < 2; fam++) {
		const struct local_route *r = fam ? &l->route6 : &l->route4;
		struct json_object *e = NULL;

		if (r->present) {
			e = json_object_new_object();
			put(e, "gateway", j_ip(&r->gateway));
			put(e, "source", j_ip(&r->source));
			put(e, "ifname", j_str(r->ifname));
		}
		put(o, fam ? "ipv6_route" : "ipv4_route", e);
	}
	a = json_object_new_array();
	for (size_t i = 0; i < l->n_listeners; i++) {
		const struct local_listener *li = &l->listeners[i];
		struct json_object *e = json_object_new_object(), *b = json_object_new_array();

		put(e, "port", json_object_new_int(li->port.port));
		put(e, "proto", json_object_new_string(proto_lower(li->port.proto)));
		put(e, "listening", j_tri(li->listening));
		for (size_t k = 0; k < li->n_addrs; k++)
			json_object_array_add(b, j_ip(&li->addrs[k]));
		put(e, "addresses", b);
		put(e, "loopback_only", json_object_new_boolean(li->loopback_only));
		json_object_array_add(a, e);
	}
	put(o, "listeners", a);
	put(o, "error", j_str(l->error));
	return o;
}

/* {"nonce": 3, "length": 1}: the reasons with a count, by reject_key. */
static struct json_object *j_rejected(const unsigned counts[static GW_REJECT_MAX])
{
	struct json_object *o = json_object_new_object();

	for (unsigned i = 0; i < GW_REJECT_MAX; i++)
		if (counts[i])
			put(o, reject_key(i), json_object_new_int64(counts[i]));
	return o;
}

static struct json_object *j_gwproto(const struct gw_proto_result *p)
{
	struct json_object *o = json_object_new_object();

	put(o, "available", json_object_new_boolean(p->available));
	put(o, "external_ipv4", p->external.family == AF_INET ? j_ip(&p->external) : NULL);
	put(o, "result", j_str(p->result_name));
	put(o, "epoch", p->available ? json_object_new_int64(p->epoch) : NULL);
	put(o, "rtt_ms", p->available ? json_object_new_int64(p->rtt_ms) : NULL);
	put(o, "bad_packets", json_object_new_int64(p->bad_packets));
	put(o, "rejected", j_rejected(p->rejected));
	put(o, "error", j_str(p->error));
	return o;
}

static struct json_object *j_upnp(const struct upnp_result *u)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	put(o, "available", json_object_new_boolean(u->available));
	put(o, "external_ipv4", u->external.family == AF_INET ? j_ip(&u->external) : NULL);
	put(o, "igd_version", u->igd_version ? json_object_new_int(u->igd_version) : NULL);
	put(o, "location", j_str(u->location));
	put(o, "connection_status", j_str(u->connection_status));
	put(o, "connection_type", j_str(u->connection_type));
	for (size_t i = 0; i < u->n_mappings; i++) {
		const struct upnp_port_mapping *m = &u->mappings[i];
		struct json_object *e = json_object_new_object();

		put(e, "port", json_object_new_int(m->port.port));
		put(e, "proto", json_object_new_string(proto_lower(m->port.proto)));
		put(e, "exists", json_object_new_boolean(m->exists));
		put(e, "internal", m->exists ? j_addr(&m->internal) : NULL);
		put(e, "description", m->exists ? j_str(m->description) : NULL);
		put(e, "lease_s", m->exists ? json_object_new_int64(m->lease_s) : NULL);
		json_object_array_add(a, e);
	}
	put(o, "mappings", a);
	put(o, "bad_answers", json_object_new_int64(u->bad_answers));
	put(o, "error", j_str(u->error));
	return o;
}

static struct json_object *j_stun(const struct public_family *p)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	put(o, "local", j_addr(&p->local));
	put(o, "mapped", j_addr(&p->mapped));
	for (size_t i = 0; i < p->n_servers; i++) {
		const struct stun_server_result *s = &p->servers[i];
		struct json_object *e = json_object_new_object();

		put(e, "name", json_object_new_string(s->name));
		put(e, "address", j_addr(&s->server));
		put(e, "answered", json_object_new_boolean(s->answered));
		put(e, "mapped", j_addr(&s->mapped));
		put(e, "other_address", j_addr(&s->other_address));
		put(e, "response_origin", j_addr(&s->response_origin));
		put(e, "rfc5780_problem", j_str(s->rfc5780_problem));
		put(e, "rtt_ms", s->answered ? json_object_new_int64(s->rtt_ms) : NULL);
		put(e, "software", j_str(s->software));
		put(e, "bad_packets", json_object_new_int64(s->bad_packets));
		put(e, "error", j_str(s->error));
		json_object_array_add(a, e);
	}
	put(o, "servers", a);
	return o;
}

static struct json_object *j_path(const struct path_view *p)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	put(o, "target", j_ip(&p->target));
	for (size_t i = 0; i < p->n_hops; i++) {
		const struct path_hop *h = &p->hops[i];
		struct json_object *e = json_object_new_object();

		put(e, "ttl", json_object_new_int(h->ttl));
		put(e, "address", h->answered ? j_ip(&h->addr) : NULL);
		put(e, "class",
		    h->answered ? json_object_new_string(netaddr_class_name(h->cls)) : NULL);
		put(e, "rtt_ms", h->answered ? json_object_new_int64(h->rtt_ms) : NULL);
		json_object_array_add(a, e);
	}
	put(o, "hops", a);
	put(o, "reached_ttl", p->reached_ttl ? json_object_new_int(p->reached_ttl) : NULL);
	put(o, "error", j_str(p->error));
	return o;
}

/* reachability[] per node port, and the servers asked (check --server). */
static struct json_object *j_reachability(const struct verdict *v)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < v->reach.n_ports; i++) {
		const struct reach_decision *d = &v->reach.ports[i];
		struct json_object *e = json_object_new_object(), *also = json_object_new_array();

		put(e, "port", json_object_new_int(d->port.port));
		put(e, "proto", json_object_new_string(proto_lower(d->port.proto)));
		put(e, "listening", j_tri(d->listening));
		put(e, "reachable", j_tri(d->reachable));
		put(e, "answered_by",
		    d->answered_by ? j_str(dialback_result_name(d->answered_by)) : NULL);
		put(e, "blocked_by", j_str(reach_blocker_name(d->blocked_by)));
		for (int b = BLOCKER_CGNAT; b < BLOCKER_N; b++)
			if (d->also_blocked_by & (1u << b))
				json_object_array_add(
				    also, json_object_new_string(reach_blocker_name(b)));
		put(e, "also_blocked_by", also);
		json_object_array_add(a, e);
	}
	return a;
}

static struct json_object *j_servers(const struct reach_view *rv)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < rv->n_servers; i++) {
		const struct server_result *s = &rv->servers[i];
		struct json_object *e = json_object_new_object();

		put(e, "name", json_object_new_string(s->name));
		put(e, "address", j_addr(&s->server));
		put(e, "answered", json_object_new_boolean(s->answered));
		put(e, "dialback", json_object_new_boolean(s->dialback));
		put(e, "observed", j_addr(&s->observed));
		put(e, "rtt_ms", s->answered ? json_object_new_int64(s->rtt_ms) : NULL);
		put(e, "bad_packets", json_object_new_int64(s->bad_packets));
		put(e, "error", j_str(s->error));
		put(e, "skipped", json_object_new_boolean(s->skipped));
		json_object_array_add(a, e);
	}
	return a;
}

int report_json(FILE *f, const struct check_config *cfg, const struct check_result *res,
		const struct verdict *v, int exit_status)
{
	struct json_object *root = json_object_new_object(), *o, *a;
	const char *text;
	int err = 0;

	if (!root)
		return -ENOMEM;
	put(root, "version", json_object_new_int(1));
	put(root, "elapsed_ms", json_object_new_int64(res->elapsed_ms));
	a = json_object_new_array();
	for (size_t i = 0; i < cfg->n_ports; i++) {
		o = json_object_new_object();
		put(o, "port", json_object_new_int(cfg->ports[i].port));
		put(o, "proto", json_object_new_string(proto_lower(cfg->ports[i].proto)));
		json_object_array_add(a, o);
	}
	put(root, "ports", a);

	o = json_object_new_object();
	put(o, "ipv4", j_ip(&v->public4));
	put(o, "ipv6", j_ip(&v->public6));
	put(root, "public", o);

	o = json_object_new_object();
	put(o, "layers", v->layers >= 0 ? json_object_new_int(v->layers) : NULL);
	put(o, "layers_certain",
	    v->layers >= 0 ? json_object_new_boolean(v->layers_certain) : NULL);
	put(o, "more_layers_likely",
	    v->layers >= 0 ? json_object_new_boolean(v->more_likely) : NULL);
	put(o, "cgnat", json_object_new_boolean(v->cgnat));
	put(o, "mapping_varies_by_destination", j_tri(v->mapping_varies));
	put(o, "port_preserved", j_tri(res->pub.v4.port_preserved));
	put(o, "filtering", j_str(verdict_filtering_name(v->filtering)));
	put(o, "ipv6_filtering", j_str(verdict_filtering_name(v->filtering6)));
	put(o, "nat66", j_tri(v->nat66));
	put(o, "mapping", j_str(reach_mapping_name(res->pub.v4.mapping)));
	put(o, "tcp_mapping", j_str(reach_mapping_name(res->reach.tcp_mapping)));
	put(o, "hairpinning", j_tri(res->reach.hairpinning));
	put(root, "nat", o);
	put(root, "reachability", j_reachability(v));
	o = json_object_new_object();
	put(o, "measured", json_object_new_boolean(v->reach.measured));
	put(o, "servers", j_servers(&res->reach));
	text = NULL;
	for (size_t i = 0; i < res->reach.n_servers; i++)
		if (res->reach.servers[i].dialled)
			text = res->reach.servers[i].name;
	put(o, "dialled_by", j_str(text));
	put(o, "probe_port",
	    res->reach.probe_port ? json_object_new_int(res->reach.probe_port) : NULL);
	put(o, "probe_reached",
	    res->reach.probe_port ? json_object_new_boolean(res->reach.probe_arrived) : NULL);
	put(root, "dialback", o);

	o = json_object_new_object();
	put(o, "address", j_ip(&res->gateway.address));
	put(o, "pcp", j_gwproto(&res->gateway.pcp));
	put(o, "natpmp", j_gwproto(&res->gateway.natpmp));
	put(o, "upnp", j_upnp(&res->gateway.upnp));
	put(root, "gateway", o);

	put(root, "local", j_local(&res->local));
	o = json_object_new_object();
	put(o, "ipv4", j_stun(&res->pub.v4));
	put(o, "ipv6", j_stun(&res->pub.v6));
	put(root, "stun", o);
	put(root, "path", j_path(&res->path));
	put(root, "node", nodereport_json(&res->node));

	a = json_object_new_array();
	for (size_t i = 0; i < v->n_findings; i++) {
		const struct finding *fi = &v->findings[i];

		o = json_object_new_object();
		put(o, "id", json_object_new_string(fi->id));
		put(o, "severity", json_object_new_string(verdict_severity_name(fi->severity)));
		put(o, "summary", json_object_new_string(fi->summary));
		put(o, "evidence", json_object_new_string(fi->evidence));
		put(o, "remedy", json_object_new_string(fi->remedy));
		json_object_array_add(a, o);
	}
	put(root, "findings", a);
	put(root, "exit_status", json_object_new_int(exit_status));

	text =
	    json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text)
		err = -ENOMEM;
	else if (fprintf(f, "%s\n", text) < 0 || fflush(f) != 0)
		err = -EIO;
	json_object_put(root);
	return err;
}

/* --- text ------------------------------------------------------------------ */

struct style {
	const char *bold, *dim, *red, *yellow, *green, *cyan, *off;
};

static const struct style colors = { "\033[1m",	 "\033[2m",  "\033[31m", "\033[33m",
				     "\033[32m", "\033[36m", "\033[0m" };
static const struct style plain = { "", "", "", "", "", "", "" };

/* Print text wrapped at 78 columns, every line after the first indented
 * by indent spaces; the first line goes on from column col. */
static void wrap(FILE *f, const char *text, int indent, int col)
{
	const int width = 78;
	bool first = true;

	while (*text) {
		const char *w = text;
		int n;

		while (*w == ' ')
			w++;
		n = (int)strcspn(w, " ");
		if (n == 0)
			break;
		if (!first && col + 1 + n > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", n, w);
		col += n;
		first = false;
		text = w + n;
	}
	fputc('\n', f);
}

static void print_local(FILE *f, const struct check_config *cfg, const struct local_view *l,
			const struct style *s)
{
	char a[NETADDR_FMT_MAX], b[NETADDR_FMT_MAX];

	fprintf(f, "%sThis host%s\n", s->bold, s->off);
	for (size_t i = 0; i < l->n_addrs; i++) {
		if (l->addrs[i].cls == NETADDR_LOOPBACK || l->addrs[i].cls == NETADDR_LINKLOCAL)
			continue;
		fprintf(f, "  %-12s %s/%u on %s (%s)\n", "address",
			netaddr_fmt_ip(&l->addrs[i].addr, a), l->addrs[i].prefixlen,
			l->addrs[i].ifname, netaddr_class_name(l->addrs[i].cls));
	}
	for (int fam = 0; fam < 2; fam++) {
		const struct local_route *r = fam ? &l->route6 : &l->route4;

		if (!r->present)
			fprintf(f, "  %-12s %snone%s\n", fam ? "IPv6 route" : "IPv4 route", s->dim,
				s->off);
		else
			fprintf(f, "  %-12s via %s on %s, source %s\n",
				fam ? "IPv6 route" : "IPv4 route",
				r->gateway.family ? netaddr_fmt_ip(&r->gateway, a) : "(on-link)",
				r->ifname, netaddr_fmt_ip(&r->source, b));
	}
	for (size_t i = 0; i < l->n_listeners; i++) {
		const struct local_listener *li = &l->listeners[i];

		fprintf(f, "  %-12s %s %u: ", "node port",
			li->port.proto == IPPROTO_UDP ? "UDP" : "TCP", li->port.port);
		if (li->listening == TRI_UNKNOWN) {
			fprintf(f, "%sunknown%s\n", s->dim, s->off);
		} else if (li->listening == TRI_NO) {
			fprintf(f, "%snothing listens%s\n", s->yellow, s->off);
		} else {
			fprintf(f, "%slistening%s on", li->loopback_only ? s->red : s->green,
				s->off);
			for (size_t k = 0; k < li->n_addrs; k++)
				fprintf(f, "%s %s", k ? "," : "", netaddr_fmt_ip(&li->addrs[k], a));
			fprintf(f, "%s\n", li->loopback_only ? " (loopback only)" : "");
		}
	}
	(void)cfg;
	if (l->error[0])
		fprintf(f, "  %-12s %s\n", "note", l->error);
}

static void print_gwproto(FILE *f, const char *name, const struct gw_proto_result *p,
			  const struct style *s)
{
	char a[NETADDR_FMT_MAX];

	fprintf(f, "  %-12s ", name);
	if (p->available) {
		fprintf(f, "%sanswers%s", s->green, s->off);
		if (p->external.family)
			fprintf(f, ", external address %s", netaddr_fmt_ip(&p->external, a));
		if (p->result_name[0] && strcmp(p->result_name, "SUCCESS"))
			fprintf(f, ", result %s", p->result_name);
		fprintf(f, " (epoch %u s, %u ms)\n", p->epoch, p->rtt_ms);
	} else if (!p->tried) {
		fprintf(f, "%snot asked%s\n", s->dim, s->off);
	} else {
		fprintf(f, "%s%s%s\n", s->dim, p->error[0] ? p->error : "no answer", s->off);
	}
}

static void print_gateway(FILE *f, const struct gateway_view *g, const struct style *s)
{
	char a[NETADDR_FMT_MAX];

	fprintf(f, "\n%sRouter%s %s\n", s->bold, s->off,
		g->address.family ? netaddr_fmt_ip(&g->address, a) : "(no IPv4 gateway)");
	print_gwproto(f, "PCP", &g->pcp, s);
	print_gwproto(f, "NAT-PMP", &g->natpmp, s);
	fprintf(f, "  %-12s ", "UPnP IGD");
	if (g->upnp.available) {
		fprintf(f, "%sanswers%s: IGDv%d, %s, %s", s->green, s->off, g->upnp.igd_version,
			g->upnp.connection_status[0] ? g->upnp.connection_status : "status unknown",
			g->upnp.connection_type);
		if (g->upnp.external.family)
			fprintf(f, ", external address %s", netaddr_fmt_ip(&g->upnp.external, a));
		fputc('\n', f);
		for (size_t i = 0; i < g->upnp.n_mappings; i++) {
			const struct upnp_port_mapping *m = &g->upnp.mappings[i];

			if (m->exists)
				fprintf(f, "  %-12s %s %u -> %s \"%s\"\n", "mapping",
					m->port.proto == IPPROTO_UDP ? "UDP" : "TCP", m->port.port,
					netaddr_fmt(&m->internal, a), m->description);
		}
	} else if (!g->upnp.tried) {
		fprintf(f, "%snot asked%s\n", s->dim, s->off);
	} else {
		fprintf(f, "%s%s%s\n", s->dim, g->upnp.error[0] ? g->upnp.error : "no answer",
			s->off);
	}
}

static void print_public(FILE *f, const char *fam, const struct public_family *p,
			 const struct style *s)
{
	char a[NETADDR_FMT_MAX], b[NETADDR_FMT_MAX];

	if (p->n_servers == 0)
		return;
	fprintf(f, "  %-12s ", fam);
	if (p->mapped.family)
		fprintf(f, "%s%s%s from local %s (%zu of %zu servers answered)\n", s->bold,
			netaddr_fmt(&p->mapped, a), s->off, netaddr_fmt(&p->local, b),
			p->n_answered, p->n_servers);
	else
		fprintf(f, "%sno STUN server answered%s\n", s->yellow, s->off);
	for (size_t i = 0; i < p->n_servers; i++) {
		const struct stun_server_result *sv = &p->servers[i];

		fprintf(f, "    %-28s ", sv->name);
		if (sv->answered)
			fprintf(f, "sees %s (%u ms)%s%s\n", netaddr_fmt(&sv->mapped, a), sv->rtt_ms,
				sv->other_address.family ? ", RFC 5780 alternate " : "",
				sv->other_address.family ? netaddr_fmt(&sv->other_address, b) : "");
		else
			fprintf(f, "%s%s%s\n", s->dim, sv->error[0] ? sv->error : "no answer",
				s->off);
	}
	if (p->mapped.family) {
		fprintf(f, "    %-28s %s\n", "port preserved",
			p->port_preserved == TRI_UNKNOWN ? "unknown"
			: p->port_preserved == TRI_YES	 ? "yes"
							 : "no");
		fprintf(f, "    %-28s %s\n", "mapping varies by server",
			p->mapping_varies == TRI_UNKNOWN ? "unknown (needs two servers)"
			: p->mapping_varies == TRI_YES	 ? "yes (symmetric)"
							 : "no");
		fprintf(f, "    %-28s %s\n", "filtering",
			verdict_filtering_name(p->filtering)
			    ? verdict_filtering_name(p->filtering)
			    : "unknown (needs an RFC 5780 server)");
	}
}

static void print_reach(FILE *f, const struct check_result *res, const struct verdict *v,
			const struct style *s)
{
	const struct reach_view *rv = &res->reach;
	char a[NETADDR_FMT_MAX];

	if (!rv->tried)
		return;
	fprintf(f, "\n%sFrom outside%s (natdoctor serve)\n", s->bold, s->off);
	for (size_t i = 0; i < rv->n_servers; i++) {
		const struct server_result *sv = &rv->servers[i];

		fprintf(f, "  %-28s ", sv->name);
		if (sv->skipped)
			fprintf(f, "%sskipped%s: %s; the next --server was asked\n", s->yellow,
				s->off, sv->error[0] ? sv->error : "no dial-back result");
		else if (sv->answered && !sv->error[0])
			fprintf(f, "sees %s (%u ms)%s\n", netaddr_fmt(&sv->observed, a), sv->rtt_ms,
				sv->dialled ? ", dialled back" : "");
		else
			fprintf(f, "%s%s%s\n", s->yellow, sv->error[0] ? sv->error : "not asked",
				s->off);
	}
	for (size_t i = 0; i < v->reach.n_ports; i++) {
		const struct reach_decision *d = &v->reach.ports[i];

		fprintf(f, "  %-28s ", "");
		fprintf(f, "%s %u: ", d->port.proto == IPPROTO_UDP ? "UDP" : "TCP", d->port.port);
		if (d->reachable == TRI_YES)
			fprintf(f, "%sreachable%s%s%s\n", s->green, s->off,
				d->answered_by ? ", answered by " : "",
				d->answered_by ? dialback_result_name(d->answered_by) : "");
		else if (d->reachable == TRI_NO)
			fprintf(f, "%snot reachable%s: %s\n", s->red, s->off,
				reach_blocker_name(d->blocked_by));
		else
			fprintf(f, "%sunknown%s\n", s->dim, s->off);
	}
	fprintf(f, "  %-28s UDP %s, TCP %s, hairpinning %s\n", "NAT mapping",
		reach_mapping_name(res->pub.v4.mapping) ? reach_mapping_name(res->pub.v4.mapping)
							: "unknown",
		reach_mapping_name(rv->tcp_mapping) ? reach_mapping_name(rv->tcp_mapping)
						    : "unknown",
		rv->hairpinning == TRI_UNKNOWN ? "unknown"
		: rv->hairpinning == TRI_YES   ? "yes"
					       : "no");
}

static void print_path(FILE *f, const struct path_view *p, const struct style *s)
{
	char a[NETADDR_FMT_MAX];

	if (!p->tried)
		return;
	fprintf(f, "\n%sPath%s toward %s\n", s->bold, s->off, netaddr_fmt_ip(&p->target, a));
	for (size_t i = 0; i < p->n_hops; i++) {
		const struct path_hop *h = &p->hops[i];

		if (!h->answered) {
			fprintf(f, "  %2u  %s*%s\n", h->ttl, s->dim, s->off);
			continue;
		}
		fprintf(f, "  %2u  %-40s %-11s %u ms\n", h->ttl, netaddr_fmt_ip(&h->addr, a),
			netaddr_class_name(h->cls), h->rtt_ms);
		if (p->reached_ttl && h->ttl >= p->reached_ttl)
			break;
	}
	if (p->error[0])
		fprintf(f, "  %s%s%s\n", s->dim, p->error, s->off);
}

int report_text(FILE *f, const struct check_config *cfg, const struct check_result *res,
		const struct verdict *v, bool color)
{
	const struct style *s = color ? &colors : &plain;
	char a[NETADDR_FMT_MAX];

	print_local(f, cfg, &res->local, s);
	if (!v->no_network) {
		print_gateway(f, &res->gateway, s);
		fprintf(f, "\n%sPublic view%s (STUN)\n", s->bold, s->off);
		print_public(f, "IPv4", &res->pub.v4, s);
		print_public(f, "IPv6", &res->pub.v6, s);
		print_path(f, &res->path, s);
		print_reach(f, res, v, s);
	}
	nodereport_text(f, &res->node, s->bold, s->off);

	fprintf(f, "\n%sVerdict%s: ", s->bold, s->off);
	if (v->no_network)
		fprintf(f, "could not test");
	else if (!v->tested4)
		fprintf(f, "IPv4 not tested");
	else if (v->layers < 0)
		fprintf(f, "IPv4 NAT layers unknown");
	else if (v->layers == 0)
		fprintf(f, "no NAT%s", v->layers_certain ? "" : " (not confirmed)");
	else
		fprintf(f, "%s%d layer%s of NAT%s", v->layers_certain ? "" : "at least ", v->layers,
			v->layers == 1 ? "" : "s", v->more_likely ? " (one more likely)" : "");
	if (v->cgnat)
		fprintf(f, ", provider CGNAT");
	if (v->public4.family)
		fprintf(f, ", public IPv4 %s", netaddr_fmt_ip(&v->public4, a));
	if (v->public6.family)
		fprintf(f, ", public IPv6 %s", netaddr_fmt_ip(&v->public6, a));
	fprintf(f, " (%u ms)\n", res->elapsed_ms);

	for (size_t i = 0; i < v->n_findings; i++) {
		const struct finding *fi = &v->findings[i];
		const char *c = fi->severity == SEV_PROBLEM   ? s->red
				: fi->severity == SEV_WARNING ? s->yellow
							      : s->cyan;

		fprintf(f, "\n  %s%-8s%s ", c,
			fi->severity == SEV_PROBLEM   ? "PROBLEM"
			: fi->severity == SEV_WARNING ? "WARNING"
						      : "INFO",
			s->off);
		fprintf(f, "%s", s->bold);
		wrap(f, fi->summary, 11, 11);
		fprintf(f, "%s", s->off);
		fprintf(f, "           %sevidence:%s ", s->dim, s->off);
		wrap(f, fi->evidence, 11, 21);
		fprintf(f, "           %sdo this:%s ", s->green, s->off);
		wrap(f, fi->remedy, 11, 20);
	}
	if (v->n_findings == 0)
		fprintf(f, "\n  Nothing stands in the way that natdoctor can see.\n");
	return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}
