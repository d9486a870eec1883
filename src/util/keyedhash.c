/* SPDX-License-Identifier: MIT */
/*
 * libsodium through dlopen (see keyedhash.h). The header still gives every
 * prototype, so the table below is typed by the real declarations and a
 * mismatch is a compile error; only the calls go through it, as in
 * net/http.c for libcurl.
 */
#include "util/keyedhash.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>

#include <sodium.h>

static struct {
	__typeof__(sodium_init) *init;
	__typeof__(crypto_generichash) *generichash;
	__typeof__(sodium_memcmp) *memcmp;
	__typeof__(sodium_memzero) *memzero;
} na;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_err = -ENOENT;

static void load(void)
{
	void *lib = dlopen(KEYEDHASH_LIBRARY, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		load_err = -ENOENT;
		return;
	}
	na.init = (__typeof__(na.init))dlsym(lib, "sodium_init");
	na.generichash = (__typeof__(na.generichash))dlsym(lib, "crypto_generichash");
	na.memcmp = (__typeof__(na.memcmp))dlsym(lib, "sodium_memcmp");
	na.memzero = (__typeof__(na.memzero))dlsym(lib, "sodium_memzero");
	if (!na.init || !na.generichash || !na.memcmp || !na.memzero) {
		dlclose(lib);
		load_err = -ENOSYS;
		return;
	}
	/* 0 first time, 1 already done: both fine. The library stays loaded
	 * for the life of the process. */
	load_err = na.init() < 0 ? -EIO : 0;
}

int keyedhash_load(void)
{
	pthread_once(&load_once, load);
	return load_err;
}

int keyedhash(uint8_t *out, size_t outlen, const void *in, size_t inlen, const uint8_t *key,
	      size_t keylen)
{
	if (outlen < crypto_generichash_BYTES_MIN || outlen > crypto_generichash_BYTES_MAX ||
	    keylen < crypto_generichash_KEYBYTES_MIN || keylen > crypto_generichash_KEYBYTES_MAX)
		return -EINVAL;
	return na.generichash(out, outlen, in, inlen, key, keylen) == 0 ? 0 : -EINVAL;
}

bool keyedhash_equal(const void *a, const void *b, size_t n)
{
	return na.memcmp(a, b, n) == 0;
}

void keyedhash_wipe(void *p, size_t n)
{
	na.memzero(p, n);
}
