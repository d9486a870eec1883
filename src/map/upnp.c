/* SPDX-License-Identifier: MIT */
#include "map/upnp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gw/igd.h"
#include "util/text.h"

static void port_error(struct map_upnp_port *p, const char *what, int code)
{
	gw_upnp_error(p->error, sizeof(p->error), what, code);
}

/* Map one port, each step by igd_after_add. */
static void map_one(struct map_upnp_job *j, const struct gw_upnp_ctl *c, struct map_upnp_port *p)
{
	struct igd_add add = { .kind = c->igd_version >= 2 ? IGD_ADD_ANY : IGD_ADD,
			       .lease_s = j->lease_s,
			       .want_external = p->port,
			       .any_external = j->any_external,
			       .no_permanent = j->no_permanent };
	struct gw_upnp_map m = { .protocol = p->protocol,
				 .external_port = p->port,
				 .internal_port = p->port,
				 .client = j->local };
	struct igd_entry e;
	uint16_t granted = 0;

	if (p->held && gw_upnp_entry(&j->io, c, p->protocol, p->external_port, &e) == 0) {
		switch (igd_confirm(&e, &j->local, p->port)) {
		case IGD_HELD:
			if (!p->lease_s) {
				p->state = MAP_UPNP_HELD; /* permanent: nothing to renew */
				return;
			}
			/* Leased: renewed by adding it again, on the external
			 * port held (--any-external-port may have given another):
			 * asked for the original, a gateway that follows
			 * WANIPConnection:2 §2.5.18 gives the lowest free port, and
			 * ours is not free: a new port at every renewal. */
			add.want_external = m.external_port = p->external_port;
			break;
		case IGD_LOST:
			p->restored = true;
			break;
		case IGD_TAKEN:
			/* Another host took the port while ours was gone. */
			p->state = MAP_UPNP_TAKEN;
			p->holder = e.client;
			return;
		}
	}
	for (int step = 0; step < 4; step++) {
		int r;

		m.lease_s = add.lease_s;
		r = gw_upnp_add(&j->io, c, &m, add.kind, &granted);
		switch (igd_after_add(&add, r, granted)) {
		case IGD_NEXT_PERMANENT:
			add.lease_s = 0;
			continue;
		case IGD_NEXT_ADD_V1:
			add.kind = IGD_ADD;
			continue;
		case IGD_NEXT_WHO_HOLDS:
			p->state = MAP_UPNP_TAKEN;
			if (gw_upnp_entry(&j->io, c, p->protocol, p->port, &e) == 0 && e.found)
				p->holder = e.client;
			return;
		case IGD_NEXT_MOVED:
			/* AddAnyPortMapping gave another port: someone holds ours.
			 * Not kept (never moved silently); say who. */
			(void)gw_upnp_delete(&j->io, c, p->protocol, granted);
			p->state = MAP_UPNP_TAKEN;
			snprintf(p->error, sizeof(p->error),
				 "the router offered external port %u instead", granted);
			if (gw_upnp_entry(&j->io, c, p->protocol, p->port, &e) == 0 && e.found)
				p->holder = e.client;
			return;
		case IGD_NEXT_REFUSED:
			p->state = MAP_UPNP_REFUSED;
			if (r == IGD_ERR_PERMANENT_ONLY && add.no_permanent)
				text_copy(p->error, sizeof(p->error),
					  "permanent mappings only (UPnP 725): --once would leave "
					  "it open; run map without --once");
			else
				port_error(p,
					   add.kind == IGD_ADD_ANY ? "AddAnyPortMapping"
								   : "AddPortMapping",
					   r);
			return;
		case IGD_NEXT_CONFIRM:
			break;
		}
		r = gw_upnp_entry(&j->io, c, p->protocol, granted, &e);
		if (r != 0) {
			p->state = MAP_UPNP_REFUSED;
			port_error(p, "GetSpecificPortMappingEntry", r);
			return;
		}
		switch (igd_confirm(&e, &j->local, p->port)) {
		case IGD_HELD:
			p->state = MAP_UPNP_HELD;
			p->external_port = granted;
			p->lease_s = add.lease_s;
			return;
		case IGD_TAKEN:
			p->state = MAP_UPNP_TAKEN;
			p->holder = e.client;
			return;
		case IGD_LOST:
			p->state = MAP_UPNP_REFUSED;
			text_copy(p->error, sizeof(p->error),
				  "the router accepted the mapping but does not list it");
			return;
		}
	}
	p->state = MAP_UPNP_REFUSED;
	text_copy(p->error, sizeof(p->error), "the router refused every way of asking");
}

