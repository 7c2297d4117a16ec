#!/bin/sh
# Install every Debian 12 package gymwarden needs to build, test and run.
# Idempotent and non-interactive: packages already present are left alone.
set -eu

PACKAGES="
	build-essential
	meson
	ninja-build
	pkg-config
	git
	ca-certificates
	curl
	libseccomp-dev
	libcap-dev
	libsodium-dev
	libsqlite3-dev
	libjansson-dev
	libtree-sitter-dev
	libpcre2-dev
	libmsgpuck-dev
	libcmocka-dev
	libyaml-dev
	libzip-dev
	python3
	python3-dev
	python3-numpy
	python3-msgpack
	python3-pytest
	python3-packaging
	python3-jsonschema
	bandit
	clang
	clang-format
	libclang-rt-14-dev
	util-linux
	procps
	bubblewrap
	strace
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "gymwarden: setup: every package is already installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

echo "gymwarden: setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
