/*
 * libFuzzer harness for the analyzer of `gymwarden vet`: arbitrary bytes
 * as a Python file (and, by the first byte, as setup.py or a .pth file)
 * through parsing, binding, checking, the call graph and both writers.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vet/vet_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "pkg/mod.py", "setup.py",
					     "site/hook.pth",
					     "pkg/__init__.py" };
	const char *path = names[size ? data[0] % 4 : 0];
	struct gw_vet_opts opts = { .root = "." };
	struct gw_vet_state st;
	struct gw_vet_file *f;

	if (size > 256 * 1024)
		return 0;
	if (gw_vet_state_init(&st, &opts) < 0)
		goto out;
	st.res->root = gw_vet_arena_strndup(&st.res->arena, ".", 1);
	f = gw_vet_add_file(&st, path, GW_VET_FILE_PYTHON, size);
	if (!f || !st.res->root)
		goto out;
	if (gw_vet_analyze_source(&st, 0, path, (const char *)data, size,
				  strstr(path, ".pth") != NULL, f) < 0 ||
	    gw_vet_graph_finish(&st) < 0)
		goto out;
	gw_vet_result_seal(st.res);
	json_decref(gw_vet_result_to_json(st.res, GW_VET_MEDIUM));
	json_decref(gw_vet_result_to_sarif(st.res));
out:
	gw_vet_state_release(&st);
	return 0;
}
