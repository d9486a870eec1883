/* SPDX-License-Identifier: MIT */
/*
 * UPnP IGD: SSDP on the loop, then a bounded HTTP/SOAP conversation on a
 * worker thread, with libminiupnpc as the XML parser only. This is the one
 * file that includes miniupnpc.
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
 *    literal the answer came from (ssdp_location_matches): a device on the
 *    LAN cannot make us fetch from anyone else.
 * 3. A worker thread (net/worker.h) runs the blocking part: it fetches the
 *    description itself (net/httpfetch.h: at most UPNP_DESC_MAX bytes,
 *    within the check's deadline, redirects not followed), has
 *    libminiupnpc parse it (parserootdesc, GetUPNPUrls), and checks the
 *    control URL that results (URLBase and controlURL both resolved) the
 *    same way as the LOCATION: http, the host that answered, nothing else.
 *    Then the SOAP actions GetStatusInfo, GetConnectionTypeInfo,
 *    GetExternalIPAddress and GetSpecificPortMappingEntry for each node
 *    port, each answer capped at UPNP_SOAP_MAX and parsed by libminiupnpc
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <miniupnpc/igd_desc_parse.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnperrors.h>
#include <miniupnpc/upnpreplyparse.h>

#include "net/httpfetch.h"
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

/* Byte caps on what the router sends: a description is a few KiB, a SOAP
 * answer well under 2 KiB. */
#define UPNP_DESC_MAX 65536
#define UPNP_SOAP_MAX 16384

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
	/* Every answer is read here, never past its cap. */
	uint8_t buf[UPNP_DESC_MAX];
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

/* Where the SOAP calls go, once checked. */
struct upnp_control {
	struct netaddr host; /* the gateway that answered SSDP */
	char path[MINIUPNPC_URL_MAXSIZE];
	char service[MINIUPNPC_URL_MAXSIZE];
};

static void upnp_err(struct upnp_result *o, const char *what, int code)
{
	const char *s = code > 0 ? strupnperror(code) : NULL;

	if (code < 0)
		snprintf(o->error, sizeof(o->error), "%s: %s", what, strerror(-code));
	else
		snprintf(o->error, sizeof(o->error), "%s: %s (%d)", what, s ? s : "error", code);
}

/* One HTTP exchange with the gateway, within the byte cap and the check's
 * deadline. Returns 0 (resp filled, any status) or a negative errno. */
static int upnp_http(struct upnp_job *j, const struct netaddr *host, const char *req, size_t len,
		     size_t cap, struct httpmsg_response *resp)
{
	if (len >= cap)
		return -EMSGSIZE;
	return httpfetch(host, req, len, j->buf, cap, j->deadline_ms, resp);
}

/* A SOAP action (UPnP Device Architecture 1.1 §3.2) on the control URL.
 * args is XML we wrote. Returns 0 with the answer's values in pd (the
 * caller clears it), a UPnP error code (> 0, from a SOAP fault), or a
 * negative errno. */
static int soap(struct upnp_job *j, const struct upnp_control *c, const char *action,
		const char *args, struct NameValueParserData *pd)
{
	char body[1024], req[2048], host[NETADDR_FMT_MAX];
	struct httpmsg_response resp;
	const char *code;
	long v;
	int bl, rl, r;

	bl = snprintf(body, sizeof(body),
		      "<?xml version=\"1.0\"?>\r\n<s:Envelope "
		      "xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
		      "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
		      "<s:Body><u:%s xmlns:u=\"%s\">%s</u:%s></s:Body></s:Envelope>\r\n",
		      action, c->service, args, action);
	if (bl < 0 || (size_t)bl >= sizeof(body))
		return -EMSGSIZE;
	rl = snprintf(req, sizeof(req),
		      "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: natdoctor\r\n"
		      "Content-Type: text/xml; charset=\"utf-8\"\r\nSOAPAction: \"%s#%s\"\r\n"
		      "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
		      c->path, netaddr_fmt(&c->host, host), c->service, action, bl, body);
	if (rl < 0 || (size_t)rl >= sizeof(req))
		return -EMSGSIZE;
	r = upnp_http(j, &c->host, req, (size_t)rl, UPNP_SOAP_MAX, &resp);
	if (r < 0)
		return r;
	/* 200 with the answer, or 500 with a SOAP fault (§3.2.2); anything
	 * else (a redirect too: never followed) is no answer. */
	if (resp.status != 200 && resp.status != 500)
		return -EPROTO;
	j->out.available = true; /* the control URL answers */
	ParseNameValue((const char *)resp.body, (int)resp.body_len, pd);
	code = GetValueFromNameValueList(pd, "errorCode");
	if (code || resp.status != 200)
		return code && text_parse_long(code, 1, 65535, &v) == 0 ? (int)v : 501;
	return 0;
}

