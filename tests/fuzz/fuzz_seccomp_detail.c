/*
 * libFuzzer harness for the DETAIL of a violation line: the supervisor
 * formats arguments read from a hostile worker's memory. The input is a
 * struct seccomp_data (the call) followed by the bytes of the caller's
 * memory at BASE, where the call's pointers may point. Every output must
 * fit its buffer and be printable ASCII without a newline.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jail/launcher.h"
#include "jail/seccomp_priv.h"

#define BASE 0x10000u

struct mem {
	const uint8_t *bytes;
	size_t len;
};

static size_t peek(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct mem *m = ctx;

	if (addr < BASE || addr - BASE >= m->len)
		return 0;
	if (len > m->len - (addr - BASE))
		len = m->len - (addr - BASE);
	memcpy(buf, m->bytes + (addr - BASE), len);
	return len;
}

static void check(const char *out, size_t cap)
{
	size_t n = strnlen(out, cap);

	if (n >= cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if (out[i] < 0x20 || out[i] > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[GW_JAIL_STATUS_MAX_BYTES];
	struct seccomp_data d;
	struct mem m;
	size_t cap;

	if (size < sizeof(d) + 1)
		return 0;
	memcpy(&d, data, sizeof(d));
	/* Small numbers hit the calls with a shape; pointers near BASE. */
	d.nr &= 0x1ff;
	for (int i = 0; i < 6; i++)
		if (d.args[i] >> 63)
			d.args[i] = BASE + (d.args[i] & 0x3ff);
	cap = 1 + data[sizeof(d)] % sizeof(out);
	m.bytes = data + sizeof(d) + 1;
	m.len = size - sizeof(d) - 1;

	gw_seccomp_describe(&d, peek, &m, out, cap);
	check(out, cap);
	return 0;
}
