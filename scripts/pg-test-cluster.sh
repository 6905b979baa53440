#!/bin/sh
# Start, stop or reset a private throwaway PostgreSQL 15 cluster for tests (loopback only, trust auth, no fsync).
#
#   pg-test-cluster.sh start DIR PORT         create if missing, start if stopped, create zhibu_test;
#                                             prints postgres://postgres@127.0.0.1:PORT/zhibu_test
#   pg-test-cluster.sh stop DIR               stop it (nothing to do if it is not running)
#   pg-test-cluster.sh reset DIR PORT DBNAME  drop and recreate database DBNAME (starts the cluster if needed)
#
# Every command is idempotent. PostgreSQL refuses to run as root, so as root
# the server runs as the "postgres" OS user and DIR is handed to it; as any
# other user it runs as that user. Never point DIR at real data: the cluster
# trades durability for speed.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
TEST_DB=zhibu_test

die() {
	echo "pg-test-cluster: $*" >&2
	exit 1
}

usage() {
	sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

is_root() {
	[ "$(id -u)" = 0 ]
}

# Run a server-side command as the cluster's owner (from /, which that user can always enter).
as_owner() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# The absolute form of a directory path, whether or not it exists yet.
abs_path() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$(pwd)/$1" ;;
	esac
}

check_port() {
	case $1 in
	'' | *[!0-9]*) die "port must be a number: $1" ;;
	esac
	[ "$1" -ge 1024 ] && [ "$1" -le 65535 ] || die "port must be in 1024..65535: $1"
}

check_dbname() {
	case $1 in
	'' | *[!A-Za-z0-9_]*) die "database name must be letters, digits and _: $1" ;;
	esac
}

check_dir() {
	[ -n "$1" ] || die "no cluster directory given"
	case $1 in
	*[!A-Za-z0-9_./-]*) die "cluster directory must be a plain path (letters, digits, _ . / -): $1" ;;
	esac
}

psql_admin() {
	port=$1
	shift
	PGOPTIONS='-c client_min_messages=warning' "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

is_running() {
	[ -f "$1/PG_VERSION" ] && as_owner "$PGBIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

# The settings this script owns, rewritten at every start so a new PORT takes effect.
write_conf() {
	dir=$1
	port=$2
	tmp=$(mktemp)
	cat >"$tmp" <<EOF
# written by scripts/pg-test-cluster.sh at every start
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
timezone = 'UTC'
log_timezone = 'UTC'
EOF
	cat "$tmp" | as_owner sh -c "cat > '$dir/zhibu_test.conf'"
	rm -f "$tmp"
}

cluster_init() {
	dir=$1
	mkdir -p "$dir"
	if is_root; then
		chown postgres:postgres "$dir"
		runuser -u postgres -- test -w "$dir" ||
			die "$dir is not reachable by the postgres user (is a parent folder private?)"
	fi
	chmod 700 "$dir"
	if [ ! -f "$dir/PG_VERSION" ]; then
		[ -z "$(ls -A "$dir")" ] || die "$dir is not empty and holds no cluster"
		log=$(mktemp)
		as_owner "$PGBIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --no-locale \
			--no-sync >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; die "initdb failed"; }
		rm -f "$log"
		as_owner sh -c "cat > '$dir/pg_hba.conf'" <<EOF
# written by scripts/pg-test-cluster.sh: trust on the socket and loopback only
local all all trust
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
EOF
		echo "include_if_exists = 'zhibu_test.conf'" |
			as_owner sh -c "cat >> '$dir/postgresql.conf'"
	fi
	echo "$dir"
}

create_db() {
	port=$1
	name=$2
	if [ -z "$(psql_admin "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
		psql_admin "$port" -c "CREATE DATABASE $name ENCODING 'UTF8' TEMPLATE template0"
	fi
}

cmd_start() {
	[ $# -eq 2 ] || usage
	check_dir "$1"
	check_port "$2"
	port=$2
	[ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 is not installed ($PGBIN/initdb missing)"
	dir=$(cluster_init "$(abs_path "$1")")
	if ! is_running "$dir"; then
		write_conf "$dir" "$port"
		as_owner "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null ||
			{ tail -n 20 "$dir/server.log" >&2; die "the server did not start"; }
	fi
	running_port=$(sed -n 4p "$dir/postmaster.pid")
	[ "$running_port" = "$port" ] ||
		die "the cluster in $dir is already running on port $running_port, not $port"
	create_db "$port" "$TEST_DB"
	echo "postgres://postgres@127.0.0.1:$port/$TEST_DB"
}

cmd_stop() {
	[ $# -eq 1 ] || usage
	check_dir "$1"
	dir=$(abs_path "$1")
	if is_running "$dir"; then
		as_owner "$PGBIN/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null
	fi
}

cmd_reset() {
	[ $# -eq 3 ] || usage
	check_dbname "$3"
	cmd_start "$1" "$2" >/dev/null
	psql_admin "$2" -c "DROP DATABASE IF EXISTS $3 WITH (FORCE)"
	psql_admin "$2" -c "CREATE DATABASE $3 ENCODING 'UTF8' TEMPLATE template0"
	echo "postgres://postgres@127.0.0.1:$2/$3"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
reset) cmd_reset "$@" ;;
*) usage ;;
esac
