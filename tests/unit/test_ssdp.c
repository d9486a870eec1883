/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nd_test.h"
#include "proto/ssdp.h"

/* Captured from miniupnpd 2.3.1 in the lab's home router (tests/lab). */
static const char miniupnpd_igd2[] =
    "HTTP/1.1 200 OK\r\n"
    "CACHE-CONTROL: max-age=120\r\n"
    "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\n"
    "USN: uuid:7ee2cbac-8362-4e81-8b2d-eceb45ac3952::urn:schemas-upnp-org:device:"
    "InternetGatewayDevice:2\r\n"
    "EXT:\r\n"
    "SERVER: Debian/6.18.44-fc-v669 UPnP/1.1 MiniUPnPd/2.3.1\r\n"
    "LOCATION: http://192.168.1.1:5000/rootDesc.xml\r\n"
    "OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
    "01-NLS: 1795378912\r\n"
    "BOOTID.UPNP.ORG: 1795378912\r\n"
    "CONFIGID.UPNP.ORG: 1337\r\n"
    "\r\n";

static int decode(struct ssdp_response *r, const char *s)
{
	return ssdp_decode_response(r, (const uint8_t *)s, strlen(s));
}

static void msearch_is_what_the_spec_asks(void **state)
{
	char buf[SSDP_MSEARCH_MAX];
	int n = ssdp_encode_msearch("urn:schemas-upnp-org:device:InternetGatewayDevice:1", 1, buf,
				    sizeof(buf));

	(void)state;
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(buf));
	assert_string_equal(buf, "M-SEARCH * HTTP/1.1\r\n"
				 "HOST: 239.255.255.250:1900\r\n"
				 "MAN: \"ssdp:discover\"\r\n"
				 "MX: 1\r\n"
				 "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
				 "\r\n");
}

