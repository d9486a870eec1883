/* SPDX-License-Identifier: MIT */
#include "check/nodereport.h"

#include <json-c/json.h>
#include <string.h>

#include "check/nodefind.h"

static struct json_object *j_str(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *j_count(int64_t v)
{
	return v >= 0 ? json_object_new_int64(v) : NULL;
}

static const char *const source_names[] = { "rpc", "metrics", "log", "process" };

static struct json_object *j_sources(unsigned bits)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < sizeof(source_names) / sizeof(source_names[0]); i++)
		if (bits & (1u << i))
			json_object_array_add(a, json_object_new_string(source_names[i]));
	return a;
}

static struct json_object *j_addrs(const struct node_addr *arr, size_t n, bool with_from)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < n; i++) {
		struct json_object *o = json_object_new_object();
		char text[MULTIADDR_TEXT_MAX];

		json_object_object_add(
		    o, "address",
		    json_object_new_string(multiaddr_format(&arr[i].m, false, text, sizeof(text))));
		json_object_object_add(o, "class",
				       json_object_new_string(node_addr_class_name(arr[i].cls)));
		if (with_from)
			json_object_object_add(o, "from", j_sources(arr[i].from));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *j_http(const struct node_http_source *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "url", j_str(s->url));
	json_object_object_add(o, "ok", json_object_new_boolean(s->ok));
	json_object_object_add(o, "error", j_str(s->error));
	return o;
}

struct json_object *nodereport_json(const struct node_view *n)
{
	struct json_object *o = json_object_new_object(), *a, *r;

	if (!o)
		return NULL;
	json_object_object_add(o, "source", j_sources(n->sources));
	json_object_object_add(o, "peer_id", j_str(n->peer_id));
	json_object_object_add(o, "listen_addresses", j_addrs(n->listen, n->n_listen, false));
	json_object_object_add(o, "advertised_addresses",
			       j_addrs(n->advertised, n->n_advertised, true));
	json_object_object_add(o, "peers", j_count(n->peers));
	json_object_object_add(o, "inbound", j_count(n->inbound));
	json_object_object_add(o, "outbound", j_count(n->outbound));
	json_object_object_add(o, "in_peers", j_count(n->in_slots));
	json_object_object_add(o, "out_peers", j_count(n->out_slots));
	json_object_object_add(o, "pid", n->n_procs ? json_object_new_int(n->procs[0].pid) : NULL);
	json_object_object_add(o, "container", n->n_procs ? j_str(n->procs[0].container) : NULL);
	a = json_object_new_array();
	for (size_t i = 0; a && i < n->n_procs; i++) {
		const struct node_process *p = &n->procs[i];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "pid", json_object_new_int(p->pid));
		json_object_object_add(e, "port", json_object_new_int(p->port));
		json_object_object_add(e, "program", j_str(p->args_read ? p->args.prog : NULL));
		json_object_object_add(e, "container", j_str(p->container));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "processes", a);
	json_object_object_add(o, "processes_hidden", json_object_new_boolean(n->procs_partial));

	a = json_object_new_array();
	for (size_t i = 0; a && i < n->n_others; i++) {
		const struct node_other *x = &n->others[i];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "url", j_str(x->url));
		json_object_object_add(e, "ok", json_object_new_boolean(x->ok));
		json_object_object_add(e, "error", j_str(x->error));
		json_object_object_add(e, "peer_id", j_str(x->peer_id));
		json_object_object_add(e, "listen_port",
				       x->listen_port ? json_object_new_int(x->listen_port) : NULL);
		json_object_object_add(e, "advertised_addresses",
				       j_addrs(x->advertised, x->n_advertised, false));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "others", a);
	r = j_http(&n->rpc);
	json_object_object_add(r, "network_state_error", j_str(n->network_state_error));
	json_object_object_add(o, "rpc", r);
	json_object_object_add(o, "metrics", j_http(&n->metrics));
	if (n->log_tried) {
		r = json_object_new_object();
		json_object_object_add(r, "path", j_str(n->log_path));
		json_object_object_add(r, "ok", json_object_new_boolean(n->log_ok));
		json_object_object_add(r, "error", j_str(n->log_error));
		a = json_object_new_array();
		for (size_t i = 0; a && i < n->n_discovered; i++) {
			struct json_object *e = json_object_new_object();
			char text[MULTIADDR_TEXT_MAX];

			json_object_object_add(
			    e, "address",
			    json_object_new_string(
				multiaddr_format(&n->discovered[i].m, false, text, sizeof(text))));
			json_object_object_add(e, "seen",
					       json_object_new_int64(n->discovered[i].seen));
			json_object_object_add(e, "expired",
					       json_object_new_boolean(n->discovered[i].expired));
			json_object_array_add(a, e);
		}
		json_object_object_add(r, "discovered", a);
		json_object_object_add(o, "log", r);
	} else {
		json_object_object_add(o, "log", NULL);
	}
	return o;
}

