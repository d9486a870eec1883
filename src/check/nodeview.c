/* SPDX-License-Identifier: MIT */
/*
 * Gathering the node's view (check/node.h) on the check's loop:
 *
 *   - the process: synchronous, before the loop runs (the kernel answers at
 *     once): the owners of the node ports' listening sockets, found by
 *     inode in /proc/PID/fd, only among processes of the sockets' owners;
 *     their command lines and cgroups;
 *   - the log: synchronous, the last NODE_LOG_TAIL bytes of a regular file;
 *   - the RPC and the metrics: HTTP on the loop (net/http.c), every request
 *     at once (4 RPC methods per candidate URL, one metrics GET), each
 *     bounded by the check's deadline; whatever has not answered by then is
 *     cancelled in finish and reported as such.
 *
 * Nothing the node says is trusted: bodies are bounded, lists are capped
 * and counted, and a node that lies gets one line of error, not a verdict.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/check.h"
#include "check/nodefind.h"
#include "check/nodeview.h"
#include "check/probes.h"
#include "net/http.h"
#include "proto/nodelog.h"
#include "proto/prom.h"
#include "proto/rpc.h"
#include "util/dynbuf.h"
#include "util/linebuf.h"
#include "util/text.h"

#define NODE_LOG_TAIL		  (4u << 20) /* bytes of the log read, from its end */
#define NODE_CMDLINE_MAX	  (64u << 10)
#define NODE_CGROUP_MAX		  4096
#define NODE_MAX_PIDS		  65536 /* /proc entries looked at */
#define NODE_MAX_FDS		  65536 /* fds looked at per process */
#define NODE_METRICS_MAX	  (4u << 20)
#define NODE_DEFAULT_RPC	  "http://127.0.0.1:9944"
#define NODE_DEFAULT_RPC_OLD	  "http://127.0.0.1:9933"
#define NODE_DEFAULT_METRICS	  "http://127.0.0.1:9615/metrics"
#define NODE_DEFAULT_RPC_PORT	  9944
#define NODE_DEFAULT_RPC_OLD_PORT 9933
#define NODE_DEFAULT_METRICS_PORT 9615

static const enum rpc_method methods[] = {
	RPC_SYSTEM_HEALTH,
	RPC_SYSTEM_LOCAL_PEER_ID,
	RPC_SYSTEM_LOCAL_LISTEN_ADDRESSES,
	RPC_SYSTEM_NETWORK_STATE,
};
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

struct nv;

struct nv_req {
	struct nv *nv;
	size_t cand;
	enum rpc_method m;
	bool is_metrics;
	bool started, done;
	struct http_req *req;
	struct http_result res;
	struct dynbuf body;
	int decoded; /* rpc_decode's return */
	struct rpc_reply reply;
};

/* A default port (not one the operator named) is knocked first with a
 * plain TCP connect on the loop: libcurl (9 MiB of mapped libraries) is
 * loaded only when something listens there. */
struct nv_knock {
	struct nv *nv;
	int fd; /* -1 when not knocking */
	bool is_metrics;
	size_t cand; /* the RPC candidate */
};

struct nv {
	struct check_run *r;
	int id;
	struct http *http;
	int http_err; /* http_new's error, once tried */
	size_t pending;
	struct nv_knock knock[NODE_MAX_CANDIDATES + 1];
	size_t n_knock;
	/* rows 0..n_rpc-1: the node's candidate URLs; then n_other further
	 * nodes (--rpc given again) */
	char rpc_url[NODE_MAX_CANDIDATES + NODE_MAX_OTHERS][NODE_URL_MAX];
	char metrics_url[NODE_URL_MAX]; /* to ask; the view's copy is masked */
	size_t n_rpc;
	struct nv_req rpc[NODE_MAX_CANDIDATES + NODE_MAX_OTHERS][N_METHODS];
	size_t n_other;
	struct nv_req met;
	struct linebuf lb;
	char linemem[PROM_LINE_MAX];
	struct prom_peers acc;
};

/* --- the process ------------------------------------------------------------ */

static ssize_t read_small(int dirfd, const char *path, char *buf, size_t cap)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return -errno;
	while (n < cap) {
		ssize_t k = read(fd, buf + n, cap - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	return (ssize_t)n;
}

struct sock_want {
	uint64_t inode;
	uint32_t uid;
	uint16_t port;
	bool found;
};

static bool uid_wanted(const struct sock_want *w, size_t n, uint32_t uid)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].uid == uid && !w[i].found)
			return true;
	return false;
}

