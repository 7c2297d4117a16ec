#!/bin/sh
# The README's first command: install what is missing, build, and run the
# main job on the bundled example.
set -eu
cd "$(dirname "$0")/.."

./scripts/setup.sh
./scripts/build.sh
echo "gymwarden: built in ./build"

gw=./build/src/cli/gymwarden
echo
echo "\$ gymwarden manifest check examples/gymwarden.toml"
"$gw" manifest check examples/gymwarden.toml
echo
echo "\$ gymwarden run examples/gymwarden.toml --env GridWorld-v0"
"$gw" run examples/gymwarden.toml --env GridWorld-v0
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