static void print_addrs(FILE *f, const char *label, const struct node_addr *a, size_t n,
			size_t total)
{
	fprintf(f, "  %-22s", label);
	if (!n)
		fprintf(f, "none");
	for (size_t i = 0; i < n; i++) {
		char text[MULTIADDR_TEXT_MAX];

		fprintf(f, "%s%s (%s)", i ? "\n                        " : "",
			multiaddr_format(&a[i].m, false, text, sizeof(text)),
			node_addr_class_name(a[i].cls));
	}
	if (total > n)
		fprintf(f, "\n                        ... and %zu more", total - n);
	fputc('\n', f);
}

void nodereport_text(FILE *f, const struct node_view *n, const char *bold, const char *off)
{
	if (!n->gathered)
		return; /* --no-node */
	fprintf(f, "\n%sNode view%s", bold, off);
	if (!n->sources && n->rpc.refused && n->metrics.refused && !n->rpc.user_given &&
	    !n->metrics.user_given && !n->log_tried) {
		fprintf(f,
			": no node answers on this host's default ports (RPC 9944, 9933; metrics "
			"9615): give --rpc and --metrics if it uses others\n");
	} else if (!n->sources) {
		fprintf(f, ": nothing read (");
		if (n->rpc.tried)
			fprintf(f, "RPC %s: %s", n->rpc.url, n->rpc.error[0] ? n->rpc.error : "-");
		if (n->metrics.tried)
			fprintf(f, "; metrics %s: %s", n->metrics.url,
				n->metrics.error[0] ? n->metrics.error : "-");
		if (n->log_tried)
			fprintf(f, "; log: %s", n->log_error);
		fprintf(f, ")\n");
	}
	if (!n->sources) {
		if (n->procs_partial)
			fprintf(f, "  not root: processes of other users could not be seen; run as "
				   "root to find the node process\n");
		return;
	}
	fprintf(f, " (from");
	for (size_t i = 0, k = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++)
		if (n->sources & (1u << i))
			fprintf(f, "%s %s", k++ ? "," : "", source_names[i]);
	fprintf(f, ")\n");
	for (size_t i = 0; i < n->n_procs; i++) {
		const struct node_process *p = &n->procs[i];

		fprintf(f, "  %-22s%d %s, port %u%s%s\n", i ? "" : "process", p->pid,
			p->args_read ? p->args.prog : "(command line unreadable)", p->port,
			p->container[0] ? ", in " : "", p->container);
	}
	if (n->procs_partial)
		fprintf(f, "  %-22snot root: other users' processes could not be seen\n", "");
	if (n->peer_id[0])
		fprintf(f, "  %-22s%s\n", "peer id", n->peer_id);
	if (n->n_listen || n->rpc.ok)
		print_addrs(f, "listens on", n->listen, n->n_listen, n->n_listen_total);
	if (n->advertised_known)
		print_addrs(f, "advertises", n->advertised, n->n_advertised, n->n_advertised_total);
	else if (n->network_state_refused)
		fprintf(f, "  %-22sunknown (system_unstable_networkState refused: %s)\n",
			"advertises", n->network_state_error);
	fprintf(f, "  %-22s", "peers");
	if (n->peers >= 0)
		fprintf(f, "%lld", (long long)n->peers);
	else
		fprintf(f, "unknown");
	if (n->inbound >= 0 && n->outbound >= 0)
		fprintf(f, " (%lld in, %lld out)", (long long)n->inbound, (long long)n->outbound);
	if (n->in_slots >= 0 && n->out_slots >= 0)
		fprintf(f, "; slots %lld in + %lld out", (long long)n->in_slots,
			(long long)n->out_slots);
	fputc('\n', f);
	if (n->log_ok)
		fprintf(f, "  %-22s%u discovered, %u expired external address lines\n", "log",
			n->n_discovered_lines, n->n_expired_lines);
}
