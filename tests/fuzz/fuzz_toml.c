/*
 * libFuzzer harness for the TOML reader: any bytes must either parse
 * into a tree that can be walked and freed, or fail cleanly with a
 * negative errno and a place in the document.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "gymwarden.h"
#include "toml/toml.h"

/* Touch every value, so a tree with a bad pointer is noticed. */
static size_t walk(const struct gw_toml_value *v)
{
	size_t n = 1;

	if (v->type == GW_TOML_ARRAY)
		for (size_t i = 0; i < v->u.arr.len; i++)
			n += walk(v->u.arr.items[i]);
	if (v->type == GW_TOML_TABLE)
		for (size_t i = 0; i < v->u.tab.len; i++) {
			if (gw_toml_get_kvn(v, v->u.tab.kvs[i].key,
					    v->u.tab.kvs[i].key_len) !=
			    &v->u.tab.kvs[i])
				abort();
			n += walk(v->u.tab.kvs[i].value);
		}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_toml_value *root = NULL;
	struct gw_error err;
	int r;

	gw_error_clear(&err);
	r = gw_toml_parse((const char *)data, size, "fuzz", &root, &err);
	if (r == 0) {
		if (!root || root->type != GW_TOML_TABLE)
			abort();
		walk(root);
	} else if (root || err.code != r || err.line == 0 ||
		   (r != -EINVAL && r != -E2BIG && r != -ENOMEM)) {
		abort();
	}
	gw_toml_free(root);
	return 0;
}
