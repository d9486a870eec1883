/* SPDX-License-Identifier: MIT */
/*
 * json-c, opened with dlopen on first use instead of linked: `check` and
 * `peers` use it (reports, JSON-RPC answers), `map`, `serve` and `status`
 * never, yet a linked library is mapped and relocated at the start of
 * every command, the `map` daemon at rest included (docs/DEPENDENCIES.md).
 *
 * The rest of the code calls json-c as always (<json-c/json.h>): jsonc.c
 * defines each json-c function natdoctor uses under its own name, as a
 * small stub that calls the library's through a pointer (Implib.so's lazy
 * stubs, written out by hand). A json-c function used anywhere without a
 * stub here is a link error, so none is missed. The executable does not
 * export these names, so the library's own internal calls never reach
 * them.
 */
#ifndef ND_UTIL_JSONC_H
#define ND_UTIL_JSONC_H

/* The soname opened, for messages. */
#define JSONC_LIBRARY "libjson-c.so.5"

/* Open json-c now (a command that will need it calls this at start, so a
 * missing library is one clear line before any work). Idempotent and
 * thread-safe. Returns 0, -ENOENT if the library is missing, -ENOSYS if it
 * lacks a call. A stub called when this failed prints that line and ends
 * the process (exit 4): there is no way on without the library. */
int jsonc_load(void);

#endif