/* "socket:[12345]" -> 12345, or 0. */
static uint64_t socket_inode(const char *link)
{
	uint64_t v = 0;

	if (strncmp(link, "socket:[", 8) != 0)
		return 0;
	for (link += 8; *link >= '0' && *link <= '9'; link++)
		v = v * 10 + (uint64_t)(*link - '0');
	return *link == ']' ? v : 0;
}

static void proc_read(int procfd, int pid, struct node_process *p)
{
	char path[64], *buf = malloc(NODE_CMDLINE_MAX);
	ssize_t n;

	if (!buf)
		return;
	text_setf(path, sizeof(path), "%d/cmdline", pid);
	n = read_small(procfd, path, buf, NODE_CMDLINE_MAX);
	p->args_read = n > 0 && nodeargs_parse(buf, (size_t)n, &p->args) == 0;
	text_setf(path, sizeof(path), "%d/cgroup", pid);
	n = read_small(procfd, path, buf, NODE_CGROUP_MAX);
	if (n > 0)
		nodeargs_container(buf, (size_t)n, p->container, sizeof(p->container));
	free(buf);
}

/* Scan one process's fds for the wanted inodes. Returns -EACCES when its
 * fds are hidden from us. */
static int proc_scan_fds(int procfd, const char *pid, struct sock_want *w, size_t n_w,
			 struct node_view *nv)
{
	char path[64], link[64];
	int fdd, found = 0;
	size_t seen = 0;
	DIR *d;
	struct dirent *e;

	text_setf(path, sizeof(path), "%s/fd", pid);
	fdd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0)
		return -errno;
	d = fdopendir(fdd);
	if (!d) {
		close(fdd);
		return -ENOMEM;
	}
	while ((e = readdir(d)) && seen++ < NODE_MAX_FDS) {
		ssize_t k = readlinkat(fdd, e->d_name, link, sizeof(link) - 1);
		uint64_t ino;

		if (k <= 0)
			continue;
		link[k] = '\0';
		ino = socket_inode(link);
		if (!ino)
			continue;
		for (size_t i = 0; i < n_w; i++) {
			if (w[i].inode != ino || w[i].found)
				continue;
			w[i].found = true;
			if (found++ || nv->n_procs == NODE_MAX_PROCS)
				continue;
			/* One entry per process, with the first node port it holds. */
			struct node_process *p = &nv->procs[nv->n_procs++];
			long lp;

			memset(p, 0, sizeof(*p));
			if (text_parse_long(pid, 1, INT32_MAX, &lp) == 0)
				p->pid = (int)lp;
			p->port = w[i].port;
			p->uid = w[i].uid;
		}
	}
	closedir(d);
	return 0;
}

void nodeview_gather_process(const char *proc_root, const struct local_view *lv,
			     struct node_view *nv)
{
	const char *root = proc_root ? proc_root : "/proc";
	struct sock_want w[CHECK_MAX_PORTS * CHECK_MAX_LISTEN_ADDRS];
	size_t n_w = 0, seen = 0, hidden = 0, before;
	int procfd;
	DIR *d;
	struct dirent *e;

	for (size_t i = 0; i < lv->n_listeners; i++) {
		const struct local_listener *l = &lv->listeners[i];

		for (size_t k = 0; k < l->n_socks && n_w < sizeof(w) / sizeof(w[0]); k++)
			w[n_w++] = (struct sock_want){ .inode = l->socks[k].inode,
						       .uid = l->socks[k].uid,
						       .port = l->port.port };
	}
	if (n_w == 0)
		return;
	procfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0 || !(d = fdopendir(procfd))) {
		text_setf(nv->proc_error, sizeof(nv->proc_error), "cannot read %s: %s", root,
			  strerror(errno));
		if (procfd >= 0)
			close(procfd);
		return;
	}
	procfd = dirfd(d);
	while ((e = readdir(d)) && seen++ < NODE_MAX_PIDS) {
		struct stat st;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		/* Only the sockets' owners can hold them (the socket's uid is
		 * its creator's): skip everyone else's fds. */
		if (fstatat(procfd, e->d_name, &st, 0) < 0 || !uid_wanted(w, n_w, st.st_uid))
			continue;
		before = nv->n_procs;
		if (proc_scan_fds(procfd, e->d_name, w, n_w, nv) == -EACCES)
			hidden++;
		for (size_t i = before; i < nv->n_procs; i++)
			proc_read(procfd, nv->procs[i].pid, &nv->procs[i]);
	}
	closedir(d);
	for (size_t i = 0; i < n_w; i++) {
		if (w[i].found)
			continue;
		nv->n_sockets_unowned++;
		if (geteuid() != 0 && w[i].uid != geteuid())
			nv->procs_partial = true;
	}
	if (hidden && geteuid() != 0)
		nv->procs_partial = true;
	if (nv->n_procs)
		nv->sources |= NODE_SRC_PROCESS;
}

