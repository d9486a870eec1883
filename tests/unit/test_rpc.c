/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "proto/rpc.h"

static int decode(enum rpc_method m, uint32_t id, const char *body, struct rpc_reply *r)
{
	return rpc_decode(m, id, body, strlen(body), r);
}

static void build_request(void **state)
{
	char out[RPC_REQUEST_MAX], tiny[20];

	(void)state;
	assert_int_equal(
	    rpc_build_request(out, sizeof(out), RPC_SYSTEM_HEALTH, 7),
	    (int)strlen(
		"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"system_health\",\"params\":[]}"));
	assert_string_equal(
	    out, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"system_health\",\"params\":[]}");
	/* The longest method with the largest id still fits the promised size. */
	assert_true(
	    rpc_build_request(out, sizeof(out), RPC_SYSTEM_LOCAL_LISTEN_ADDRESSES, UINT32_MAX) > 0);
	assert_int_equal(rpc_build_request(tiny, sizeof(tiny), RPC_SYSTEM_PEERS, 1), -ENOSPC);
	assert_int_equal(rpc_build_request(out, sizeof(out), RPC_METHOD_COUNT, 1), -EINVAL);
}

static void health(void **state)
{
	struct rpc_reply r;

	(void)state;
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 1,
				"{\"jsonrpc\":\"2.0\",\"result\":{\"peers\":8,\"isSyncing\":false,"
				"\"shouldHavePeers\":true},\"id\":1}\n",
				&r),
			 0);
	assert_false(r.is_error);
	assert_int_equal(r.u.health.peers, 8);
	assert_false(r.u.health.is_syncing);
	assert_true(r.u.health.should_have_peers);
	/* A dev chain: no peers expected. */
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 2,
				"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"peers\":0,"
				"\"isSyncing\":true,\"shouldHavePeers\":false}}",
				&r),
			 0);
	assert_true(r.u.health.is_syncing);
	assert_false(r.u.health.should_have_peers);
}

static void sync_state(void **state)
{
	struct rpc_reply r;

	(void)state;
	assert_int_equal(decode(RPC_SYSTEM_SYNC_STATE, 3,
				"{\"jsonrpc\":\"2.0\",\"result\":{\"startingBlock\":4500000,"
				"\"currentBlock\":4567890,\"highestBlock\":null},\"id\":3}",
				&r),
			 0);
	assert_int_equal(r.u.sync_state.starting, 4500000);
	assert_int_equal(r.u.sync_state.current, 4567890);
	assert_int_equal(r.u.sync_state.highest, -1);
}

static void peer_id_and_listen_addresses(void **state)
{
	struct rpc_reply r;

	(void)state;
	assert_int_equal(
	    decode(RPC_SYSTEM_LOCAL_PEER_ID, 4,
		   "{\"jsonrpc\":\"2.0\",\"result\":"
		   "\"12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT\",\"id\":4}",
		   &r),
	    0);
	assert_string_equal(r.u.peer_id, "12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT");
	assert_int_equal(
	    decode(
		RPC_SYSTEM_LOCAL_LISTEN_ADDRESSES, 5,
		"{\"jsonrpc\":\"2.0\",\"result\":["
		"\"/ip4/127.0.0.1/tcp/30333/p2p/"
		"12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT\","
		"\"/ip4/192.168.86.249/tcp/30333/p2p/"
		"12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT\","
		"\"/ip6/::1/tcp/30333/p2p/12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT\","
		"\"/garbage\",42],\"id\":5}",
		&r),
	    0);
	assert_int_equal(r.u.listen.n_total, 5);
	assert_int_equal(r.u.listen.n, 3);
	assert_int_equal(r.u.listen.n_unparsed, 2);
	assert_string_equal(r.u.listen.addrs[1].host, "192.168.86.249");
	assert_int_equal(r.u.listen.addrs[1].port, 30333);
}

static void peers_summary(void **state)
{
	struct rpc_reply r;

	(void)state;
	assert_int_equal(decode(RPC_SYSTEM_PEERS, 6,
				"{\"jsonrpc\":\"2.0\",\"result\":["
				"{\"peerId\":\"12D3KooWA\",\"roles\":\"FULL\",\"bestHash\":"
				"\"0x01\",\"bestNumber\":100},"
				"{\"peerId\":\"12D3KooWB\",\"roles\":\"AUTHORITY\",\"bestHash\":"
				"\"0x02\",\"bestNumber\":102},"
				"{\"peerId\":\"12D3KooWC\",\"roles\":\"LIGHT\",\"bestHash\":"
				"\"0x03\",\"bestNumber\":90}"
				"],\"id\":6}",
				&r),
			 0);
	assert_int_equal(r.u.peers.count, 3);
	assert_int_equal(r.u.peers.full, 1);
	assert_int_equal(r.u.peers.authorities, 1);
	assert_int_equal(r.u.peers.light, 1);
	assert_int_equal(r.u.peers.best_max, 102);
}

