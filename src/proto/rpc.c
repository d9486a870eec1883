/* SPDX-License-Identifier: MIT */
#include "proto/rpc.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "util/text.h"

static const char *const method_names[RPC_METHOD_COUNT] = {
	[RPC_SYSTEM_HEALTH] = "system_health",
	[RPC_SYSTEM_SYNC_STATE] = "system_syncState",
	[RPC_SYSTEM_LOCAL_PEER_ID] = "system_localPeerId",
	[RPC_SYSTEM_LOCAL_LISTEN_ADDRESSES] = "system_localListenAddresses",
	[RPC_SYSTEM_PEERS] = "system_peers",
	[RPC_SYSTEM_NETWORK_STATE] = "system_unstable_networkState",
};

const char *rpc_method_name(enum rpc_method m)
{
	return (unsigned)m < RPC_METHOD_COUNT ? method_names[m] : "unknown";
}

int rpc_build_request(char *out, size_t cap, enum rpc_method m, uint32_t id)
{
	int n;

	if ((unsigned)m >= RPC_METHOD_COUNT)
		return -EINVAL;
	n = snprintf(out, cap, "{\"jsonrpc\":\"2.0\",\"id\":%u,\"method\":\"%s\",\"params\":[]}",
		     id, method_names[m]);
	if (n < 0 || (size_t)n >= cap)
		return -ENOSPC;
	return n;
}

/* A JSON integer >= 0, or -1 (absent, null, negative, not an integer). */
static int64_t get_count(json_object *o, const char *key)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	n = json_object_get_int64(v);
	return n < 0 ? -1 : n;
}

static int get_bool(json_object *o, const char *key, bool *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
		return -EPROTO;
	*out = json_object_get_boolean(v);
	return 0;
}

static int decode_health(json_object *r, struct rpc_health *h)
{
	int64_t peers;

	if (!json_object_is_type(r, json_type_object))
		return -EPROTO;
	peers = get_count(r, "peers");
	if (peers < 0 || peers > UINT32_MAX)
		return -EPROTO;
	h->peers = (uint32_t)peers;
	/* Present in every version we know; absent means "not said". */
	if (get_bool(r, "isSyncing", &h->is_syncing) < 0)
		h->is_syncing = false;
	if (get_bool(r, "shouldHavePeers", &h->should_have_peers) < 0)
		h->should_have_peers = true;
	return 0;
}

static int decode_sync_state(json_object *r, struct rpc_sync_state *s)
{
	if (!json_object_is_type(r, json_type_object))
		return -EPROTO;
	s->starting = get_count(r, "startingBlock");
	s->current = get_count(r, "currentBlock");
	s->highest = get_count(r, "highestBlock");
	return s->current < 0 ? -EPROTO : 0;
}

static int decode_peer_id(json_object *r, char out[static MULTIADDR_PEER_ID_MAX])
{
	const char *s;
	size_t len;

	if (!json_object_is_type(r, json_type_string))
		return -EPROTO;
	s = json_object_get_string(r);
	len = (size_t)json_object_get_string_len(r);
	if (len == 0 || len >= MULTIADDR_PEER_ID_MAX)
		return -EPROTO;
	text_clean(out, MULTIADDR_PEER_ID_MAX, s, len, TEXT_CLEAN_PAST_NUL);
	return 0;
}

static int decode_listen(json_object *r, struct rpc_listen_addrs *l)
{
	size_t n;

	if (!json_object_is_type(r, json_type_array))
		return -EPROTO;
	n = json_object_array_length(r);
	l->n = l->n_total = l->n_unparsed = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(r, i);
		struct multiaddr m;

		l->n_total++;
		if (!json_object_is_type(e, json_type_string) ||
		    multiaddr_parse(json_object_get_string(e),
				    (size_t)json_object_get_string_len(e), &m) < 0) {
			l->n_unparsed++;
			continue;
		}
		if (l->n < RPC_ADDRS_MAX)
			l->addrs[l->n++] = m;
	}
	return 0;
}

static int decode_peers(json_object *r, struct rpc_peers *p)
{
	size_t n;

	if (!json_object_is_type(r, json_type_array))
		return -EPROTO;
	n = json_object_array_length(r);
	*p = (struct rpc_peers){ .best_max = -1 };
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(r, i), *roles;
		int64_t best;

		if (!json_object_is_type(e, json_type_object))
			return -EPROTO;
		if (p->count == UINT32_MAX)
			break;
		p->count++;
		if (json_object_object_get_ex(e, "roles", &roles) &&
		    json_object_is_type(roles, json_type_string)) {
			const char *s = json_object_get_string(roles);

			if (!strcmp(s, "AUTHORITY"))
				p->authorities++;
			else if (!strcmp(s, "FULL"))
				p->full++;
			else if (!strcmp(s, "LIGHT"))
				p->light++;
		}
		best = get_count(e, "bestNumber");
		if (best > p->best_max)
			p->best_max = best;
	}
	return 0;
}