/* --- the log ------------------------------------------------------------------ */

static void discovered_add(struct node_view *nv, const struct nodelog_extaddr *e)
{
	size_t i;

	if (e->event == NODELOG_EXTADDR_NEW)
		nv->n_discovered_lines++;
	else
		nv->n_expired_lines++;
	for (i = 0; i < nv->n_discovered; i++) {
		const struct multiaddr *m = &nv->discovered[i].m;

		if (nv->discovered[i].chain == e->chain && m->port == e->addr.port &&
		    !strcmp(m->host, e->addr.host))
			break;
	}
	if (i == nv->n_discovered) {
		if (i == NODE_MAX_DISCOVERED || e->event != NODELOG_EXTADDR_NEW) {
			if (i == NODE_MAX_DISCOVERED)
				nv->n_discovered_dropped++;
			return;
		}
		memset(&nv->discovered[i], 0, sizeof(nv->discovered[i]));
		nv->discovered[i].m = e->addr;
		nv->discovered[i].chain = e->chain;
		nv->n_discovered++;
	}
	if (e->event == NODELOG_EXTADDR_NEW) {
		nv->discovered[i].seen++;
		nv->discovered[i].expired = false;
	} else {
		nv->discovered[i].expired = true;
	}
}

struct log_acc {
	struct node_view *nv;
	uint64_t informant;
};

static int nv_log_line(void *data, const char *line, size_t len)
{
	struct log_acc *a = data;
	struct nodelog_extaddr e;
	struct nodelog_status st;

	if (nodelog_parse_extaddr(line, len, &e) == 1) {
		discovered_add(a->nv, &e);
	} else if (nodelog_parse_line(line, len, &st) == 1) {
		/* The last informant line of the node's own chain (or of the
		 * parachain on a Phala node) says its peers now. */
		if (st.chain != NODELOG_CHAIN_RELAY) {
			a->nv->log_peers = st.peers;
			a->informant++;
		}
	}
	return 0;
}

