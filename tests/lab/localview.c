/* SPDX-License-Identifier: MIT */
/*
 * lab_localview PORT/PROTO...: gather the local view (check/local.c) for the
 * given node ports (e.g. 30333/tcp 30333/udp) and print it as JSON, so lab
 * tests can assert on it with jq without running the whole check.
 *
 * Exit 0 when the view was gathered (even incomplete: see "error" and
 * "status"), 2 on bad arguments.
 */
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/local.h"

static int parse_port(const char *s, struct node_port *p)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v < 1 || v > 65535)
		return -EINVAL;
	p->port = (uint16_t)v;
	if (strcmp(end, "/tcp") == 0)
		p->proto = IPPROTO_TCP;
	else if (strcmp(end, "/udp") == 0)
		p->proto = IPPROTO_UDP;
	else
		return -EINVAL;
	return 0;
}

static json_object *ip_json(const struct netaddr *a)
{
	char buf[NETADDR_FMT_MAX];

	return a->family ? json_object_new_string(netaddr_fmt_ip(a, buf)) : json_object_new_null();
}

static const char *tri_name(enum tristate t)
{
	return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown";
}

static json_object *route_json(const struct local_route *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "present", json_object_new_boolean(r->present));
	json_object_object_add(o, "gateway", ip_json(&r->gateway));
	json_object_object_add(o, "source", ip_json(&r->source));
	json_object_object_add(o, "ifname", json_object_new_string(r->ifname));
	json_object_object_add(o, "egress_ifname", json_object_new_string(r->egress_ifname));
	return o;
}

static json_object *view_json(const struct local_view *v, int status)
{
	json_object *o = json_object_new_object(), *addrs = json_object_new_array(),
		    *listeners = json_object_new_array();

	for (size_t i = 0; i < v->n_addrs; i++) {
		json_object *a = json_object_new_object();

		json_object_object_add(a, "ifname", json_object_new_string(v->addrs[i].ifname));
		json_object_object_add(a, "addr", ip_json(&v->addrs[i].addr));
		json_object_object_add(a, "prefixlen", json_object_new_int(v->addrs[i].prefixlen));
		json_object_object_add(a, "class",
				       json_object_new_string(netaddr_class_name(v->addrs[i].cls)));
		json_object_array_add(addrs, a);
	}
	for (size_t i = 0; i < v->n_listeners; i++) {
		const struct local_listener *l = &v->listeners[i];
		json_object *j = json_object_new_object(), *la = json_object_new_array();

		json_object_object_add(j, "port", json_object_new_int(l->port.port));
		json_object_object_add(
		    j, "proto",
		    json_object_new_string(l->port.proto == IPPROTO_UDP ? "udp" : "tcp"));
		json_object_object_add(j, "listening",
				       json_object_new_string(tri_name(l->listening)));
		for (size_t k = 0; k < l->n_addrs; k++)
			json_object_array_add(la, ip_json(&l->addrs[k]));
		json_object_object_add(j, "addrs", la);
		json_object_object_add(j, "loopback_only",
				       json_object_new_boolean(l->loopback_only));
		json_object_array_add(listeners, j);
	}
	json_object_object_add(o, "addrs", addrs);
	json_object_object_add(o, "route4", route_json(&v->route4));
	json_object_object_add(o, "route6", route_json(&v->route6));
	json_object_object_add(o, "listeners", listeners);
	json_object_object_add(o, "error", json_object_new_string(v->error));
	json_object_object_add(o, "status", json_object_new_int(status));
	return o;
}

int main(int argc, char *argv[])
{
	struct check_config cfg = { 0 };
	struct local_view *v;
	json_object *o;
	int status;

	for (int i = 1; i < argc; i++) {
		if (cfg.n_ports == CHECK_MAX_PORTS ||
		    parse_port(argv[i], &cfg.ports[cfg.n_ports]) < 0) {
			fprintf(stderr, "usage: %s [PORT/tcp|PORT/udp]... (at most %d)\n", argv[0],
				CHECK_MAX_PORTS);
			return 2;
		}
		cfg.n_ports++;
	}
	v = malloc(sizeof(*v));
	if (!v)
		return 1;
	status = local_view_gather(&cfg, v);
	o = view_json(v, status);
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	free(v);
	return 0;
}
