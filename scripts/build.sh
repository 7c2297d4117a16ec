#!/bin/sh
# Configure (once) and build gymwarden in ./build, or in the folder given
# as the first argument with any further meson options after it.
set -eu
cd "$(dirname "$0")/.."

dir=${1:-build}
[ $# -gt 0 ] && shift

if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" -Dwerror=true "$@" >"$dir.setup.log" 2>&1 || {
		cat "$dir.setup.log" >&2
		exit 2
	}
fi
ninja -C "$dir" >"$dir.ninja.log" 2>&1 || {
	cat "$dir.ninja.log" >&2
	exit 2
}
