#!/bin/sh
# Fetch the pinned tree-sitter Python grammar for `gymwarden vet` and
# unpack its generated parser into OUTDIR (the build directory).
#
#   scripts/fetch-grammar.sh OUTDIR
#
# The tarball comes from the npm registry and is checked against the
# integrity hash npm publishes for that version before anything in it is
# unpacked; a mismatch stops the build. A verified copy is kept in
# $XDG_CACHE_HOME/gymwarden (default ~/.cache/gymwarden) so that several
# build directories download it once. To build offline, point
# GYMWARDEN_GRAMMAR_TARBALL at a copy of the tarball: it is verified the
# same way. The grammar's source is never copied into the repository.
set -eu

NAME=tree-sitter-python
VERSION=0.23.6
URL="https://registry.npmjs.org/$NAME/-/$NAME-$VERSION.tgz"
INTEGRITY="sha512-yIM9z0oxKIxT7bAtPOhgoVl6gTXlmlIhue7liFT4oBPF/lha7Ha4dQBS82Av6hMMRZoVnFJI8M6mL+SwWoLD3A=="

die() {
	echo "gymwarden: fetch-grammar: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: fetch-grammar.sh OUTDIR"
OUTDIR=$1
mkdir -p "$OUTDIR"

# The base64 of the file's SHA-512 digest, as npm's integrity field
# writes it. openssl ships with ca-certificates; python3 is the fallback.
sri_of() {
	if command -v openssl >/dev/null 2>&1; then
		openssl dgst -sha512 -binary "$1" | base64 -w0
	else
		python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read())
      .digest()).decode(), end="")' "$1"
	fi
}

verified() {
	[ -s "$1" ] && [ "sha512-$(sri_of "$1")" = "$INTEGRITY" ]
}

CACHE="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/gymwarden"
TARBALL="$CACHE/$NAME-$VERSION.tgz"

if [ -n "${GYMWARDEN_GRAMMAR_TARBALL:-}" ]; then
	verified "$GYMWARDEN_GRAMMAR_TARBALL" ||
		die "$GYMWARDEN_GRAMMAR_TARBALL does not match $INTEGRITY"
	TARBALL=$GYMWARDEN_GRAMMAR_TARBALL
elif ! verified "$TARBALL"; then
	mkdir -p "$CACHE" 2>/dev/null || CACHE=$OUTDIR
	TARBALL="$CACHE/$NAME-$VERSION.tgz"
	tmp="$TARBALL.part.$$"
	trap 'rm -f "$tmp"' EXIT
	command -v curl >/dev/null 2>&1 ||
		die "curl is needed to download $URL (scripts/setup.sh)"
	curl --fail --silent --show-error --location --retry 3 \
		--proto '=https' --max-filesize 64000000 -o "$tmp" "$URL" ||
		die "cannot download $URL"
	if ! verified "$tmp"; then
		got="sha512-$(sri_of "$tmp")"
		die "integrity mismatch for $URL: expected $INTEGRITY, got $got"
	fi
	mv -f "$tmp" "$TARBALL"
	trap - EXIT
fi

# Only the generated parser, the external scanner and their headers are
# taken; nothing else in the package is unpacked or run.
stage="$OUTDIR/.grammar.$$"
rm -rf "$stage"
mkdir -p "$stage"
tar -xzf "$TARBALL" -C "$stage" --no-same-owner --no-same-permissions \
	package/src/parser.c package/src/scanner.c \
	package/src/tree_sitter/parser.h package/src/tree_sitter/array.h \
	package/src/tree_sitter/alloc.h ||
	die "cannot unpack $TARBALL"

grep -q '^#define LANGUAGE_VERSION 14$' "$stage/package/src/parser.c" ||
	die "$NAME $VERSION is not ABI 14; Debian's libtree-sitter needs 14"

mkdir -p "$OUTDIR/tree_sitter"
for h in parser.h array.h alloc.h; do
	mv -f "$stage/package/src/tree_sitter/$h" "$OUTDIR/tree_sitter/$h"
done
mv -f "$stage/package/src/scanner.c" "$OUTDIR/scanner.c"
# parser.c last: the build treats it as the sign that all is in place.
mv -f "$stage/package/src/parser.c" "$OUTDIR/parser.c"
rm -rf "$stage"
