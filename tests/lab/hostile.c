/* SPDX-License-Identifier: MIT */
/*
 * lab_hostile: a UDP responder that lies, for the natdoctor lab.
 *
 * It serves STUN ports (--stun) and PCP/NAT-PMP ports (--gateway) and
 * answers every request it receives with bad packets, so the lab can prove
 * that natdoctor survives whatever a broken or malicious gateway or STUN
 * server sends. Modes:
 *
 *   burst   every lie in the tables below, one datagram each, per request
 *   lie     one well-formed answer that lies (STUN: you are 127.0.0.1;
 *           PCP/NAT-PMP: success, external address 0.0.0.0)
 *   mixed   the burst, then one well-formed answer with the truth (STUN:
 *           the request's source address; PCP/NAT-PMP: success with
 *           --external), to prove a client keeps listening past garbage
 *   silent  read requests, answer nothing
 *   nochange STUN: a true answer that offers RFC 5780 (OTHER-ADDRESS
 *           --other-address, RESPONSE-ORIGIN the socket's own address) but
 *           ignores CHANGE-REQUEST: every answer leaves from the socket the
 *           request came in on. Gateway: the truth (--external)
 *   nomap   Gateway: NAT-PMP and PCP ANNOUNCE answered with the truth, PCP
 *           MAP never answered (a lost answer, every time). STUN: the truth
 *   natpmponly  Gateway: NAT-PMP answered with the truth; every PCP request
 *           refused with NAT-PMP's UNSUPP_VERSION (RFC 6886 framing, as a
 *           NAT-PMP-only router does, RFC 6887 §9). STUN: the truth
 *   pcponly Gateway: PCP answered with the truth; every NAT-PMP request
 *           refused with PCP's version-2 UNSUPP_VERSION, R bit and opcode
 *           0 (miniupnpd's createPCPResponse). STUN: the truth
 *   refuse  STUN: a true answer offering RFC 5780 (OTHER-ADDRESS,
 *           RESPONSE-ORIGIN) that refuses every CHANGE-REQUEST with error
 *           420 and UNKNOWN-ATTRIBUTES 0x0003. Gateway: the truth
 *   twice   every true answer sent twice, as a router does that answers
 *           both a request and its retransmission
 *   pcpv1   Gateway: NAT-PMP answered with the truth; every PCP request
 *           refused with UNSUPP_VERSION by a version-1 server (PCP framing,
 *           RFC 6887 §9). STUN: the truth
 *   error   STUN: every Binding answered with a well-formed error 400 Bad
 *           Request (ERROR-CODE, RFC 8489 §14.8). Gateway: the truth
 *
 * Every PCP MAP request is logged with its nonce and lifetime, so a test can
 * see the delete (lifetime 0, the same nonce) arrive.
 *
 * The packets are written here byte by byte from the RFCs (RFC 8489 STUN,
 * RFC 6887 PCP, RFC 6886 NAT-PMP), never through natdoctor's codecs, so the
 * responder stays an independent witness. It stops by itself after
 * --max-seconds, so no test can leave it running.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util/buf.h"
#include "util/netaddr.h"

#define MAX_SOCKETS 16
#define STUN_COOKIE 0x2112A442u
/* The biggest UDP payload IPv4 can carry is 65507; 65504 keeps the STUN
 * length a multiple of 4 and fits IPv6 too. */
#define HUGE_DATAGRAM	 65504
#define MANY_ATTRIBUTES	 400
#define PCP_MAX		 1100 /* RFC 6887 §7: a PCP message is at most 1100 bytes */
#define PCP_MAP_BODY	 36   /* RFC 6887 §11.1 */
#define PCP_HEADER	 24   /* RFC 6887 §7.1, §7.2 */
#define NATPMP_PORT_RESP 16   /* RFC 6886 §3.3 */
#define NATPMP_ADDR_RESP 12   /* RFC 6886 §3.2 */

enum mode {
	MODE_BURST,
	MODE_LIE,
	MODE_MIXED,
	MODE_SILENT,
	MODE_NOCHANGE,
	MODE_NOMAP,
	MODE_NATPMPONLY,
	MODE_PCPONLY,
	MODE_REFUSE,
	MODE_TWICE,
	MODE_PCPV1,
	MODE_ERROR,
};
enum kind { KIND_STUN, KIND_GATEWAY };

struct server {
	int fd;
	enum kind kind;
	struct netaddr bound;
};

struct config {
	enum mode mode;
	struct netaddr host_ip;	 /* the host's own private address, or none */
	struct netaddr external; /* the "true" external address (mixed), or none */
	struct netaddr stun_lie; /* the mapped address of "lie" mode */
	struct netaddr gw_lie;	 /* the external address of "lie" mode */
	struct netaddr other;	 /* OTHER-ADDRESS claimed in nochange mode, or none */
	long max_seconds;
	long max_requests;
};

/* What a request told us, parsed just enough to make the lies plausible. */
struct request {
	const uint8_t *p;
	size_t len;
	struct netaddr from;
	uint8_t txid[12];	/* STUN transaction id, zero if the request was short */
	uint8_t nonce[12];	/* PCP MAP nonce, zero if none */
	uint8_t pcp_opcode;	/* PCP opcode of the request */
	uint8_t protocol;	/* PCP MAP protocol */
	uint16_t internal_port; /* PCP MAP / NAT-PMP internal port */
	uint32_t lifetime;	/* requested lifetime */
	uint8_t natpmp_op;	/* NAT-PMP opcode of the request */
	bool change_request;	/* STUN: a CHANGE-REQUEST attribute is present */
};

/* One datagram being built. HUGE_DATAGRAM is the biggest we ever send. */
static uint8_t out_buf[HUGE_DATAGRAM];

static volatile sig_atomic_t stop;
static bool verbose; /* -v: one line per datagram sent */
static struct timespec started;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint32_t uptime_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint32_t)(now.tv_sec - started.tv_sec);
}

static struct netaddr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t ip[4] = { a, b, c, d };

	return netaddr_v4(ip, 0);
}

