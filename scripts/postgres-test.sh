#!/usr/bin/env bash
# Runs the PostgreSQL tests against a real, throwaway PostgreSQL server:
# the stream package's PostgreSQL sink and the graph package's store suite
# (which runs every test on SQLite and on PostgreSQL). Installs Debian's
# package when no server is found, initdb's a cluster in a temp dir,
# serves it on 127.0.0.1 at a free port (and a unix socket in the same
# temp dir), runs `go test ./stream -run 'Postgres|SIGKILL'` (the SIGKILL test then kills a PostgreSQL-sink stream too) and `go test ./graph`
# with NECTAR_POSTGRES pointing at it, and stops and deletes the cluster
# on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

find_bin() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/pg_ctl" ] && { echo "$d"; return; }
	done
	command -v pg_ctl >/dev/null 2>&1 && dirname "$(command -v pg_ctl)"
}

bin=$(find_bin || true)
if [ -z "$bin" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "postgres-test: no PostgreSQL server found and not root; install the postgresql package" >&2
		exit 1
	fi
	echo "postgres-test: installing PostgreSQL from Debian's packages" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
	bin=$(find_bin)
fi

tmp=$(mktemp -d /tmp/nectar-pg.XXXXXX)
# The server refuses to run as root: run it as the postgres user (created
# by the Debian package) and give that user the temp dir.
as_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	chown postgres: "$tmp"
	as_pg() { runuser -u postgres -- "$@"; }
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))

cleanup() {
	as_pg "$bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

as_pg "$bin/initdb" -D "$tmp/data" -U postgres -A trust --no-sync >/dev/null
as_pg "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 30 \
	-o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off" start >/dev/null
as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres nectar_test

export NECTAR_POSTGRES="postgres://postgres@127.0.0.1:$port/nectar_test?sslmode=disable"
echo "postgres-test: server $("$bin/postgres" --version) on 127.0.0.1:$port" >&2
go test ./stream -run 'Postgres|SIGKILL' -count=1 "$@"
go test ./graph/... -count=1 "$@"
