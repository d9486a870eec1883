/* SPDX-License-Identifier: MIT */
/*
 * The node's view in check's report: the JSON object "node"
 * (docs/REPORT.md) and the "Node view" section of the text report.
 */
#ifndef ND_CHECK_NODEREPORT_H
#define ND_CHECK_NODEREPORT_H

#include <stdio.h>

#include "check/node.h"

struct json_object;

/* A new json-c object for n (the caller owns it), or NULL on no memory. */
struct json_object *nodereport_json(const struct node_view *n);

/* The "Node view" section; bold and off are the terminal's codes or "". */
void nodereport_text(FILE *f, const struct node_view *n, const char *bold, const char *off);

#endif