/* Our own mapping of p on any external port (--once --any-external-port
 * may have put it on another): the first entry of the router's table, of
 * at most IGD_WALK_MAX, that igd_ours. 0: none found. */
static uint16_t find_own(struct map_upnp_job *j, const struct gw_upnp_ctl *c,
			 const struct map_upnp_port *p)
{
	for (unsigned k = 0; k < IGD_WALK_MAX; k++) {
		struct igd_generic g;
		int r = gw_upnp_generic(&j->io, c, k, &g);

		if (r == -EBADMSG)
			continue; /* an entry we cannot read: not ours to touch */
		if (r != 0)
			return 0; /* 713: the end of the table (or an error) */
		if (igd_ours(&g, &j->local, p->protocol, p->port))
			return g.external_port;
	}
	return 0;
}

/* Delete p's mapping: only ever our own (a router without secure mode
 * would delete another host's too). On its external port; with j->search
 * (--delete, which knows only the internal port), anywhere in the table
 * when that port holds no mapping of ours. */
static void delete_one(struct map_upnp_job *j, const struct gw_upnp_ctl *c, struct map_upnp_port *p)
{
	struct igd_entry e;
	uint16_t own;
	int r = gw_upnp_entry(&j->io, c, p->protocol, p->external_port, &e);
	bool theirs = r == 0 && e.found && igd_confirm(&e, &j->local, p->port) == IGD_TAKEN;

	if (j->search && (theirs || (r == 0 && !e.found)) && (own = find_own(j, c, p))) {
		p->external_port = own;
		theirs = false;
		e.found = true;
	}
	if (theirs) {
		p->state = MAP_UPNP_TAKEN;
		p->holder = e.client;
		return;
	}
	r = r == 0 && !e.found ? 0 : gw_upnp_delete(&j->io, c, p->protocol, p->external_port);
	p->state = r == 0 ? MAP_UPNP_HELD : MAP_UPNP_REFUSED;
	if (r)
		port_error(p, "DeletePortMapping", r);
}

void map_upnp_work(void *arg)
{
	struct map_upnp_job *j = arg;
	struct gw_upnp_value extip = { .name = "NewExternalIPAddress" };
	char loc[256];
	struct gw_upnp_ctl c;
	unsigned bad = 0;
	int r;

	r = gw_upnp_search(&j->gateway, j->io.deadline_ms, loc, sizeof(loc), &bad);
	j->io.bad_answers += bad;
	if (r < 0) {
		snprintf(j->error, sizeof(j->error), "%s",
			 r == -ECONNREFUSED ? "the gateway's SSDP port 1900 is closed"
					    : "no UPnP IGD answered on the gateway");
		return;
	}
	if (gw_upnp_describe(&j->io, loc, &c) < 0) {
		text_copy(j->error, sizeof(j->error), j->io.error);
		return;
	}
	if (!j->del && gw_upnp_call(&j->io, &c, "GetExternalIPAddress", "", &extip, 1) == 0 &&
	    netaddr_parse_ip(&j->external, extip.value) < 0)
		memset(&j->external, 0, sizeof(j->external));
	for (unsigned i = 0; i < j->n; i++) {
		struct map_upnp_port *p = &j->p[i];

		if (j->del)
			delete_one(j, &c, p);
		else
			map_one(j, &c, p);
	}
}

bool map_upnp_same_refusal(const struct map_upnp_port *was, const struct map_upnp_port *now)
{
	if (was->state != now->state)
		return false;
	if (now->state == MAP_UPNP_TAKEN)
		return was->holder.family == now->holder.family &&
		       (!now->holder.family || netaddr_eq(&was->holder, &now->holder, true));
	if (now->state == MAP_UPNP_REFUSED)
		return !strcmp(was->error, now->error);
	return false;
}