static void msearch_refuses_bad_input(void **state)
{
	char buf[SSDP_MSEARCH_MAX], tiny[40];

	(void)state;
	assert_int_equal(ssdp_encode_msearch("", 1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ssdp_encode_msearch("a\r\nMAN: x", 1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ssdp_encode_msearch("ssdp:all", 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ssdp_encode_msearch("ssdp:all", 6, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ssdp_encode_msearch("ssdp:all", 1, tiny, sizeof(tiny)), -ENOBUFS);
}

/* Issue 11 item 9: a unicast search names its target in HOST (UDA 1.1
 * §1.3.2), not the multicast group. */
static void msearch_unicast_host(void **state)
{
	char buf[SSDP_MSEARCH_MAX];
	struct netaddr gw, v6;
	int n;

	(void)state;
	assert_int_equal(netaddr_parse_ip(&gw, "192.168.1.1"), 0);
	n = ssdp_encode_msearch_to("urn:schemas-upnp-org:device:InternetGatewayDevice:2", 2, &gw,
				   buf, sizeof(buf));
	assert_int_equal((size_t)n, strlen(buf));
	assert_string_equal(buf, "M-SEARCH * HTTP/1.1\r\n"
				 "HOST: 192.168.1.1:1900\r\n"
				 "MAN: \"ssdp:discover\"\r\n"
				 "MX: 2\r\n"
				 "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\n"
				 "\r\n");
	gw.port = 5000;
	assert_true(ssdp_encode_msearch_to("ssdp:all", 1, &gw, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\r\nHOST: 192.168.1.1:5000\r\n"));
	assert_int_equal(netaddr_parse_ip(&v6, "fd00::1"), 0);
	assert_true(ssdp_encode_msearch_to("ssdp:all", 1, &v6, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\r\nHOST: [fd00::1]:1900\r\n"));
	/* NULL is the multicast search, byte for byte. */
	{
		char m[SSDP_MSEARCH_MAX];

		assert_int_equal(ssdp_encode_msearch_to("ssdp:all", 1, NULL, buf, sizeof(buf)),
				 ssdp_encode_msearch("ssdp:all", 1, m, sizeof(m)));
		assert_string_equal(buf, m);
	}
	/* Hostile callers: no family, bad ST, truncated buffer. */
	memset(&v6, 0, sizeof(v6));
	assert_int_equal(ssdp_encode_msearch_to("ssdp:all", 1, &v6, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ssdp_encode_msearch_to("a\r\nx", 1, &gw, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(ssdp_encode_msearch_to("ssdp:all", 1, &gw, buf, 60), -ENOBUFS);
}

/* Issue 11 item 9: "HTTP/1.0" in any case, like "HTTP/1.1"; other
 * versions and statuses are still not an answer. */
static void status_line_any_case(void **state)
{
	static const char *const ok[] = { "HTTP/1.0 200 OK", "http/1.0 200 OK", "Http/1.0 200",
					  "http/1.1 200 ok" };
	static const char *const no[] = { "HTTP/2.0 200 OK", "HTTP/1.0 404 Not Found",
					  "HTTP/1.0 2000", "HTTP/1.0", "HTTP/1.0200 OK" };
	char buf[256];
	struct ssdp_response r;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(buf, sizeof(buf), "%s\r\nST: a\r\nLOCATION: http://1.1.1.1/\r\n", ok[i]);
		if (decode(&r, buf) != 0)
			fail_msg("refused %s", ok[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(buf, sizeof(buf), "%s\r\nST: a\r\nLOCATION: http://1.1.1.1/\r\n", no[i]);
		if (decode(&r, buf) != -ENOMSG)
			fail_msg("accepted %s", no[i]);
	}
}

/* Issue 11 item 9: a folded header line (RFC 2616 §4.2) continues the
 * header before it instead of failing the whole answer. */
static void folded_header_lines(void **state)
{
	struct ssdp_response r;
	char big[700];

	(void)state;
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\n"
				    "SERVER: Linux/2.6 UPnP/1.0\r\n"
				    "\t  Broadcom/1.0  \r\n"
				    "ST: a\r\n"
				    "LOCATION: http://1.1.1.1/x\r\n"),
			 0);
	assert_string_equal(r.server, "Linux/2.6 UPnP/1.0 Broadcom/1.0");
	assert_string_equal(r.location, "http://1.1.1.1/x");
	/* Folded after a header we do not keep, or a repeat: ignored. */
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nEXT:\r\n more\r\nST: a\r\n"
				    "LOCATION: http://1.1.1.1/x\r\nST: b\r\n c\r\n"),
			 0);
	assert_string_equal(r.st, "a");
	/* Right after the status line: nothing to continue, ignored. */
	assert_int_equal(
	    decode(&r, "HTTP/1.1 200 OK\r\n x\r\nST: a\r\nLOCATION: http://1.1.1.1/x\r\n"), 0);
	/* Repeated folds join, blank folds add nothing. */
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nUSN: a\r\n b\r\n \r\n\tc\r\nST: a\r\n"
				    "LOCATION: http://1.1.1.1/x\r\n"),
			 0);
	assert_string_equal(r.usn, "a b c");
	/* A folded LOCATION keeps the space: unusable, as it should be. */
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nST: a\r\nLOCATION: http://1.1.1.1/\r\n"
				    " x.xml\r\n"),
			 0);
	assert_string_equal(r.location, "http://1.1.1.1/ x.xml");
	/* Control bytes in a folded ST still refuse the answer. */
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nST: a\r\n \x1b[2J\r\n"
				    "LOCATION: http://1.1.1.1/\r\n"),
			 -EBADMSG);
	/* Folds that make a value too long. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "HTTP/1.1 200 OK\r\nST: a\r\nUSN: ", 29);
	memcpy(big + 200, "\r\n ", 3);
	memcpy(big + sizeof(big) - 3, "\r\n", 3);
	assert_int_equal(decode(&r, big), -EMSGSIZE);
	/* Truncated inside a fold, and padded with NULs after the headers. */
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nST: a\r\nLOCATION: http://1.1.1.1/\r\n"
				    "SERVER: x\r\n y"),
			 0);
	assert_string_equal(r.server, "x y");
	{
		static const uint8_t padded[] =
		    "HTTP/1.1 200 OK\r\nST: a\r\nLOCATION: http://1.1.1.1/\r\n\r\n\0\0\0\0";

		assert_int_equal(ssdp_decode_response(&r, padded, sizeof(padded) - 1), 0);
	}
}

static void miniupnpd_answer_decodes(void **state)
{
	struct ssdp_response r;

	(void)state;
	assert_int_equal(decode(&r, miniupnpd_igd2), 0);
	assert_string_equal(r.st, "urn:schemas-upnp-org:device:InternetGatewayDevice:2");
	assert_string_equal(r.location, "http://192.168.1.1:5000/rootDesc.xml");
	assert_string_equal(r.server, "Debian/6.18.44-fc-v669 UPnP/1.1 MiniUPnPd/2.3.1");
	assert_non_null(strstr(r.usn, "uuid:7ee2cbac"));
	assert_int_equal(ssdp_st_igd_version(r.st), 2);
}

static void headers_any_case_bare_lf_and_spaces(void **state)
{
	struct ssdp_response r;

	(void)state;
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\n"
				    "location:   http://10.0.0.1/desc.xml  \n"
				    "St:\turn:schemas-upnp-org:service:WANIPConnection:1\n"),
			 0);
	assert_string_equal(r.location, "http://10.0.0.1/desc.xml");
	assert_string_equal(r.st, "urn:schemas-upnp-org:service:WANIPConnection:1");
	assert_string_equal(r.usn, "");
	/* HTTP/1.0 routers exist. */
	assert_int_equal(decode(&r, "HTTP/1.0 200 OK\r\nST: x\r\nLOCATION: http://1.2.3.4/\r\n"),
			 0);
}

