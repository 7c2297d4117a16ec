#!/bin/sh
# Style gate: clang-format over every C file we wrote, and no banned calls.
set -u
cd "$(dirname "$0")/.."

files=$(git ls-files -co --exclude-standard -- '*.c' '*.h' | sort)
status=0

if ! clang-format --dry-run -Werror $files; then
	echo "gymwarden: style: clang-format differs (run: clang-format -i FILE)"
	status=1
fi

# Unbounded or shell-spawning calls we never use; see STYLE.md.
banned='\<(strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|gets|system|popen)[[:space:]]*\('
if grep -nE "$banned" $files; then
	echo "gymwarden: style: banned call found (see docs/CONTRIBUTING.md)"
	status=1
fi

[ $status -eq 0 ] && echo "gymwarden: style: ok ($(echo "$files" | wc -w) files)"
exit $status
