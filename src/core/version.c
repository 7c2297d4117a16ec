#include "gymwarden.h"

#define STR2(x) #x
#define STR(x)	STR2(x)

const char *gw_version(void)
{
	return STR(GW_VERSION_MAJOR) "." STR(GW_VERSION_MINOR) "." STR(
		GW_VERSION_PATCH);
}