static void unsafe_error_object(void **state)
{
	struct rpc_reply r;

	(void)state;
	assert_int_equal(decode(RPC_SYSTEM_PEERS, 9,
				"{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":-32601,"
				"\"message\":\"RPC call is unsafe to be called externally\"}}",
				&r),
			 0);
	assert_true(r.is_error);
	assert_int_equal(r.error.code, -32601);
	assert_string_equal(r.error.message, "RPC call is unsafe to be called externally");
	/* Method not found, with the null id of a server that could not read ours. */
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 9,
				"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":"
				"\"Parse error\\u0007\\n\"},\"id\":null}",
				&r),
			 0);
	assert_true(r.is_error);
	assert_string_equal(r.error.message, "Parse error??");
}

static void not_json(void **state)
{
	struct rpc_reply r;

	(void)state;
	assert_int_equal(
	    decode(RPC_SYSTEM_HEALTH, 1,
		   "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>", &r),
	    -EBADMSG);
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 1, "", &r), -EBADMSG);
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 1, "{\"jsonrpc\":\"2.0\",\"result\":", &r),
			 -EBADMSG);
	assert_int_equal(
	    decode(RPC_SYSTEM_HEALTH, 1, "{\"result\":{\"peers\":1},\"id\":1} trailing", &r),
	    -EBADMSG);
	/* Strict JSON: no trailing commas. */
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 1, "{\"result\":{\"peers\":1,},\"id\":1}", &r),
			 -EBADMSG);
	assert_int_equal(rpc_decode(RPC_SYSTEM_HEALTH, 1, "{\"a\":\"\xff\xfe\"}", 11, &r),
			 -EBADMSG);
}

static void wrong_shape(void **state)
{
	struct rpc_reply r;

	(void)state;
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 1, "null", &r), -EPROTO);
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 1, "[1,2]", &r), -EPROTO);
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 1, "{\"jsonrpc\":\"2.0\",\"id\":1}", &r),
			 -EPROTO);
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 2, "{\"result\":{\"peers\":1},\"id\":1}", &r),
			 -EPROTO); /* not our id */
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 1, "{\"result\":{\"peers\":-1},\"id\":1}", &r),
			 -EPROTO);
	assert_int_equal(
	    decode(RPC_SYSTEM_HEALTH, 1, "{\"result\":{\"peers\":\"8\"},\"id\":1}", &r), -EPROTO);
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 1, "{\"result\":{\"peers\":1e3},\"id\":1}", &r),
			 -EPROTO);
	assert_int_equal(decode(RPC_SYSTEM_PEERS, 1, "{\"result\":{},\"id\":1}", &r), -EPROTO);
	assert_int_equal(decode(RPC_SYSTEM_LOCAL_PEER_ID, 1, "{\"result\":\"\",\"id\":1}", &r),
			 -EPROTO);
	assert_int_equal(
	    decode(RPC_SYSTEM_HEALTH, 1, "{\"error\":{\"message\":\"x\"},\"id\":1}", &r),
	    -EPROTO); /* error without a code */
	assert_false(r.is_error);
}

static void depth_and_size_bounded(void **state)
{
	struct rpc_reply r;
	char deep[200];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 40; i++)
		deep[n++] = '[';
	for (int i = 0; i < 40; i++)
		deep[n++] = ']';
	deep[n] = '\0';
	assert_int_equal(decode(RPC_SYSTEM_HEALTH, 1, deep, &r), -E2BIG);
	assert_int_equal(rpc_decode(RPC_SYSTEM_HEALTH, 1, deep, RPC_BODY_MAX + 1, &r), -E2BIG);
}

/* A real node's answer (polkadot-sdk, libp2p backend), trimmed to three
 * peers: one we dialled (the older one-string form), one we dialled (the
 * newer [addr, role] form), one that dialled us. */