/* A value from the answer, sanitised into out; "" if absent. */
static void soap_value(struct NameValueParserData *pd, const char *name, char *out, size_t size)
{
	const char *v = GetValueFromNameValueList(pd, name);

	out[0] = '\0';
	if (v)
		text_sanitize(out, size, v, strlen(v));
}

static void query_mappings(struct upnp_job *j, const struct upnp_control *c)
{
	struct upnp_result *o = &j->out;

	for (size_t i = 0; i < j->n_ports; i++) {
		struct upnp_port_mapping *m = &o->mappings[o->n_mappings++];
		struct NameValueParserData pd;
		char args[200], client[48], iport[8], lease[16], desc[80];
		struct netaddr ip;
		long v;
		int r;

		m->port = j->ports[i];
		snprintf(args, sizeof(args),
			 "<NewRemoteHost></NewRemoteHost><NewExternalPort>%u</NewExternalPort>"
			 "<NewProtocol>%s</NewProtocol>",
			 j->ports[i].port, j->ports[i].proto == IPPROTO_UDP ? "UDP" : "TCP");
		memset(&pd, 0, sizeof(pd));
		r = soap(j, c, "GetSpecificPortMappingEntry", args, &pd);
		if (r == 0) {
			m->exists = true;
			soap_value(&pd, "NewInternalClient", client, sizeof(client));
			soap_value(&pd, "NewInternalPort", iport, sizeof(iport));
			soap_value(&pd, "NewLeaseDuration", lease, sizeof(lease));
			soap_value(&pd, "NewPortMappingDescription", desc, sizeof(desc));
			if (netaddr_parse_ip(&ip, client) == 0) {
				if (text_parse_long(iport, 1, 65535, &v) == 0)
					ip.port = (uint16_t)v;
				m->internal = ip;
			} else {
				o->bad_answers++;
			}
			text_copy(m->description, sizeof(m->description), desc);
			m->lease_s =
			    text_parse_long(lease, 1, 0x7ffffffe, &v) == 0 ? (uint32_t)v : 0;
		}
		/* 714 NoSuchEntryInArray: not mapped. */
		ClearNameValueList(&pd);
		if (r < 0 && r != -EPROTO)
			return; /* the deadline, or the router went away */
	}
}

/* A service type goes into a header and the XML we send: only what a URN
 * may hold, nothing that could end a quoted string or open markup. */
static bool service_type_ok(const char *s)
{
	if (strncmp(s, "urn:", 4) != 0)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || strchr("\"<>&\\", *s))
			return false;
	return true;
}

/* Why a fetch failed, for the operator. */
static void fetch_err(struct upnp_job *j, const char *what, int err)
{
	struct upnp_result *o = &j->out;

	if (err == -EFBIG)
		snprintf(o->error, sizeof(o->error),
			 "the UPnP %s is larger than %u KiB: not read further", what,
			 (unsigned)(what[0] == 'd' ? UPNP_DESC_MAX : UPNP_SOAP_MAX) / 1024);
	else if (err == -ETIMEDOUT)
		snprintf(o->error, sizeof(o->error), "no complete UPnP %s within the deadline",
			 what);
	else
		snprintf(o->error, sizeof(o->error), "the UPnP %s could not be read: %s", what,
			 strerror(-err));
	if (err == -EFBIG || err == -EBADMSG || err == -EMSGSIZE)
		o->bad_answers++;
}

/* Check the description's control URL before anything goes there: http,
 * the host that answered SSDP (the LOCATION's, checked on the loop), a
 * path without spaces or control characters. URLBase and a relative
 * controlURL are resolved first (GetUPNPUrls), so both are covered. */
static int control_from(struct upnp_job *j, const struct ssdp_url *loc, struct IGDdatas *data,
			struct upnp_control *c)
{
	struct upnp_result *o = &j->out;
	struct UPNPUrls urls;
	struct ssdp_url cu;
	char shown[60];
	int err = 0;

	memset(&urls, 0, sizeof(urls));
	GetUPNPUrls(&urls, data, j->location, 0);
	if (!urls.controlURL || ssdp_location_parse(urls.controlURL, &cu) < 0 ||
	    !netaddr_eq(&cu.host, &loc->host, true) || strlen(cu.path) >= sizeof(c->path)) {
		text_sanitize(shown, sizeof(shown), urls.controlURL ? urls.controlURL : "",
			      urls.controlURL ? strlen(urls.controlURL) : 0);
		snprintf(o->error, sizeof(o->error),
			 "UPnP control URL '%s' is not on the gateway that answered: not used",
			 shown);
		o->bad_answers++;
		err = -EPERM;
	} else if (!service_type_ok(data->first.servicetype)) {
		text_copy(o->error, sizeof(o->error),
			  "the UPnP description's service type is malformed: not used");
		o->bad_answers++;
		err = -EBADMSG;
	} else {
		c->host = cu.host;
		text_copy(c->path, sizeof(c->path), cu.path);
		text_copy(c->service, sizeof(c->service), data->first.servicetype);
	}
	FreeUPNPUrls(&urls);
	return err;
}