/* Send the built datagram; count it. A failed send is only logged: the
 * other lies still go out. */
static void emit(const struct server *s, const struct request *rq, struct buf_writer *w,
		 const char *what, int *sent)
{
	struct sockaddr_storage ss;
	char a[NETADDR_FMT_MAX];
	int sl;

	if (w->err) {
		fprintf(stderr, "lab_hostile: %s does not fit, not sent (a bug here)\n", what);
		return;
	}
	sl = netaddr_to_sockaddr(&rq->from, &ss);
	if (sl < 0)
		return;
	if (sendto(s->fd, w->p, w->len, 0, (struct sockaddr *)&ss, (socklen_t)sl) < 0) {
		fprintf(stderr, "lab_hostile: send %s to %s: %s\n", what, netaddr_fmt(&rq->from, a),
			strerror(errno));
		return;
	}
	(*sent)++;
	if (verbose)
		fprintf(stderr, "lab_hostile:   %s (%zu bytes)\n", what, w->len);
}

static struct buf_writer fresh(void)
{
	return buf_writer(out_buf, sizeof(out_buf));
}

/* ---- STUN (RFC 8489) -------------------------------------------------------
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |0 0|     STUN Message Type     |         Message Length        |
 *  |                         Magic Cookie                          |
 *  |                     Transaction ID (96 bits)                  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  §5; attributes are type(2) length(2) value, padded to 4 (14).
 */
#define STUN_BINDING_REQUEST 0x0001
#define STUN_BINDING_SUCCESS 0x0101
#define STUN_BINDING_ERROR   0x0111
#define STUN_MAPPED_ADDRESS  0x0001
#define STUN_XOR_MAPPED	     0x0020
#define STUN_ERROR_CODE	     0x0009
#define STUN_SOFTWARE	     0x8022
#define STUN_FINGERPRINT     0x8028
#define STUN_RESPONSE_ORIGIN 0x802B /* RFC 5780 §7.3 */
#define STUN_OTHER_ADDRESS   0x802C /* RFC 5780 §7.4 */

static void stun_header(struct buf_writer *w, uint16_t type, uint16_t length, uint32_t cookie,
			const uint8_t txid[12])
{
	bw_u16(w, type);
	bw_u16(w, length);
	bw_u32(w, cookie);
	bw_bytes(w, txid, 12);
}

/* Patch the header's length to what follows it (the honest value). */
static void stun_fix_length(struct buf_writer *w)
{
	if (!w->err && w->len >= 20)
		be16_store(w->p + 2, (uint16_t)(w->len - 20));
}

/* (XOR-)MAPPED-ADDRESS, RFC 8489 sections 14.1 and 14.2, for either family.
 * IPv6 XOR uses the cookie then the transaction id. */
static void stun_addr_attr(struct buf_writer *w, uint16_t type, const struct netaddr *a,
			   uint16_t port, const uint8_t txid[12])
{
	uint8_t key[16], ip[16];
	size_t n = a->family == AF_INET6 ? 16 : 4;

	be32_store(key, STUN_COOKIE);
	memcpy(key + 4, txid, 12);
	memcpy(ip, a->ip, n);
	if (type == STUN_XOR_MAPPED) {
		port ^= (uint16_t)(STUN_COOKIE >> 16);
		for (size_t i = 0; i < n; i++)
			ip[i] ^= key[i];
	}
	bw_u16(w, type);
	bw_u16(w, (uint16_t)(4 + n));
	bw_u8(w, 0);
	bw_u8(w, a->family == AF_INET6 ? 2 : 1);
	bw_u16(w, port);
	bw_bytes(w, ip, n);
}

/* A Binding success claiming the client is at `mapped` (port: the request's). */
static void stun_success(struct buf_writer *w, const struct request *rq,
			 const struct netaddr *mapped)
{
	stun_header(w, STUN_BINDING_SUCCESS, 0, STUN_COOKIE, rq->txid);
	stun_addr_attr(w, STUN_XOR_MAPPED, mapped, rq->from.port, rq->txid);
	stun_fix_length(w);
}

