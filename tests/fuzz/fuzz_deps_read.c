/*
 * libFuzzer harness for the dependency-file readers: the first byte picks
 * the reader (requirements, pyproject, Pipfile, Pipfile.lock, poetry.lock,
 * uv.lock, pylock.toml, conda), the rest is the file. Every read must end
 * with its errors recorded and nothing leaked, whatever the bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "deps/deps.h"
#include "deps/read_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const gw_deps_reader_fn readers[] = {
	gw_deps_read_requirements, gw_deps_read_pyproject,
	gw_deps_read_pipfile,	   gw_deps_read_pipfile_lock,
	gw_deps_read_poetry_lock,  gw_deps_read_uv_lock,
	gw_deps_read_pylock,	   gw_deps_read_conda,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = sizeof(readers) / sizeof(readers[0]);
	struct gw_dep_set s;
	struct gw_error err;
	char *text;

	if (size == 0)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	gw_dep_set_init(&s);
	gw_error_clear(&err);
	/* A path in a folder that holds nothing an include could name. */
	readers[data[0] % n]("/nonexistent/fuzz", text, size - 1, &s, &err);
	gw_dep_set_free(&s);
	free(text);
	return 0;
}