/* Worker thread: the whole conversation with the IGD. libminiupnpc only
 * parses (the description, the SOAP answers); every byte is fetched here,
 * within a byte cap and the check's deadline, from the gateway only. */
static void upnp_work(void *arg)
{
	struct upnp_job *j = arg;
	struct upnp_result *o = &j->out;
	struct ssdp_url loc;
	struct IGDdatas data;
	struct upnp_control c;
	struct httpmsg_response resp;
	struct NameValueParserData pd;
	char req[SSDP_FIELD_MAX + 128], host[NETADDR_FMT_MAX], extip[48];
	int r, rl;

	o->tried = true;
	text_copy(o->location, sizeof(o->location), j->location);
	if (ssdp_location_parse(j->location, &loc) < 0) {
		text_copy(o->error, sizeof(o->error), "internal: the LOCATION no longer parses");
		return;
	}
	rl = snprintf(req, sizeof(req),
		      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: natdoctor\r\n"
		      "Connection: close\r\n\r\n",
		      loc.path, netaddr_fmt(&loc.host, host));
	r = rl > 0 ? upnp_http(j, &loc.host, req, (size_t)rl, UPNP_DESC_MAX, &resp) : -EMSGSIZE;
	if (r < 0) {
		fetch_err(j, "description", r);
		return;
	}
	if (resp.status != 200) {
		snprintf(o->error, sizeof(o->error),
			 "the UPnP description answered HTTP status %d%s", resp.status,
			 resp.status / 100 == 3 ? " (redirects are not followed)" : "");
		return;
	}
	memset(&data, 0, sizeof(data));
	parserootdesc((const char *)resp.body, (int)resp.body_len, &data);
	if (!data.first.controlurl[0] || !data.first.servicetype[0]) {
		snprintf(o->error, sizeof(o->error),
			 "the UPnP device's description has no usable WAN connection service");
		return;
	}
	if (control_from(j, &loc, &data, &c) < 0)
		return;
	o->igd_version = ssdp_st_igd_version(c.service);

	memset(&pd, 0, sizeof(pd));
	r = soap(j, &c, "GetStatusInfo", "", &pd);
	if (r == 0)
		soap_value(&pd, "NewConnectionStatus", o->connection_status,
			   sizeof(o->connection_status));
	ClearNameValueList(&pd);
	if (r < 0 && r != -EPROTO) {
		fetch_err(j, "control answer", r);
		return;
	}
	memset(&pd, 0, sizeof(pd));
	r = soap(j, &c, "GetConnectionTypeInfo", "", &pd);
	if (r == 0)
		soap_value(&pd, "NewConnectionType", o->connection_type,
			   sizeof(o->connection_type));
	ClearNameValueList(&pd);
	memset(&pd, 0, sizeof(pd));
	r = soap(j, &c, "GetExternalIPAddress", "", &pd);
	if (r == 0) {
		soap_value(&pd, "NewExternalIPAddress", extip, sizeof(extip));
		if (extip[0] && netaddr_parse_ip(&o->external, extip) < 0) {
			memset(&o->external, 0, sizeof(o->external));
			o->bad_answers++;
		}
	} else {
		upnp_err(o, "GetExternalIPAddress", r);
	}
	ClearNameValueList(&pd);
	query_mappings(j, &c);
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
	j = calloc(1, sizeof(*j));
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

static void on_ssdp_readable(struct loop *l, int fd, uint32_t events, void *data)
{
	struct upnp_probe *p = data;

	(void)l;
	(void)events;
	for (int i = 0; i < 32 && p->fd >= 0; i++) {
		uint8_t buf[1500];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		struct ssdp_response resp;
		struct ssdp_url url;
		struct netaddr src;
		ssize_t n =
		    recvfrom(fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ECONNREFUSED && fd == p->ufd && !p->gw_refused) {
				p->gw_refused = true;
				on_ssdp_timer(p->run->loop, &p->timer, p);
				return;
			}
			continue;
		}
		if (netaddr_from_sockaddr(&src, (struct sockaddr *)&from, fl) < 0)
			continue;
		if ((size_t)n > sizeof(buf) || ssdp_decode_response(&resp, buf, (size_t)n) < 0) {
			p->ssdp.bad_answers++;
			continue;
		}
		if (!ssdp_st_igd_version(resp.st))
			continue; /* another kind of device: not our question */
		if (ssdp_location_parse(resp.location, &url) < 0 ||
		    !ssdp_location_matches(&url, &src)) {
			/* A LOCATION we will not fetch: a name, another host. */
			p->ssdp.bad_answers++;
			continue;
		}
		if (netaddr_eq(&src, &p->gateway, true)) {
			upnp_search_end(p, resp.location);
			return;
		}
		if (!p->fallback[0])
			text_copy(p->fallback, sizeof(p->fallback), resp.location);
	}
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