static void stun_burst(const struct server *s, const struct request *rq, const struct config *cfg,
		       int *sent)
{
	struct buf_writer w;
	uint8_t other_txid[12];
	struct netaddr real = rq->from, lo = v4(127, 0, 0, 1), mc = v4(224, 0, 0, 1);

	memcpy(other_txid, rq->txid, 12);
	other_txid[11] ^= 0xff;

	w = fresh(); /* a header cut short: 10 of 20 bytes */
	stun_success(&w, rq, &real);
	w.len = 10;
	emit(s, rq, &w, "stun-truncated-header", sent);

	w = fresh(); /* length says 256, 12 bytes follow */
	stun_success(&w, rq, &real);
	be16_store(w.p + 2, 256);
	emit(s, rq, &w, "stun-length-too-big", sent);

	w = fresh(); /* length says 4, 12 bytes follow */
	stun_success(&w, rq, &real);
	be16_store(w.p + 2, 4);
	emit(s, rq, &w, "stun-length-too-small", sent);

	w = fresh(); /* length not a multiple of 4 (and a 5-byte attribute) */
	stun_header(&w, STUN_BINDING_SUCCESS, 0, STUN_COOKIE, rq->txid);
	bw_u16(&w, STUN_SOFTWARE);
	bw_u16(&w, 5);
	bw_bytes(&w, "liar!", 5);
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-length-unaligned", sent);

	w = fresh();
	stun_header(&w, STUN_BINDING_SUCCESS, 0, 0xdeadbeef, rq->txid);
	stun_addr_attr(&w, STUN_XOR_MAPPED, &real, rq->from.port, rq->txid);
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-wrong-cookie", sent);

	w = fresh();
	stun_header(&w, STUN_BINDING_SUCCESS, 0, STUN_COOKIE, other_txid);
	stun_addr_attr(&w, STUN_XOR_MAPPED, &real, rq->from.port, other_txid);
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-wrong-txid", sent);

	w = fresh(); /* a request, not a response, with the right txid */
	stun_header(&w, STUN_BINDING_REQUEST, 0, STUN_COOKIE, rq->txid);
	stun_addr_attr(&w, STUN_XOR_MAPPED, &real, rq->from.port, rq->txid);
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-not-a-response", sent);

	w = fresh(); /* attribute says 64 bytes, 8 follow; header length honest */
	stun_header(&w, STUN_BINDING_SUCCESS, 0, STUN_COOKIE, rq->txid);
	bw_u16(&w, STUN_XOR_MAPPED);
	bw_u16(&w, 64);
	bw_u8(&w, 0);
	bw_u8(&w, 1);
	bw_u16(&w, rq->from.port);
	bw_u32(&w, 0x7f000001);
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-attr-past-end", sent);

	w = fresh(); /* address family 3 does not exist */
	stun_success(&w, rq, &real);
	w.p[20 + 5] = 3;
	emit(s, rq, &w, "stun-xma-bad-family", sent);

	w = fresh(); /* XOR-MAPPED-ADDRESS of 4 bytes: no address at all */
	stun_header(&w, STUN_BINDING_SUCCESS, 0, STUN_COOKIE, rq->txid);
	bw_u16(&w, STUN_XOR_MAPPED);
	bw_u16(&w, 4);
	bw_u8(&w, 0);
	bw_u8(&w, 1);
	bw_u16(&w, rq->from.port);
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-xma-short", sent);

	w = fresh(); /* family IPv6 but only 4 address bytes */
	stun_success(&w, rq, &lo);
	w.p[20 + 5] = 2;
	emit(s, rq, &w, "stun-xma-v6-family-v4-length", sent);

	{
		static const struct {
			const char *what;
			uint8_t ip[4];
		} lies[] = {
			{ "stun-mapped-unspecified", { 0, 0, 0, 0 } },
			{ "stun-mapped-loopback", { 127, 0, 0, 1 } },
			{ "stun-mapped-multicast", { 224, 0, 0, 1 } },
			{ "stun-mapped-broadcast", { 255, 255, 255, 255 } },
		};

		for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
			struct netaddr a = netaddr_v4(lies[i].ip, 0);

			w = fresh();
			stun_success(&w, rq, &a);
			emit(s, rq, &w, lies[i].what, sent);
		}
	}
	if (cfg->host_ip.family) {
		w = fresh();
		stun_success(&w, rq, &cfg->host_ip);
		emit(s, rq, &w, "stun-mapped-host-private", sent);
	}

	w = fresh(); /* the true address with port 0 */
	stun_header(&w, STUN_BINDING_SUCCESS, 0, STUN_COOKIE, rq->txid);
	stun_addr_attr(&w, STUN_XOR_MAPPED, &real, 0, rq->txid);
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-mapped-port-zero", sent);

	w = fresh(); /* MAPPED-ADDRESS and XOR-MAPPED-ADDRESS disagree */
	stun_header(&w, STUN_BINDING_SUCCESS, 0, STUN_COOKIE, rq->txid);
	stun_addr_attr(&w, STUN_MAPPED_ADDRESS, &lo, rq->from.port, rq->txid);
	stun_addr_attr(&w, STUN_XOR_MAPPED, &mc, rq->from.port, rq->txid);
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-mapped-disagree", sent);

	w = fresh(); /* ERROR-CODE with class 9 (valid: 3..6) and a lying length */
	stun_header(&w, STUN_BINDING_ERROR, 0, STUN_COOKIE, rq->txid);
	bw_u16(&w, STUN_ERROR_CODE);
	bw_u16(&w, 8);
	bw_u16(&w, 0);
	bw_u8(&w, 9);
	bw_u8(&w, 199);
	bw_bytes(&w, "oops", 4);
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-error-bad-class", sent);

	w = fresh(); /* a FINGERPRINT that is wrong */
	stun_success(&w, rq, &lo);
	bw_u16(&w, STUN_FINGERPRINT);
	bw_u16(&w, 4);
	bw_u32(&w, 0x12345678);
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-bad-fingerprint", sent);

	w = fresh(); /* hundreds of attributes, every mapped one a lie */
	stun_header(&w, STUN_BINDING_SUCCESS, 0, STUN_COOKIE, rq->txid);
	for (int i = 0; i < MANY_ATTRIBUTES; i++) {
		if (i % 2) {
			struct netaddr a = v4(127, 0, (uint8_t)(i >> 8), (uint8_t)i);

			stun_addr_attr(&w, STUN_XOR_MAPPED, &a, (uint16_t)i, rq->txid);
		} else {
			bw_u16(&w, (uint16_t)(0x8030 + (i & 0xf))); /* comprehension-optional */
			bw_u16(&w, 4);
			bw_u32(&w, (uint32_t)i);
		}
	}
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-many-attributes", sent);

	w = fresh(); /* 64 KiB: a loopback lie, then a giant SOFTWARE */
	stun_success(&w, rq, &lo);
	bw_u16(&w, STUN_SOFTWARE);
	bw_u16(&w, (uint16_t)(HUGE_DATAGRAM - w.len - 2));
	memset(w.p + w.len, 'A', HUGE_DATAGRAM - w.len);
	w.len = HUGE_DATAGRAM;
	stun_fix_length(&w);
	emit(s, rq, &w, "stun-huge-datagram", sent);

	w = fresh(); /* an empty datagram */
	emit(s, rq, &w, "stun-empty-datagram", sent);
}

/* ---- PCP (RFC 6887) ----------------------------------------------------------
 *
 * Response header, §7.2:
 *  | Version = 2 |R|   Opcode    |   Reserved    |  Result Code  |
 *  |                      Lifetime (32 bits)                     |
 *  |                     Epoch Time (32 bits)                    |
 *  |                      Reserved (96 bits)                     |
 * MAP body, §11.1: nonce(96) protocol(8) reserved(24)
 *  internal port(16) assigned external port(16) assigned external IP(128)
 */
#define PCP_OP_ANNOUNCE 0
#define PCP_OP_MAP	1
#define PCP_OP_PEER	2

