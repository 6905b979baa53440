#!/bin/sh
# `make test`: unit tests, API tests on SQLite and on a private PostgreSQL, then both again under ASan+UBSan.
set -eu
cd "$(dirname "$0")/.."

PGDIR=${ZHIBU_TEST_PGDIR:-/tmp/zhibu-test-pg-$(id -u)}
PGPORT=${ZHIBU_TEST_PGPORT:-55439}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

step() { printf '\n=== %s\n' "$*"; }

step "lint"
sh scripts/lint.sh

step "build"
make -j2 all unit-bins

step "unit tests"
make unit

step "PostgreSQL for the tests ($PGDIR, port $PGPORT)"
sh scripts/pg-test-cluster.sh start "$PGDIR" "$PGPORT" >/dev/null
# The demo township is built once per binary and backend and copied for each test server
# (tests/api/lib.mjs); the copies and the template databases go when the run ends.
ZHIBU_TEST_TEMPLATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/zhibu-demo-template.XXXXXX")
export ZHIBU_TEST_TEMPLATE_DIR
cleanup() {
	for db in $(psql -X -q -t -A "postgres://postgres@127.0.0.1:$PGPORT/postgres" \
		-c "SELECT datname FROM pg_database WHERE datname LIKE 'zt\_%'" 2>/dev/null); do
		psql -X -q "postgres://postgres@127.0.0.1:$PGPORT/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	done
	sh scripts/pg-test-cluster.sh stop "$PGDIR" >/dev/null 2>&1 || true
	rm -rf "$ZHIBU_TEST_TEMPLATE_DIR"
}
trap cleanup EXIT INT TERM
PG_ADMIN_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"

step "unit tests on PostgreSQL"
ZHIBU_TEST_PG_URL="postgres://postgres@127.0.0.1:$PGPORT/zhibu_test" ./build/tests/test_db
ZHIBU_TEST_PG_URL="postgres://postgres@127.0.0.1:$PGPORT/zhibu_test" ./build/tests/test_db_lost

api() {
	# $1 = binary, $2 = backend (sqlite|postgres)
	ZHIBU_BIN=$1 ZHIBU_TEST_BACKEND=$2 ZHIBU_TEST_PG_ADMIN_URL=$PG_ADMIN_URL \
		node --test --test-concurrency=2 tests/api/
}

step "API tests on SQLite"
api ./build/zhibu sqlite
step "API tests on PostgreSQL"
api ./build/zhibu postgres

if [ -f package.json ] && [ -d tests/e2e ]; then
	step "browser tests (headless Chromium)"
	make web
	npm ci --no-audit --no-fund --loglevel=error
	ZHIBU_BIN=./build/zhibu ZHIBU_TEST_BACKEND=sqlite node --test --test-concurrency=1 tests/e2e/
fi

step "ASan + UBSan build"
make -j2 asan
step "unit tests under ASan + UBSan"
for t in build-asan/tests/test_*; do
	echo "== $t"
	"$t"
done
step "fuzz corpora replayed under ASan + UBSan (make fuzz runs the fuzzers themselves)"
make -j2 fuzz-replay
step "API tests under ASan + UBSan (SQLite)"
api ./build-asan/zhibu sqlite
step "API tests under ASan + UBSan (PostgreSQL)"
api ./build-asan/zhibu postgres

echo
echo "make test: all suites passed"
