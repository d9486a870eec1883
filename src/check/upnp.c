/* SPDX-License-Identifier: MIT */
/*
 * UPnP IGD through libminiupnpc: the one file that includes it.
 *
 * miniupnpc blocks (SSDP wait, HTTP, SOAP), so the whole conversation runs
 * on a worker thread (net/worker.h) that fills a private upnp_result; the
 * loop thread copies it into the check result when it arrives. If the
 * deadline comes first the job is abandoned and the thread cleans up after
 * itself. Read-only: check asks for the external address, the connection
 * state and whether the node's ports are already mapped, and changes
 * nothing on the router.
 *
 * Every string the router sends is sanitised before it is kept, and the
 * external address must parse as an IP literal: miniupnpc's own parsers
 * have had overflows (CVE-2014-3985, CVE-2015-6031), and a router's XML is
 * untrusted input.
 */
#include "check/probes.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include "net/worker.h"
#include "util/text.h"

/* How long SSDP waits for routers to answer. miniupnpc waits this long
 * after the M-SEARCH whether or not a router answered quickly, so it is the
 * floor of the UPnP probe's time; LAN routers answer in milliseconds, MX=1
 * lets slow ones take up to a second. */
#define UPNP_DISCOVER_MS 300

struct upnp_job {
	struct check_run *run; /* only touched on the loop thread */
	int probe_id;
	/* Inputs, copied so the thread never reads the run. */
	struct node_port ports[CHECK_MAX_PORTS];
	size_t n_ports;
	unsigned delay_ms;
	char ifname[IF_NAMESIZE]; /* multicast interface, "" for the default */
	/* Output. */
	struct upnp_result out;
};

struct upnp_probe {
	struct upnp_job *job; /* NULL once the result arrived */
	struct worker_job *worker;
};

static int igd_version(const char *st)
{
	/* "urn:schemas-upnp-org:service:WANIPConnection:2" and the device
	 * type both end in the version number. */
	size_t n = st ? strlen(st) : 0;

	if (n < 2 || st[n - 2] != ':')
		return 0;
	return st[n - 1] == '2' ? 2 : st[n - 1] == '1' ? 1 : 0;
}

static void upnp_err(struct upnp_result *o, const char *what, int code)
{
	const char *s = code != 0 ? strupnperror(code) : NULL;

	snprintf(o->error, sizeof(o->error), "%s: %s (%d)", what, s ? s : "error", code);
}

static void query_mappings(struct upnp_job *j, const struct UPNPUrls *urls,
			   const struct IGDdatas *data)
{
	struct upnp_result *o = &j->out;

	for (size_t i = 0; i < j->n_ports; i++) {
		struct upnp_port_mapping *m = &o->mappings[o->n_mappings++];
		char ext[8], client[40] = "", iport[8] = "", desc[80] = "", enabled[4] = "",
			     lease[16] = "";
		struct netaddr ip;
		int r;

		m->port = j->ports[i];
		snprintf(ext, sizeof(ext), "%u", j->ports[i].port);
		r = UPNP_GetSpecificPortMappingEntry(urls->controlURL, data->first.servicetype, ext,
						     j->ports[i].proto == IPPROTO_UDP ? "UDP"
										      : "TCP",
						     NULL, client, iport, desc, enabled, lease);
		if (r != UPNPCOMMAND_SUCCESS)
			continue; /* 714 NoSuchEntryInArray: not mapped */
		m->exists = true;
		client[sizeof(client) - 1] = '\0';
		if (netaddr_parse_ip(&ip, client) == 0) {
			char *end;
			long p = strtol(iport, &end, 10);

			if (*end == '\0' && p > 0 && p <= 65535)
				ip.port = (uint16_t)p;
			m->internal = ip;
		} else {
			o->bad_answers++;
		}
		text_sanitize(m->description, sizeof(m->description), desc, sizeof(desc));
		{
			char *end;
			long v = strtol(lease, &end, 10);

			m->lease_s = (*end == '\0' && v > 0 && v < 0x7fffffff) ? (uint32_t)v : 0;
		}
	}
}