struct pcp_lie {
	uint8_t version, opcode, result;
	uint32_t lifetime, epoch;
	const uint8_t *nonce;
	uint16_t ext_port;
	struct netaddr ext;
};

/* The external address as PCP's 16 bytes: IPv4 mapped (§5); a
 * family-less address writes 16 zero bytes (the IPv6 "::"). */
static void pcp_addr16(struct buf_writer *w, const struct netaddr *a)
{
	if (a->family == AF_INET) {
		bw_zero(w, 10);
		bw_u16(w, 0xffff);
		bw_bytes(w, a->ip, 4);
	} else if (a->family == AF_INET6) {
		bw_bytes(w, a->ip, 16);
	} else {
		bw_zero(w, 16);
	}
}

static void pcp_map_response(struct buf_writer *w, const struct request *rq,
			     const struct pcp_lie *l)
{
	bw_u8(w, l->version);
	bw_u8(w, l->opcode);
	bw_u8(w, 0);
	bw_u8(w, l->result);
	bw_u32(w, l->lifetime);
	bw_u32(w, l->epoch);
	bw_zero(w, 12);
	bw_bytes(w, l->nonce, 12);
	bw_u8(w, rq->protocol);
	bw_zero(w, 3);
	bw_u16(w, rq->internal_port);
	bw_u16(w, l->ext_port);
	pcp_addr16(w, &l->ext);
}

/* A plausible success: the lie starts from this and changes one thing. */
static struct pcp_lie pcp_base(const struct request *rq, const struct config *cfg)
{
	struct pcp_lie l = {
		.version = 2,
		.opcode = 0x80 | PCP_OP_MAP,
		.result = 0,
		.lifetime = 7200,
		.epoch = uptime_seconds(),
		.nonce = rq->nonce,
		.ext_port = rq->internal_port,
		.ext = cfg->external.family ? cfg->external : v4(11, 0, 2, 2),
	};

	return l;
}

static void pcp_burst(const struct server *s, const struct request *rq, const struct config *cfg,
		      int *sent)
{
	static const uint8_t wrong_nonce[12] = { 0xde, 0xad, 0xbe, 0xef };
	struct buf_writer w;
	struct pcp_lie l;

#define PCP_LIE(what, change)                 \
	do {                                  \
		l = pcp_base(rq, cfg);        \
		change;                       \
		w = fresh();                  \
		pcp_map_response(&w, rq, &l); \
		emit(s, rq, &w, what, sent);  \
	} while (0)

	PCP_LIE("pcp-wrong-version", l.version = 3);
	PCP_LIE("pcp-version-1", l.version = 1);
	PCP_LIE("pcp-r-bit-clear", l.opcode = PCP_OP_MAP);
	PCP_LIE("pcp-wrong-opcode-peer", l.opcode = 0x80 | PCP_OP_PEER);
	PCP_LIE("pcp-unknown-opcode", l.opcode = 0x80 | 0x55);
	PCP_LIE("pcp-wrong-nonce", l.nonce = wrong_nonce);
	PCP_LIE("pcp-ext-unspecified", l.ext = v4(0, 0, 0, 0));
	PCP_LIE("pcp-ext-loopback", l.ext = v4(127, 0, 0, 1));
	PCP_LIE("pcp-ext-multicast", l.ext = v4(224, 0, 0, 1));
	PCP_LIE("pcp-ext-v6-unspecified", l.ext.family = 0);
	if (cfg->host_ip.family)
		PCP_LIE("pcp-ext-host-private", l.ext = cfg->host_ip);
	PCP_LIE("pcp-ext-port-zero", l.ext_port = 0);
	PCP_LIE("pcp-lifetime-max", l.lifetime = 0xffffffffu);
	PCP_LIE("pcp-lifetime-zero-success", l.lifetime = 0);
	PCP_LIE("pcp-result-unknown", l.result = 200);
	PCP_LIE("pcp-epoch-max", l.epoch = 0xffffffffu);

	l = pcp_base(rq, cfg); /* 62 bytes: not a multiple of 4 */
	w = fresh();
	pcp_map_response(&w, rq, &l);
	bw_u16(&w, 0);
	emit(s, rq, &w, "pcp-not-multiple-of-4", sent);

	w = fresh(); /* an optional option (code 200) that makes it 1104 bytes */
	pcp_map_response(&w, rq, &l);
	bw_u8(&w, 200);
	bw_u8(&w, 0);
	bw_u16(&w, (uint16_t)(PCP_MAX + 4 - w.len - 2));
	bw_zero(&w, PCP_MAX + 4 - w.len);
	emit(s, rq, &w, "pcp-over-1100-bytes", sent);

	w = fresh(); /* 20 bytes: not even the common header */
	pcp_map_response(&w, rq, &l);
	w.len = 20;
	emit(s, rq, &w, "pcp-truncated-header", sent);

	w = fresh(); /* header and half a MAP body */
	pcp_map_response(&w, rq, &l);
	w.len = 40;
	emit(s, rq, &w, "pcp-truncated-map", sent);

	w = fresh(); /* THIRD_PARTY option that claims 16 bytes, 4 follow */
	pcp_map_response(&w, rq, &l);
	bw_u8(&w, 1);
	bw_u8(&w, 0);
	bw_u16(&w, 16);
	bw_u32(&w, 0x0a000001);
	emit(s, rq, &w, "pcp-option-past-end", sent);

	w = fresh(); /* an option with length 0xffff */
	pcp_map_response(&w, rq, &l);
	bw_u8(&w, 2);
	bw_u8(&w, 0);
	bw_u16(&w, 0xffff);
	emit(s, rq, &w, "pcp-option-length-max", sent);

	w = fresh(); /* NAT-PMP-shaped "success, you are 0.0.0.0" to a PCP request */
	bw_u8(&w, 0);
	bw_u8(&w, 128);
	bw_u16(&w, 0);
	bw_u32(&w, uptime_seconds());
	bw_u32(&w, 0);
	emit(s, rq, &w, "pcp-answered-as-natpmp", sent);
#undef PCP_LIE
}

