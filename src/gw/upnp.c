/* SPDX-License-Identifier: MIT */
/*
 * miniupnpc is opened with dlopen on the first description read, not
 * linked: `map` reaches UPnP only when neither PCP nor NAT-PMP answers, and
 * `serve` and `peers` never, yet a linked library is mapped and relocated
 * at the start of every command (docs/DEPENDENCIES.md). Its headers still
 * type the table below; only the calls go through it.
 */
#include "gw/upnp.h"

#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <miniupnpc/igd_desc_parse.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnperrors.h>
#include <miniupnpc/upnpreplyparse.h>

#include "net/httpfetch.h"
#include "net/udp.h"
#include "proto/ssdp.h"
#include "util/text.h"

_Static_assert(GW_UPNP_URL_MAX == MINIUPNPC_URL_MAXSIZE, "control URL size");

#define MINIUPNPC_LIBRARY "libminiupnpc.so.17"

/* The miniupnpc calls we make, resolved once by mu_open. */
static struct {
	__typeof__(parserootdesc) *parserootdesc;
	__typeof__(GetUPNPUrls) *GetUPNPUrls;
	__typeof__(FreeUPNPUrls) *FreeUPNPUrls;
	__typeof__(ParseNameValue) *ParseNameValue;
	__typeof__(GetValueFromNameValueList) *GetValueFromNameValueList;
	__typeof__(ClearNameValueList) *ClearNameValueList;
	__typeof__(strupnperror) *strupnperror;
} mu;

static pthread_once_t mu_once = PTHREAD_ONCE_INIT;
static int mu_err;

#define MU_SYM(f) (mu.f = (__typeof__(mu.f))dlsym(lib, #f))

static void mu_open(void)
{
	void *lib = dlopen(MINIUPNPC_LIBRARY, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		mu_err = -ELIBACC;
		return;
	}
	if (!MU_SYM(parserootdesc) || !MU_SYM(GetUPNPUrls) || !MU_SYM(FreeUPNPUrls) ||
	    !MU_SYM(ParseNameValue) || !MU_SYM(GetValueFromNameValueList) ||
	    !MU_SYM(ClearNameValueList) || !MU_SYM(strupnperror)) {
		dlclose(lib);
		mu_err = -ELIBBAD;
	}
	/* Otherwise it stays loaded for the life of the process. */
}

/* Open miniupnpc once (thread-safe: conversations run on worker threads).
 * Returns 0, or -ELIBACC (missing) / -ELIBBAD (a call missing) after
 * saying so in io->error. */
static int mu_load(struct gw_upnp_io *io)
{
	pthread_once(&mu_once, mu_open);
	if (mu_err < 0 && io)
		snprintf(io->error, sizeof(io->error),
			 "cannot load " MINIUPNPC_LIBRARY
			 " to read the router's UPnP answers (install the Debian package "
			 "libminiupnpc17)");
	return mu_err;
}

void gw_upnp_error(char *out, size_t size, const char *what, int code)
{
	/* A positive code came in a SOAP answer, so miniupnpc is loaded. */
	const char *s = code > 0 && mu_load(NULL) == 0 ? mu.strupnperror(code) : NULL;

	if (code < 0)
		snprintf(out, size, "%s: %s", what, strerror(-code));
	else
		snprintf(out, size, "%s: %s (%d)", what, s ? s : "error", code);
}

/* One HTTP exchange with the gateway, within the byte cap and the
 * deadline. Returns 0 (resp filled, any status) or a negative errno. */
static int upnp_http(struct gw_upnp_io *io, const struct netaddr *host, const char *req, size_t len,
		     size_t cap, struct httpmsg_response *resp)
{
	if (len >= cap)
		return -EMSGSIZE;
	return httpfetch(host, req, len, io->buf, cap, io->deadline_ms, resp);
}

