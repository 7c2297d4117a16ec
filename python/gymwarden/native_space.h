/*
 * Packed samples of a pinned space (src/space/ops.h) to and from Python
 * objects, on the monitor side: actions in, observations out.
 */
#ifndef GYMWARDEN_NATIVE_SPACE_H
#define GYMWARDEN_NATIVE_SPACE_H

#include "native.h"
#include "space/ops.h"

/*
 * Write action o into buf (the layout's size, zeroed by the caller) by
 * the strict rules of docs/python.md. Returns 0, or -1 with ActionError
 * (field path from "action") or another exception set. Ranges are left
 * to gw_space_check_packed.
 */
int gwpy_pack_action(const struct gw_space_layout *l, PyObject *o,
		     unsigned char *buf, const char *env_id);

/* A new Python object for a packed observation of layout l. */
PyObject *gwpy_unpack_obs(const struct gw_space_layout *l,
			  const unsigned char *buf, size_t len);

#endif /* GYMWARDEN_NATIVE_SPACE_H */
