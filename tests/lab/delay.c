/* SPDX-License-Identifier: MIT */
/*
 * lab_delay: put real one-way delay on a lab link (the kernel here has no
 * sch_netem). Packets are queued to user space by an iptables NFQUEUE rule
 * in the namespace that forwards them; this holds each one for --delay-ms
 * and then accepts it, in arrival order (one FIFO: a constant delay keeps
 * the order). Queue both directions of a path and its round trip grows by
 * twice the delay.
 *
 *   lab_delay --queue N --delay-ms MS [--max-seconds S]
 *
 * Bounded: at most DELAY_MAX_HELD packets are held (more are accepted at
 * once, counted), the program exits after --max-seconds (default 900),
 * and the rule should use --queue-bypass so packets flow if it dies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/text.h"

#define DELAY_MAX_HELD 4096

struct held {
	uint32_t id;
	uint64_t due_ms;
};

static struct held fifo[DELAY_MAX_HELD];
static size_t head, count;
static unsigned delay_ms;
static unsigned long overflow;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int on_packet(struct nfq_q_handle *q, struct nfgenmsg *msg, struct nfq_data *nfa, void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	uint32_t id;

	(void)msg;
	(void)data;
	if (!ph)
		return 0;
	id = ntohl(ph->packet_id);
	if (count == DELAY_MAX_HELD) {
		overflow++;
		return nfq_set_verdict(q, id, NF_ACCEPT, 0, NULL);
	}
	fifo[(head + count) % DELAY_MAX_HELD] = (struct held){ id, now_ms() + delay_ms };
	count++;
	return 0;
}

static void release_due(struct nfq_q_handle *q)
{
	uint64_t now = now_ms();

	while (count && fifo[head].due_ms <= now) {
		(void)nfq_set_verdict(q, fifo[head].id, NF_ACCEPT, 0, NULL);
		head = (head + 1) % DELAY_MAX_HELD;
		count--;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: lab_delay --queue N --delay-ms MS [--max-seconds S]\n");
	return 2;
}

int main(int argc, char **argv)
{
	long queue = -1, ms = -1, max_s = 900;
	struct nfq_handle *h;
	struct nfq_q_handle *q;
	char buf[0x10000] __attribute__((aligned));
	uint64_t end;
	int fd;

	for (int i = 1; i + 1 < argc; i += 2) {
		long *dst = !strcmp(argv[i], "--queue")		? &queue
			    : !strcmp(argv[i], "--delay-ms")	? &ms
			    : !strcmp(argv[i], "--max-seconds") ? &max_s
								: NULL;
		if (!dst || text_parse_long(argv[i + 1], 0, 65535, dst) < 0)
			return usage();
	}
	if (queue < 0 || ms < 0 || argc % 2 == 0)
		return usage();
	delay_ms = (unsigned)ms;
	h = nfq_open();
	if (!h) {
		perror("lab_delay: nfq_open");
		return 1;
	}
	q = nfq_create_queue(h, (uint16_t)queue, on_packet, NULL);
	if (!q || nfq_set_mode(q, NFQNL_COPY_META, 0) < 0) {
		perror("lab_delay: nfq_create_queue");
		nfq_close(h);
		return 1;
	}
	(void)nfq_set_queue_maxlen(q, DELAY_MAX_HELD);
	fd = nfq_fd(h);
	end = now_ms() + (uint64_t)max_s * 1000;
	fprintf(stderr, "lab_delay: queue %ld, %u ms\n", queue, delay_ms);
	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int timeout = 1000;

		if (count) {
			uint64_t due = fifo[head].due_ms, now = now_ms();

			timeout = due > now ? (int)(due - now) : 0;
		}
		if (poll(&p, 1, timeout) < 0 && errno != EINTR)
			break;
		if (p.revents & POLLIN) {
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (n > 0)
				nfq_handle_packet(h, buf, (int)n);
		}
		release_due(q);
	}
	if (overflow)
		fprintf(stderr, "lab_delay: %lu packets passed undelayed (queue full)\n", overflow);
	nfq_destroy_queue(q);
	nfq_close(h);
	return 0;
}