/* ---- NAT-PMP (RFC 6886) ------------------------------------------------------
 * External address answer, §3.2: version(8)=0 op(8)=128 result(16)
 * epoch(32) address(32). Mapping answer, §3.3: version op=128+n
 * result epoch internal port(16) mapped port(16) lifetime(32).
 */
static void natpmp_addr_response(struct buf_writer *w, uint8_t version, uint8_t op, uint16_t result,
				 const struct netaddr *ext)
{
	bw_u8(w, version);
	bw_u8(w, op);
	bw_u16(w, result);
	bw_u32(w, uptime_seconds());
	if (ext->family == AF_INET)
		bw_bytes(w, ext->ip, 4);
	else
		bw_zero(w, 4);
}

static void natpmp_map_response(struct buf_writer *w, uint8_t op, uint16_t internal,
				uint16_t mapped, uint32_t lifetime)
{
	bw_u8(w, 0);
	bw_u8(w, op);
	bw_u16(w, 0);
	bw_u32(w, uptime_seconds());
	bw_u16(w, internal);
	bw_u16(w, mapped);
	bw_u32(w, lifetime);
}

static void natpmp_burst(const struct server *s, const struct request *rq, const struct config *cfg,
			 int *sent)
{
	struct netaddr ext = cfg->external.family ? cfg->external : v4(11, 0, 2, 2);
	struct netaddr zero = v4(0, 0, 0, 0), lo = v4(127, 0, 0, 1);
	uint8_t map_op = rq->natpmp_op == 2 ? 130 : 129;
	struct buf_writer w;

	w = fresh(); /* 6 of 12 bytes */
	natpmp_addr_response(&w, 0, 128, 0, &ext);
	w.len = 6;
	emit(s, rq, &w, "natpmp-truncated", sent);

	w = fresh();
	natpmp_addr_response(&w, 0, 128 + 7, 0, &ext);
	emit(s, rq, &w, "natpmp-wrong-opcode", sent);

	w = fresh(); /* the request's opcode echoed without the 128 bit */
	natpmp_addr_response(&w, 0, rq->natpmp_op, 0, &ext);
	emit(s, rq, &w, "natpmp-response-bit-clear", sent);

	w = fresh();
	natpmp_addr_response(&w, 1, 128, 0, &ext);
	emit(s, rq, &w, "natpmp-wrong-version", sent);

	w = fresh(); /* results 0..5 are defined */
	natpmp_addr_response(&w, 0, 128, 99, &ext);
	emit(s, rq, &w, "natpmp-result-out-of-range", sent);

	w = fresh();
	natpmp_addr_response(&w, 0, 128, 0, &zero);
	emit(s, rq, &w, "natpmp-ext-unspecified", sent);

	w = fresh();
	natpmp_addr_response(&w, 0, 128, 0, &lo);
	emit(s, rq, &w, "natpmp-ext-loopback", sent);

	if (cfg->host_ip.family) {
		w = fresh();
		natpmp_addr_response(&w, 0, 128, 0, &cfg->host_ip);
		emit(s, rq, &w, "natpmp-ext-host-private", sent);
	}

	w = fresh(); /* the right length plus 1088 bytes of nothing */
	natpmp_addr_response(&w, 0, 128, 0, &ext);
	bw_zero(&w, 1088);
	emit(s, rq, &w, "natpmp-oversize", sent);

	w = fresh();
	natpmp_map_response(&w, map_op, rq->internal_port, 0, 7200);
	emit(s, rq, &w, "natpmp-map-port-zero", sent);

	w = fresh();
	natpmp_map_response(&w, map_op, rq->internal_port, rq->internal_port, 0xffffffffu);
	emit(s, rq, &w, "natpmp-map-lifetime-max", sent);

	w = fresh(); /* a mapping answer for another internal port */
	natpmp_map_response(&w, map_op, (uint16_t)(rq->internal_port + 1), rq->internal_port, 7200);
	emit(s, rq, &w, "natpmp-map-other-port", sent);

	w = fresh();
	natpmp_map_response(&w, map_op, rq->internal_port, rq->internal_port, 7200);
	w.len = 10;
	emit(s, rq, &w, "natpmp-map-truncated", sent);
}

/* ---- the well-formed answers: "lie" and "mixed" modes -------------------- */

static void gateway_answer(const struct server *s, const struct request *rq,
			   const struct netaddr *ext, const char *what, int *sent)
{
	struct buf_writer w = fresh();
	uint32_t lifetime = rq->lifetime > 86400 ? 86400 : rq->lifetime;

	if (rq->len >= 2 && rq->p[0] == 0) {
		if (rq->natpmp_op == 0)
			natpmp_addr_response(&w, 0, 128, 0, ext);
		else
			natpmp_map_response(&w, (uint8_t)(128 + rq->natpmp_op), rq->internal_port,
					    rq->internal_port, lifetime);
	} else if (rq->pcp_opcode == PCP_OP_MAP) {
		struct pcp_lie l = {
			.version = 2,
			.opcode = 0x80 | PCP_OP_MAP,
			.lifetime = lifetime,
			.epoch = uptime_seconds(),
			.nonce = rq->nonce,
			.ext_port = rq->internal_port,
			.ext = *ext,
		};

		pcp_map_response(&w, rq, &l);
	} else {
		/* ANNOUNCE, PEER, anything else: a success header for that opcode
		 * and the request's body echoed back (bounded by PCP_MAX). */
		size_t body = rq->len > PCP_HEADER ? rq->len - PCP_HEADER : 0;

		if (body > PCP_MAX - PCP_HEADER)
			body = PCP_MAX - PCP_HEADER;
		bw_u8(&w, 2);
		bw_u8(&w, (uint8_t)(0x80 | rq->pcp_opcode));
		bw_u8(&w, 0);
		bw_u8(&w, 0);
		bw_u32(&w, lifetime);
		bw_u32(&w, uptime_seconds());
		bw_zero(&w, 12);
		bw_bytes(&w, rq->p + PCP_HEADER, body & ~(size_t)3);
	}
	emit(s, rq, &w, what, sent);
}