static const char network_state[] =
    "{\"jsonrpc\":\"2.0\",\"result\":{\"peerId\":"
    "\"12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT\","
    "\"listenedAddresses\":[\"/ip6/::1/tcp/30333\",\"/ip4/127.0.0.1/tcp/30333\","
    "\"/ip4/192.168.1.10/tcp/30333\",\"/ip4/172.17.0.1/tcp/30333\"],"
    "\"externalAddresses\":[\"/ip4/203.0.113.7/tcp/30333\","
    "\"/ip4/203.0.113.7/tcp/41234/p2p/12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT\"],"
    "\"connectedPeers\":{\"12D3KooWAAA\":{\"enabled\":true,\"endpoint\":{\"dialing\":"
    "\"/ip4/198.51.100.1/tcp/30333\"},\"knownAddresses\":[\"/ip4/198.51.100.1/tcp/30333\"],"
    "\"latestPingTime\":{\"nanos\":81220000,\"secs\":0},\"openNotifications\":[],"
    "\"versionString\":\"Parity Polkadot/v1.5.0\"},"
    "\"12D3KooWBBB\":{\"endpoint\":{\"dialing\":[\"/ip4/198.51.100.3/tcp/30333\",\"Dialer\"]}},"
    "\"12D3KooWCCC\":{\"endpoint\":{\"listening\":{\"localAddr\":"
    "\"/ip4/192.168.1.10/tcp/30333\",\"sendBackAddr\":\"/ip4/198.51.100.2/tcp/51234\"}}}},"
    "\"notConnectedPeers\":{\"12D3KooWDDD\":{\"knownAddresses\":[]}},"
    "\"peerset\":{\"nodes\":{},\"message_queue\":0}},\"id\":4}";

static void network_state_decoded(void **state)
{
	struct rpc_reply r;

	(void)state;
	assert_int_equal(decode(RPC_SYSTEM_NETWORK_STATE, 4, network_state, &r), 0);
	assert_false(r.is_error);
	assert_string_equal(r.u.net.peer_id,
			    "12D3KooWSiRgzMbqZz2pA8JGd8t3SW2Eu6bVeqiETowwwrLuLznT");
	assert_int_equal(r.u.net.listened.n, 4);
	assert_int_equal(r.u.net.external.n, 2);
	assert_int_equal(r.u.net.external.addrs[1].port, 41234);
	assert_int_equal(r.u.net.connected, 3);
	assert_int_equal(r.u.net.dialing, 2);
	assert_int_equal(r.u.net.listening, 1);
	assert_string_equal(rpc_method_name(RPC_SYSTEM_NETWORK_STATE),
			    "system_unstable_networkState");
}

static void network_state_refused_and_odd(void **state)
{
	struct rpc_reply r;

	(void)state;
	/* --rpc-methods=safe: an error object, not a failure. */
	assert_int_equal(decode(RPC_SYSTEM_NETWORK_STATE, 2,
				"{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":"
				"\"RPC call is unsafe to be called externally\"},\"id\":2}",
				&r),
			 0);
	assert_true(r.is_error);
	assert_int_equal(r.error.code, -32601);
	/* Empty lists and no peers at all. */
	assert_int_equal(
	    decode(RPC_SYSTEM_NETWORK_STATE, 2,
		   "{\"jsonrpc\":\"2.0\",\"result\":{\"externalAddresses\":[]},\"id\":2}", &r),
	    0);
	assert_int_equal(r.u.net.external.n_total, 0);
	assert_int_equal(r.u.net.connected, 0);
	/* Wrong shapes are refused, a null peer is counted but has no direction. */
	assert_int_equal(
	    decode(RPC_SYSTEM_NETWORK_STATE, 2,
		   "{\"jsonrpc\":\"2.0\",\"result\":{\"externalAddresses\":7},\"id\":2}", &r),
	    -EPROTO);
	assert_int_equal(
	    decode(RPC_SYSTEM_NETWORK_STATE, 2, "{\"jsonrpc\":\"2.0\",\"result\":[],\"id\":2}", &r),
	    -EPROTO);
	assert_int_equal(decode(RPC_SYSTEM_NETWORK_STATE, 2,
				"{\"jsonrpc\":\"2.0\",\"result\":{\"connectedPeers\":{\"a\":null,"
				"\"b\":{\"endpoint\":5}}},\"id\":2}",
				&r),
			 0);
	assert_int_equal(r.u.net.connected, 2);
	assert_int_equal(r.u.net.dialing + r.u.net.listening, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_request),
		cmocka_unit_test(health),
		cmocka_unit_test(sync_state),
		cmocka_unit_test(peer_id_and_listen_addresses),
		cmocka_unit_test(peers_summary),
		cmocka_unit_test(unsafe_error_object),
		cmocka_unit_test(not_json),
		cmocka_unit_test(wrong_shape),
		cmocka_unit_test(depth_and_size_bounded),
		cmocka_unit_test(network_state_decoded),
		cmocka_unit_test(network_state_refused_and_odd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
