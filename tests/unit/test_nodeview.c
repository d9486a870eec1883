/* SPDX-License-Identifier: MIT */
/*
 * The synchronous half of the node view on made-up input: a /proc tree in
 * a temporary directory (a process whose fd 3 is the node's listening
 * socket, one whose socket is another, one owned by someone else) and log
 * files (a real node's lines after 5 MiB of others, a FIFO, none).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/nodeview.h"
#include "nd_test.h"

static char dir[64];

static void put(const char *rel, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void mk(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void link_to(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nd-nodeview-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void init_view(struct node_view *v)
{
	memset(v, 0, sizeof(*v));
	v->peers = v->inbound = v->outbound = v->in_slots = v->out_slots = v->log_peers = -1;
}

static void process_by_socket_inode(void **state)
{
	static const char cmdline[] = "/usr/bin/polkadot\0--chain\0kusama\0--port\0"
				      "30333\0"
				      "--in-peers\0"
				      "50";
	static const char cgroup[] =
	    "0::/system.slice/docker-"
	    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567"
	    "89.scope\n";
	struct local_view lv = { 0 };
	struct node_view v;

	(void)state;
	nd_time_limit(10);
	mk("123");
	mk("123/fd");
	link_to("/dev/null", "123/fd/0");
	link_to("socket:[555]", "123/fd/3");
	put("123/cmdline", cmdline, sizeof(cmdline));
	put("123/cgroup", cgroup, sizeof(cgroup) - 1);
	mk("456");
	mk("456/fd");
	link_to("socket:[777]", "456/fd/3");
	put("456/cmdline", "sshd", 5);
	mk("self"); /* not a pid: skipped */
	lv.listeners[0].port.port = 30333;
	lv.listeners[0].socks[0].inode = 555;
	lv.listeners[0].socks[0].uid = (uint32_t)geteuid();
	lv.listeners[0].socks[1].inode = 999; /* nobody here holds it */
	lv.listeners[0].socks[1].uid = (uint32_t)geteuid();
	lv.listeners[0].n_socks = 2;
	lv.n_listeners = 1;

	init_view(&v);
	nodeview_gather_process(dir, &lv, &v);
	assert_string_equal(v.proc_error, "");
	assert_int_equal(v.n_procs, 1);
	assert_int_equal(v.procs[0].pid, 123);
	assert_int_equal(v.procs[0].port, 30333);
	assert_true(v.procs[0].args_read);
	assert_string_equal(v.procs[0].args.prog, "polkadot");
	assert_int_equal(v.procs[0].args.chain[0].in_peers, 50);
	assert_string_equal(v.procs[0].container, "docker abcdef012345");
	assert_int_equal(v.n_sockets_unowned, 1);
	assert_true(v.sources & NODE_SRC_PROCESS);

	/* A socket of another user: their processes are not even looked at. */
	lv.listeners[0].socks[0].uid = (uint32_t)geteuid() + 1;
	lv.listeners[0].socks[1].uid = (uint32_t)geteuid() + 1;
	init_view(&v);
	nodeview_gather_process(dir, &lv, &v);
	assert_int_equal(v.n_procs, 0);
	assert_int_equal(v.n_sockets_unowned, 2);
	assert_int_equal(v.procs_partial, geteuid() != 0);

	/* No /proc at all: said, not fatal. */
	init_view(&v);
	nodeview_gather_process("/nonexistent-proc", &lv, &v);
	assert_non_null(strstr(v.proc_error, "cannot read /nonexistent-proc"));
}

static void log_tail_fifo_and_missing(void **state)
{
	static const char lines[] =
	    "2024-05-01 10:00:01 [Parachain] \xf0\x9f\x94\x8d Discovered new external address for "
	    "our node: /ip4/8.8.8.8/tcp/41234\n"
	    "2024-05-01 10:00:05 [Parachain] \xf0\x9f\x92\xa4 Idle (7 peers), best: #10 (0x1a), "
	    "finalized #8 (0x5e)\n"
	    "2024-05-01 10:00:06 [Relaychain] \xf0\x9f\x92\xa4 Idle (30 peers), best: #10 (0x1a), "
	    "finalized #8 (0x5e)\n"
	    "2024-05-01 10:00:09 [Parachain] \xf0\x9f\x94\x8d Expired external address for our "
	    "node: /ip4/8.8.8.8/tcp/41234\n"
	    "2024-05-01 10:01:01 [Parachain] Discovered new external address for our node: "
	    "/ip4/8.8.8.8/tcp/30333\n";
	char path[256], *filler = malloc(1 << 20);
	struct node_view v;
	FILE *f;

	(void)state;
	nd_time_limit(10);
	assert_non_null(filler);
	memset(filler, 'x', 1 << 20);
	filler[(1 << 20) - 1] = '\n';
	snprintf(path, sizeof(path), "%s/node.log", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	/* An early discovery that falls out of the 4 MiB window. */
	fputs("Discovered new external address for our node: /ip4/1.1.1.1/tcp/1\n", f);
	for (int i = 0; i < 5; i++)
		assert_int_equal(fwrite(filler, 1, 1 << 20, f), 1 << 20);
	fputs(lines, f);
	fclose(f);
	free(filler);

	init_view(&v);
	nodeview_gather_log(path, &v);
	assert_true(v.log_ok);
	assert_string_equal(v.log_error, "");
	assert_int_equal(v.n_discovered, 2);
	assert_int_equal(v.n_discovered_lines, 2);
	assert_int_equal(v.n_expired_lines, 1);
	assert_true(v.discovered[0].expired);
	assert_false(v.discovered[1].expired);
	assert_int_equal(v.discovered[1].m.port, 30333);
	assert_int_equal(v.log_peers, 7); /* the parachain's, not the relay chain's */

	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	init_view(&v);
	nodeview_gather_log(path, &v);
	assert_false(v.log_ok);
	assert_non_null(strstr(v.log_error, "not a regular file"));

	init_view(&v);
	nodeview_gather_log("/nonexistent/node.log", &v);
	assert_false(v.log_ok);
	assert_non_null(strstr(v.log_error, "cannot read /nonexistent/node.log"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(process_by_socket_inode, setup, teardown),
		cmocka_unit_test_setup_teardown(log_tail_fifo_and_missing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