static void first_header_wins(void **state)
{
	struct ssdp_response r;

	(void)state;
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nST: a\r\nLOCATION: http://1.1.1.1/x\r\n"
				    "LOCATION: http://6.6.6.6/y\r\nST: b\r\n"),
			 0);
	assert_string_equal(r.location, "http://1.1.1.1/x");
	assert_string_equal(r.st, "a");
	/* Spaces before the colon belong to no name. */
	assert_int_equal(
	    decode(&r, "HTTP/1.1 200 OK\r\nST \t: b\r\nLOCATION : http://1.1.1.1/y\r\n"), 0);
	assert_string_equal(r.st, "b");
	assert_string_equal(r.location, "http://1.1.1.1/y");
}

static void headers_after_the_blank_line_are_body(void **state)
{
	struct ssdp_response r;

	(void)state;
	assert_int_equal(
	    decode(&r, "HTTP/1.1 200 OK\r\nST: a\r\n\r\nLOCATION: http://1.1.1.1/\r\n"), -EBADMSG);
}

static void not_an_answer(void **state)
{
	struct ssdp_response r;

	(void)state;
	assert_int_equal(
	    decode(&r, "HTTP/1.1 404 Not Found\r\nST: a\r\nLOCATION: http://1.1.1.1/\r\n"),
	    -ENOMSG);
	assert_int_equal(decode(&r, "HTTP/1.1 2000 OK\r\n"), -ENOMSG);
	assert_int_equal(decode(&r, "NOTIFY * HTTP/1.1\r\nNT: a\r\nLOCATION: http://1.1.1.1/\r\n"),
			 -ENOMSG);
	assert_int_equal(ssdp_decode_response(&r, (const uint8_t *)"", 0), -ENOMSG);
	assert_int_equal(decode(&r, "HTTP/1.1"), -ENOMSG);
}

