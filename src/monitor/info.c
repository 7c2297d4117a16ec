/*
 * info, as the worker sends it: bounded MessagePack, decoded strictly
 * (src/wire/msgpack.h), then required to be a map of data. An object
 * that is not data (bin tag 2) never becomes anything but its escaped
 * type name in a fault. JSON for callers that want text is made from
 * the checked tree, and only when asked for.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "monitor/monitor_priv.h"
#include "space/check.h"
#include "space/ops.h"
#include "wire/msgpack.h"

/* Objects that are not data reported per info; the rest are counted. */
#define INFO_MAX_OBJECT_REPORTS 8u

struct info_walk {
	struct gw_env *e;
	enum gw_policy policy;
	unsigned found;
};

/* Report (and under warn, blank out) every object that is not data. */
static void find_objects(struct info_walk *w, struct gw_value *v,
			 const char *path)
{
	char sub[GW_FIELD_MAX_BYTES], name[GW_MSGPACK_MAX_TYPE_NAME_BYTES * 4];

	if (v->kind == GW_VALUE_OBJECT) {
		if (w->found++ < INFO_MAX_OBJECT_REPORTS) {
			char detail[GW_FAULT_DETAIL_MAX_BYTES];

			gw_escape(name, sizeof(name), v->str.ptr, v->str.len);
			snprintf(detail, sizeof(detail),
				 "not data: an object of type %.200s", name);
			gw_env_fault(w->e, GW_FAULT_INFO, w->policy, path,
				     detail);
		}
		if (w->policy == GW_POLICY_WARN)
			gw_value_set_nil(v);
		return;
	}
	for (size_t i = 0; v->kind == GW_VALUE_ARRAY && i < v->array.len; i++) {
		gw_check_path_index(sub, sizeof(sub), path, i);
		find_objects(w, &v->array.items[i], sub);
	}
	for (size_t i = 0; v->kind == GW_VALUE_MAP && i < v->map.len; i++) {
		gw_check_path_key(sub, sizeof(sub), path, v->map.pairs[i].key,
				  v->map.pairs[i].key_len);
		find_objects(w, &v->map.pairs[i].value, sub);
	}
}

/* Whether v holds an object anywhere; no paths are built for this. */
static bool has_object(const struct gw_value *v)
{
	if (v->kind == GW_VALUE_OBJECT)
		return true;
	for (size_t i = 0; v->kind == GW_VALUE_ARRAY && i < v->array.len; i++)
		if (has_object(&v->array.items[i]))
			return true;
	for (size_t i = 0; v->kind == GW_VALUE_MAP && i < v->map.len; i++)
		if (has_object(&v->map.pairs[i].value))
			return true;
	return false;
}

static int verdict_of(enum gw_policy policy)
{
	if (policy == GW_POLICY_WARN)
		return GW_VERDICT_PASS;
	return policy == GW_POLICY_TERMINATE ? GW_VERDICT_TERMINATE
					     : GW_VERDICT_REJECT;
}

/* Under warn, a broken info passes as an empty map. */
static int broken(struct info_walk *w, struct gw_value **out, const char *field,
		  const char *detail)
{
	gw_env_fault(w->e, GW_FAULT_INFO, w->policy, field, detail);
	if (w->policy != GW_POLICY_WARN)
		return verdict_of(w->policy);
	*out = gw_value_new();
	if (!*out)
		return -ENOMEM;
	gw_value_set_map(*out);
	return GW_VERDICT_PASS;
}

int gw_info_take(struct gw_env *e, const void *data, size_t len,
		 struct gw_value **out)
{
	struct info_walk w = {
		e,
		gw_fault_policy(gw_manifest_env_checks(e->me), GW_FAULT_INFO), 0
	};
	struct gw_value *v = NULL;
	struct gw_error derr;
	char detail[GW_FAULT_DETAIL_MAX_BYTES];
	int r;

	*out = NULL;
	gw_error_clear(&derr);
	r = gw_msgpack_decode(data, len, NULL, "info", &v, &derr);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return broken(&w, out, derr.field[0] ? derr.field : "info",
			      derr.msg);
	if (v->kind != GW_VALUE_MAP) {
		snprintf(detail, sizeof(detail), "info is %s, not a map",
			 gw_value_kind_name(v->kind));
		gw_value_free(v);
		return broken(&w, out, "info", detail);
	}

	/* Field paths are formatted only on the way to a fault, not for
	 * every key of a clean info on every step. */
	if (has_object(v))
		find_objects(&w, v, "info");
	if (w.found > INFO_MAX_OBJECT_REPORTS)
		gw_log(GW_LOG_WARN,
		       "step %s#%llu info: %u more objects that "
		       "are not data",
		       e->id, (unsigned long long)e->instance,
		       w.found - INFO_MAX_OBJECT_REPORTS);
	if (w.found && w.policy != GW_POLICY_WARN) {
		gw_value_free(v);
		return verdict_of(w.policy);
	}
	*out = v;
	return GW_VERDICT_PASS;
}

