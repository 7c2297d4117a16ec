/*
 * gymwarden-toml-decode: read TOML on standard input and write it as the
 * tagged JSON of toml-test on standard output, each leaf as
 * {"type": "...", "value": "..."}. This is the decoder the conformance
 * suite drives.
 *
 * Exit status: 0 when the document is valid, 1 when it is not (the cause
 * on stderr as "gymwarden-toml-decode: <stdin>:LINE:COL: message"), 2 on
 * a usage, memory or output error.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "gymwarden.h"
#include "toml/toml.h"

#define PROG "gymwarden-toml-decode"

static json_t *to_json(const struct gw_toml_value *v);

static json_t *leaf(const char *type, const char *text, size_t len)
{
	json_t *o = json_object();

	if (!o || json_object_set_new(o, "type", json_string(type)) < 0 ||
	    json_object_set_new(o, "value", json_stringn(text, len)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The shortest text that reads back as f; inf and nan as toml-test wants. */
static void float_text(double f, char *buf, size_t cap)
{
	if (isnan(f)) {
		snprintf(buf, cap, "nan");
		return;
	}
	if (isinf(f)) {
		snprintf(buf, cap, "%sinf", f < 0 ? "-" : "");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, f);
		if (strtod(buf, NULL) == f)
			return;
	}
}

static json_t *scalar(const struct gw_toml_value *v)
{
	char text[64];

	switch (v->type) {
	case GW_TOML_STRING: return leaf("string", v->u.s.ptr, v->u.s.len);
	case GW_TOML_INTEGER:
		snprintf(text, sizeof(text), "%lld", (long long)v->u.i);
		return leaf("integer", text, strlen(text));
	case GW_TOML_FLOAT:
		float_text(v->u.f, text, sizeof(text));
		return leaf("float", text, strlen(text));
	case GW_TOML_BOOL:
		return leaf("bool", v->u.b ? "true" : "false", v->u.b ? 4 : 5);
	default: break;
	}

	gw_toml_datetime_format(v->type, &v->u.dt, text, sizeof(text));
	return leaf(v->type == GW_TOML_DATETIME		? "datetime"
		    : v->type == GW_TOML_DATETIME_LOCAL ? "datetime-local"
		    : v->type == GW_TOML_DATE_LOCAL	? "date-local"
							: "time-local",
		    text, strlen(text));
}

static json_t *array(const struct gw_toml_value *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < v->u.arr.len; i++) {
		if (json_array_append_new(a, to_json(v->u.arr.items[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *table(const struct gw_toml_value *v)
{
	const struct gw_toml_kv *kv;
	json_t *o = json_object();

	for (size_t i = 0; o && i < v->u.tab.len; i++) {
		kv = &v->u.tab.kvs[i];
		if (json_object_setn_new(o, kv->key, kv->key_len,
					 to_json(kv->value)) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* Recursion is bounded by the parser's GW_TOML_MAX_DEPTH. */
static json_t *to_json(const struct gw_toml_value *v)
{
	if (v->type == GW_TOML_TABLE)
		return table(v);
	if (v->type == GW_TOML_ARRAY)
		return array(v);
	return scalar(v);
}

static int decode(const struct gw_buf *in)
{
	struct gw_toml_value *root = NULL;
	struct gw_error err;
	char msg[1024];
	json_t *j;
	int r;

	gw_error_clear(&err);
	r = gw_toml_parse(in->data, in->len, "<stdin>", &root, &err);
	if (r < 0) {
		gw_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, PROG ": %s\n", msg);
		return r == -ENOMEM ? 2 : 1;
	}

	j = to_json(root);
	gw_toml_free(root);
	if (!j) {
		fprintf(stderr, PROG ": out of memory\n");
		return 2;
	}
	r = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (r < 0 || fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		fprintf(stderr, PROG ": write to stdout failed\n");
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gw_error err;
	struct gw_buf in;
	char msg[1024];
	int status;

	if (argc > 1) {
		fprintf(stderr,
			"usage: %s < file.toml\n"
			"Write a TOML document as toml-test's tagged JSON.\n",
			argv[0]);
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}

	gw_error_clear(&err);
	gw_buf_init(&in, GW_TOML_MAX_BYTES);
	if (gw_buf_read_file(&in, "-", &err) < 0) {
		gw_error_where(&err, "<stdin>", NULL);
		gw_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, PROG ": %s\n", msg);
		gw_buf_free(&in);
		return err.code == -EFBIG ? 1 : 2;
	}
	status = decode(&in);
	gw_buf_free(&in);
	return status;
}
