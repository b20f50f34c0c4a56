#!/usr/bin/env bash
# Runs real Flight SQL clients against `nectar serve`, all on loopback:
# Python's ADBC driver (adbc-driver-flightsql with pyarrow, under pytest)
# and the Arrow Flight SQL JDBC driver (a small Java program). Go's driver
# runs in `go test ./server`.
#
# Installs what it needs into a cache directory, once: a virtual
# environment with pinned packages from PyPI, and the JDBC driver's jar
# from Maven Central (through mvn). Then it builds nectar, generates logs,
# writes a users file with a fresh password, starts `nectar serve` on free
# loopback ports, runs both clients, checks that the server's log never
# shows the password, and stops the server whatever happened.
#
# Environment: NECTAR_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/nectar),
# PYTEST_ARGS (extra pytest arguments, e.g. -x -v).
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${NECTAR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nectar}/serve-clients
mkdir -p "$cache"

# Python: a virtual environment per set of pins, made once.
pins="adbc-driver-flightsql==1.13.0 adbc-driver-manager==1.13.0 pyarrow==26.0.1 pytest==9.2.0"
venv=$cache/venv-$(printf '%s' "$pins" | sha256sum | cut -c1-12)
if [ ! -x "$venv/bin/pytest" ]; then
	echo "serve-clients: installing $pins into $venv" >&2
	rm -rf "$venv"
	python3 -m venv "$venv"
	# shellcheck disable=SC2086
	"$venv/bin/pip" install --quiet --disable-pip-version-check $pins
fi

# Java: the JDBC driver, one shaded jar.
jdbc_version=18.3.0
jar=$cache/flight-sql-jdbc-driver-$jdbc_version.jar
if [ ! -s "$jar" ]; then
	echo "serve-clients: fetching flight-sql-jdbc-driver $jdbc_version with mvn" >&2
	mvn -q -B dependency:copy -Dartifact=org.apache.arrow:flight-sql-jdbc-driver:$jdbc_version -DoutputDirectory="$cache" >&2
fi

tmp=$(mktemp -d /tmp/nectar-serve-clients.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/nectar" ./cmd/nectar
nectar=$tmp/nectar
"$nectar" gen --out "$tmp/logs" --events 20000 --files 4 --seed 1 2>/dev/null
# A stream the server hosts, with its memory table: the Python test moves
# files into incoming/ and watches data_stream change (tbl(con,
# "data_stream") |> glimpse() from R reads the same table).
"$nectar" gen --out "$tmp/arrivals" --events 6000 --files 3 --seed 2 2>/dev/null
cat >"$tmp/nectar.yaml" <<'YAML'
sources:
  events: {path: ./logs/segment-logs/**/*.gz}
streams:
  data_stream:
    query: SELECT properties.recommender.variant AS expt, count(*) AS n FROM read_json('./incoming/*.gz') WHERE event = 'Added to Cart' GROUP BY 1
    trigger: 200ms
    settle: 0
    checkpoint: ./checkpoints/data_stream
    sink: memory
YAML

user=analyst
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
printf '%s\n' "$password" | "$nectar" serve hash-password --user "$user" >"$tmp/users.txt"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fport=$(free_port)
hport=$(free_port)
(cd "$tmp" && exec "$nectar" serve --flight-sql "127.0.0.1:$fport" --http "127.0.0.1:$hport" --spark-connect "" --users users.txt) >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$fport") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$hport") 2>/dev/null; then
		break
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "serve-clients: nectar serve exited:" >&2
		cat "$tmp/server.log" >&2
		exit 1
	fi
	sleep 0.05
done
echo "serve-clients: nectar serve on 127.0.0.1:$fport (Flight SQL) and 127.0.0.1:$hport (HTTP)" >&2

status=0
echo "== Python: ADBC Flight SQL driver (pytest)"
# shellcheck disable=SC2086
NECTAR_FLIGHT="grpc://127.0.0.1:$fport" NECTAR_HTTP="http://127.0.0.1:$hport" \
	NECTAR_USER="$user" NECTAR_PASSWORD="$password" NECTAR_BIN="$nectar" NECTAR_PROJECT="$tmp" \
	NECTAR_ARRIVALS="$(find "$tmp/arrivals" -name '*.gz' | sort | tr '\n' ':' | sed 's/:$//')" \
	"$venv/bin/pytest" -q -p no:cacheprovider scripts/serve-clients/test_adbc.py ${PYTEST_ARGS:-} || status=1

echo "== Java: Arrow Flight SQL JDBC driver $jdbc_version"
count() { (cd "$tmp" && "$nectar" query --format csv "$1" | tail -1); }
events=$(count "SELECT count(*) FROM events")
dear=$(count "SELECT count(*) FROM events WHERE event = 'Added to Cart' AND properties.price > 20.5")
mkdir -p "$tmp/classes"
javac -d "$tmp/classes" scripts/serve-clients/JdbcClientTest.java
# Arrow's memory layer reads java.nio internals.
java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$tmp/classes:$jar" JdbcClientTest \
	"$fport" "$user" "$password" "$events" "$dear" 2>"$tmp/java.err" || { status=1; tail -20 "$tmp/java.err" >&2; }

# ADBC's cancel (it closes the stream) must have stopped the query on the
# server, not only the client's reading.
if ! grep -E 'msg="query failed" error="(context canceled|cancelled by the client)".*CROSS JOIN' "$tmp/server.log" >/dev/null; then
	echo "serve-clients: no query was cancelled by its client (test_cancel)" >&2
	status=1
fi
if grep -qF -- "$password" "$tmp/server.log"; then
	echo "serve-clients: the server's log shows the password" >&2
	status=1
fi
if [ "$status" -ne 0 ]; then
	echo "serve-clients: server log:" >&2
	tail -40 "$tmp/server.log" >&2
fi
exit "$status"
