#!/bin/sh
# The README's second command: install what is missing, build, and run
# every suite: style checks, C unit tests, integration tests, Python
# tests, the C unit tests again under ASan and UBSan, and each fuzz
# harness over its seed corpus. Ends with one
# "N passed, N failed" line over all of them; exits non-zero on any
# failure.
set -u
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
export GYMWARDEN_BUILD="$PWD/build"
export PYTHONPATH="$PWD/build/python"
# Approved trees are hashed whole: tests must not drop bytecode into them.
export PYTHONDONTWRITEBYTECODE=1
results=build/test-results
status=0

./scripts/setup.sh || exit 2
./scripts/build.sh build || exit 2
./scripts/build.sh build-asan -Db_sanitize=address,undefined \
	-Db_lundef=false || exit 2
CC=clang ./scripts/build.sh build-fuzz -Dfuzz=true \
	-Db_sanitize=address,undefined -Db_lundef=false || exit 2

rm -rf "$results"
mkdir -p "$results"

./scripts/check-style.sh >"$results/style.log" 2>&1
echo $? >"$results/style.rc"
cat "$results/style.log"

meson test -C build --no-rebuild --print-errorlogs || status=1

# Sandbox tests may leak by design (a killed child); pure unit tests do
# not, so leak detection stays on for the unit suite only.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C build-asan --no-rebuild --suite unit \
	--print-errorlogs || status=1

# Every libFuzzer harness replays its seed corpus once.
meson test -C build-fuzz --no-rebuild --suite fuzz --print-errorlogs ||
	status=1

# The sandbox battery (tests/hostile/sandbox) runs on its own, after the
# hostile-output one: every escape as root and as nobody, about two
# minutes; it skips when not run as root.
for suite in integration python jail hostile sandbox dynamic sanitize compat; do
	case $suite in
	hostile) dir=tests/hostile skip=--ignore=tests/hostile/sandbox ;;
	sandbox) dir=tests/hostile/sandbox skip= ;;
	*) dir=tests/$suite skip= ;;
	esac
	[ -d "$dir" ] || continue
	# shellcheck disable=SC2086
	$PY -m pytest -q -p no:cacheprovider $skip "$dir" \
		--junitxml="$results/pytest-$suite.xml" || {
		rc=$?
		# Exit 5 is "no tests collected": the tally reports it.
		[ $rc -eq 5 ] || status=1
	}
done

$PY scripts/tally.py build build-asan build-fuzz "$results" || status=1
exit $status
