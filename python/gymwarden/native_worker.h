/*
 * The worker's view of the pinned spaces: a pre-order table of nodes
 * built from the tree worker.py derives from HELLO. Used to unpack
 * actions (native_unpack.c) and to write observation leaves
 * (native_leaves.c).
 */
#ifndef GYMWARDEN_NATIVE_WORKER_H
#define GYMWARDEN_NATIVE_WORKER_H

#include "native.h"

struct wnode {
	enum gw_space_kind kind;
	unsigned dtype; /* wire code of the packed elements */
	int ndim;
	npy_intp shape[GW_SPACE_MAX_DIMS];
	uint64_t nelem;	 /* 1 for Discrete, max_length for Text */
	uint64_t offset; /* in the packed action */
	uint64_t size;	 /* packed bytes */
	size_t nchild;	 /* Tuple and Dict */
	size_t end;	 /* index just past this subtree */
	PyObject *key;	 /* the key in a Dict parent (str), owned */
};

struct wtable {
	struct wnode *v;
	size_t len;
	uint64_t size; /* bytes of the packed form */
};

/*
 * Build t from tree: (kind, offset, size, dtype, shape, nelem, children)
 * with children a list of (key or None, subtree). Returns 0, or -1 with
 * an exception set.
 */
int gwpy_wtable_build(struct wtable *t, PyObject *tree);
void gwpy_wtable_clear(struct wtable *t);

/* A new object for the packed action in buf (len bytes, private). */
PyObject *gwpy_unpack_action(const struct wtable *t, const unsigned char *buf,
			     size_t len);

/*
 * Write the leaves of obs, walked along t, at out (cap bytes). Returns
 * the bytes written, or -1 with an exception set (out of room).
 */
Py_ssize_t gwpy_write_leaves(const struct wtable *t, PyObject *obs,
			     unsigned char *out, size_t cap);

#endif /* GYMWARDEN_NATIVE_WORKER_H */
