#!/bin/sh
# Install the Debian packages zhibu needs to build, serve and test, if any are missing. Idempotent.
set -eu

# One package per line: what the build, the server and the tests use (clang and its
# libFuzzer runtime, libclang-rt-14-dev, only for `make fuzz`; `make test` replays with gcc).
PKGS="
build-essential
pkg-config
libmicrohttpd-dev
libjansson-dev
libsqlite3-dev
sqlite3
libpq-dev
postgresql
postgresql-client
libssl-dev
libsodium-dev
libcmocka-dev
libzip-dev
libxlsxwriter-dev
libexpat1-dev
python3
python3-yaml
chromium
fonts-wqy-microhei
libreoffice-writer-nogui
poppler-utils
clang
libclang-rt-14-dev
"

# `make bench` only (scripts/bootstrap.sh bench): the load generator, the reference server and the
# profilers the benchmarks use. make test and make run never install these.
BENCH_PKGS="
nginx-light
wrk
hyperfine
linux-perf
valgrind
"
if [ "${1:-}" = bench ]; then
	PKGS="$PKGS $BENCH_PKGS"
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
# Node.js (API and browser tests, web build): node >= 20 with npm (playwright-core needs 20).
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ! command -v npm >/dev/null 2>&1 || [ "$node_major" -lt 20 ]; then
	if [ "$node_major" -gt 0 ] && [ "$node_major" -lt 20 ]; then
		echo "bootstrap: Node.js $node_major is too old; zhibu's web build and browser tests need Node.js 20 or newer" >&2
		exit 1
	fi
	missing="$missing nodejs npm"
fi

if [ -z "$missing" ]; then
	exit 0
fi
echo "bootstrap: installing$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
