/* SPDX-License-Identifier: MIT */
#include "check/promreport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/report.h"
#include "proto/promtext.h"
#include "util/atomicfile.h"

/* obj.a.b, or NULL when absent or null. */
static struct json_object *get(struct json_object *obj, const char *a, const char *b)
{
	struct json_object *x = NULL, *y = NULL;

	if (!json_object_object_get_ex(obj, a, &x) || !x)
		return NULL;
	if (!b)
		return x;
	return json_object_object_get_ex(x, b, &y) ? y : NULL;
}

/* A gauge with no labels, only when the field has a value. */
static void gauge(struct strbuf *b, const char *name, const char *help, struct json_object *v)
{
	if (!v)
		return;
	promtext_family(b, name, "gauge", help);
	promtext_sample(b, name, NULL, 0,
			json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v)
								  : json_object_get_double(v));
}

int promreport_write(struct strbuf *b, struct json_object *r, double now)
{
	static const char *const families[] = { "ipv4", "ipv6" };
	static const char *const protocols[] = { "pcp", "natpmp", "upnp" };
	static const char *const severities[] = { "info", "warning", "problem" };
	struct json_object *findings = get(r, "findings", NULL),
			   *elapsed = get(r, "elapsed_ms", NULL);
	size_t n_findings = findings && json_object_is_type(findings, json_type_array)
				? json_object_array_length(findings)
				: 0;

	if (!json_object_is_type(r, json_type_object) || !get(r, "exit_status", NULL))
		return -EINVAL;
	promtext_family(b, "natdoctor_check_timestamp_seconds", "gauge",
			"When natdoctor check last ran (Unix time).");
	promtext_sample(b, "natdoctor_check_timestamp_seconds", NULL, 0, now);
	gauge(b, "natdoctor_check_exit_status",
	      "natdoctor check's exit status: 0 nothing wrong, 1 problems found, 3 could not "
	      "test (no network), 4 internal error.",
	      get(r, "exit_status", NULL));
	if (elapsed) {
		promtext_family(b, "natdoctor_check_duration_seconds", "gauge",
				"How long the last check took.");
		promtext_sample(b, "natdoctor_check_duration_seconds", NULL, 0,
				json_object_get_double(elapsed) / 1000.0);
	}
	gauge(b, "natdoctor_nat_layers",
	      "Layers of NAT on the IPv4 path (0: the host holds the public address); absent "
	      "when no view could tell.",
	      get(r, "nat", "layers"));
	gauge(b, "natdoctor_cgnat", "1 when there is evidence of the provider's carrier-grade NAT.",
	      get(r, "nat", "cgnat"));
	gauge(b, "natdoctor_nat_mapping_varies_by_destination",
	      "1 when the NAT maps each destination differently (symmetric NAT); absent when "
	      "unknown.",
	      get(r, "nat", "mapping_varies_by_destination"));

	promtext_family(b, "natdoctor_public_address_info", "gauge",
			"The public address STUN servers see, per family (value always 1).");
	for (size_t i = 0; i < 2; i++) {
		struct json_object *ip = get(r, "public", families[i]);

		if (ip && json_object_is_type(ip, json_type_string)) {
			const char *l[] = { "family", families[i], "address",
					    json_object_get_string(ip) };

			promtext_sample(b, "natdoctor_public_address_info", l, 2, 1);
		}
	}
	promtext_family(b, "natdoctor_gateway_protocol_available", "gauge",
			"1 when the default gateway answered this port-mapping protocol.");
	for (size_t i = 0; i < 3; i++) {
		struct json_object *gw = get(r, "gateway", protocols[i]), *av = NULL;
		const char *l[] = { "protocol", protocols[i] };

		if (gw && json_object_object_get_ex(gw, "available", &av) && av)
			promtext_sample(b, "natdoctor_gateway_protocol_available", l, 1,
					json_object_get_boolean(av));
	}

	promtext_family(b, "natdoctor_finding", "gauge",
			"A finding of the last check (value always 1); ids in docs/REPORT.md.");
	for (size_t i = 0; i < n_findings; i++) {
		struct json_object *f = json_object_array_get_idx(findings, i);
		struct json_object *id = get(f, "id", NULL), *sev = get(f, "severity", NULL);
		const char *l[] = { "id", id ? json_object_get_string(id) : "", "severity",
				    sev ? json_object_get_string(sev) : "" };

		promtext_sample(b, "natdoctor_finding", l, 2, 1);
	}
	promtext_family(b, "natdoctor_findings", "gauge",
			"How many findings of each severity the last check made.");
	for (size_t s = 0; s < 3; s++) {
		const char *l[] = { "severity", severities[s] };
		size_t n = 0;

		for (size_t i = 0; i < n_findings; i++) {
			struct json_object *sev =
			    get(json_object_array_get_idx(findings, i), "severity", NULL);

			n += sev && !strcmp(json_object_get_string(sev), severities[s]);
		}
		promtext_sample(b, "natdoctor_findings", l, 1, (double)n);
	}
	return b->truncated ? -ENOBUFS : 0;
}

int promreport_save(const char *path, const struct check_config *cfg,
		    const struct check_result *res, const struct verdict *v, int exit_status,
		    time_t now)
{
	char *doc = NULL, *text = NULL;
	size_t doc_len = 0;
	struct json_object *r = NULL;
	struct strbuf b;
	FILE *mem = open_memstream(&doc, &doc_len);
	int err;

	if (!mem)
		return -ENOMEM;
	/* The JSON document is the stable contract; the metrics are read off
	 * it rather than off the structs, so the two cannot disagree. */
	err = report_json(mem, cfg, res, v, exit_status);
	if (fclose(mem) != 0 && !err)
		err = -ENOMEM;
	if (err < 0)
		goto cleanup;
	r = json_tokener_parse(doc);
	text = malloc(PROMREPORT_MAX);
	if (!r || !text) {
		err = -ENOMEM;
		goto cleanup;
	}
	strbuf_init(&b, text, PROMREPORT_MAX);
	err = promreport_write(&b, r, (double)now);
	if (err == 0)
		err = atomicfile_write(path, b.p, b.len);
cleanup:
	json_object_put(r);
	free(text);
	free(doc);
	return err;
}