void nodeview_gather_log(const char *path, struct node_view *nv)
{
	struct log_acc acc = { .nv = nv };
	char *mem = malloc(NODELOG_LINE_MAX), *chunk = malloc(64 * 1024);
	struct linebuf lb;
	struct stat st;
	size_t total = 0;
	int fd = -1;

	nv->log_tried = true;
	nv->log_peers = -1;
	text_copy(nv->log_path, sizeof(nv->log_path), path);
	if (!mem || !chunk) {
		text_setf(nv->log_error, sizeof(nv->log_error), "out of memory");
		goto out;
	}
	/* O_NONBLOCK: a FIFO given by mistake must not hang the check. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		text_setf(nv->log_error, sizeof(nv->log_error), "cannot read %s: %s", path,
			  strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		text_setf(
		    nv->log_error, sizeof(nv->log_error),
		    "%s is not a regular file (check reads a saved log: `journalctl -u NODE > "
		    "node.log` or `docker logs NODE > node.log 2>&1`)",
		    path);
		goto out;
	}
	linebuf_init(&lb, mem, NODELOG_LINE_MAX);
	if ((uint64_t)st.st_size > NODE_LOG_TAIL) {
		if (lseek(fd, st.st_size - (off_t)NODE_LOG_TAIL, SEEK_SET) < 0) {
			text_setf(nv->log_error, sizeof(nv->log_error), "cannot seek in %s: %s",
				  path, strerror(errno));
			goto out;
		}
		linebuf_skip_partial(&lb);
	}
	while (total < NODE_LOG_TAIL) {
		ssize_t k = read(fd, chunk, 64 * 1024);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		total += (size_t)k;
		linebuf_feed(&lb, chunk, (size_t)k, nv_log_line, &acc);
	}
	linebuf_finish(&lb, nv_log_line, &acc);
	if (!acc.informant && !nv->n_discovered_lines && !nv->n_expired_lines) {
		text_setf(nv->log_error, sizeof(nv->log_error),
			  "no line a node writes (\"Idle (N peers)\", \"Discovered new external "
			  "address\") in the last %zu KiB of %s: is this the node's log, with its "
			  "INFO lines?",
			  total >> 10, path);
		goto out;
	}
	nv->log_ok = true;
	nv->sources |= NODE_SRC_LOG;
out:
	if (fd >= 0)
		close(fd);
	free(mem);
	free(chunk);
}

/* --- HTTP ---------------------------------------------------------------------- */

/* Why request q failed, in words (http_describe with q's limits). */
static void req_words(const struct nv_req *q, unsigned timeout_ms, char *out, size_t cap)
{
	size_t len;

	http_describe(&q->res, timeout_ms, q->is_metrics ? NODE_METRICS_MAX : RPC_BODY_MAX, out,
		      cap);
	len = strlen(out);
	if (q->res.err == -ECONNREFUSED)
		text_appendf(out, cap, &len, " (nothing listens there)");
}

static void req_done(struct nv *nv)
{
	if (nv->pending && --nv->pending == 0)
		check_probe_done(nv->r, nv->id);
}

static int nv_rpc_body(void *data, const char *p, size_t n)
{
	struct nv_req *q = data;

	return dynbuf_append(&q->body, p, n);
}

static void nv_rpc_done(void *data, const struct http_result *res)
{
	struct nv_req *q = data;

	q->req = NULL;
	q->done = true;
	q->res = *res;
	if (res->err == 0)
		q->decoded = rpc_decode(q->m, (uint32_t)(q->m + 1), q->body.p ? q->body.p : "",
					q->body.len, &q->reply);
	dynbuf_free(&q->body);
	req_done(q->nv);
}

static int nv_metrics_line(void *data, const char *line, size_t len)
{
	prom_peers_feed(data, line, len);
	return 0;
}

static int nv_metrics_body(void *data, const char *p, size_t n)
{
	struct nv_req *q = data;

	return linebuf_feed(&q->nv->lb, p, n, nv_metrics_line, &q->nv->acc);
}

static void nv_metrics_done(void *data, const struct http_result *res)
{
	struct nv_req *q = data;

	q->req = NULL;
	q->done = true;
	q->res = *res;
	if (res->err == 0)
		linebuf_finish(&q->nv->lb, nv_metrics_line, &q->nv->acc);
	req_done(q->nv);
}

static void start_req(struct nv *nv, struct nv_req *q, const char *url)
{
	char body[RPC_REQUEST_MAX];
	struct http_request rq = { .url = url,
				   .timeout_ms = (unsigned)check_time_left(nv->r),
				   .data = q };
	int n;

	q->nv = nv;
	if (rq.timeout_ms == 0)
		return;
	if (q->is_metrics) {
		rq.max_bytes = NODE_METRICS_MAX;
		rq.on_body = nv_metrics_body;
		rq.on_done = nv_metrics_done;
	} else {
		n = rpc_build_request(body, sizeof(body), q->m, (uint32_t)(q->m + 1));
		if (n < 0)
			return;
		dynbuf_init(&q->body, RPC_BODY_MAX);
		rq.post_body = body;
		rq.post_len = (size_t)n;
		rq.max_bytes = RPC_BODY_MAX;
		rq.on_body = nv_rpc_body;
		rq.on_done = nv_rpc_done;
	}
	if (http_start(nv->http, &rq, &q->req) == 0) {
		q->started = true;
		nv->pending++;
	}
}

/* A source that cannot be asked: its requests end now with err. */
static void fail_source(struct nv *nv, bool is_metrics, size_t cand, int err)
{
	struct nv_req *qs = is_metrics ? &nv->met : nv->rpc[cand];
	size_t n = is_metrics ? 1 : N_METHODS;

	for (size_t i = 0; i < n; i++) {
		qs[i].started = qs[i].done = true;
		qs[i].res.err = err;
	}
}

/* Ask a source over HTTP: every RPC method of candidate cand at once, or
 * the metrics. */
static void launch(struct nv *nv, bool is_metrics, size_t cand)
{
	if (!nv->http && !nv->http_err) {
		nv->http_err = http_new(nv->r->loop, &nv->http);
		if (nv->http_err == 0)
			nv->http_err = 1; /* tried, and loaded */
	}
	if (!nv->http) {
		fail_source(nv, is_metrics, cand, nv->http_err);
		return;
	}
	if (is_metrics) {
		start_req(nv, &nv->met, nv->metrics_url);
		return;
	}
	for (size_t i = 0; i < N_METHODS; i++)
		start_req(nv, &nv->rpc[cand][i], nv->rpc_url[cand]);
}

static void knock_end(struct nv_knock *k, int err, bool on_loop)
{
	struct nv *nv = k->nv;

	if (on_loop)
		loop_del_fd(nv->r->loop, k->fd);
	close(k->fd);
	k->fd = -1;
	if (err == 0)
		launch(nv, k->is_metrics, k->cand);
	else
		fail_source(nv, k->is_metrics, k->cand, err);
	req_done(nv);
}

static void on_knock(struct loop *l, int fd, uint32_t events, void *data)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	(void)l;
	(void)events;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	knock_end(data, -soerr, true);
}