static void malformed_answers(void **state)
{
	struct ssdp_response r;
	static const uint8_t nul[] = "HTTP/1.1 200 OK\r\nST: a\0b\r\nLOCATION: http://1.1.1.1/\r\n";
	char big[600];

	(void)state;
	/* Missing fields. */
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nST: a\r\n"), -EBADMSG);
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nLOCATION: http://1.1.1.1/\r\n"), -EBADMSG);
	/* A header line without a colon. */
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nST a\r\nLOCATION: http://1.1.1.1/\r\n"),
			 -EBADMSG);
	/* A NUL or an escape inside a value. */
	assert_int_equal(ssdp_decode_response(&r, nul, sizeof(nul) - 1), -EBADMSG);
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nST: a\x1b[31m\r\n"
				    "LOCATION: http://1.1.1.1/\r\n"),
			 -EBADMSG);
	/* In a field that is only shown, the byte is replaced instead. */
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nST: a\r\nSERVER: \x1b[31mred\r\n"
				    "LOCATION: http://1.1.1.1/\r\n"),
			 0);
	assert_string_equal(r.server, "?[31mred");
	/* A value too long to keep. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "HTTP/1.1 200 OK\r\nST: ", 21);
	memcpy(big + sizeof(big) - 3, "\r\n", 3);
	assert_int_equal(decode(&r, big), -EMSGSIZE);
}

static void non_ascii_is_replaced_where_only_shown(void **state)
{
	struct ssdp_response r;

	(void)state;
	assert_int_equal(decode(&r, "HTTP/1.1 200 OK\r\nST: a\r\nSERVER: Fritz\xc3\xa9\r\n"
				    "LOCATION: http://1.1.1.1/\r\n"),
			 0);
	assert_string_equal(r.server, "Fritz??");
	assert_int_equal(
	    decode(&r, "HTTP/1.1 200 OK\r\nST: a\r\nLOCATION: http://1.1.1.1/\xc3\xa9\r\n"),
	    -EBADMSG);
}

static void igd_search_targets(void **state)
{
	(void)state;
	assert_int_equal(ssdp_st_igd_version("urn:schemas-upnp-org:device:InternetGatewayDevice:1"),
			 1);
	assert_int_equal(ssdp_st_igd_version("urn:schemas-upnp-org:service:WANIPConnection:2"), 2);
	assert_int_equal(ssdp_st_igd_version("urn:schemas-upnp-org:service:WANPPPConnection:1"), 1);
	assert_int_equal(ssdp_st_igd_version("urn:schemas-upnp-org:device:MediaServer:1"), 0);
	assert_int_equal(ssdp_st_igd_version("upnp:rootdevice"), 0);
	assert_int_equal(ssdp_st_igd_version(NULL), 0);
}

static void location_urls(void **state)
{
	struct ssdp_url u;
	struct netaddr from;

	(void)state;
	assert_int_equal(ssdp_location_parse("http://192.168.1.1:5000/rootDesc.xml", &u), 0);
	assert_int_equal(u.host.family, AF_INET);
	assert_int_equal(u.host.port, 5000);
	assert_string_equal(u.path, "/rootDesc.xml");
	assert_int_equal(netaddr_parse_ip(&from, "192.168.1.1"), 0);
	from.port = 1900;
	assert_true(ssdp_location_matches(&u, &from));
	assert_int_equal(netaddr_parse_ip(&from, "192.168.1.2"), 0);
	assert_false(ssdp_location_matches(&u, &from));

	assert_int_equal(ssdp_location_parse("HTTP://10.0.0.1/", &u), 0);
	assert_int_equal(u.host.port, 80);
	assert_int_equal(ssdp_location_parse("http://[fe80::1]:49152/igd.xml", &u), 0);
	assert_int_equal(u.host.family, AF_INET6);
	assert_int_equal(u.host.port, 49152);
}

static void location_refusals(void **state)
{
	static const char *const bad[] = {
		"https://192.168.1.1/x", /* another scheme */
		"ftp://192.168.1.1/x",
		"http://router.lan:5000/x",   /* a name */
		"http://user@192.168.1.1/x",  /* user information */
		"http://192.168.1.1",	      /* no path */
		"http://192.168.1.1:0/x",     /* port 0 */
		"http://192.168.1.1:65536/x", /* port too large */
		"http://192.168.1.1:/x",      /* empty port */
		"http://192.168.1.1:80a/x",
		"http://192.168.1.1/a b", /* a space */
		"http://[fe80::1/x",	  /* unclosed bracket */
		"http:///x",		  /* no host */
		"http://1.2.3.4.5/x",
		"http://[192.168.1.1]/x", /* brackets around IPv4 */
	};
	struct ssdp_url u;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ssdp_location_parse(bad[i], &u) != -EINVAL)
			fail_msg("accepted %s", bad[i]);
	}
}

static enum ssdp_igd judge(const char *pkt, bool truncated, const char *from, const char *gw,
			   struct ssdp_response *r)
{
	struct netaddr f = nd_ip(from, 1900), g = gw ? nd_ip(gw, 0) : (struct netaddr){ 0 };

	return ssdp_igd_answer((const uint8_t *)pkt, strlen(pkt), truncated, &f, &g, r);
}

/* The one judgement check's and map's searches share: an IGD answer from
 * the gateway whose LOCATION is on the gateway. */
static void igd_answer_from_the_gateway(void **state)
{
	struct ssdp_response r;
	struct netaddr f = nd_ip("::ffff:192.168.1.1", 1900), g = nd_ip("192.168.1.1", 0);

	(void)state;
	assert_int_equal(judge(miniupnpd_igd2, false, "192.168.1.1", "192.168.1.1", &r),
			 SSDP_IGD_GATEWAY);
	assert_string_equal(r.location, "http://192.168.1.1:5000/rootDesc.xml");
	/* An IPv4-mapped sender is the same host. */
	assert_int_equal(ssdp_igd_answer((const uint8_t *)miniupnpd_igd2, strlen(miniupnpd_igd2),
					 false, &f, &g, &r),
			 SSDP_IGD_GATEWAY);
	/* The WAN service types answer as well. */
	assert_int_equal(judge("HTTP/1.1 200 OK\r\n"
			       "ST: urn:schemas-upnp-org:service:WANPPPConnection:1\r\n"
			       "LOCATION: http://10.0.0.1/igd.xml\r\n\r\n",
			       false, "10.0.0.1", "10.0.0.1", &r),
			 SSDP_IGD_GATEWAY);
}

