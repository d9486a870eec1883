/* SPDX-License-Identifier: MIT */
/*
 * A Substrate node's command line, as /proc/PID/cmdline holds it (argv
 * strings, each ended by a NUL), read for the few flags that decide how the
 * node is reached and how many peers it may take (polkadot-sdk
 * sc-cli NetworkParams):
 *
 *   --port P                 the P2P listen port (default 30333)
 *   --listen-addr MA         repeatable; replaces the default listen address
 *   --public-addr MA         repeatable; what the node advertises
 *   --in-peers N             inbound slots (default 32)
 *   --out-peers N            outbound slots (default 8)
 *   --reserved-only          only reserved peers: strangers never connect
 *   --no-private-ip          (older: --no-private-ipv4) do not dial private
 *                            addresses
 *
 * Both "--flag VALUE" and "--flag=VALUE" are read. A Cumulus collator (a
 * Phala or any parachain node) takes the relay chain's own flags after a
 * lone "--": those form the second chain. Values that do not parse are
 * counted, not guessed. Bytes are untrusted: any byte may appear, strings
 * need not be terminated at the end of the buffer.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef ND_PROTO_NODEARGS_H
#define ND_PROTO_NODEARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/multiaddr.h"

#define NODEARGS_MAX_ADDRS  4 /* per flag and chain; more are counted */
#define NODEARGS_MAX_CHAINS 2 /* the node's own chain, then the relay chain after "--" */
#define NODEARGS_PROG_MAX   64

/* Substrate's defaults (sc-cli NetworkParams). */
#define NODEARGS_DEFAULT_PORT	   30333
#define NODEARGS_DEFAULT_IN_PEERS  32
#define NODEARGS_DEFAULT_OUT_PEERS 8

struct nodeargs_chain {
	int32_t port;		     /* --port, -1 when absent */
	int64_t in_peers, out_peers; /* -1 when absent */
	bool reserved_only;
	bool no_private_ip;
	struct multiaddr listen[NODEARGS_MAX_ADDRS];
	size_t n_listen;
	struct multiaddr public_addr[NODEARGS_MAX_ADDRS];
	size_t n_public;
	size_t n_dropped; /* addresses beyond the arrays */
	size_t n_flags;	  /* network flags of ours seen in this chain */
};

struct nodeargs {
	char prog[NODEARGS_PROG_MAX]; /* basename of argv[0], printable ASCII */
	struct nodeargs_chain chain[NODEARGS_MAX_CHAINS];
	size_t n_chains; /* 1, or 2 when a "--" separates the relay chain's flags */
	size_t n_bad;	 /* flag values that did not parse */
	bool substrate;	 /* some flag says this is a Substrate node (--chain,
			    --base-path, --port, --rpc-port, ...) */
};

/* Parse argv as NUL-separated strings in buf[0..len). Returns 0 with out
 * filled, or -EINVAL when buf holds no argv[0] at all (empty: a kernel
 * thread or a zombie). */
int nodeargs_parse(const char *buf, size_t len, struct nodeargs *out);

/* The effective slots: the flag, or Substrate's default. */
int64_t nodeargs_in_peers(const struct nodeargs_chain *c);
int64_t nodeargs_out_peers(const struct nodeargs_chain *c);

/* Which container holds a process, from its /proc/PID/cgroup text
 * (cgroup v1 or v2): Docker ("/docker/ID", "docker-ID.scope"), containerd
 * and CRI-O under Kubernetes ("cri-containerd-ID", "crio-ID"), Podman
 * ("libpod-ID"), LXC ("/lxc/NAME"). Writes "docker 1a2b3c4d5e6f" (the
 * runtime and the first 12 characters of the id, as `docker ps` shows
 * them) to out and returns 1; returns 0 with out "" when the cgroup says
 * nothing about a container (a process on the host). */
int nodeargs_container(const char *cgroup, size_t len, char *out, size_t cap);

#endif
