/* SPDX-License-Identifier: MIT */
#include "gw/igd.h"

#include <string.h>

enum igd_next igd_after_add(const struct igd_add *add, int code, uint16_t granted_external)
{
	switch (code) {
	case 0:
		if (add->kind == IGD_ADD_ANY && granted_external != add->want_external &&
		    !add->any_external)
			return IGD_NEXT_MOVED;
		return IGD_NEXT_CONFIRM;
	case IGD_ERR_PERMANENT_ONLY:
		/* Asked for a lease: the router allows only permanent ones.
		 * Asked for permanent and still 725: a broken router. A
		 * caller that will not be there to delete it takes none. */
		return add->lease_s && !add->no_permanent ? IGD_NEXT_PERMANENT : IGD_NEXT_REFUSED;
	case IGD_ERR_INVALID_ACTION:
	case IGD_ERR_NOT_IMPLEMENTED:
		/* Routers that announce IGDv2 without AddAnyPortMapping. */
		return add->kind == IGD_ADD_ANY ? IGD_NEXT_ADD_V1 : IGD_NEXT_REFUSED;
	case IGD_ERR_CONFLICT:
		return IGD_NEXT_WHO_HOLDS;
	default:
		return IGD_NEXT_REFUSED;
	}
}

enum igd_check igd_confirm(const struct igd_entry *e, const struct netaddr *self,
			   uint16_t internal_port)
{
	if (!e->found)
		return IGD_LOST;
	if (!netaddr_eq(&e->client, self, true) || e->internal_port != internal_port)
		return IGD_TAKEN;
	return e->enabled ? IGD_HELD : IGD_LOST;
}

uint64_t igd_next_check(uint32_t granted_s, uint32_t asked_s, uint64_t now_ms)
{
	uint32_t lease_s = granted_s ? granted_s : asked_s;
	uint64_t wait = (uint64_t)lease_s * 500;

	if (!lease_s || wait > IGD_CHECK_MS)
		wait = IGD_CHECK_MS;
	if (wait < IGD_CHECK_MIN_MS)
		wait = IGD_CHECK_MIN_MS;
	return now_ms + wait;
}

bool igd_ours(const struct igd_generic *g, const struct netaddr *self, uint8_t protocol,
	      uint16_t internal_port)
{
	return g->e.found && g->protocol == protocol && g->e.internal_port == internal_port &&
	       netaddr_eq(&g->e.client, self, true) && !strcmp(g->description, IGD_DESCRIPTION);
}
