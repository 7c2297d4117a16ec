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

/*
 * ---- deps: dependency files, the trees they sit in, native libraries ----
 * (src/deps, docs/deps.md)
 */

/* One requirement, manifest or lock file, read whole. */
#define GW_DEPS_FILE_MAX_BYTES (16u * 1024 * 1024)
/* One logical line of a requirements file, continuations joined. */
#define GW_DEPS_LINE_MAX_BYTES (64u * 1024)
/* How deep -r / -c may nest. */
#define GW_DEPS_MAX_INCLUDE_DEPTH 16u
/* Entries of one struct gw_dep_set. */
#define GW_DEPS_MAX_REQUIREMENTS  (64u * 1024)
#define GW_DEPS_MAX_INDEX_OPTIONS 1024u
#define GW_DEPS_MAX_ERRORS	  256u
/* A source tree walked for dependency files and ELF objects. */
#define GW_DEPS_WALK_MAX_DEPTH	 64u
#define GW_DEPS_WALK_MAX_ENTRIES (1024u * 1024)
/* ELF headers: what one file may declare before it is refused. */
#define GW_ELF_MAX_PHDRS       4096u
#define GW_ELF_MAX_DYN_ENTRIES (64u * 1024)
#define GW_ELF_MAX_NEEDED      64u
/* The popular-package list that typosquat candidates are checked against. */
#define GW_POPULAR_MAX_BYTES (4u * 1024 * 1024)
#define GW_POPULAR_MAX_NAMES (100u * 1000)
/* A manifest interpreter's answer when asked for its marker values. */
#define GW_DEPS_INTERP_MAX_BYTES (16u * 1024)

/*
 * ---- deps: packaging rules (PEP 440/508) and OSV advisories ----
 * (src/deps/pep*.c, marker.c, osv*.c; docs/deps.md)
 */

/* One PEP 508 marker expression, and the tree it parses into. */
#define GW_MARKER_MAX_BYTES 4096u
#define GW_MARKER_MAX_NODES 512u
#define GW_MARKER_MAX_DEPTH 32u
/* One OSV record file, and how many a database may hold. */
#define GW_OSV_RECORD_MAX_BYTES (8u * 1024 * 1024)
#define GW_OSV_MAX_RECORDS	(1024u * 1024)
/* A string kept from a record (id, alias, version, summary...). */
#define GW_OSV_STRING_MAX_BYTES (64u * 1024)
/* What one record may list before it is refused as malformed. */
#define GW_OSV_MAX_AFFECTED   4096u
#define GW_OSV_MAX_EVENTS     4096u
#define GW_OSV_MAX_VERSIONS   (64u * 1024)
#define GW_OSV_MAX_ALIASES    1024u
#define GW_OSV_JSON_MAX_DEPTH 64u
/* A directory tree of records, and the memory a loaded database may use. */
#define GW_OSV_DIR_MAX_DEPTH 16u
#define GW_OSV_DB_MAX_BYTES  (1024u * 1024 * 1024)

/*
 * ---- registry: tree digests and vetting records ----
 * (src/registry, docs/registry.md)
 */

/* What one digested tree (an env's source and dependency paths) may hold. */
#define GW_TREE_MAX_ROOTS      64u
#define GW_TREE_MAX_ENTRIES    (1024u * 1024)
#define GW_TREE_MAX_DEPTH      64u
#define GW_TREE_MAX_PATH_BYTES 4096u
/* What one record may carry before the builder refuses more. */
#define GW_RECORD_MAX_FINDINGS	 (1024u * 1024)
#define GW_RECORD_MAX_TOOLS	 64u
#define GW_RECORD_MAX_TEXT_BYTES (64u * 1024)
/* An attached deps or fuzz document, and how many a record may hold. */
#define GW_RECORD_MAX_JSON_BYTES  (16u * 1024 * 1024)
#define GW_RECORD_MAX_ATTACHMENTS 256u
/* An approver's name and note. */
#define GW_APPROVAL_MAX_NAME_BYTES 256u
#define GW_APPROVAL_MAX_NOTE_BYTES 4096u
/* How long a writer waits for another process's transaction. */
#define GW_REGISTRY_BUSY_TIMEOUT_MS 10000

/*
 * ---- vet: the static analyzer of environment source trees ----
 * (src/vet, docs/rules.md)
 */

