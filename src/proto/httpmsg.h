/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.x responses (RFC 9112) as a router's UPnP web server sends them:
 * a status line, header fields, and a body delimited by Content-Length,
 * by chunked transfer coding (§7.1), or by the connection's close (§6.3).
 * Pure: bytes in, a view of them out; no I/O.
 *
 * The input is what has arrived so far, never trusted: every length is
 * checked against what is there, and the parser tells "complete",
 * "need more" and "malformed" apart so the caller can stop reading as soon
 * as the answer is whole (a server that keeps the connection open costs
 * nothing more).
 */
#ifndef ND_PROTO_HTTPMSG_H
#define ND_PROTO_HTTPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest header section we accept (status line and fields). */
#define HTTPMSG_HEAD_MAX 8192

struct httpmsg_response {
	int status;	     /* 100..999 */
	const uint8_t *body; /* points into the parsed buffer */
	size_t body_len;     /* after de-chunking */
	bool has_location;   /* a Location field came (never followed) */
};

/* Parse the response held in buf[0, n). eof says the peer has closed (or
 * nothing more will be read). A chunked body is de-chunked in place, so
 * buf is modified and body points into it.
 *
 * Returns 0 when the response is complete (out filled), -EAGAIN when more
 * bytes are needed (never with eof), -EBADMSG when it is malformed or cut
 * short by the close, -EMSGSIZE when the header section is over
 * HTTPMSG_HEAD_MAX. Call again with the same buf after more bytes arrive:
 * nothing is changed in buf unless 0 is returned. */
int httpmsg_parse_response(uint8_t *buf, size_t n, bool eof, struct httpmsg_response *out);

#endif
