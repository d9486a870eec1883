/* SPDX-License-Identifier: MIT */
#include "proto/promtext.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void promtext_escape(struct strbuf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		size_t run = strcspn(p, "\\\"\n");

		strbuf_putn(b, p, run);
		p += run;
		if (!*p)
			break;
		strbuf_put(b, *p == '\n' ? "\\n" : *p == '"' ? "\\\"" : "\\\\");
	}
}

/* HELP text escapes only backslash and newline (the format's rule). */
static void help_escape(struct strbuf *b, const char *s)
{
	for (const char *p = s; *p; p++) {
		size_t run = strcspn(p, "\\\n");

		strbuf_putn(b, p, run);
		p += run;
		if (!*p)
			break;
		strbuf_put(b, *p == '\n' ? "\\n" : "\\\\");
	}
}

void promtext_family(struct strbuf *b, const char *name, const char *type, const char *help)
{
	/* Pieces, not printf: a scrape writes many of these (serve's every
	 * second), and parsing a format each time was most of its cost. */
	strbuf_put(b, "# HELP ");
	strbuf_put(b, name);
	strbuf_put(b, " ");
	help_escape(b, help);
	strbuf_put(b, "\n# TYPE ");
	strbuf_put(b, name);
	strbuf_put(b, " ");
	strbuf_put(b, type);
	strbuf_put(b, "\n");
}

/* The shortest of %.15g and %.17g that reads back as the same double
 * (0.306, not 0.30599999999999999). */
static void put_double(struct strbuf *b, double v)
{
	char text[32];

	snprintf(text, sizeof(text), "%.15g", v);
	if (strtod(text, NULL) != v)
		snprintf(text, sizeof(text), "%.17g", v);
	strbuf_printf(b, " %s\n", text);
}

/* " v\n" for an integer |v| < 2^53, in decimal without printf. */
static void put_integer(struct strbuf *b, long long v)
{
	char text[24], *p = text + sizeof(text);
	unsigned long long u = v < 0 ? (unsigned long long)-v : (unsigned long long)v;

	*--p = '\n';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	*--p = ' ';
	strbuf_putn(b, p, (size_t)(text + sizeof(text) - p));
}

void promtext_sample(struct strbuf *b, const char *name, const char *const *labels, size_t n_labels,
		     double value)
{
	strbuf_put(b, name);
	for (size_t i = 0; i < n_labels; i++) {
		strbuf_put(b, i ? "," : "{");
		strbuf_put(b, labels[2 * i]);
		strbuf_put(b, "=\"");
		promtext_escape(b, labels[2 * i + 1] ? labels[2 * i + 1] : "");
		strbuf_put(b, "\"");
	}
	if (n_labels)
		strbuf_put(b, "}");
	if (isnan(value))
		strbuf_put(b, " NaN\n");
	else if (isinf(value))
		strbuf_put(b, value > 0 ? " +Inf\n" : " -Inf\n");
	else if (value == floor(value) && fabs(value) < 9007199254740992.0)
		put_integer(b, (long long)value);
	else
		put_double(b, value);
}
