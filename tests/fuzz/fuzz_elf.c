/*
 * libFuzzer harness for the ELF header parser that finds bundled native
 * libraries: any bytes, parsed as a whole file in memory. A parse that
 * succeeds must leave terminated strings within their caps.
 */
#include <stdint.h>
#include <string.h>

#include "deps/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_elf_info info;

	if (gw_elf_parse_mem(data, size, &info, NULL) == 0) {
		if (strnlen(info.soname, sizeof(info.soname)) ==
			    sizeof(info.soname) ||
		    info.nneeded > GW_ELF_MAX_NEEDED)
			__builtin_trap();
	}
	return 0;
}
