/* SPDX-License-Identifier: MIT */
/*
 * stunload: a STUN Binding load generator for bench/serve.sh. N threads,
 * each with its own UDP socket connected to the server, keep a window of
 * requests in flight with sendmmsg and count the Binding success answers
 * that come back with recvmmsg. Prints one line: answers per second over
 * the measured period (after a warm-up).
 *
 *   stunload HOST PORT [THREADS] [SECONDS] [WINDOW]
 *
 * Standalone on purpose (no natdoctor code): it must measure coturn and
 * natdoctor serve the same way. Loopback only in our benchmarks.
 */
#define _GNU_SOURCE /* sendmmsg, recvmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define MAXT  64

static struct sockaddr_storage target;
static socklen_t target_len;
static atomic_bool measuring, done;
static unsigned window = 256;

struct thr {
	pthread_t th;
	uint64_t answers; /* while measuring */
	uint64_t sent;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
	struct thr *t = arg;
	static _Thread_local uint8_t req[BATCH][20], resp[BATCH][256];
	struct mmsghdr sm[BATCH], rm[BATCH];
	struct iovec siov[BATCH], riov[BATCH];
	unsigned inflight = 0;
	double last_answer = now_s();
	uint32_t seq = (uint32_t)(uintptr_t)t;
	int fd = socket(target.ss_family, SOCK_DGRAM, 0), buf = 4 << 20;

	if (fd < 0 || connect(fd, (struct sockaddr *)&target, target_len) < 0) {
		perror("stunload: socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	for (int i = 0; i < BATCH; i++) {
		/* Binding request, no attributes, RFC 8489 §5 */
		req[i][0] = 0x00;
		req[i][1] = 0x01;
		req[i][2] = req[i][3] = 0;
		req[i][4] = 0x21;
		req[i][5] = 0x12;
		req[i][6] = 0xa4;
		req[i][7] = 0x42;
		siov[i] = (struct iovec){ .iov_base = req[i], .iov_len = 20 };
		sm[i].msg_hdr = (struct msghdr){ .msg_iov = &siov[i], .msg_iovlen = 1 };
		riov[i] = (struct iovec){ .iov_base = resp[i], .iov_len = sizeof(resp[i]) };
		rm[i].msg_hdr = (struct msghdr){ .msg_iov = &riov[i], .msg_iovlen = 1 };
	}
	while (!atomic_load(&done)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n;

		if (inflight + BATCH <= window) {
			for (int i = 0; i < BATCH; i++) {
				seq++;
				memcpy(req[i] + 8, &seq, 4);
			}
			n = sendmmsg(fd, sm, BATCH, MSG_DONTWAIT);
			if (n > 0) {
				inflight += (unsigned)n;
				t->sent += (uint64_t)n;
			}
		}
		if (poll(&p, 1, inflight + BATCH <= window ? 0 : 5) <= 0) {
			/* Answers lost (a full socket buffer somewhere): after
			 * 20 ms of silence, start the window again. */
			if (now_s() - last_answer > 0.02) {
				inflight = 0;
				last_answer = now_s();
			}
			continue;
		}
		n = recvmmsg(fd, rm, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			continue;
		last_answer = now_s();
		inflight = inflight > (unsigned)n ? inflight - (unsigned)n : 0;
		if (atomic_load_explicit(&measuring, memory_order_relaxed))
			for (int i = 0; i < n; i++)
				if (rm[i].msg_len >= 20 && resp[i][0] == 0x01 && resp[i][1] == 0x01)
					t->answers++;
	}
	close(fd);
	return NULL;
}

int main(int argc, char *argv[])
{
	struct thr t[MAXT];
	struct sockaddr_in *s4 = (struct sockaddr_in *)&target;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&target;
	int threads = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 1;
	double secs = argc > 4 ? strtod(argv[4], NULL) : 3.0, t0, t1;
	uint64_t total = 0;

	if (argc < 3 || threads < 1 || threads > MAXT || secs <= 0) {
		fprintf(stderr, "usage: stunload HOST PORT [THREADS] [SECONDS] [WINDOW]\n");
		return 2;
	}
	if (argc > 5)
		window = (unsigned)strtoul(argv[5], NULL, 10);
	if (window < BATCH)
		window = BATCH;
	memset(&target, 0, sizeof(target));
	if (inet_pton(AF_INET, argv[1], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)strtoul(argv[2], NULL, 10));
		target_len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[1], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)strtoul(argv[2], NULL, 10));
		target_len = sizeof(*s6);
	} else {
		fprintf(stderr, "stunload: '%s' is not an IP address\n", argv[1]);
		return 2;
	}
	memset(t, 0, sizeof(t));
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i].th, NULL, run, &t[i]);
	usleep(500000); /* warm-up: caches, socket buffers */
	atomic_store(&measuring, true);
	t0 = now_s();
	usleep((useconds_t)(secs * 1e6));
	atomic_store(&measuring, false);
	t1 = now_s();
	atomic_store(&done, true);
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i].th, NULL);
		total += t[i].answers;
	}
	printf("%.0f\n", (double)total / (t1 - t0));
	return total ? 0 : 1;
}
