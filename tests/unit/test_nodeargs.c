/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "proto/nodeargs.h"

/* argv as /proc/PID/cmdline has it: sizeof includes the last NUL. */
#define PARSE(lit, out) nodeargs_parse(lit, sizeof(lit), out)

static void polkadot_defaults(void **state)
{
	static const char cmd[] = "/usr/bin/polkadot\0--chain\0kusama\0--name\0my node";
	struct nodeargs a;

	(void)state;
	assert_int_equal(PARSE(cmd, &a), 0);
	assert_string_equal(a.prog, "polkadot");
	assert_true(a.substrate);
	assert_int_equal(a.n_chains, 1);
	assert_int_equal(a.chain[0].port, -1);
	assert_int_equal(nodeargs_in_peers(&a.chain[0]), 32);
	assert_int_equal(nodeargs_out_peers(&a.chain[0]), 8);
	assert_int_equal(a.chain[0].n_public, 0);
}

static void network_flags_both_spellings(void **state)
{
	static const char cmd[] = "polkadot\0--port\0"
				  "30335\0--in-peers=50\0--out-peers\00012\0"
				  "--public-addr\0/ip4/203.0.113.7/tcp/30335\0"
				  "--listen-addr=/ip4/0.0.0.0/tcp/30335\0--listen-addr\0"
				  "/ip6/::/tcp/30335\0--reserved-only\0--no-private-ip";
	struct nodeargs a;

	(void)state;
	assert_int_equal(PARSE(cmd, &a), 0);
	assert_int_equal(a.chain[0].port, 30335);
	assert_int_equal(a.chain[0].in_peers, 50);
	assert_int_equal(a.chain[0].out_peers, 12);
	assert_int_equal(a.chain[0].n_public, 1);
	assert_string_equal(a.chain[0].public_addr[0].host, "203.0.113.7");
	assert_int_equal(a.chain[0].n_listen, 2);
	assert_int_equal(a.chain[0].listen[1].host_kind, MULTIADDR_HOST_IP6);
	assert_true(a.chain[0].reserved_only);
	assert_true(a.chain[0].no_private_ip);
	assert_int_equal(a.n_bad, 0);
}

static void phala_two_chains(void **state)
{
	static const char cmd[] = "/root/khala-node\0--chain\0khala\0--base-path\0/data\0--port\0"
				  "30333\0--in-peers\00040\0--\0--chain\0kusama\0--port\00030334\0"
				  "--no-private-ipv4";
	struct nodeargs a;

	(void)state;
	assert_int_equal(PARSE(cmd, &a), 0);
	assert_string_equal(a.prog, "khala-node");
	assert_int_equal(a.n_chains, 2);
	assert_int_equal(a.chain[0].port, 30333);
	assert_int_equal(a.chain[0].in_peers, 40);
	assert_false(a.chain[0].no_private_ip);
	assert_int_equal(a.chain[1].port, 30334);
	assert_int_equal(a.chain[1].in_peers, -1);
	assert_true(a.chain[1].no_private_ip);
}

static void bad_values_counted(void **state)
{
	static const char cmd[] =
	    "node\0--port\0http\0--in-peers=-3\0--out-peers=99999999999999999999\0"
	    "--public-addr\0/ip4/300.1.1.1/tcp/1\0--port=\0--out-peers";
	struct nodeargs a;

	(void)state;
	assert_int_equal(PARSE(cmd, &a), 0);
	assert_int_equal(a.chain[0].port, -1);
	assert_int_equal(a.chain[0].in_peers, -1);
	assert_int_equal(a.chain[0].out_peers, -1);
	assert_int_equal(a.chain[0].n_public, 0);
	assert_int_equal(a.n_bad, 6);
}

static void odd_bytes_and_limits(void **state)
{
	/* No final NUL (the kernel may cut a long cmdline), odd bytes in
	 * argv[0], more addresses than kept, more "--" than chains. */
	static const char cmd[] =
	    "\x1b[31mno\xff"
	    "de\0--public-addr\0/ip4/1.1.1.1/tcp/1\0--public-addr\0"
	    "/ip4/1.1.1.2/tcp/1\0--public-addr\0/ip4/1.1.1.3/tcp/1\0--public-addr\0"
	    "/ip4/1.1.1.4/tcp/1\0--public-addr\0/ip4/1.1.1.5/tcp/1\0--\0--\0--port\0"
	    "7";
	struct nodeargs a;

	(void)state;
	assert_int_equal(nodeargs_parse(cmd, sizeof(cmd) - 1, &a), 0);
	for (const char *p = a.prog; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_int_equal(a.chain[0].n_public, NODEARGS_MAX_ADDRS);
	assert_int_equal(a.chain[0].n_dropped, 1);
	assert_int_equal(a.n_chains, 2);
	assert_int_equal(a.chain[1].port, 7);
	assert_int_equal(nodeargs_parse("", 0, &a), -EINVAL);
}

static void not_a_node(void **state)
{
	static const char cmd[] = "/usr/sbin/sshd\0-D";
	struct nodeargs a;

	(void)state;
	assert_int_equal(PARSE(cmd, &a), 0);
	assert_false(a.substrate);
	assert_int_equal(a.chain[0].n_flags, 0);
}

static void containers_from_cgroup(void **state)
{
	char out[64];

	(void)state;
#define CG(text) nodeargs_container(text, strlen(text), out, sizeof(out))
	assert_int_equal(
	    CG("0::/system.slice/docker-"
	       "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d1a2b.scope\n"),
	    1);
	assert_string_equal(out, "docker 1a2b3c4d5e6f");
	assert_int_equal(CG("12:pids:/docker/"
			    "feedbeeffeedbeeffeedbeeffeedbeeffeedbeeffeedbeeffeedbeeffeedbeef\n"
			    "0::/\n"),
			 1);
	assert_string_equal(out, "docker feedbeeffeed");
	assert_int_equal(CG("0::/kubepods.slice/kubepods-besteffort.slice/"
			    "kubepods-besteffort-pod12.slice/cri-containerd-"
			    "abcdef0123456789abcdef0123456789.scope\n"),
			 1);
	assert_string_equal(out, "containerd abcdef012345");
	assert_int_equal(CG("0::/user.slice/user-1000.slice/session-2.scope\n"), 0);
	assert_string_equal(out, "");
	assert_int_equal(CG("0::/docker/\n"), 0);
#undef CG
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(polkadot_defaults),
		cmocka_unit_test(network_flags_both_spellings),
		cmocka_unit_test(phala_two_chains),
		cmocka_unit_test(bad_values_counted),
		cmocka_unit_test(odd_bytes_and_limits),
		cmocka_unit_test(not_a_node),
		cmocka_unit_test(containers_from_cgroup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