/* One source file read whole; a larger one is a finding, not a skip. */
#define GW_VET_FILE_MAX_BYTES (8u * 1024 * 1024)
/* A tree walked for files: entries, folder depth. */
#define GW_VET_WALK_MAX_ENTRIES (256u * 1024)
#define GW_VET_WALK_MAX_DEPTH	64u
/* Syntax nodes of one file, and how deeply they may nest. */
#define GW_VET_AST_MAX_NODES (16u * 1024 * 1024)
#define GW_VET_AST_MAX_DEPTH 1000u
/* Wall-clock budget of the parser for one file. */
#define GW_VET_PARSE_MAX_USEC (20u * 1000 * 1000)
/* A string built by constant folding, and the steps spent on one. */
#define GW_VET_FOLD_MAX_BYTES 4096u
#define GW_VET_FOLD_MAX_STEPS 4096u
/* A qualified name built while resolving an expression. */
#define GW_VET_QNAME_MAX_BYTES 512u
/* Findings kept for one run; past this the run is partial. */
#define GW_VET_MAX_FINDINGS (100u * 1000)
/* Source text kept with a finding (one line, cut). */
#define GW_VET_SNIPPET_MAX_BYTES 512u
/* What an external tool (bandit, pylint, flake8) may print. */
#define GW_VET_TOOL_OUTPUT_MAX_BYTES (64u * 1024 * 1024)
/* A reviewer's configuration file. */
#define GW_VET_CONFIG_MAX_BYTES (1024u * 1024)

/*
 * ---- fuzz: the sandboxed trial of an environment ----
 * (src/fuzz, docs/fuzz.md)
 */

/* A replay file read back, and what it may hold. */
#define GW_FUZZ_REPLAY_MAX_BYTES    (64u * 1024 * 1024)
#define GW_FUZZ_REPLAY_MAX_EPISODES (64u * 1024)
/* Actions kept for one run (every episode's), all scripts together. */
#define GW_FUZZ_SCRIPT_MAX_BYTES (64u * 1024 * 1024)
/* Distinct findings of one run; past this they are only counted. */
#define GW_FUZZ_MAX_FINDINGS 1000u
/* Elements the boundary strategy visits one by one. */
#define GW_FUZZ_BOUNDARY_MAX_ELEMS 64u
/* Step and reset durations kept for percentiles. */
#define GW_FUZZ_TIMES_MAX (256u * 1024)
/* Workers started again after a crash or a hang, per run. */
#define GW_FUZZ_MAX_RESTARTS 32u
/* Option sets of the reset-options sweep, one episode each. */
#define GW_FUZZ_MAX_OPTION_SETS 16u
/* Resets of the seed sweep by default. */
#define GW_FUZZ_SEED_SWEEP 56u

/*
 * ---- sanitize: detection of personal data and secrets ----
 * (src/sanitize, docs/sanitize.md)
 */

/* One string handed to gw_sanitize_detect / gw_sanitize_string. */
#define GW_SAN_INPUT_MAX_BYTES (64u * 1024 * 1024)
/* A line of gw_sanitize_lines and `gymwarden sanitize`; longer is cut. */
#define GW_SAN_LINE_MAX_BYTES (1024u * 1024)
/* A finding that ENCRYPT turns into a token (a PEM key fits). */
#define GW_SAN_ENTITY_MAX_BYTES (64u * 1024)
/* Custom rules and allowlist entries of one configuration. */
#define GW_SAN_MAX_CUSTOM_RULES	   256u
#define GW_SAN_MAX_CUSTOM_KEYWORDS 64u
#define GW_SAN_MAX_ALLOWLIST	   4096u
#define GW_SAN_PATTERN_MAX_BYTES   4096u
/* PCRE2 limits of every match: backtracking steps, and depth. */
#define GW_SAN_PCRE2_MATCH_LIMIT 100000u
#define GW_SAN_PCRE2_DEPTH_LIMIT 1000u
/* A key file (32 raw bytes or 64 hex digits and a newline). */
#define GW_SAN_KEY_FILE_MAX_BYTES 128u

/*
 * ---- audit: audit logs and recordings ----
 * (src/audit, docs/audit.md)
 */

/* One record: a JSON line, or the plaintext of one encrypted frame. */
#define GW_AUDIT_RECORD_MAX_BYTES (16u * 1024 * 1024)
/* A key file: 32 raw bytes or 64 hex digits and a newline. */
#define GW_AUDIT_KEYFILE_MAX_BYTES 128u

/*
 * ---- sandbox limits a worker cannot start under (manifest warnings) ----
 */
#define GW_SANDBOX_MIN_MEMORY	   (64ull << 20)
#define GW_SANDBOX_MIN_OPEN_FILES  16u
#define GW_SANDBOX_MIN_LIFETIME_NS (1000ull * 1000 * 1000)

#endif /* GW_CORE_LIMITS_H */