/* Connect to 127.0.0.1:port without blocking; the answer comes on the
 * loop (on loopback, at once). */
static void knock(struct nv *nv, bool is_metrics, size_t cand, uint16_t port)
{
	struct nv_knock *k = &nv->knock[nv->n_knock++];
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int r;

	*k = (struct nv_knock){ .nv = nv, .fd = -1, .is_metrics = is_metrics, .cand = cand };
	k->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (k->fd < 0) {
		fail_source(nv, is_metrics, cand, -errno);
		return;
	}
	nv->pending++;
	r = connect(k->fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 ? 0 : -errno;
	if (r != -EINPROGRESS) /* connected, or refused, at once */
		knock_end(k, r, false);
	else if (loop_add_fd(nv->r->loop, k->fd, LOOP_WRITABLE, on_knock, k) < 0)
		knock_end(k, -EIO, false);
}

/* --- putting it together ------------------------------------------------------------ */

static void add_addr(struct node_addr *arr, size_t *n, size_t *total, const struct multiaddr *m,
		     enum node_source from, const struct local_view *lv)
{
	(*total)++;
	for (size_t i = 0; i < *n; i++)
		if (arr[i].m.port == m->port && arr[i].m.transport == m->transport &&
		    !strcmp(arr[i].m.host, m->host)) {
			arr[i].from |= from;
			(*total)--;
			return;
		}
	if (*n == NODE_MAX_ADDRS)
		return;
	arr[*n].m = *m;
	arr[*n].cls = nodefind_classify(m, lv);
	arr[(*n)++].from = from;
}

/* The first candidate that answered system_health, else the first that
 * answered anything, else -1. */
static int nv_rpc_pick(struct nv *nv)
{
	for (size_t c = 0; c < nv->n_rpc; c++)
		if (nv->rpc[c][0].done && nv->rpc[c][0].res.err == 0)
			return (int)c;
	return -1;
}

static void nv_rpc_error(struct nv *nv, struct node_view *v, unsigned timeout_ms)
{
	/* Say what the first candidate (the operator's URL, or the newer
	 * default port) did. */
	struct nv_req *q = &nv->rpc[0][0];

	text_copy(v->rpc.url, sizeof(v->rpc.url), nv->rpc_url[0]);
	if (!q->started)
		text_setf(v->rpc.error, sizeof(v->rpc.error), "not asked: no time left");
	else if (!q->done)
		text_setf(v->rpc.error, sizeof(v->rpc.error), "no answer within %u ms", timeout_ms);
	else
		req_words(q, timeout_ms, v->rpc.error, sizeof(v->rpc.error));
	/* Every candidate refused: no node RPC here. */
	v->rpc.refused = true;
	for (size_t c = 0; c < nv->n_rpc; c++)
		v->rpc.refused &= nv->rpc[c][0].done && nv->rpc[c][0].res.err == -ECONNREFUSED;
}

static void merge_rpc(struct nv *nv, struct check_result *res, unsigned timeout_ms)
{
	struct node_view *v = &res->node;
	int c = nv_rpc_pick(nv);

	if (c < 0) {
		nv_rpc_error(nv, v, timeout_ms);
		return;
	}
	text_copy(v->rpc.url, sizeof(v->rpc.url), nv->rpc_url[c]);
	for (size_t i = 0; i < N_METHODS; i++) {
		struct nv_req *q = &nv->rpc[c][i];
		const struct rpc_reply *r = &q->reply;

		if (!q->done || q->res.err < 0 || q->decoded < 0) {
			char why[NODE_ERR_MAX];

			if (!q->done)
				text_setf(why, sizeof(why), "no answer within %u ms", timeout_ms);
			else if (q->res.err < 0)
				req_words(q, timeout_ms, why, sizeof(why));
			else
				text_setf(why, sizeof(why), "%s",
					  q->decoded == -EBADMSG ? "the answer is not JSON"
					  : q->decoded == -E2BIG
					      ? "the answer is too large or too deep"
					      : "JSON, but not the answer expected");
			if (q->m == RPC_SYSTEM_NETWORK_STATE)
				text_copy(v->network_state_error, sizeof(v->network_state_error),
					  why);
			else if (!v->rpc.error[0])
				text_setf(v->rpc.error, sizeof(v->rpc.error), "%s: %s",
					  rpc_method_name(q->m), why);
			continue;
		}
		if (r->is_error) {
			if (q->m == RPC_SYSTEM_NETWORK_STATE) {
				v->network_state_refused = true;
				text_setf(v->network_state_error, sizeof(v->network_state_error),
					  "%s (%lld)", r->error.message, (long long)r->error.code);
			} else if (!v->rpc.error[0]) {
				text_setf(v->rpc.error, sizeof(v->rpc.error),
					  "%s refused: %s (%lld)", rpc_method_name(q->m),
					  r->error.message, (long long)r->error.code);
			}
			continue;
		}
		switch (q->m) {
		case RPC_SYSTEM_HEALTH:
			v->peers = r->u.health.peers;
			break;
		case RPC_SYSTEM_LOCAL_PEER_ID:
			text_copy(v->peer_id, sizeof(v->peer_id), r->u.peer_id);
			break;
		case RPC_SYSTEM_LOCAL_LISTEN_ADDRESSES:
			if (r->u.listen.n_total > NODEFIND_ADDRS_IMPLAUSIBLE) {
				text_setf(v->rpc.error, sizeof(v->rpc.error),
					  "system_localListenAddresses lists %zu addresses: not "
					  "believed",
					  r->u.listen.n_total);
				break;
			}
			for (size_t k = 0; k < r->u.listen.n; k++)
				add_addr(v->listen, &v->n_listen, &v->n_listen_total,
					 &r->u.listen.addrs[k], NODE_SRC_RPC, &res->local);
			break;
		case RPC_SYSTEM_NETWORK_STATE:
			if (r->u.net.external.n_total > NODEFIND_ADDRS_IMPLAUSIBLE) {
				text_setf(v->network_state_error, sizeof(v->network_state_error),
					  "lists %zu external addresses: not believed",
					  r->u.net.external.n_total);
				break;
			}
			v->advertised_known = true;
			for (size_t k = 0; k < r->u.net.external.n; k++)
				add_addr(v->advertised, &v->n_advertised, &v->n_advertised_total,
					 &r->u.net.external.addrs[k], NODE_SRC_RPC, &res->local);
			if (r->u.net.connected) {
				v->inbound = r->u.net.listening;
				v->outbound = r->u.net.dialing;
			}
			if (!v->peer_id[0])
				text_copy(v->peer_id, sizeof(v->peer_id), r->u.net.peer_id);
			break;
		default:
			break;
		}
	}
	v->rpc.ok = !v->rpc.error[0];
	if (v->rpc.ok)
		v->sources |= NODE_SRC_RPC;
}

static void merge_metrics(struct nv *nv, struct check_result *res, unsigned timeout_ms)
{
	struct node_view *v = &res->node;
	const struct prom_peers *p = &nv->acc;

	if (!nv->met.started) {
		text_setf(v->metrics.error, sizeof(v->metrics.error), "not asked: no time left");
		return;
	}
	if (!nv->met.done) {
		text_setf(v->metrics.error, sizeof(v->metrics.error), "no answer within %u ms",
			  timeout_ms);
		return;
	}
	if (nv->met.res.err < 0) {
		v->metrics.refused = nv->met.res.err == -ECONNREFUSED;
		req_words(&nv->met, timeout_ms, v->metrics.error, sizeof(v->metrics.error));
		return;
	}
	if (!prom_peers_found(p)) {
		text_setf(v->metrics.error, sizeof(v->metrics.error),
			  "no Substrate peer metrics in the answer (%u lines, %u unreadable)",
			  p->n_lines, p->n_bad);
		return;
	}
	v->metrics.ok = true;
	v->sources |= NODE_SRC_METRICS;
	if (v->peers < 0)
		v->peers = p->peers >= 0 ? p->peers : p->sync_peers;
	/* Open connections by direction: opened minus closed since start. */
	if (v->inbound < 0 && p->opened_in >= 0 && p->closed_in >= 0 &&
	    p->opened_in >= p->closed_in)
		v->inbound = p->opened_in - p->closed_in;
	if (v->outbound < 0 && p->opened_out >= 0 && p->closed_out >= 0 &&
	    p->opened_out >= p->closed_out)
		v->outbound = p->opened_out - p->closed_out;
}

static void merge_static(struct check_result *res)
{
	struct node_view *v = &res->node;

	/* The process: its own flags say what it advertises and its slots. */
	for (size_t i = 0; i < v->n_procs; i++) {
		const struct node_process *p = &v->procs[i];

		if (!p->args_read)
			continue;
		for (size_t c = 0; c < p->args.n_chains; c++) {
			const struct nodeargs_chain *ch = &p->args.chain[c];

			for (size_t k = 0; k < ch->n_public; k++)
				add_addr(v->advertised, &v->n_advertised, &v->n_advertised_total,
					 &ch->public_addr[k], NODE_SRC_PROCESS, &res->local);
			if (ch->n_public)
				v->advertised_known = true;
		}
		if (i == 0 && p->args.substrate) {
			v->in_slots = nodeargs_in_peers(&p->args.chain[0]);
			v->out_slots = nodeargs_out_peers(&p->args.chain[0]);
			v->reserved_only = p->args.chain[0].reserved_only;
		}
	}
	/* The log: what the node discovered and did not see expire. */
	for (size_t i = 0; i < v->n_discovered; i++) {
		if (v->discovered[i].expired)
			continue;
		add_addr(v->advertised, &v->n_advertised, &v->n_advertised_total,
			 &v->discovered[i].m, NODE_SRC_LOG, &res->local);
		v->advertised_known = true;
	}
	if (v->peers < 0 && v->log_ok && v->log_peers >= 0)
		v->peers = v->log_peers;
}

/* The further --rpc nodes: what they advertise and where they listen. */
static void merge_others(struct nv *nv, struct check_result *res, unsigned timeout_ms)
{
	struct node_view *v = &res->node;

	for (size_t k = 0; k < nv->n_other; k++) {
		struct nv_req *row = nv->rpc[nv->n_rpc + k];
		struct node_other *o = &v->others[v->n_others++];

		memset(o, 0, sizeof(*o));
		text_copy(o->url, sizeof(o->url), nv->rpc_url[nv->n_rpc + k]);
		for (size_t i = 0; i < N_METHODS; i++) {
			const struct nv_req *q = &row[i];
			const struct rpc_reply *r = &q->reply;

			if (!q->done || q->res.err < 0 || q->decoded < 0 || r->is_error) {
				if (q->m == RPC_SYSTEM_HEALTH) {
					if (!q->done)
						text_setf(o->error, sizeof(o->error),
							  "no answer within %u ms", timeout_ms);
					else if (q->res.err < 0)
						req_words(q, timeout_ms, o->error,
							  sizeof(o->error));
					else
						text_setf(o->error, sizeof(o->error),
							  "not an answer to system_health");
				}
				continue;
			}
			if (q->m == RPC_SYSTEM_HEALTH) {
				o->ok = true;
			} else if (q->m == RPC_SYSTEM_LOCAL_PEER_ID) {
				text_copy(o->peer_id, sizeof(o->peer_id), r->u.peer_id);
			} else if (q->m == RPC_SYSTEM_LOCAL_LISTEN_ADDRESSES) {
				for (size_t a = 0; a < r->u.listen.n && !o->listen_port; a++)
					if (nodefind_classify(&r->u.listen.addrs[a], &res->local) !=
					    NODE_ADDR_LOOPBACK)
						o->listen_port = r->u.listen.addrs[a].port;
			} else if (q->m == RPC_SYSTEM_NETWORK_STATE &&
				   r->u.net.external.n_total <= NODEFIND_ADDRS_IMPLAUSIBLE) {
				size_t total = 0;

				for (size_t a = 0; a < r->u.net.external.n; a++)
					if (o->n_advertised < 4)
						add_addr(o->advertised, &o->n_advertised, &total,
							 &r->u.net.external.addrs[a], NODE_SRC_RPC,
							 &res->local);
			}
		}
	}
}

/* A password in a URL the operator gave (http://user:secret@...) never
 * reaches the report, the JSON or a finding (issue 7 defect 11): mask it
 * in every URL and message of the view, whichever URL it came from. */
static void redact_one(char *field, size_t size, const struct nv *nv)
{
	char tmp[NODE_URL_MAX > NODE_ERR_MAX ? NODE_URL_MAX : NODE_ERR_MAX];
	size_t n_urls = nv->n_rpc + nv->n_other;

	for (size_t i = 0; i <= n_urls; i++) {
		const char *url = i < n_urls ? nv->rpc_url[i] : nv->metrics_url;

		text_copy(tmp, sizeof(tmp), field);
		text_redact_url(field, size, tmp, url);
	}
}

static void redact_view(struct node_view *v, const struct nv *nv)
{
	redact_one(v->rpc.url, sizeof(v->rpc.url), nv);
	redact_one(v->rpc.error, sizeof(v->rpc.error), nv);
	redact_one(v->metrics.url, sizeof(v->metrics.url), nv);
	redact_one(v->metrics.error, sizeof(v->metrics.error), nv);
	for (size_t k = 0; k < v->n_others; k++) {
		redact_one(v->others[k].url, sizeof(v->others[k].url), nv);
		redact_one(v->others[k].error, sizeof(v->others[k].error), nv);
	}
}

static void nv_finish(struct check_run *r, void *state)
{
	struct nv *nv = state;
	unsigned timeout_ms = r->cfg->deadline_ms;

	/* Cancel what is still out: the deadline passed. */
	for (size_t i = 0; i < nv->n_knock; i++)
		if (nv->knock[i].fd >= 0) {
			loop_del_fd(r->loop, nv->knock[i].fd);
			close(nv->knock[i].fd);
		}
	http_free(nv->http);
	nv->http = NULL;
	if (nv->n_rpc)
		merge_rpc(nv, r->res, timeout_ms);
	merge_metrics(nv, r->res, timeout_ms);
	merge_static(r->res);
	merge_others(nv, r->res, timeout_ms);
	redact_view(&r->res->node, nv);
	for (size_t c = 0; c < NODE_MAX_CANDIDATES + NODE_MAX_OTHERS; c++)
		for (size_t i = 0; i < N_METHODS; i++)
			dynbuf_free(&nv->rpc[c][i].body);
	free(nv);
}

int nodeview_start(struct check_run *r)
{
	const struct node_config *nc = &r->cfg->node;
	struct node_view *v = &r->res->node;
	struct nv *nv;
	int err;

	v->peers = v->inbound = v->outbound = v->in_slots = v->out_slots = v->log_peers = -1;
	if (nc->off)
		return 0;
	v->gathered = true;
	nodeview_gather_process(nc->proc_root, &r->res->local, v);
	if (nc->log_path[0])
		nodeview_gather_log(nc->log_path, v);

	nv = calloc(1, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	nv->r = r;
	v->rpc.tried = v->metrics.tried = true;
	v->rpc.user_given = nc->rpc_url[0] != '\0';
	v->metrics.user_given = nc->metrics_url[0] != '\0';
	if (v->rpc.user_given) {
		text_copy(nv->rpc_url[nv->n_rpc++], NODE_URL_MAX, nc->rpc_url);
	} else {
		text_copy(nv->rpc_url[nv->n_rpc++], NODE_URL_MAX, NODE_DEFAULT_RPC);
		text_copy(nv->rpc_url[nv->n_rpc++], NODE_URL_MAX, NODE_DEFAULT_RPC_OLD);
	}
	text_copy(nv->metrics_url, sizeof(nv->metrics_url),
		  v->metrics.user_given ? nc->metrics_url : NODE_DEFAULT_METRICS);
	text_copy(v->metrics.url, sizeof(v->metrics.url), nv->metrics_url);
	for (size_t k = 0; k < nc->n_rpc_others && k < NODE_MAX_OTHERS; k++)
		text_copy(nv->rpc_url[nv->n_rpc + nv->n_other++], NODE_URL_MAX, nc->rpc_others[k]);
	err = check_probe_register(r, "node", nv_finish, nv);
	if (err < 0) {
		free(nv);
		return err;
	}
	nv->id = err;
	prom_peers_init(&nv->acc);
	linebuf_init(&nv->lb, nv->linemem, sizeof(nv->linemem));
	nv->met.is_metrics = true;
	for (size_t c = 0; c < nv->n_rpc + nv->n_other; c++)
		for (size_t i = 0; i < N_METHODS; i++) {
			nv->rpc[c][i].nv = nv;
			nv->rpc[c][i].cand = c;
			nv->rpc[c][i].m = methods[i];
		}
	nv->met.nv = nv;
	/* Held until every source has started: a knock refused at once must
	 * not mark the probe done while the others are still to go. */
	nv->pending++;
	for (size_t c = 0; c < nv->n_rpc; c++)
		if (v->rpc.user_given)
			launch(nv, false, c);
		else
			knock(nv, false, c,
			      c == 0 ? NODE_DEFAULT_RPC_PORT : NODE_DEFAULT_RPC_OLD_PORT);
	for (size_t k = 0; k < nv->n_other; k++)
		launch(nv, false, nv->n_rpc + k);
	if (v->metrics.user_given)
		launch(nv, true, 0);
	else
		knock(nv, true, 0, NODE_DEFAULT_METRICS_PORT);
	req_done(nv);
	return 0;
}
