/* SPDX-License-Identifier: MIT */
/*
 * IP addresses with a port, in one small value type that codecs can fill
 * without sockets, plus the address classes that the verdict reasons about.
 */
#ifndef ND_UTIL_NETADDR_H
#define ND_UTIL_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct netaddr {
	uint8_t family; /* AF_INET, AF_INET6, or 0 for "none" */
	uint8_t ip[16]; /* network order; IPv4 uses ip[0..3] */
	uint16_t port;	/* host order; 0 when not known or not relevant */
};

/* Longest text netaddr_fmt writes, with the NUL: "[v6%scope]:65535". */
#define NETADDR_FMT_MAX 64

/* Where an address stands, for the NAT verdict. Ordered so that
 * "class >= NETADDR_PUBLIC" means "routable on the internet". */
enum netaddr_class {
	NETADDR_NONE = 0,
	NETADDR_UNSPECIFIED, /* 0.0.0.0, :: */
	NETADDR_LOOPBACK,    /* 127/8, ::1 */
	NETADDR_LINKLOCAL,   /* 169.254/16, fe80::/10 */
	NETADDR_MULTICAST,   /* 224/4, ff00::/8 */
	NETADDR_RESERVED,    /* 0/8, 240/4, docs ranges, 198.18/15, 192.0.0/24 */
	NETADDR_PRIVATE,     /* RFC 1918; IPv6 ULA fc00::/7 (RFC 4193) */
	NETADDR_CGNAT,	     /* 100.64.0.0/10, RFC 6598 shared address space */
	NETADDR_PUBLIC,	     /* everything else */
};

/* Build from IPv4 bytes / a 32-bit host-order value / IPv6 bytes. */
struct netaddr netaddr_v4(const uint8_t ip[static 4], uint16_t port);
struct netaddr netaddr_v4u(uint32_t ip_host_order, uint16_t port);
struct netaddr netaddr_v6(const uint8_t ip[static 16], uint16_t port);

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes plain IPv4. */
struct netaddr netaddr_unmap(struct netaddr a);

/* Convert to and from struct sockaddr. to_sockaddr returns the length
 * written, or -EAFNOSUPPORT for an address without a family. */
int netaddr_to_sockaddr(const struct netaddr *a, struct sockaddr_storage *ss);
int netaddr_from_sockaddr(struct netaddr *a, const struct sockaddr *sa, size_t len);

/* Same family, address and port (port ignored when ignore_port). */
bool netaddr_eq(const struct netaddr *a, const struct netaddr *b, bool ignore_port);

/* "1.2.3.4", "2001:db8::1"; with port "1.2.3.4:5", "[2001:db8::1]:5".
 * A family-less address formats as "-". Returns out. */
char *netaddr_fmt_ip(const struct netaddr *a, char out[static NETADDR_FMT_MAX]);
char *netaddr_fmt(const struct netaddr *a, char out[static NETADDR_FMT_MAX]);

/* Parse a literal IPv4 or IPv6 address (no port, no brackets). */
int netaddr_parse_ip(struct netaddr *a, const char *s);

enum netaddr_class netaddr_classify(const struct netaddr *a);
const char *netaddr_class_name(enum netaddr_class c);

/* Split "host", "host:port", "[v6]:port" or "v6" into host and port.
 * host_out gets the host without brackets. *port is set only if a port was
 * given; it must be 1..65535. Returns 0, -EINVAL for bad syntax or a bad
 * port, -ENAMETOOLONG if the host does not fit. */
int netaddr_split_hostport(const char *s, char *host_out, size_t host_size, uint16_t *port);

#endif
