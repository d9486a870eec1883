/* SPDX-License-Identifier: MIT */
/*
 * The UDP sockets the probes use: non-blocking, close-on-exec, IPv6 ones
 * IPv6-only (an IPv4 probe must not leave through an IPv6 socket).
 */
#ifndef ND_NET_UDP_H
#define ND_NET_UDP_H

#include <sys/socket.h>
#include <sys/types.h>

#include "util/netaddr.h"

/* A UDP socket of family (AF_INET or AF_INET6). With peer, connected to it
 * (only its answers arrive, and ICMP errors come back as ECONNREFUSED or
 * on the error queue); without, bound to the wildcard address and an
 * ephemeral port. local (optional) receives the local address and port the
 * kernel chose. Returns the fd, or a negative errno. */
int udp_open(int family, const struct netaddr *peer, struct netaddr *local);

/* recvfrom(2) on a udp_open socket (from and fromlen may be NULL), that
 * also says in *waited_ms how long the datagram sat in the socket before
 * this call, from the kernel's arrival timestamp (SO_TIMESTAMPNS, which
 * udp_open turns on); 0 when there is none. A round trip measured when
 * the loop gets round to reading is too long by that much: the answer
 * arrived while other probes were being served. */
ssize_t udp_recv_waited(int fd, void *buf, size_t len, int flags, struct sockaddr_storage *from,
			socklen_t *fromlen, uint32_t *waited_ms);

#endif
