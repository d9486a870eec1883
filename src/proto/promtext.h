/* SPDX-License-Identifier: MIT */
/*
 * The Prometheus text exposition format, written (proto/prom.c reads it):
 * a family's HELP and TYPE lines, then its samples, into a bounded strbuf.
 * Pure: no I/O, no clock; the caller brings the values and the time.
 *
 * Format: https://prometheus.io/docs/instrumenting/exposition_formats/
 * ("Text-based format", version 0.0.4). Label values are escaped (\\, \",
 * \n); metric and label names are the caller's constants and are checked
 * only by the unit tests.
 */
#ifndef ND_PROTO_PROMTEXT_H
#define ND_PROTO_PROMTEXT_H

#include <stddef.h>

#include "util/strbuf.h"

/* The Content-Type of this format, for an HTTP answer. */
#define PROMTEXT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* "# HELP name help\n# TYPE name type\n"; type is "gauge" or "counter".
 * help must be one line (a newline or backslash in it is escaped). */
void promtext_family(struct strbuf *b, const char *name, const char *type, const char *help);

/* One sample: name{k1="v1",k2="v2"} value. labels holds n_labels pairs
 * (key, value, key, value, ...); NULL with 0 for none. A value that is an
 * integer below 2^53 is written without a fraction; NaN and infinities as
 * Prometheus spells them. */
void promtext_sample(struct strbuf *b, const char *name, const char *const *labels, size_t n_labels,
		     double value);

/* Append s as a label value, escaped: backslash, double quote, newline. */
void promtext_escape(struct strbuf *b, const char *s);

#endif