int gw_upnp_call(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, const char *action,
		 const char *args, struct gw_upnp_value *want, size_t n)
{
	char body[1024], req[2048], host[NETADDR_FMT_MAX];
	struct NameValueParserData pd;
	struct httpmsg_response resp;
	const char *code;
	long v;
	int bl, rl, r;

	for (size_t i = 0; i < n; i++)
		want[i].value[0] = '\0';
	if ((r = mu_load(io)) < 0)
		return r;
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
	r = upnp_http(io, &c->host, req, (size_t)rl, GW_UPNP_SOAP_MAX, &resp);
	if (r < 0)
		return r;
	/* 200 with the answer, or 500 with a SOAP fault (§3.2.2); anything
	 * else (a redirect too: never followed) is no answer. */
	if (resp.status != 200 && resp.status != 500)
		return -EPROTO;
	io->answered = true;
	memset(&pd, 0, sizeof(pd));
	mu.ParseNameValue((const char *)resp.body, (int)resp.body_len, &pd);
	code = mu.GetValueFromNameValueList(&pd, "errorCode");
	if (code || resp.status != 200) {
		r = code && text_parse_long(code, 1, 65535, &v) == 0 ? (int)v : 501;
	} else {
		for (size_t i = 0; i < n; i++) {
			const char *s = mu.GetValueFromNameValueList(&pd, want[i].name);

			if (s)
				text_sanitize(want[i].value, sizeof(want[i].value), s, strlen(s));
		}
	}
	mu.ClearNameValueList(&pd);
	return r;
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

void gw_upnp_fetch_error(struct gw_upnp_io *io, const char *what, int err)
{
	if (err == -EFBIG)
		snprintf(io->error, sizeof(io->error),
			 "the UPnP %s is larger than %u KiB: not read further", what,
			 (unsigned)(what[0] == 'd' ? GW_UPNP_DESC_MAX : GW_UPNP_SOAP_MAX) / 1024);
	else if (err == -ETIMEDOUT)
		snprintf(io->error, sizeof(io->error), "no complete UPnP %s within the deadline",
			 what);
	else
		snprintf(io->error, sizeof(io->error), "the UPnP %s could not be read: %s", what,
			 strerror(-err));
	if (err == -EFBIG || err == -EBADMSG || err == -EMSGSIZE)
		io->bad_answers++;
}

/* Check the description's control URL before anything goes there: http,
 * the host that answered SSDP (the LOCATION's, checked by the caller), a
 * path without spaces or control characters. URLBase and a relative
 * controlURL are resolved first (GetUPNPUrls), so both are covered. */
static int control_from(struct gw_upnp_io *io, const char *location, const struct ssdp_url *loc,
			struct IGDdatas *data, struct gw_upnp_ctl *c)
{
	struct UPNPUrls urls;
	struct ssdp_url cu;
	char shown[60];
	int err = 0;

	memset(&urls, 0, sizeof(urls));
	mu.GetUPNPUrls(&urls, data, location, 0);
	if (!urls.controlURL || ssdp_location_parse(urls.controlURL, &cu) < 0 ||
	    !netaddr_eq(&cu.host, &loc->host, true) || strlen(cu.path) >= sizeof(c->path)) {
		text_sanitize(shown, sizeof(shown), urls.controlURL ? urls.controlURL : "",
			      urls.controlURL ? strlen(urls.controlURL) : 0);
		snprintf(io->error, sizeof(io->error),
			 "UPnP control URL '%s' is not on the gateway that answered: not used",
			 shown);
		io->bad_answers++;
		err = -EPERM;
	} else if (!service_type_ok(data->first.servicetype)) {
		text_copy(io->error, sizeof(io->error),
			  "the UPnP description's service type is malformed: not used");
		io->bad_answers++;
		err = -EBADMSG;
	} else {
		c->host = cu.host;
		text_copy(c->path, sizeof(c->path), cu.path);
		text_copy(c->service, sizeof(c->service), data->first.servicetype);
		c->igd_version = ssdp_st_igd_version(c->service);
	}
	mu.FreeUPNPUrls(&urls);
	return err;
}

int gw_upnp_describe(struct gw_upnp_io *io, const char *location, struct gw_upnp_ctl *c)
{
	struct ssdp_url loc;
	struct IGDdatas data;
	struct httpmsg_response resp;
	char req[SSDP_FIELD_MAX + 128], host[NETADDR_FMT_MAX];
	int r, rl;

	memset(c, 0, sizeof(*c));
	if ((r = mu_load(io)) < 0)
		return r;
	if (ssdp_location_parse(location, &loc) < 0) {
		text_copy(io->error, sizeof(io->error), "internal: the LOCATION no longer parses");
		return -EINVAL;
	}
	rl = snprintf(req, sizeof(req),
		      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: natdoctor\r\n"
		      "Connection: close\r\n\r\n",
		      loc.path, netaddr_fmt(&loc.host, host));
	r = rl > 0 ? upnp_http(io, &loc.host, req, (size_t)rl, GW_UPNP_DESC_MAX, &resp) : -EMSGSIZE;
	if (r < 0) {
		gw_upnp_fetch_error(io, "description", r);
		return r;
	}
	if (resp.status != 200) {
		snprintf(io->error, sizeof(io->error),
			 "the UPnP description answered HTTP status %d%s", resp.status,
			 resp.status / 100 == 3 ? " (redirects are not followed)" : "");
		return -EPROTO;
	}
	memset(&data, 0, sizeof(data));
	mu.parserootdesc((const char *)resp.body, (int)resp.body_len, &data);
	if (!data.first.controlurl[0] || !data.first.servicetype[0]) {
		snprintf(io->error, sizeof(io->error),
			 "the UPnP device's description has no usable WAN connection service");
		return -ENOENT;
	}
	return control_from(io, location, &loc, &data, c);
}

/* gw_upnp_search's reads: what the gateway's answers are worth. */
struct upnp_search {
	const struct netaddr *gateway;
	char *location;
	size_t size;
	unsigned *bad;
	int result; /* 1: found; -ECONNREFUSED: 1900 closed; 0: read on */
};

/* One read of udp_drain on the socket connected to the gateway's 1900. */
static bool on_search_datagram(int fd, const struct udp_datagram *d, void *ctx)
{
	struct upnp_search *s = ctx;
	struct ssdp_response resp;

	(void)fd;
	if (d->error) {
		if (d->error != -ECONNREFUSED)
			return true;
		s->result = -ECONNREFUSED;
		return false;
	}
	switch (ssdp_igd_answer(d->data, d->len, d->truncated, &d->from, s->gateway, &resp)) {
	case SSDP_IGD_GATEWAY:
		text_copy(s->location, s->size, resp.location);
		s->result = 1;
		return false;
	case SSDP_IGD_BAD:
		(*s->bad)++; /* also a LOCATION elsewhere: refused */
		return true;
	case SSDP_IGD_ELSEWHERE: /* the socket is connected: never; and map uses
				  * the gateway's IGD alone */
	case SSDP_IGD_OTHER:
		return true;
	}
	return true;
}

int gw_upnp_search(const struct netaddr *gateway, uint64_t deadline_ms, char *location, size_t size,
		   unsigned *bad)
{
	static const uint32_t resend_ms[] = { 0, 300, 700 };
	struct upnp_search s = {
		.gateway = gateway, .location = location, .size = size, .bad = bad
	};
	struct netaddr to = *gateway;
	uint64_t start = httpfetch_now_ms();
	unsigned sent = 0;
	int fd, err = -ETIMEDOUT;

	if (gateway->family != AF_INET)
		return -EAFNOSUPPORT;
	to.port = SSDP_PORT;
	fd = udp_open(AF_INET, &to, NULL);
	if (fd < 0)
		return fd;
	for (;;) {
		uint64_t now = httpfetch_now_ms(), wake = deadline_ms;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint8_t pkt[1500];
		int r;

		if (now >= deadline_ms)
			break;
		while (sent < sizeof(resend_ms) / sizeof(resend_ms[0]) &&
		       now >= start + resend_ms[sent]) {
			char buf[SSDP_MSEARCH_MAX];
			int n = ssdp_encode_msearch_to(
			    "urn:schemas-upnp-org:device:InternetGatewayDevice:1", 1, &to, buf,
			    sizeof(buf));

			if (n > 0)
				(void)send(fd, buf, (size_t)n, 0);
			sent++;
		}
		if (sent < sizeof(resend_ms) / sizeof(resend_ms[0]) &&
		    start + resend_ms[sent] < wake)
			wake = start + resend_ms[sent];
		r = poll(&pfd, 1, (int)(wake - now));
		if (r < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		if (r <= 0)
			continue;
		r = udp_drain(fd, pkt, sizeof(pkt), 16, on_search_datagram, &s);
		if (r < 0 || s.result) {
			err = r < 0 ? r : s.result > 0 ? 0 : s.result;
			break;
		}
	}
	close(fd);
	return err;
}

static const char *proto_arg(uint8_t protocol)
{
	return protocol == IPPROTO_UDP ? "UDP" : "TCP";
}

/* The arguments that name one mapping, for GetSpecificPortMappingEntry
 * and DeletePortMapping: the remote host (empty: any), the external port
 * and the protocol. */
#define ENTRY_ARGS_MAX 200
static void entry_args(char out[static ENTRY_ARGS_MAX], uint8_t protocol, uint16_t external_port)
{
	snprintf(out, ENTRY_ARGS_MAX,
		 "<NewRemoteHost></NewRemoteHost><NewExternalPort>%u</NewExternalPort>"
		 "<NewProtocol>%s</NewProtocol>",
		 external_port, proto_arg(protocol));
}

int gw_upnp_add(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, const struct gw_upnp_map *m,
		enum igd_add_kind kind, uint16_t *granted)
{
	struct gw_upnp_value v = { .name = "NewReservedPort" };
	char args[512], client[NETADDR_FMT_MAX];
	long port;
	int r;

	snprintf(args, sizeof(args),
		 "<NewRemoteHost></NewRemoteHost><NewExternalPort>%u</NewExternalPort>"
		 "<NewProtocol>%s</NewProtocol><NewInternalPort>%u</NewInternalPort>"
		 "<NewInternalClient>%s</NewInternalClient><NewEnabled>1</NewEnabled>"
		 "<NewPortMappingDescription>" IGD_DESCRIPTION "</NewPortMappingDescription>"
		 "<NewLeaseDuration>%u</NewLeaseDuration>",
		 m->external_port, proto_arg(m->protocol), m->internal_port,
		 netaddr_fmt_ip(&m->client, client), m->lease_s);
	r = gw_upnp_call(io, c, kind == IGD_ADD_ANY ? "AddAnyPortMapping" : "AddPortMapping", args,
			 &v, 1);
	*granted = m->external_port;
	if (r == 0 && kind == IGD_ADD_ANY) {
		if (text_parse_long(v.value, 1, 65535, &port) < 0) {
			io->bad_answers++;
			return -EBADMSG;
		}
		*granted = (uint16_t)port;
	}
	return r;
}

int gw_upnp_entry_info(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, uint8_t protocol,
		       uint16_t external_port, struct igd_entry *e, struct gw_upnp_entry_info *info)
{
	struct gw_upnp_value v[] = {
		{ .name = "NewInternalClient" },
		{ .name = "NewInternalPort" },
		{ .name = "NewEnabled" },
		{ .name = "NewLeaseDuration" },
		{ .name = "NewPortMappingDescription" },
	};
	struct netaddr client;
	char args[ENTRY_ARGS_MAX];
	long n;
	int r;

	memset(e, 0, sizeof(*e));
	memset(info, 0, sizeof(*info));
	entry_args(args, protocol, external_port);
	r = gw_upnp_call(io, c, "GetSpecificPortMappingEntry", args, v, sizeof(v) / sizeof(v[0]));
	if (r == IGD_ERR_NO_SUCH_ENTRY)
		return 0;
	if (r != 0)
		return r;
	info->listed = true;
	if (text_parse_long(v[3].value, 1, 0x7ffffffe, &n) == 0)
		info->lease_s = (uint32_t)n;
	text_copy(info->description, sizeof(info->description), v[4].value);
	if (netaddr_parse_ip(&client, v[0].value) < 0) {
		io->bad_answers++;
		return -EBADMSG;
	}
	e->client = client;
	if (text_parse_long(v[1].value, 1, 65535, &n) < 0) {
		io->bad_answers++;
		return -EBADMSG;
	}
	e->found = true;
	e->internal_port = (uint16_t)n;
	e->enabled = strcmp(v[2].value, "0") != 0;
	return 0;
}

int gw_upnp_entry(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, uint8_t protocol,
		  uint16_t external_port, struct igd_entry *e)
{
	struct gw_upnp_entry_info info;

	return gw_upnp_entry_info(io, c, protocol, external_port, e, &info);
}

int gw_upnp_generic(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, unsigned index,
		    struct igd_generic *g)
{
	struct gw_upnp_value v[] = {
		{ .name = "NewExternalPort" }, { .name = "NewProtocol" },
		{ .name = "NewInternalPort" }, { .name = "NewInternalClient" },
		{ .name = "NewEnabled" },      { .name = "NewPortMappingDescription" },
	};
	char args[64];
	long ext, in;
	int r;

	memset(g, 0, sizeof(*g));
	snprintf(args, sizeof(args), "<NewPortMappingIndex>%u</NewPortMappingIndex>", index);
	r = gw_upnp_call(io, c, "GetGenericPortMappingEntry", args, v, sizeof(v) / sizeof(v[0]));
	if (r != 0)
		return r;
	if (text_parse_long(v[0].value, 1, 65535, &ext) < 0 ||
	    text_parse_long(v[2].value, 1, 65535, &in) < 0 ||
	    netaddr_parse_ip(&g->e.client, v[3].value) < 0) {
		io->bad_answers++;
		return -EBADMSG;
	}
	g->external_port = (uint16_t)ext;
	g->e.internal_port = (uint16_t)in;
	g->protocol = !strcmp(v[1].value, "TCP")   ? IPPROTO_TCP
		      : !strcmp(v[1].value, "UDP") ? IPPROTO_UDP
						   : 0;
	g->e.enabled = strcmp(v[4].value, "0") != 0;
	g->e.found = true;
	text_copy(g->description, sizeof(g->description), v[5].value);
	return 0;
}

int gw_upnp_delete(struct gw_upnp_io *io, const struct gw_upnp_ctl *c, uint8_t protocol,
		   uint16_t external_port)
{
	char args[ENTRY_ARGS_MAX];
	int r;

	entry_args(args, protocol, external_port);
	r = gw_upnp_call(io, c, "DeletePortMapping", args, NULL, 0);
	return r == IGD_ERR_NO_SUCH_ENTRY ? 0 : r;
}
