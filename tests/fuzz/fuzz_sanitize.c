/*
 * libFuzzer harness for the sanitize engine: the bytes are text to scan
 * (with JIT and with the interpreter, which must agree), to sanitize
 * with every operator, and to detokenize with a fixed key. Findings
 * must lie inside the input, in order, without overlaps; a reversible
 * token of the input must come back as the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "sanitize/sanitize_priv.h"

static struct gw_sanitizer *jit, *interp;
static struct gw_san_key key;

static void setup(void)
{
	struct gw_san_config c = { .key = &key };

	memset(key.bytes, 0x5a, sizeof(key.bytes));
	if (gw_sanitizer_new(&c, &jit, NULL) < 0)
		abort();
	c.no_jit = true;
	if (gw_sanitizer_new(&c, &interp, NULL) < 0)
		abort();
}

static void check_spans(const char *in, size_t size)
{
	struct gw_san_span a[64], b[64];
	size_t na = 0, nb = 0, end = 0;

	if (gw_sanitize_detect(jit, in, size, a, 64, &na, NULL) < 0 ||
	    gw_sanitize_detect(interp, in, size, b, 64, &nb, NULL) < 0)
		abort();
	if (na != nb)
		abort();
	for (size_t i = 0; i < na && i < 64; i++) {
		if (a[i].start < end || a[i].end <= a[i].start ||
		    a[i].end > size)
			abort();
		if (a[i].start != b[i].start || a[i].end != b[i].end)
			abort();
		end = a[i].end;
	}
}

static void check_ops(const char *in, size_t size)
{
	static const enum gw_san_op_kind kinds[] = {
		GW_SAN_OP_LABEL, GW_SAN_OP_REDACT,  GW_SAN_OP_MASK,
		GW_SAN_OP_HASH,	 GW_SAN_OP_ENCRYPT,
	};
	struct gw_buf out, back;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct gw_san_op op = { .kind = kinds[k], .mask_count = 3 };

		gw_buf_init(&out, 1 << 22);
		if (gw_sanitize_string(jit, &op, in, size, &out, NULL, NULL) <
		    0)
			abort();
		if (kinds[k] == GW_SAN_OP_ENCRYPT &&
		    memmem(in, size, "gwt_", 4) == NULL) {
			gw_buf_init(&back, 1 << 22);
			if (gw_sanitize_detokenize(
				    &key, out.data ? out.data : "", out.len,
				    &back, NULL, NULL) < 0 ||
			    back.len != size ||
			    (size && memcmp(back.data, in, size) != 0))
				abort();
			gw_buf_free(&back);
		}
		gw_buf_free(&out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_buf out;
	char *in;

	if (!jit)
		setup();
	if (size > 1 << 16)
		return 0;
	/* A copy of exactly size bytes, so a read past the end is caught. */
	in = malloc(size ? size : 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	check_spans(in, size);
	check_ops(in, size);
	gw_buf_init(&out, 1 << 22);
	gw_sanitize_detokenize(&key, in, size, &out, NULL, NULL);
	gw_buf_free(&out);
	free(in);
	return 0;
}