/* The honest but limited servers: natpmponly, pcponly, refuse, twice. */
static void limited_answer(const struct server *s, const struct request *rq,
			   const struct config *cfg, int *sent)
{
	struct buf_writer w = fresh();
	bool natpmp = rq->len >= 1 && rq->p[0] == 0;

	if (s->kind == KIND_STUN && cfg->mode == MODE_ERROR) {
		/* RFC 8489 §14.8 ERROR-CODE 400 and its reason phrase. */
		stun_header(&w, STUN_BINDING_ERROR, 0, STUN_COOKIE, rq->txid);
		bw_u16(&w, STUN_ERROR_CODE);
		bw_u16(&w, 4 + 12);
		bw_u16(&w, 0);
		bw_u8(&w, 4);
		bw_u8(&w, 0);
		bw_bytes(&w, "Bad Request ", 12);
		stun_fix_length(&w);
		emit(s, rq, &w, "stun-error-400", sent);
		return;
	}
	if (s->kind == KIND_STUN && cfg->mode == MODE_REFUSE && rq->change_request) {
		/* RFC 8489 §14.8 ERROR-CODE 420, §14.13 UNKNOWN-ATTRIBUTES. */
		stun_header(&w, STUN_BINDING_ERROR, 0, STUN_COOKIE, rq->txid);
		bw_u16(&w, STUN_ERROR_CODE);
		bw_u16(&w, 4 + 20);
		bw_u16(&w, 0);
		bw_u8(&w, 4);
		bw_u8(&w, 20);
		bw_bytes(&w, "Unknown Attribute   ", 20);
		bw_u16(&w, 0x000A);
		bw_u16(&w, 2);
		bw_u16(&w, 0x0003);
		bw_u16(&w, 0x0003); /* padding: RFC 3489 repeated the type */
		stun_fix_length(&w);
		emit(s, rq, &w, "stun-refuses-change-request", sent);
		return;
	}
	if (s->kind == KIND_STUN) {
		stun_success(&w, rq, &rq->from);
		if (cfg->mode == MODE_REFUSE) {
			stun_addr_attr(&w, STUN_RESPONSE_ORIGIN, &s->bound, s->bound.port,
				       rq->txid);
			if (cfg->other.family)
				stun_addr_attr(&w, STUN_OTHER_ADDRESS, &cfg->other, cfg->other.port,
					       rq->txid);
			stun_fix_length(&w);
		}
		emit(s, rq, &w, "stun-truth", sent);
		if (cfg->mode == MODE_TWICE)
			emit(s, rq, &w, "stun-truth-again", sent);
		return;
	}
	if (cfg->mode == MODE_NATPMPONLY && !natpmp) {
		/* RFC 6886 §3.5 framing: version 0, 128 + the request's
		 * opcode, UNSUPP_VERSION, the epoch. */
		bw_u8(&w, 0);
		bw_u8(&w, (uint8_t)(128 + rq->pcp_opcode));
		bw_u16(&w, 1);
		bw_u32(&w, uptime_seconds());
		emit(s, rq, &w, "natpmp-unsupp-version-to-pcp", sent);
		return;
	}
	if ((cfg->mode == MODE_PCPONLY && natpmp) || (cfg->mode == MODE_PCPV1 && !natpmp)) {
		/* RFC 6887 §7.2 header: the server's version (2, or 1), R
		 * bit and opcode (0 for NAT-PMP's request, as miniupnpd),
		 * UNSUPP_VERSION, lifetime 0, the epoch. */
		bw_u8(&w, cfg->mode == MODE_PCPV1 ? 1 : 2);
		bw_u8(&w, (uint8_t)(0x80 | (natpmp ? 0 : rq->pcp_opcode)));
		bw_u8(&w, 0);
		bw_u8(&w, 1);
		bw_u32(&w, 0);
		bw_u32(&w, uptime_seconds());
		bw_zero(&w, 12);
		emit(s, rq, &w, natpmp ? "pcp-unsupp-version-to-natpmp" : "pcpv1-unsupp-version",
		     sent);
		return;
	}
	if (!cfg->external.family)
		return;
	gateway_answer(s, rq, &cfg->external, "gateway-truth", sent);
	if (cfg->mode == MODE_TWICE)
		gateway_answer(s, rq, &cfg->external, "gateway-truth-again", sent);
}

/* Pull the few fields the lies echo. Anything short stays zero. */
static void parse_request(struct request *rq, const struct server *s)
{
	const uint8_t *p = rq->p;

	if (s->kind == KIND_STUN) {
		if (rq->len >= 20)
			memcpy(rq->txid, p + 8, 12);
		/* Attributes: type(2) length(2) value padded to 4. */
		for (size_t off = 20; off + 4 <= rq->len;
		     off += 4 + ((be16_load(p + off + 2) + 3u) & ~3u))
			if (be16_load(p + off) == 0x0003) /* CHANGE-REQUEST, RFC 5780 §7.2 */
				rq->change_request = true;
		return;
	}
	if (rq->len >= 2 && p[0] == 0) { /* NAT-PMP, RFC 6886 §3.2, §3.3 */
		rq->natpmp_op = p[1];
		if (rq->len >= 12) {
			rq->internal_port = be16_load(p + 4);
			rq->lifetime = be32_load(p + 8);
		}
		return;
	}
	if (rq->len >= PCP_HEADER) { /* PCP, RFC 6887 §7.1 */
		rq->pcp_opcode = p[1] & 0x7f;
		rq->lifetime = be32_load(p + 4);
		if (rq->pcp_opcode == PCP_OP_MAP && rq->len >= PCP_HEADER + PCP_MAP_BODY) {
			memcpy(rq->nonce, p + 24, 12);
			rq->protocol = p[36];
			rq->internal_port = be16_load(p + 40);
		}
	}
}

