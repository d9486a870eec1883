/* SPDX-License-Identifier: MIT */
/* json-c through dlopen, behind stubs with json-c's own names (jsonc.h). */
#include "util/jsonc.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "util/exit.h"
#include "util/log.h"

/* Every json-c call natdoctor makes: X(name). */
#define JSONC_CALLS(X)                    \
	X(json_object_array_add)          \
	X(json_object_array_get_idx)      \
	X(json_object_array_length)       \
	X(json_object_get_boolean)        \
	X(json_object_get_double)         \
	X(json_object_get_int)            \
	X(json_object_get_int64)          \
	X(json_object_get_object)         \
	X(json_object_get_string)         \
	X(json_object_get_string_len)     \
	X(json_object_is_type)            \
	X(json_object_new_array)          \
	X(json_object_new_boolean)        \
	X(json_object_new_int)            \
	X(json_object_new_int64)          \
	X(json_object_new_null)           \
	X(json_object_new_object)         \
	X(json_object_new_string)         \
	X(json_object_object_add)         \
	X(json_object_object_get_ex)      \
	X(json_object_put)                \
	X(json_object_to_json_string_ext) \
	X(json_tokener_free)              \
	X(json_tokener_get_error)         \
	X(json_tokener_get_parse_end)     \
	X(json_tokener_new_ex)            \
	X(json_tokener_parse)             \
	X(json_tokener_parse_ex)          \
	X(json_tokener_set_flags)

/* The table, typed by json-c's own declarations. */
#define JSONC_SLOT(f) __typeof__(f) *f;
static struct {
	JSONC_CALLS(JSONC_SLOT)
} jc;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_err;

static void load(void)
{
	void *lib = dlopen(JSONC_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	bool ok = true;

	if (!lib) {
		load_err = -ENOENT;
		return;
	}
#define JSONC_SYM(f) ok = (jc.f = (__typeof__(jc.f))dlsym(lib, #f)) && ok;
	JSONC_CALLS(JSONC_SYM)
#undef JSONC_SYM
	if (!ok) {
		dlclose(lib);
		load_err = -ENOSYS;
	}
	/* Otherwise it stays loaded for the life of the process. */
}

int jsonc_load(void)
{
	pthread_once(&load_once, load);
	return load_err;
}

/* Each stub's first step: the library, or one line and exit 4. */
static void need(void)
{
	if (jsonc_load() == 0)
		return;
	log_warnx("cannot load " JSONC_LIBRARY " (install the Debian package libjson-c5)");
	exit(ND_EXIT_INTERNAL);
}

int json_object_array_add(struct json_object *obj, struct json_object *val)
{
	need();
	return jc.json_object_array_add(obj, val);
}

struct json_object *json_object_array_get_idx(const struct json_object *obj, size_t idx)
{
	need();
	return jc.json_object_array_get_idx(obj, idx);
}

size_t json_object_array_length(const struct json_object *obj)
{
	need();
	return jc.json_object_array_length(obj);
}

json_bool json_object_get_boolean(const struct json_object *obj)
{
	need();
	return jc.json_object_get_boolean(obj);
}

double json_object_get_double(const struct json_object *obj)
{
	need();
	return jc.json_object_get_double(obj);
}

int32_t json_object_get_int(const struct json_object *obj)
{
	need();
	return jc.json_object_get_int(obj);
}

int64_t json_object_get_int64(const struct json_object *obj)
{
	need();
	return jc.json_object_get_int64(obj);
}

struct lh_table *json_object_get_object(const struct json_object *obj)
{
	need();
	return jc.json_object_get_object(obj);
}

const char *json_object_get_string(struct json_object *obj)
{
	need();
	return jc.json_object_get_string(obj);
}

int json_object_get_string_len(const struct json_object *obj)
{
	need();
	return jc.json_object_get_string_len(obj);
}

int json_object_is_type(const struct json_object *obj, enum json_type type)
{
	need();
	return jc.json_object_is_type(obj, type);
}

struct json_object *json_object_new_array(void)
{
	need();
	return jc.json_object_new_array();
}

struct json_object *json_object_new_boolean(json_bool b)
{
	need();
	return jc.json_object_new_boolean(b);
}

struct json_object *json_object_new_int(int32_t i)
{
	need();
	return jc.json_object_new_int(i);
}

struct json_object *json_object_new_int64(int64_t i)
{
	need();
	return jc.json_object_new_int64(i);
}

struct json_object *json_object_new_null(void)
{
	need();
	return jc.json_object_new_null();
}

struct json_object *json_object_new_object(void)
{
	need();
	return jc.json_object_new_object();
}

struct json_object *json_object_new_string(const char *s)
{
	need();
	return jc.json_object_new_string(s);
}

int json_object_object_add(struct json_object *obj, const char *key, struct json_object *val)
{
	need();
	return jc.json_object_object_add(obj, key, val);
}

json_bool json_object_object_get_ex(const struct json_object *obj, const char *key,
				    struct json_object **value)
{
	need();
	return jc.json_object_object_get_ex(obj, key, value);
}

int json_object_put(struct json_object *obj)
{
	need();
	return jc.json_object_put(obj);
}

const char *json_object_to_json_string_ext(struct json_object *obj, int flags)
{
	need();
	return jc.json_object_to_json_string_ext(obj, flags);
}

void json_tokener_free(struct json_tokener *tok)
{
	need();
	jc.json_tokener_free(tok);
}

enum json_tokener_error json_tokener_get_error(struct json_tokener *tok)
{
	need();
	return jc.json_tokener_get_error(tok);
}

size_t json_tokener_get_parse_end(struct json_tokener *tok)
{
	need();
	return jc.json_tokener_get_parse_end(tok);
}

struct json_tokener *json_tokener_new_ex(int depth)
{
	need();
	return jc.json_tokener_new_ex(depth);
}

struct json_object *json_tokener_parse(const char *str)
{
	need();
	return jc.json_tokener_parse(str);
}

struct json_object *json_tokener_parse_ex(struct json_tokener *tok, const char *str, int len)
{
	need();
	return jc.json_tokener_parse_ex(tok, str, len);
}

void json_tokener_set_flags(struct json_tokener *tok, int flags)
{
	need();
	jc.json_tokener_set_flags(tok, flags);
}
