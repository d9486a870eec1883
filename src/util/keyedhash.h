/* SPDX-License-Identifier: MIT */
/*
 * Keyed BLAKE2b (RFC 7693 §2.5: a MAC when given a key) and the two
 * helpers that go with a MAC, from libsodium, which is opened with dlopen
 * on the first keyedhash_load rather than linked: only `serve` (its
 * dial-back cookie, serve/cookie.c) and `map --once`/`--delete` (the PCP
 * nonce derived from the machine id) need it, and a linked libsodium was
 * mapped and relocated at the start of every command, the `map` daemon at
 * rest included (docs/DEPENDENCIES.md has the numbers).
 *
 * Call keyedhash_load once, and the other functions only after it
 * returned 0; after that they are plain calls through a pointer, safe from
 * any thread.
 */
#ifndef ND_UTIL_KEYEDHASH_H
#define ND_UTIL_KEYEDHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The soname opened, for messages ("install libsodium23"). */
#define KEYEDHASH_LIBRARY "libsodium.so.23"

/* Open libsodium and initialise it (sodium_init picks the fastest BLAKE2b
 * for this CPU). Idempotent and thread-safe; the library stays loaded.
 * Returns 0, -ENOENT if the library is missing, -ENOSYS if it lacks a call
 * we make, -EIO if it will not initialise. */
int keyedhash_load(void);

/* out (outlen 16..64 bytes) = BLAKE2b keyed with key (keylen 16..64 bytes)
 * over in. Returns 0, or -EINVAL for a length outside those bounds. */
int keyedhash(uint8_t *out, size_t outlen, const void *in, size_t inlen, const uint8_t *key,
	      size_t keylen);

/* Are the n bytes at a and b equal? Constant time in their contents (a MAC
 * check must not tell an attacker how many leading bytes were right). */
bool keyedhash_equal(const void *a, const void *b, size_t n);

/* Zero n bytes at p in a way the compiler cannot drop (keys on the stack). */
void keyedhash_wipe(void *p, size_t n);

#endif
