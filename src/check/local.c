/* SPDX-License-Identifier: MIT */
#include "check/local.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/netlink.h"
#include "proto/procnet.h"

/* Interfaces remembered from the link dump to name addresses and routes.
 * A host with more (a container host with thousands of veths) names the
 * rest by one RTM_GETLINK each, or "ifN" inside a dump. */
#define LOCAL_MAX_LINKS 1024
/* A dump interrupted by a change (NLM_F_DUMP_INTR) is read again, this many
 * times at most, then taken as it is. */
#define LOCAL_DUMP_TRIES 3
/* Lines read from one /proc/net file. A busy node has thousands of
 * connections; a million lines is a host this view cannot judge anyway. */
#define LOCAL_MAX_PROCNET_LINES 1000000

struct link_entry {
	uint32_t index, flags;
	char name[IF_NAMESIZE];
};

struct gather {
	struct local_view *view;
	struct link_entry links[LOCAL_MAX_LINKS];
	size_t n_links;
	size_t n_dropped; /* addresses left out for lack of room */
};

/* Append "what: reason" to the view's error and remember the first errno.
 * err 0 appends the text alone. */
static void note(struct local_view *v, int *first, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void note(struct local_view *v, int *first, int err, const char *fmt, ...)
{
	size_t len = strlen(v->error);
	va_list ap;
	int n;

	if (*first == 0 && err < 0)
		*first = err;
	if (len + 3 >= sizeof(v->error))
		return;
	if (len) {
		memcpy(v->error + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(v->error + len, sizeof(v->error) - len, fmt, ap);
	va_end(ap);
	if (err < 0 && n > 0 && (size_t)n < sizeof(v->error) - len)
		snprintf(v->error + len + (size_t)n, sizeof(v->error) - len - (size_t)n, ": %s",
			 strerror(-err));
}

/* Keep at most cap entries of size bytes in arr, in arrival order. When
 * full, a new entry replaces the oldest one of the lowest rank, if that
 * rank is below its own; else the new one is dropped. Returns whether it
 * was kept. */
static bool ranked_insert(void *arr, size_t *n, size_t cap, size_t size, const void *elem,
			  int (*rank)(const void *))
{
	uint8_t *a = arr;
	size_t victim = 0;

	if (*n == cap) {
		for (size_t i = 1; i < cap; i++)
			if (rank(a + i * size) < rank(a + victim * size))
				victim = i;
		if (cap == 0 || rank(a + victim * size) >= rank(elem))
			return false;
		memmove(a + victim * size, a + (victim + 1) * size, (cap - victim - 1) * size);
		(*n)--;
	}
	memcpy(a + *n * size, elem, size);
	(*n)++;
	return true;
}

/* --- interfaces and addresses -------------------------------------------- */

static int on_link(const struct rtnl_link *l, void *arg)
{
	struct gather *g = arg;
	struct link_entry *e;

	if (g->n_links == LOCAL_MAX_LINKS)
		return 0;
	e = &g->links[g->n_links++];
	e->index = l->index;
	e->flags = l->flags;
	memcpy(e->name, l->name, sizeof(e->name));
	return 0;
}

static const struct link_entry *find_link(const struct gather *g, uint32_t index)
{
	for (size_t i = 0; i < g->n_links; i++)
		if (g->links[i].index == index)
			return &g->links[i];
	return NULL;
}

/* What the verdict can learn from an address, for choosing which to keep. */
static int ifaddr_rank(const void *p)
{
	switch (((const struct local_ifaddr *)p)->cls) {
	case NETADDR_PUBLIC:
		return 6;
	case NETADDR_CGNAT:
		return 5;
	case NETADDR_PRIVATE:
		return 4;
	case NETADDR_RESERVED:
		return 3;
	case NETADDR_LOOPBACK:
		return 2;
	case NETADDR_LINKLOCAL:
		return 1;
	default:
		return 0;
	}
}

static int on_addr(const struct rtnl_addr *a, void *arg)
{
	struct gather *g = arg;
	const struct link_entry *l = find_link(g, a->index);
	struct local_ifaddr e = { 0 };

	if (a->local.family != AF_INET && a->local.family != AF_INET6)
		return 0;
	if (a->flags & IFA_F_DADFAILED)
		return 0;
	/* IFF_RUNNING: up and with carrier (or a device without one, like lo,
	 * whose operational state is "unknown"). */
	if (l && (!(l->flags & IFF_UP) || !(l->flags & IFF_RUNNING)))
		return 0;
	if (l && l->name[0])
		memcpy(e.ifname, l->name, sizeof(e.ifname));
	else if (a->label[0])
		memcpy(e.ifname, a->label, sizeof(e.ifname));
	else
		snprintf(e.ifname, sizeof(e.ifname), "if%u", a->index);
	e.addr = a->local;
	e.prefixlen = a->prefixlen;
	e.cls = netaddr_classify(&e.addr);
	/* When full, one address goes: the new one or an evicted one. */
	if (g->view->n_addrs == CHECK_MAX_IFADDRS)
		g->n_dropped++;
	ranked_insert(g->view->addrs, &g->view->n_addrs, CHECK_MAX_IFADDRS, sizeof(e), &e,
		      ifaddr_rank);
	return 0;
}

static int dump_links(struct netlink *nl, struct gather *g)
{
	int err;

	for (int i = 0; i < LOCAL_DUMP_TRIES; i++) {
		g->n_links = 0;
		err = netlink_dump_links(nl, on_link, g);
		if (err != -EAGAIN)
			break;
	}
	return err == -EAGAIN ? 0 : err;
}

static int dump_addrs(struct netlink *nl, struct gather *g)
{
	int err;

	for (int i = 0; i < LOCAL_DUMP_TRIES; i++) {
		g->view->n_addrs = 0;
		g->n_dropped = 0;
		err = netlink_dump_addrs(nl, AF_UNSPEC, on_addr, g);
		if (err != -EAGAIN)
			break;
	}
	return err == -EAGAIN ? 0 : err;
}

/* --- routes --------------------------------------------------------------- */

static void ifname_of(struct netlink *nl, const struct gather *g, uint32_t index,
		      char out[static IF_NAMESIZE])
{
	const struct link_entry *l = g ? find_link(g, index) : NULL;
	struct rtnl_link link;

	out[0] = '\0';
	if (index == 0)
		return;
	if (l && l->name[0]) {
		memcpy(out, l->name, IF_NAMESIZE);
		return;
	}
	if (netlink_link_get(nl, index, &link) == 0 && link.name[0])
		memcpy(out, link.name, IF_NAMESIZE);
	else
		snprintf(out, IF_NAMESIZE, "if%u", index);
}

/* Errors of a route lookup that only mean "no route that way". */
static bool no_route(int err)
{
	switch (err) {
	case -ENETUNREACH:
	case -EHOSTUNREACH:
	case -EAFNOSUPPORT:
	case -EACCES: /* a prohibit route */
	case -EPERM:
	case -EINVAL: /* a blackhole route */
		return true;
	default:
		return false;
	}
}

static int route_toward(struct netlink *nl, const struct gather *g, const struct netaddr *dst,
			struct local_route *out)
{
	struct rtnl_route rt;
	int err;

	memset(out, 0, sizeof(*out));
	err = netlink_route_get(nl, dst, &rt);
	if (err < 0)
		return err;
	out->present = true;
	out->gateway = rt.gateway;
	out->source = rt.prefsrc;
	ifname_of(nl, g, rt.oif, out->ifname);
	memcpy(out->egress_ifname, out->ifname, sizeof(out->ifname));
	return 0;
}

static void gather_route(struct netlink *nl, struct gather *g, uint8_t family, int *ret)
{
	struct local_route *r = family == AF_INET ? &g->view->route4 : &g->view->route6;
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";
	struct local_route toward;
	struct rtnl_route rt;
	struct netaddr probe;
	int err = -EAGAIN;

	for (int i = 0; i < LOCAL_DUMP_TRIES && err == -EAGAIN; i++)
		err = netlink_default_route(nl, family, &rt);
	if (err == 0) {
		r->present = true;
		r->gateway = rt.gateway;
		ifname_of(nl, g, rt.oif, r->ifname);
	} else if (err != -ENOENT && err != -EAFNOSUPPORT) {
		note(g->view, ret, err, "%s default route", fam);
	}

	netaddr_parse_ip(&probe, family == AF_INET ? LOCAL_PROBE_V4 : LOCAL_PROBE_V6);
	err = route_toward(nl, g, &probe, &toward);
	if (err == 0) {
		r->source = toward.source;
		memcpy(r->egress_ifname, toward.ifname, sizeof(r->egress_ifname));
	} else if (!no_route(err)) {
		note(g->view, ret, err, "%s route lookup", fam);
	}
}

int local_route_toward(const struct netaddr *dst, struct local_route *out)
{
	struct netlink *nl;
	int err;

	memset(out, 0, sizeof(*out));
	err = netlink_open(&nl, 0);
	if (err < 0)
		return err;
	err = route_toward(nl, NULL, dst, out);
	netlink_close(nl);
	return err;
}

/* --- listeners ------------------------------------------------------------ */

/* Which bound addresses to keep when there are more than fit: a wildcard
 * says the most, loopback the least. */
static int listen_rank(const void *p)
{
	switch (netaddr_classify(p)) {
	case NETADDR_UNSPECIFIED:
		return 3;
	case NETADDR_LOOPBACK:
		return 1;
	default:
		return 2;
	}
}

struct listen_acc {
	bool seen;
	bool non_loopback; /* over all addresses seen, kept or not */
};

static void listener_add(struct local_listener *l, struct listen_acc *acc, struct netaddr a)
{
	for (size_t i = 0; i < l->n_addrs; i++)
		if (netaddr_eq(&l->addrs[i], &a, false))
			return;
	acc->seen = true;
	if (netaddr_classify(&a) != NETADDR_LOOPBACK)
		acc->non_loopback = true;
	ranked_insert(l->addrs, &l->n_addrs, CHECK_MAX_LISTEN_ADDRS, sizeof(a), &a, listen_rank);
}

static void listener_add_sock(struct local_listener *l, uint64_t inode, uint32_t uid)
{
	if (l->n_socks == CHECK_MAX_LISTEN_ADDRS)
		return;
	l->socks[l->n_socks].inode = inode;
	l->socks[l->n_socks++].uid = uid;
}

/* Read one /proc/net file and add the matching sockets. */
static int read_procnet(const char *dir, const char *name, uint8_t proto,
			const struct node_port *ports, size_t n_ports, struct local_listener *out,
			struct listen_acc *acc)
{
	uint8_t want = proto == IPPROTO_TCP ? PROCNET_TCP_LISTEN : PROCNET_UDP_UNCONNECTED;
	char path[256], line[PROCNET_LINE_MAX + 2];
	size_t lines = 0;
	int err = 0;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		struct procnet_sock s;

		if (len && line[len - 1] != '\n' && !feof(f)) {
			/* Longer than any line the kernel writes: skip it. */
			int c;

			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (++lines > LOCAL_MAX_PROCNET_LINES) {
			err = -E2BIG;
			break;
		}
		if (procnet_parse_line(line, len, &s) != 1 || s.state != want)
			continue;
		for (size_t i = 0; i < n_ports; i++)
			if (ports[i].proto == proto && ports[i].port == s.local.port) {
				listener_add(&out[i], &acc[i], netaddr_unmap(s.local));
				listener_add_sock(&out[i], s.inode, s.uid);
			}
	}
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	return err;
}

int local_listeners_gather(const char *procnet_dir, const struct node_port *ports, size_t n_ports,
			   struct local_listener *out)
{
	static const struct {
		const char *v4, *v6;
		uint8_t proto;
	} files[] = { { "tcp", "tcp6", IPPROTO_TCP }, { "udp", "udp6", IPPROTO_UDP } };
	struct listen_acc acc[CHECK_MAX_PORTS] = { 0 };
	int ret = 0;

	if (n_ports > CHECK_MAX_PORTS)
		n_ports = CHECK_MAX_PORTS;
	memset(out, 0, n_ports * sizeof(*out));
	for (size_t i = 0; i < n_ports; i++)
		out[i].port = ports[i];
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		bool wanted = false, complete;
		int e4, e6;

		for (size_t i = 0; i < n_ports; i++)
			wanted |= ports[i].proto == files[f].proto;
		if (!wanted)
			continue;
		e4 = read_procnet(procnet_dir, files[f].v4, files[f].proto, ports, n_ports, out,
				  acc);
		e6 = read_procnet(procnet_dir, files[f].v6, files[f].proto, ports, n_ports, out,
				  acc);
		/* No tcp6/udp6 file: the kernel has no IPv6, so no IPv6
		 * socket can exist. */
		if (e6 == -ENOENT)
			e6 = 0;
		if (!ret)
			ret = e4 < 0 ? e4 : e6;
		complete = e4 == 0 && e6 == 0;
		for (size_t i = 0; i < n_ports; i++) {
			if (ports[i].proto != files[f].proto)
				continue;
			out[i].listening = acc[i].seen ? TRI_YES : complete ? TRI_NO : TRI_UNKNOWN;
			out[i].loopback_only = acc[i].seen && !acc[i].non_loopback;
		}
	}
	return ret;
}

/* --- all of it ------------------------------------------------------------ */

int local_view_gather(const struct check_config *cfg, struct local_view *out)
{
	struct netlink *nl = NULL;
	struct gather *g;
	size_t n_ports = cfg->n_ports < CHECK_MAX_PORTS ? cfg->n_ports : CHECK_MAX_PORTS;
	int ret = 0, err;

	memset(out, 0, sizeof(*out));
	g = calloc(1, sizeof(*g));
	if (!g) {
		note(out, &ret, -ENOMEM, "local view");
		return ret;
	}
	g->view = out;
	err = netlink_open(&nl, 0);
	if (err < 0) {
		note(out, &ret, err, "rtnetlink socket");
	} else {
		err = dump_links(nl, g);
		if (err < 0)
			note(out, &ret, err, "interface list");
		err = dump_addrs(nl, g);
		if (err < 0)
			note(out, &ret, err, "address list");
		gather_route(nl, g, AF_INET, &ret);
		gather_route(nl, g, AF_INET6, &ret);
	}
	if (g->n_dropped) {
		/* The view is incomplete, but nothing failed: no errno text. */
		if (!ret)
			ret = -ENOSPC;
		note(out, &ret, 0, "%zu more addresses not listed (room for %d)", g->n_dropped,
		     CHECK_MAX_IFADDRS);
	}

	out->n_listeners = n_ports;
	err = local_listeners_gather("/proc/net", cfg->ports, n_ports, out->listeners);
	if (err < 0)
		note(out, &ret, err, "reading /proc/net");
	netlink_close(nl);
	free(g);
	return ret;
}
