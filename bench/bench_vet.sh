#!/bin/sh
# gymwarden vet against Debian's bandit on the same tree, in one run:
# wall time (median of 3), instructions under callgrind, and findings.
#
#   bench/bench_vet.sh [BUILD_DIR] [TREE]
#
# TREE defaults to a checkout of Gymnasium's source in /tmp/gymnasium
# (fetched by hand, never committed); when it is absent the repository's
# own examples/ and tests/ trees are used, and the script says so.
# Needs bandit and valgrind (scripts/setup.sh installs bandit).
set -eu
cd "$(dirname "$0")/.."

BUILD=${1:-build}
TREE=${2:-/tmp/gymnasium}
GW="$BUILD/src/cli/gymwarden"
OUT=$(mktemp -d /tmp/bench-vet.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

die() {
	echo "bench_vet: $*" >&2
	exit 1
}

[ -x "$GW" ] || die "no $GW: build first (ninja -C $BUILD)"
command -v bandit >/dev/null || die "bandit is not installed (scripts/setup.sh)"
command -v valgrind >/dev/null || die "valgrind is not installed"

if [ -d "$TREE" ]; then
	TARGETS=$TREE
	echo "tree: $TREE"
else
	echo "tree: $TREE is absent; using this repository's examples/ and tests/"
	TREE=$OUT/tree
	mkdir -p "$TREE"
	cp -r examples tests "$TREE"/
	TARGETS=$TREE
fi
bytes=$(find "$TREE" -name '*.py' -type f -exec cat {} + | wc -c)
files=$(find "$TREE" -name '*.py' -type f | wc -l)
echo "python: $files files, $bytes bytes"

# Milliseconds of one run of "$@", output discarded.
run_ms() {
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

median3() {
	a=$(run_ms "$@")
	b=$(run_ms "$@")
	c=$(run_ms "$@")
	printf '%s\n%s\n%s\n' "$a" "$b" "$c" | sort -n | sed -n 2p
}

# Instructions executed, from callgrind's summary line.
instructions() {
	f="$OUT/cg.$$.$(date +%s%N)"
	valgrind --tool=callgrind --callgrind-out-file="$f" "$@" \
		>/dev/null 2>&1 || true
	awk '/^summary:/ { print $2 }' "$f"
}

GW_CMD="$GW vet --format json --output $OUT/gw.json $TARGETS"
BANDIT_CMD="bandit -r $TARGETS -f json -q -o $OUT/bandit.json"

gw_ms=$(median3 $GW_CMD)
bandit_ms=$(median3 $BANDIT_CMD)
echo "instructions: measuring under callgrind (bandit takes minutes)..."
gw_ins=$(instructions $GW_CMD)
bandit_ins=$(instructions /usr/bin/python3 "$(command -v bandit)" -r \
	"$TARGETS" -f json -q -o "$OUT/bandit.json")
$GW_CMD >/dev/null 2>&1 || true
$BANDIT_CMD >/dev/null 2>&1 || true

/usr/bin/python3 - "$OUT/gw.json" "$OUT/bandit.json" "$gw_ms" "$bandit_ms" \
	"$gw_ins" "$bandit_ins" "$(bandit --version | head -1)" <<'PY'
import collections, json, sys
gw_doc = json.load(open(sys.argv[1]))
bd_doc = json.load(open(sys.argv[2]))
gw_ms, bd_ms, gw_ins, bd_ins = (float(x or 0) for x in sys.argv[3:7])
gsev = gw_doc["summary"]["by_severity"]
bsev = collections.Counter(r["issue_severity"].lower() for r in bd_doc["results"])
print()
print(f"| | gymwarden vet | {sys.argv[7]} | ratio |")
print("|---|---|---|---|")
print(f"| wall time, median of 3 | {gw_ms:.0f} ms | {bd_ms:.0f} ms | "
      f"{gw_ms / bd_ms if bd_ms else 0:.3f} |")
print(f"| instructions (callgrind) | {gw_ins / 1e9:.2f} G | {bd_ins / 1e9:.2f} G | "
      f"{gw_ins / bd_ins if bd_ins else 0:.3f} |")
print(f"| findings | {gw_doc['summary']['findings']} | {len(bd_doc['results'])} | |")
for s in ("high", "medium", "low"):
    print(f"| {s} | {gsev[s]} | {bsev.get(s, 0)} | |")
print()
rules = collections.Counter(f["rule"] for f in gw_doc["findings"])
print("gymwarden by rule:", ", ".join(f"{r} {n}" for r, n in sorted(rules.items())))
tests = collections.Counter(r["test_id"] for r in bd_doc["results"])
print("bandit by test:", ", ".join(f"{t} {n}" for t, n in sorted(tests.items())))
target = bd_ins / 10
print(f"target: <= 1/10 of bandit's instructions ({target / 1e9:.2f} G): "
      f"{'met' if gw_ins and gw_ins <= target else 'NOT met'}")
print(f"high-severity findings on this tree: {gsev['high']}")
PY
