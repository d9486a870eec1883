/* SPDX-License-Identifier: MIT */
/*
 * `natdoctor peers --listen-metrics`: the judged chains and the sources as
 * Prometheus metrics (docs/METRICS.md is the contract). Pure: built from
 * the same view_chain / view_source structs the screen and --json use.
 */
#ifndef ND_PEERS_METRICS_H
#define ND_PEERS_METRICS_H

#include <stddef.h>

#include "peers/view.h"
#include "util/strbuf.h"

void peers_metrics_write(struct strbuf *b, const struct view_chain *vc, size_t n_chains,
			 const struct view_source *vs, size_t n_src);

#endif
