/*
 * msgpuck is a header library: its functions are inline, and one
 * translation unit must hold their out-of-line copies and its lookup
 * tables. This is that unit. (Debian's libmsgpuck.a is not built as
 * position-independent code, so it cannot go into libgymwarden.so.)
 */
#define MP_SOURCE 1
#include <msgpuck.h>