static void handle(const struct server *s, const struct config *cfg, const uint8_t *p, size_t len,
		   const struct netaddr *from)
{
	struct request rq = { .p = p, .len = len, .from = *from };
	char a[NETADDR_FMT_MAX];
	const char *what = s->kind == KIND_STUN ? "stun" : "gateway";
	int sent = 0;
	bool natpmp = len >= 1 && p[0] == 0;

	parse_request(&rq, s);
	if (s->kind == KIND_GATEWAY && !natpmp && rq.pcp_opcode == PCP_OP_MAP) {
		char hex[2 * sizeof(rq.nonce) + 1];

		for (size_t i = 0; i < sizeof(rq.nonce); i++)
			snprintf(hex + 2 * i, 3, "%02x", rq.nonce[i]);
		fprintf(stderr, "lab_hostile: pcp MAP lifetime %u nonce %s port %u\n", rq.lifetime,
			hex, rq.internal_port);
	}
	if (cfg->mode == MODE_BURST || cfg->mode == MODE_MIXED) {
		if (s->kind == KIND_STUN) {
			stun_burst(s, &rq, cfg, &sent);
		} else if (natpmp) {
			natpmp_burst(s, &rq, cfg, &sent);
		} else {
			pcp_burst(s, &rq, cfg, &sent);
		}
	}
	if (cfg->mode == MODE_LIE) {
		if (s->kind == KIND_STUN) {
			struct buf_writer w = fresh();

			stun_header(&w, STUN_BINDING_SUCCESS, 0, STUN_COOKIE, rq.txid);
			stun_addr_attr(&w, STUN_MAPPED_ADDRESS, &cfg->stun_lie, rq.from.port,
				       rq.txid);
			stun_addr_attr(&w, STUN_XOR_MAPPED, &cfg->stun_lie, rq.from.port, rq.txid);
			stun_fix_length(&w);
			emit(s, &rq, &w, "stun-lie", &sent);
		} else {
			gateway_answer(s, &rq, &cfg->gw_lie, "gateway-lie", &sent);
		}
	}
	if (cfg->mode == MODE_NOCHANGE && s->kind == KIND_STUN) {
		struct buf_writer w = fresh();

		/* RFC 5780 attributes use MAPPED-ADDRESS's plain format. */
		stun_success(&w, &rq, &rq.from);
		stun_addr_attr(&w, STUN_RESPONSE_ORIGIN, &s->bound, s->bound.port, rq.txid);
		if (cfg->other.family)
			stun_addr_attr(&w, STUN_OTHER_ADDRESS, &cfg->other, cfg->other.port,
				       rq.txid);
		stun_fix_length(&w);
		emit(s, &rq, &w, "stun-ignores-change-request", &sent);
	}
	if (cfg->mode == MODE_NOMAP && s->kind == KIND_GATEWAY && !natpmp &&
	    rq.pcp_opcode == PCP_OP_MAP) {
		/* The lost answer: say nothing. */
	} else if ((cfg->mode == MODE_NOCHANGE || cfg->mode == MODE_NOMAP) &&
		   s->kind == KIND_GATEWAY && cfg->external.family) {
		gateway_answer(s, &rq, &cfg->external, "gateway-truth", &sent);
	} else if (cfg->mode == MODE_NOMAP && s->kind == KIND_STUN) {
		struct buf_writer w = fresh();

		stun_success(&w, &rq, &rq.from);
		emit(s, &rq, &w, "stun-truth", &sent);
	}
	if (cfg->mode >= MODE_NATPMPONLY)
		limited_answer(s, &rq, cfg, &sent);
	if (cfg->mode == MODE_MIXED) {
		if (s->kind == KIND_STUN) {
			struct buf_writer w = fresh();

			stun_success(&w, &rq, &rq.from);
			emit(s, &rq, &w, "stun-truth", &sent);
		} else if (cfg->external.family) {
			gateway_answer(s, &rq, &cfg->external, "gateway-truth", &sent);
		}
	}
	fprintf(stderr, "lab_hostile: %s request from %s (%zu bytes): %d answers\n", what,
		netaddr_fmt(from, a), len, sent);
}

/* ---- sockets and the loop ----------------------------------------------------- */

