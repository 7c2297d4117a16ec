/*
 * Every hard cap in gymwarden, in one place. The unit is in the name.
 * A length read from untrusted input is compared with its cap before
 * anything is allocated for it.
 */
#ifndef GW_CORE_LIMITS_H
#define GW_CORE_LIMITS_H

/* TOML documents: manifests, pyproject.toml, lock files. */
/* A value costs about 80 bytes, so 16 MiB of "1," needs ~700 MB. */
#define GW_TOML_MAX_BYTES     (16u * 1024 * 1024)
#define GW_TOML_MAX_DEPTH     256u
#define GW_TOML_MAX_KEY_BYTES (64u * 1024)

/* A manifest file, and what it may declare. */
#define GW_MANIFEST_MAX_BYTES (4u * 1024 * 1024)
#define GW_MANIFEST_MAX_ENVS  1024u
#define GW_SPACE_MAX_DEPTH    32u
#define GW_SPACE_MAX_ELEMS    (64u * 1024 * 1024)
#define GW_SPACE_MAX_DIMS     16u
#define GW_SPACE_MAX_CHILDREN 4096u

/* Text the CLI prints from an untrusted source, per item. */
#define GW_ESCAPED_MAX_BYTES 4096u

/*
 * ---- wire: frames, the bounded MessagePack codec, shared mailboxes ----
 * (src/wire, docs/protocol.md)
 */

/* A whole frame on the control socket, its 12-byte header included. */
#define GW_FRAME_MAX_SOCKET_BYTES (64u * 1024)
/*
 * One mailbox (a frame, header included) in the shared region. The
 * region, two mailboxes and a 192-byte header rounded to 4 KiB, stays
 * below 4 GiB so every offset fits the u32 fields of HELLO.
 */
#define GW_WIRE_MAILBOX_MAX_BYTES (1024u * 1024 * 1024)
#define GW_WIRE_REGION_MAX_BYTES  (2u * GW_WIRE_MAILBOX_MAX_BYTES + 4096u)
/* The text of a FAIL frame: exception type, message and traceback. */
#define GW_WIRE_FAIL_TEXT_MAX_BYTES (16u * 1024)
/* Extra fds one mailbox wait may poll beside the control socket. */
#define GW_WIRE_WAIT_MAX_EXTRA_FDS 8u

/* Bounded MessagePack: defaults of struct gw_msgpack_limits. */
#define GW_MSGPACK_MAX_DEPTH	   32u
#define GW_MSGPACK_MAX_ELEMS	   (64u * 1024)
#define GW_MSGPACK_MAX_STR_BYTES   (1024u * 1024)
#define GW_MSGPACK_MAX_TOTAL_BYTES (1024u * 1024)
#define GW_MSGPACK_MAX_KEY_BYTES   256u
/*
 * Fixed by the format rather than tunable: the type name of an opaque
 * object, and the dimensions of an ndarray (as many as a space allows).
 */
#define GW_MSGPACK_MAX_TYPE_NAME_BYTES 256u
#define GW_MSGPACK_MAX_DIMS	       16u

#endif /* GW_CORE_LIMITS_H */
