/* SPDX-License-Identifier: MIT */
/*
 * The UDP sockets the probes use: non-blocking, close-on-exec, IPv6 ones
 * IPv6-only (an IPv4 probe must not leave through an IPv6 socket).
 */
#ifndef ND_NET_UDP_H
#define ND_NET_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* One datagram (or one error) udp_drain read, as its callback sees it. */
struct udp_datagram {
	const uint8_t *data; /* the caller's buffer; valid during the callback only */
	size_t len;	     /* bytes in data: the datagram's, at most cap */
	size_t wire_len;     /* its length as sent: > len when truncated */
	bool truncated;	     /* longer than cap: data holds its first cap bytes */
	struct netaddr from; /* the sender (an IPv4-mapped IPv6 address unmapped) */
	uint32_t waited_ms;  /* how long it sat unread (as udp_recv_waited), 0: unknown */
	int error;	     /* 0; or the negative errno the socket gave instead of a
			      * datagram (an ICMP error: -ECONNREFUSED, -EHOSTUNREACH,
			      * ...): then nothing above is set */
};

/* Called for each datagram and each error udp_drain reads; return true to
 * read on, false to stop at once (the caller closed fd, or has what it
 * wanted). */
typedef bool (*udp_datagram_fn)(int fd, const struct udp_datagram *d, void *ctx);

/*
 * The probes' receive loop: read what waits on fd (a UDP socket, connected
 * or not), at most max reads this call, into buf (cap bytes, the caller's)
 * and hand each to fn. The bound keeps a flood on one socket from starving
 * the loop's other fds and timers; what is left waits for the next wakeup
 * (the loop is level-triggered). Every read counts toward max: a datagram
 * (also a truncated or empty one), an error queued on the socket, and a
 * datagram whose source is not an IP address (not handed to fn).
 *
 * Datagrams are read with MSG_TRUNC, so a too-long one is seen as such
 * (truncated, wire_len) instead of as its first cap bytes, and with their
 * arrival time (SO_TIMESTAMPNS, on for udp_open sockets): waited_ms is
 * what a round trip measured now must subtract. Reads never block
 * (MSG_DONTWAIT); EAGAIN ends the call.
 *
 * Returns how many reads were handed to fn (0 when nothing waited), or a
 * negative errno when fd cannot be read at all (-EBADF, -ENOTSOCK,
 * -EINVAL, -EFAULT, -ENOMEM); fn is never called after that.
 */
int udp_drain(int fd, void *buf, size_t cap, unsigned max, udp_datagram_fn fn, void *ctx);

#endif
