#!/bin/sh
# The README's first command: install what is missing, build, and run the
# main job on the bundled example.
set -eu
cd "$(dirname "$0")/.."

./scripts/setup.sh
./scripts/build.sh
echo "gymwarden: built in ./build"

gw=./build/src/cli/gymwarden
manifest=examples/gymwarden.toml
# Nothing the examples import may write bytecode into their trees: the
# approved digest covers every file there.
export PYTHONDONTWRITEBYTECODE=1

echo
echo "\$ gymwarden manifest check $manifest"
"$gw" manifest check "$manifest"

# The key Customers-v0 hashes and tokenizes with: made here, never
# committed (examples/.gymwarden is ignored by git).
key=examples/.gymwarden/keys/sanitize.key
if [ ! -f "$key" ]; then
	(umask 077 && mkdir -p "$(dirname "$key")" &&
		head -c 32 /dev/urandom >"$key")
fi

# vet -> approve -> run: only an approved, unchanged tree may run.
for env in GridWorld-v0 Balance-v0 Customers-v0; do
	echo
	echo "\$ gymwarden vet $manifest --env $env"
	"$gw" vet "$manifest" --env "$env" 2>"build/vet-$env.log"
	cat "build/vet-$env.log" >&2
	record=$(sed -n 's/.*record \([0-9][0-9]*\) stored.*/\1/p' \
		"build/vet-$env.log")
	echo "\$ gymwarden approve $record --by quickstart"
	"$gw" approve "$record" --by quickstart --manifest "$manifest"
done

echo
echo "\$ gymwarden run $manifest --env GridWorld-v0"
"$gw" run "$manifest" --env GridWorld-v0
echo
echo "\$ gymwarden run $manifest --env Customers-v0 --episodes 1"
"$gw" run "$manifest" --env Customers-v0 --episodes 1 2>&1 | head -n 12
echo
echo "\$ python: gymwarden.make(\"Balance-v0\")"
PYTHONPATH=build/python /usr/bin/python3 - <<'PY'
import gymwarden

with gymwarden.make("Balance-v0", manifest="examples/gymwarden.toml") as env:
    obs, info = env.reset(seed=1)
    total, steps, done = 0.0, 0, False
    while not done:
        obs, reward, terminated, truncated, info = env.step(steps % 2)
        total, steps, done = total + reward, steps + 1, terminated or truncated
    print(f"Balance-v0: {steps} steps, return {total}, last obs {obs}")
    print("sandbox layers:", env.layers)
PY
