/*
 * libFuzzer harness for the audit container's reader: the bytes are a
 * whole log (plaintext or encrypted, read with a fixed key and with
 * none), one line checked on its own, and a sample decoded with a
 * layout tree taken from the input. Each must accept or refuse cleanly.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "audit/audit_priv.h"
#include "audit/record.h"

static char path[64];

static void write_input(const uint8_t *data, size_t size)
{
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/gw-fuzz-audit-%d",
			 (int)getpid());
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
}

static void decode_with_own_layout(const uint8_t *data, size_t size)
{
	json_t *doc = json_loadb((const char *)data, size, 0, NULL);
	json_t *v;

	if (!doc)
		return;
	v = gw_record_decode(json_object_get(doc, "layout"),
			     json_object_get(doc, "sample"));
	json_decref(v);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_audit_key key;
	struct gw_audit_break brk;
	struct gw_audit_line ln;
	char detail[256];

	for (unsigned i = 0; i < sizeof(key.bytes); i++)
		key.bytes[i] = (uint8_t)(i * 7 + 1);
	write_input(data, size);
	gw_audit_verify(path, NULL, 0, NULL, NULL, NULL, &brk, NULL);
	gw_audit_verify(path, &key, GW_AUDIT_ALLOW_OPEN, NULL, NULL, NULL, &brk,
			NULL);
	if (gw_audit_check_line((const char *)data, size, &ln, detail,
				sizeof(detail)) == GW_AUDIT_OK)
		json_decref(ln.rec);
	decode_with_own_layout(data, size);
	unlink(path);
	return 0;
}