/* ---- JSON ---- */

static json_t *real_json(double f)
{
	if (isnan(f))
		return json_string("nan");
	if (isinf(f))
		return json_string(f > 0 ? "inf" : "-inf");
	return json_real(f);
}

static json_t *uint_json(uint64_t u)
{
	char num[24];

	if (u <= INT64_MAX)
		return json_integer((json_int_t)u);
	snprintf(num, sizeof(num), "%" PRIu64, u);
	return json_string(num);
}

/* Element i of an ndarray (little-endian, as the wire carries it). */
static json_t *element_json(const struct gw_ndarray *nd, size_t i)
{
	const unsigned char *p = nd->data + i * gw_wire_dtype_size(nd->dtype);
	union {
		int8_t i8;
		int16_t i16;
		int32_t i32;
		int64_t i64;
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint64_t u64;
		float f32;
		double f64;
	} x;

	memcpy(&x, p, gw_wire_dtype_size(nd->dtype));
	switch (nd->dtype) {
	case GW_WIRE_DTYPE_BOOL: return json_boolean(x.u8 != 0);
	case GW_WIRE_DTYPE_INT8: return json_integer(x.i8);
	case GW_WIRE_DTYPE_INT16: return json_integer(x.i16);
	case GW_WIRE_DTYPE_INT32: return json_integer(x.i32);
	case GW_WIRE_DTYPE_INT64: return json_integer(x.i64);
	case GW_WIRE_DTYPE_UINT8: return json_integer(x.u8);
	case GW_WIRE_DTYPE_UINT16: return json_integer(x.u16);
	case GW_WIRE_DTYPE_UINT32: return json_integer(x.u32);
	case GW_WIRE_DTYPE_UINT64: return uint_json(x.u64);
	case GW_WIRE_DTYPE_FLOAT16: return real_json(gw_f16_decode(x.u16));
	case GW_WIRE_DTYPE_FLOAT32: return real_json(x.f32);
	default: return real_json(x.f64);
	}
}

static json_t *ndarray_json(const struct gw_ndarray *nd)
{
	json_t *shape = json_array(), *data = json_array();

	for (unsigned d = 0; shape && d < nd->ndim; d++)
		json_array_append_new(shape, uint_json(nd->shape[d]));
	for (uint64_t i = 0; data && i < nd->count; i++)
		if (json_array_append_new(data, element_json(nd, i)) < 0)
			break;
	return json_pack("{s:s, s:o*, s:o*}", "__ndarray__",
			 gw_dtype_name((enum gw_dtype)(nd->dtype - 1)), "shape",
			 shape, "data", data);
}

static json_t *bytes_json(const unsigned char *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *hex = malloc(2 * len + 1);
	json_t *j;

	if (!hex)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[p[i] >> 4];
		hex[2 * i + 1] = digits[p[i] & 15];
	}
	hex[2 * len] = '\0';
	j = json_pack("{s:s}", "__bytes__", hex);
	free(hex);
	return j;
}

static json_t *value_json(const struct gw_value *v)
{
	json_t *j;

	switch (v->kind) {
	case GW_VALUE_NIL: return json_null();
	case GW_VALUE_BOOL: return json_boolean(v->b);
	case GW_VALUE_INT: return json_integer(v->i);
	case GW_VALUE_UINT: return uint_json(v->u);
	case GW_VALUE_FLOAT: return real_json(v->f);
	case GW_VALUE_STR: return json_stringn(v->str.ptr, v->str.len);
	case GW_VALUE_BIN: return bytes_json(v->bin.ptr, v->bin.len);
	case GW_VALUE_NDARRAY: return ndarray_json(v->nd);
	case GW_VALUE_OBJECT: return json_null();
	case GW_VALUE_ARRAY:
		j = json_array();
		for (size_t i = 0; j && i < v->array.len; i++)
			json_array_append_new(j,
					      value_json(&v->array.items[i]));
		return j;
	case GW_VALUE_MAP:
		j = json_object();
		for (size_t i = 0; j && i < v->map.len; i++)
			json_object_setn_new_nocheck(
				j, v->map.pairs[i].key, v->map.pairs[i].key_len,
				value_json(&v->map.pairs[i].value));
		return j;
	}
	return NULL;
}

char *gw_info_json(const struct gw_value *v)
{
	json_t *j = value_json(v);
	char *text;

	if (!j)
		return NULL;
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (text && strlen(text) > GW_MONITOR_INFO_JSON_MAX_BYTES) {
		free(text);
		return NULL;
	}
	return text;
}