/* Worker thread: the whole blocking conversation. */
static void upnp_work(void *arg)
{
	static const char *const types[] = {
		"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
		"urn:schemas-upnp-org:device:InternetGatewayDevice:2",
		"urn:schemas-upnp-org:service:WANIPConnection:1",
		"urn:schemas-upnp-org:service:WANIPConnection:2",
		"urn:schemas-upnp-org:service:WANPPPConnection:1",
		NULL,
	};
	struct upnp_job *j = arg;
	struct upnp_result *o = &j->out;
	struct UPNPDev *devs;
	struct UPNPUrls urls;
	struct IGDdatas data;
	char lanaddr[64] = "", extip[40] = "", status[64] = "", lasterr[64] = "", conntype[64] = "";
	unsigned int uptime = 0;
	int err = 0, r;

	o->tried = true;
	devs = upnpDiscoverDevices(types, (int)j->delay_ms, j->ifname[0] ? j->ifname : NULL, NULL,
				   UPNP_LOCAL_PORT_ANY, 0, 2, &err, 1);
	if (!devs) {
		snprintf(o->error, sizeof(o->error), "no UPnP IGD answered SSDP within %u ms",
			 j->delay_ms);
		return;
	}
	memset(&urls, 0, sizeof(urls));
	memset(&data, 0, sizeof(data));
	r = UPNP_GetValidIGD(devs, &urls, &data, lanaddr, sizeof(lanaddr));
	if (r == 0 || r == 3) {
		snprintf(o->error, sizeof(o->error), "%s",
			 r == 0
			     ? "UPnP devices answered but none is an Internet Gateway Device"
			     : "a UPnP device answered but it is not an Internet Gateway Device");
		if (r == 3)
			FreeUPNPUrls(&urls);
		freeUPNPDevlist(devs);
		return;
	}
	o->available = true;
	o->igd_version = igd_version(data.first.servicetype);
	if (urls.rootdescURL)
		text_sanitize(o->location, sizeof(o->location), urls.rootdescURL,
			      strlen(urls.rootdescURL));

	r = UPNP_GetStatusInfo(urls.controlURL, data.first.servicetype, status, &uptime, lasterr);
	if (r == UPNPCOMMAND_SUCCESS)
		text_sanitize(o->connection_status, sizeof(o->connection_status), status,
			      sizeof(status));
	r = UPNP_GetConnectionTypeInfo(urls.controlURL, data.first.servicetype, conntype);
	if (r == UPNPCOMMAND_SUCCESS)
		text_sanitize(o->connection_type, sizeof(o->connection_type), conntype,
			      sizeof(conntype));
	r = UPNP_GetExternalIPAddress(urls.controlURL, data.first.servicetype, extip);
	if (r == UPNPCOMMAND_SUCCESS) {
		extip[sizeof(extip) - 1] = '\0';
		if (extip[0] && netaddr_parse_ip(&o->external, extip) < 0) {
			memset(&o->external, 0, sizeof(o->external));
			o->bad_answers++;
		}
	} else {
		upnp_err(o, "GetExternalIPAddress", r);
	}
	query_mappings(j, &urls, &data);
	FreeUPNPUrls(&urls);
	freeUPNPDevlist(devs);
}

/* Loop thread: the worker finished in time. */
static void upnp_done(struct loop *l, void *arg)
{
	struct upnp_job *j = arg;
	struct upnp_probe *p = j->run->probes[j->probe_id].state;

	(void)l;
	j->run->res->gateway.upnp = j->out;
	p->job = NULL;
	p->worker = NULL;
	check_probe_done(j->run, j->probe_id);
	free(j);
}

static void upnp_finish(struct check_run *r, void *state)
{
	struct upnp_probe *p = state;

	if (p->job) {
		struct upnp_result *o = &r->res->gateway.upnp;

		o->tried = true;
		snprintf(o->error, sizeof(o->error), "no complete UPnP answer within %u ms",
			 r->cfg->deadline_ms);
		worker_abandon(p->worker); /* the thread frees the job */
	}
	free(p);
}

int upnp_start(struct check_run *r)
{
	struct upnp_probe *p = calloc(1, sizeof(*p));
	struct upnp_job *j = calloc(1, sizeof(*j));
	int id, err;

	if (!p || !j) {
		free(p);
		free(j);
		return -ENOMEM;
	}
	id = check_probe_register(r, "upnp", upnp_finish, p);
	if (id < 0) {
		free(p);
		free(j);
		return id;
	}
	j->run = r;
	j->probe_id = id;
	j->n_ports = r->cfg->n_ports;
	memcpy(j->ports, r->cfg->ports, sizeof(j->ports));
	j->delay_ms = UPNP_DISCOVER_MS;
	if (j->delay_ms > r->cfg->deadline_ms / 2)
		j->delay_ms = r->cfg->deadline_ms / 2;
	text_copy(j->ifname, sizeof(j->ifname), r->res->local.route4.ifname);
	p->job = j;
	err = worker_start(r->loop, upnp_work, upnp_done, free, j, &p->worker);
	if (err < 0) {
		p->job = NULL;
		free(j);
		snprintf(r->res->gateway.upnp.error, sizeof(r->res->gateway.upnp.error),
			 "could not start the UPnP worker: %s", strerror(-err));
		check_probe_done(r, id);
		return err;
	}
	return 0;
}
