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
echo "\$ gymwarden doctor"
# Exit 1 means some layer is missing on this host; that is a report,
# not a failure of the quick start.
"$gw" doctor || [ $? -eq 1 ]
echo
echo "\$ gymwarden manifest check examples/gymwarden.toml"
"$gw" manifest check examples/gymwarden.toml