static void igd_answer_elsewhere_is_a_fallback(void **state)
{
	static const char other[] = "HTTP/1.1 200 OK\r\n"
				    "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
				    "LOCATION: http://192.168.1.7:49152/desc.xml\r\n\r\n";
	struct ssdp_response r;

	(void)state;
	assert_int_equal(judge(other, false, "192.168.1.7", "192.168.1.1", &r), SSDP_IGD_ELSEWHERE);
	assert_string_equal(r.location, "http://192.168.1.7:49152/desc.xml");
	/* No default gateway: an IGD is never the gateway's. */
	assert_int_equal(judge(miniupnpd_igd2, false, "192.168.1.1", NULL, &r), SSDP_IGD_ELSEWHERE);
	assert_int_equal(ssdp_igd_answer((const uint8_t *)other, strlen(other), false,
					 &(struct netaddr){ 0 }, NULL, &r),
			 SSDP_IGD_BAD); /* a sender that is no address matches no LOCATION */
}

static void igd_answer_refused(void **state)
{
	struct ssdp_response r;

	(void)state;
	/* The gateway's answer naming another host (or another answering for
	 * the gateway): never fetched, counted. */
	assert_int_equal(judge(miniupnpd_igd2, false, "192.168.1.7", "192.168.1.1", &r),
			 SSDP_IGD_BAD);
	assert_int_equal(judge("HTTP/1.1 200 OK\r\n"
			       "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
			       "LOCATION: http://192.168.1.9/desc.xml\r\n\r\n",
			       false, "192.168.1.1", "192.168.1.1", &r),
			 SSDP_IGD_BAD);
	/* A name instead of an IP literal. */
	assert_int_equal(judge("HTTP/1.1 200 OK\r\n"
			       "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
			       "LOCATION: http://router.lan/desc.xml\r\n\r\n",
			       false, "192.168.1.1", "192.168.1.1", &r),
			 SSDP_IGD_BAD);
	/* Truncated: decodes, but its LOCATION could be cut short. */
	assert_int_equal(judge(miniupnpd_igd2, true, "192.168.1.1", "192.168.1.1", &r),
			 SSDP_IGD_BAD);
	/* Not an answer; no LOCATION. */
	assert_int_equal(judge("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n", false,
			       "192.168.1.1", "192.168.1.1", &r),
			 SSDP_IGD_BAD);
	assert_int_equal(judge("HTTP/1.1 200 OK\r\n"
			       "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n",
			       false, "192.168.1.1", "192.168.1.1", &r),
			 SSDP_IGD_BAD);
	assert_int_equal(ssdp_igd_answer((const uint8_t *)"", 0, false,
					 &(struct netaddr){ .family = AF_INET }, NULL, &r),
			 SSDP_IGD_BAD);
}

static void igd_answer_other_devices_ignored(void **state)
{
	struct ssdp_response r;

	(void)state;
	/* Another kind of device is not our question, even from the gateway,
	 * and even with a LOCATION we would refuse. */
	assert_int_equal(judge("HTTP/1.1 200 OK\r\n"
			       "ST: urn:schemas-upnp-org:device:MediaServer:1\r\n"
			       "LOCATION: http://192.168.1.1:8200/desc.xml\r\n\r\n",
			       false, "192.168.1.1", "192.168.1.1", &r),
			 SSDP_IGD_OTHER);
	assert_int_equal(judge("HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n"
			       "LOCATION: http://printer.lan/desc.xml\r\n\r\n",
			       false, "192.168.1.5", "192.168.1.1", &r),
			 SSDP_IGD_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(msearch_is_what_the_spec_asks),
		cmocka_unit_test(msearch_refuses_bad_input),
		cmocka_unit_test(msearch_unicast_host),
		cmocka_unit_test(status_line_any_case),
		cmocka_unit_test(folded_header_lines),
		cmocka_unit_test(miniupnpd_answer_decodes),
		cmocka_unit_test(headers_any_case_bare_lf_and_spaces),
		cmocka_unit_test(first_header_wins),
		cmocka_unit_test(headers_after_the_blank_line_are_body),
		cmocka_unit_test(not_an_answer),
		cmocka_unit_test(malformed_answers),
		cmocka_unit_test(non_ascii_is_replaced_where_only_shown),
		cmocka_unit_test(igd_search_targets),
		cmocka_unit_test(location_urls),
		cmocka_unit_test(location_refusals),
		cmocka_unit_test(igd_answer_from_the_gateway),
		cmocka_unit_test(igd_answer_elsewhere_is_a_fallback),
		cmocka_unit_test(igd_answer_refused),
		cmocka_unit_test(igd_answer_other_devices_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
