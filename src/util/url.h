/* SPDX-License-Identifier: MIT */
/*
 * A node's HTTP URL (JSON-RPC or Prometheus metrics) as an operator types
 * it on the command line of `peers` and `check`: "9933",
 * "127.0.0.1:9933", "http://host:9933", "https://[::1]:9615/metrics".
 */
#ifndef ND_UTIL_URL_H
#define ND_UTIL_URL_H

#include <stdbool.h>
#include <stddef.h>

/* Write the full URL to out: a bare port means http://127.0.0.1:PORT,
 * no scheme means http://, and a metrics URL without a path gets
 * "/metrics". The result must look like an http(s) URL (host name, IPv4
 * or bracketed IPv6 address, optional :port 1..65535, printable path).
 * Returns 0, -ERANGE (a number that is no port), -EPROTONOSUPPORT (a
 * scheme other than http/https), -ENAMETOOLONG, or -EINVAL. */
int url_node_normalise(const char *in, bool metrics, char *out, size_t cap);

/* What the operator got wrong, for an error from url_node_normalise:
 * "a port is 1 to 65535", "only http:// and https:// URLs", "give a URL
 * such as http://127.0.0.1:9944, or a port". */
const char *url_node_error(int err, bool metrics);

#endif