static int decode_network_state(json_object *r, struct rpc_network_state *ns)
{
	json_object *v;

	if (!json_object_is_type(r, json_type_object))
		return -EPROTO;
	if (json_object_object_get_ex(r, "peerId", &v) && decode_peer_id(v, ns->peer_id) < 0)
		return -EPROTO;
	/* Both lists are sets in the node; an absent one is an empty one. */
	if (json_object_object_get_ex(r, "listenedAddresses", &v) &&
	    decode_listen(v, &ns->listened) < 0)
		return -EPROTO;
	if (json_object_object_get_ex(r, "externalAddresses", &v) &&
	    decode_listen(v, &ns->external) < 0)
		return -EPROTO;
	if (!json_object_object_get_ex(r, "connectedPeers", &v))
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return -EPROTO;
	json_object_object_foreach(v, key, peer)
	{
		json_object *ep;

		(void)key;
		if (ns->connected == UINT32_MAX)
			break;
		ns->connected++;
		if (!json_object_is_type(peer, json_type_object) ||
		    !json_object_object_get_ex(peer, "endpoint", &ep) ||
		    !json_object_is_type(ep, json_type_object))
			continue;
		if (json_object_object_get_ex(ep, "dialing", NULL))
			ns->dialing++;
		else if (json_object_object_get_ex(ep, "listening", NULL))
			ns->listening++;
	}
	return 0;
}

static int decode_error(json_object *e, struct rpc_error *err)
{
	json_object *code, *msg;

	if (!json_object_is_type(e, json_type_object) ||
	    !json_object_object_get_ex(e, "code", &code) ||
	    !json_object_is_type(code, json_type_int))
		return -EPROTO;
	err->code = json_object_get_int64(code);
	err->message[0] = '\0';
	if (json_object_object_get_ex(e, "message", &msg) &&
	    json_object_is_type(msg, json_type_string))
		text_clean(err->message, sizeof(err->message), json_object_get_string(msg),
			   (size_t)json_object_get_string_len(msg), TEXT_CLEAN_PAST_NUL);
	return 0;
}

/* The id must be ours; an error object may carry null (the server could
 * not read our id, JSON-RPC 2.0 §5). */
static bool id_matches(json_object *resp, uint32_t id, bool is_error)
{
	json_object *v;

	if (!json_object_object_get_ex(resp, "id", &v))
		return false;
	if (v == NULL)
		return is_error;
	return json_object_is_type(v, json_type_int) && json_object_get_int64(v) == (int64_t)id;
}

static int decode_result(enum rpc_method m, json_object *r, struct rpc_reply *out)
{
	switch (m) {
	case RPC_SYSTEM_HEALTH:
		return decode_health(r, &out->u.health);
	case RPC_SYSTEM_SYNC_STATE:
		return decode_sync_state(r, &out->u.sync_state);
	case RPC_SYSTEM_LOCAL_PEER_ID:
		return decode_peer_id(r, out->u.peer_id);
	case RPC_SYSTEM_LOCAL_LISTEN_ADDRESSES:
		return decode_listen(r, &out->u.listen);
	case RPC_SYSTEM_PEERS:
		return decode_peers(r, &out->u.peers);
	case RPC_SYSTEM_NETWORK_STATE:
		return decode_network_state(r, &out->u.net);
	case RPC_METHOD_COUNT:
		break;
	}
	return -EINVAL;
}

/* Parse exactly one JSON value from body; only whitespace may follow. */
static int parse_json(const char *body, size_t len, json_object **out)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	json_object *o;
	size_t end;

	*out = NULL;
	tok = json_tokener_new_ex(RPC_DEPTH_MAX);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!o && jerr == json_tokener_continue) {
		/* The body is all there is: a final NUL ends a value that has
		 * no end of its own (a bare number or literal), and anything
		 * else still open is truncated JSON. */
		o = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
	}
	json_tokener_free(tok);
	if (!o) {
		/* A JSON null is a valid value but never a response. */
		if (jerr == json_tokener_success)
			return -EPROTO;
		return jerr == json_tokener_error_depth ? -E2BIG : -EBADMSG;
	}
	for (; end < len; end++) {
		if (body[end] != ' ' && body[end] != '\t' && body[end] != '\r' &&
		    body[end] != '\n') {
			json_object_put(o);
			return -EBADMSG;
		}
	}
	*out = o;
	return 0;
}

int rpc_decode(enum rpc_method m, uint32_t id, const char *body, size_t len, struct rpc_reply *out)
{
	json_object *resp, *v;
	int r;

	memset(out, 0, sizeof(*out));
	out->method = m;
	if ((unsigned)m >= RPC_METHOD_COUNT)
		return -EINVAL;
	if (len > RPC_BODY_MAX)
		return -E2BIG;
	r = parse_json(body, len, &resp);
	if (r < 0)
		return r;
	r = -EPROTO;
	if (!json_object_is_type(resp, json_type_object))
		goto out;
	if (json_object_object_get_ex(resp, "error", &v) && v) {
		out->is_error = true;
		if (!id_matches(resp, id, true))
			goto out;
		r = decode_error(v, &out->error);
		goto out;
	}
	if (!id_matches(resp, id, false) || !json_object_object_get_ex(resp, "result", &v))
		goto out;
	r = decode_result(m, v, out);
out:
	json_object_put(resp);
	if (r < 0)
		out->is_error = false;
	return r;
}
