/* SPDX-License-Identifier: MIT */
/*
 * Lines of /proc/net/tcp, tcp6, udp and udp6 (proc(5)): which sockets exist
 * in this network namespace, their local and remote address, state, owner.
 * Pure: the caller reads the file (check/local.c), this parses one line.
 *
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when ... uid  timeout inode
 *    0: 0100007F:7D2D 00000000:0000 0A 00000000:00000000 00:00000000 ... 1000 0       12345 ...
 *
 * Addresses are the kernel's in-memory words printed as hex in the host's
 * byte order (%08X of a __be32, four of them for IPv6), so the parser turns
 * them back into bytes in the byte order of the host it runs on: the file
 * must come from the same machine. Ports are plain hex numbers.
 */
#ifndef ND_PROTO_PROCNET_H
#define ND_PROTO_PROCNET_H

#include <stddef.h>
#include <stdint.h>

#include "util/netaddr.h"

/* The st column holds the kernel's TCP state numbers for every protocol. */
#define PROCNET_TCP_LISTEN 0x0A
/* An unconnected UDP socket (TCP_CLOSE): bound, takes datagrams from
 * anyone. A connected one shows 01 (ESTABLISHED) and takes only its peer's. */
#define PROCNET_UDP_UNCONNECTED 0x07

/* The longest line the parser accepts; longer lines are malformed. The
 * kernel pads tcp lines to 150 bytes, tcp6 and udp6 lines run to ~180. */
#define PROCNET_LINE_MAX 512

struct procnet_sock {
	struct netaddr local;  /* address and port as bound; IPv6 files show
				  IPv4-mapped addresses as such */
	struct netaddr remote; /* 0.0.0.0:0 or [::]:0 when unconnected */
	uint8_t state;	       /* the st column */
	uint32_t uid;
	uint64_t inode;
};

/* Parse one line (len bytes, need not be NUL-terminated; a trailing "\n" is
 * fine). The address width says the family: 8 hex digits IPv4, 32 IPv6.
 * Returns 1 and fills *out for a socket line, 0 for the header line or a
 * blank line, -EINVAL for anything else (*out is then unspecified). */
int procnet_parse_line(const char *line, size_t len, struct procnet_sock *out);

#endif