static int open_server(struct server *s, const char *spec, enum kind kind)
{
	char host[INET6_ADDRSTRLEN + 1];
	struct sockaddr_storage ss;
	uint16_t port = kind == KIND_STUN ? 3478 : 5351;
	int sl, fd, one = 1, big = 4 << 20;

	if (netaddr_split_hostport(spec, host, sizeof(host), &port) < 0 ||
	    netaddr_parse_ip(&s->bound, host) < 0) {
		fprintf(stderr, "lab_hostile: bad address '%s' (want IP or IP:PORT)\n", spec);
		return -EINVAL;
	}
	s->bound.port = port;
	s->kind = kind;
	sl = netaddr_to_sockaddr(&s->bound, &ss);
	fd = socket(s->bound.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sl < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* The 64 KiB lie must fit the send buffer in one go. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (s->bound.family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0)
		goto fail;
	s->fd = fd;
	return 0;
fail:
	fprintf(stderr, "lab_hostile: cannot serve %s: %s\n", spec, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -errno;
}

static int parse_mode(const char *s, enum mode *m)
{
	static const char *const names[] = {
		"burst",      "lie",	 "mixed",  "silent", "nochange", "nomap",
		"natpmponly", "pcponly", "refuse", "twice",  "pcpv1",	 "error",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*m = (enum mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: lab_hostile [--stun IP[:PORT]]... [--gateway IP[:PORT]]... [options]\n"
	    "\n"
	    "A UDP responder that answers every request with lies, for the natdoctor lab.\n"
	    "\n"
	    "  -s, --stun IP[:PORT]     serve STUN here (port 3478 if none; repeatable)\n"
	    "  -g, --gateway IP[:PORT]  serve PCP and NAT-PMP here (port 5351; repeatable)\n"
	    "  -m, --mode MODE          burst  every lie, one datagram each, per request\n"
	    "                           lie    one well-formed answer that lies\n"
	    "                           mixed  the burst, then one true answer\n"
	    "                           silent no answer at all\n"
	    "                           nochange STUN offers OTHER-ADDRESS but ignores\n"
	    "                                  CHANGE-REQUEST; gateway tells the truth\n"
	    "                           nomap  PCP MAP never answered, the rest true\n"
	    "                           natpmponly PCP refused as NAT-PMP does, the rest true\n"
	    "                           pcponly NAT-PMP refused as PCP does, the rest true\n"
	    "                           refuse STUN CHANGE-REQUEST refused with 420\n"
	    "                           twice  every true answer sent twice\n"
	    "                           pcpv1  PCP refused by a version-1 server, the rest true\n"
	    "                           error  STUN answers 400 Bad Request, the gateway the "
	    "truth\n"
	    "                           (default: burst)\n"
	    "  -H, --host-ip IP         the host's own private address, used as a lie\n"
	    "  -e, --external IP        the true external address (mixed mode's PCP and\n"
	    "                           NAT-PMP answers; without it mixed sends none)\n"
	    "      --stun-lie IP        lie mode's STUN mapped address (default 127.0.0.1)\n"
	    "      --gateway-lie IP     lie mode's external address (default 0.0.0.0)\n"
	    "  -o, --other-address IP:PORT  nochange mode's OTHER-ADDRESS\n"
	    "  -t, --max-seconds N      exit after N seconds (default 60, at most 86400)\n"
	    "  -n, --max-requests N     answer at most N requests (default 100000)\n"
	    "  -v, --verbose            log every datagram sent, by the name of its lie\n"
	    "  -h, --help               this text\n"
	    "\n"
	    "Each request and the number of answers sent is logged to stderr.\n");
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "stun", required_argument, NULL, 's' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "mode", required_argument, NULL, 'm' },
		{ "host-ip", required_argument, NULL, 'H' },
		{ "external", required_argument, NULL, 'e' },
		{ "stun-lie", required_argument, NULL, 'S' },
		{ "gateway-lie", required_argument, NULL, 'G' },
		{ "other-address", required_argument, NULL, 'o' },
		{ "max-seconds", required_argument, NULL, 't' },
		{ "max-requests", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg = { .mode = MODE_BURST, .max_seconds = 60, .max_requests = 100000 };
	struct server servers[MAX_SOCKETS];
	struct pollfd pfd[MAX_SOCKETS];
	static uint8_t in[65536];
	size_t n = 0;
	long requests = 0;
	int c, rc = 1;

	cfg.stun_lie = v4(127, 0, 0, 1);
	cfg.gw_lie = v4(0, 0, 0, 0);
	while ((c = getopt_long(argc, argv, "s:g:m:H:e:o:t:n:vh", opts, NULL)) != -1) {
		struct netaddr *addr = NULL;

		switch (c) {
		case 's':
		case 'g':
			if (n == MAX_SOCKETS) {
				fprintf(stderr, "lab_hostile: at most %d addresses\n", MAX_SOCKETS);
				goto out;
			}
			if (open_server(&servers[n], optarg, c == 's' ? KIND_STUN : KIND_GATEWAY) <
			    0)
				goto out;
			n++;
			break;
		case 'm':
			if (parse_mode(optarg, &cfg.mode) < 0) {
				fprintf(stderr, "lab_hostile: unknown mode '%s'\n", optarg);
				goto out;
			}
			break;
		case 'H':
			addr = &cfg.host_ip;
			break;
		case 'e':
			addr = &cfg.external;
			break;
		case 'S':
			addr = &cfg.stun_lie;
			break;
		case 'G':
			addr = &cfg.gw_lie;
			break;
		case 'o': {
			char host[INET6_ADDRSTRLEN + 1];
			uint16_t port = 3479;

			if (netaddr_split_hostport(optarg, host, sizeof(host), &port) < 0 ||
			    netaddr_parse_ip(&cfg.other, host) < 0) {
				fprintf(stderr, "lab_hostile: bad address '%s'\n", optarg);
				goto out;
			}
			cfg.other.port = port;
			break;
		}
		case 't':
		case 'n':
			if (parse_long(optarg, 1, c == 't' ? 86400 : 100000000,
				       c == 't' ? &cfg.max_seconds : &cfg.max_requests) < 0) {
				fprintf(stderr, "lab_hostile: bad number '%s'\n", optarg);
				goto out;
			}
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
		if (addr && netaddr_parse_ip(addr, optarg) < 0) {
			fprintf(stderr, "lab_hostile: bad IP '%s'\n", optarg);
			goto out;
		}
	}
	if (optind != argc || n == 0) {
		usage(stderr);
		goto out;
	}

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &started);
	for (size_t i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = servers[i].fd, .events = POLLIN };
	fprintf(stderr, "lab_hostile: serving %zu addresses for at most %ld s\n", n,
		cfg.max_seconds);

	while (!stop) {
		long left = cfg.max_seconds - (long)uptime_seconds();

		if (left <= 0) {
			fprintf(stderr, "lab_hostile: --max-seconds reached, exiting\n");
			break;
		}
		if (poll(pfd, n, (int)(left > 1 ? 1000 : left * 1000)) < 0) {
			if (errno == EINTR)
				continue;
			perror("lab_hostile: poll");
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			struct netaddr fa;
			ssize_t len;

			if (!(pfd[i].revents & POLLIN))
				continue;
			len = recvfrom(servers[i].fd, in, sizeof(in), MSG_DONTWAIT,
				       (struct sockaddr *)&from, &fl);
			if (len < 0 || netaddr_from_sockaddr(&fa, (struct sockaddr *)&from, fl) < 0)
				continue;
			if (++requests > cfg.max_requests) {
				fprintf(stderr, "lab_hostile: --max-requests reached, exiting\n");
				stop = 1;
				break;
			}
			if (cfg.mode != MODE_SILENT)
				handle(&servers[i], &cfg, in, (size_t)len, &fa);
			else
				fprintf(stderr, "lab_hostile: request ignored (silent mode)\n");
		}
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		close(servers[i].fd);
	return rc;
}
