#!/usr/bin/env bash
# Runs pyspark's Spark Connect client against `nectar serve --spark-connect`
# on loopback, and the same DataFrame code against a real Spark Connect
# server over the same files, comparing answers (tests in
# scripts/connect-clients/test_pyspark.py; they compare with `nectar
# query` too).
#
# pyspark comes from the machine when it has pyspark 4 (it ships Spark's
# jars, which the real server needs, and Java 17 runs them); the client's
# own dependencies (pandas, pyarrow, grpcio, …) are pinned into a virtual
# environment made once, which sees the machine's pyspark. Without a
# machine pyspark, pyspark is installed into that environment.
# sparklyr (R) is not tested: no CRAN here; pysparklyr drives this same
# pyspark client.
#
# Environment: NECTAR_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/nectar),
# NECTAR_CONNECT_SPARK=0 skips the real Spark server, PYTEST_ARGS;
# NECTAR_CONNECT_BENCH_EVENTS=N (with NECTAR_CONNECT_BENCH_REPS, default 3)
# runs scripts/connect-clients/bench.py instead of the tests: the seed query
# over N generated events through pyspark, nectar and Spark interleaved;
# NECTAR_SERVE_FLAGS adds flags to nectar serve (--cache: the scan cache
# for local files, which the benchmark's later runs then read).
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${NECTAR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nectar}/connect-clients
mkdir -p "$cache"
pins="pandas==2.3.3 numpy==2.3.5 pyarrow==26.0.1 grpcio==1.76.0 grpcio-status==1.76.0 googleapis-common-protos==1.71.0 zstandard==0.25.0 pytest==9.2.0"
if ! python3 -c 'import pyspark, sys; sys.exit(0 if pyspark.__version__.startswith("4.") else 1)' 2>/dev/null; then
	pins="$pins pyspark==4.3.0"
fi
venv=$cache/venv-$(printf '%s' "$pins" | sha256sum | cut -c1-12)
# The environment sees the machine's packages, so pip may install no
# script of its own (pytest included): a marker says it is complete, and
# pytest runs as a module.
if [ ! -e "$venv/.complete" ]; then
	echo "connect-clients: installing $pins into $venv" >&2
	rm -rf "$venv"
	python3 -m venv --system-site-packages "$venv"
	# shellcheck disable=SC2086
	"$venv/bin/pip" install --quiet --disable-pip-version-check $pins
	touch "$venv/.complete"
fi
py=$venv/bin/python
SPARK_HOME=$("$py" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')

tmp=$(mktemp -d /tmp/nectar-connect-clients.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/nectar" ./cmd/nectar
nectar=$tmp/nectar
"$nectar" gen --out "$tmp/logs" --events 20000 --files 4 --seed 1 2>/dev/null
printf 'sources:\n  events: {path: ./logs/segment-logs/**/*.gz}\n' >"$tmp/nectar.yaml"

user=analyst
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
printf '%s\n' "$password" | "$nectar" serve hash-password --user "$user" >"$tmp/users.txt"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { # port pid log what seconds
	for _ in $(seq 1 $(($5 * 10))); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		if ! kill -0 "$2" 2>/dev/null; then echo "connect-clients: $4 exited:" >&2; tail -40 "$3" >&2; return 1; fi
		sleep 0.1
	done
	echo "connect-clients: $4 did not answer in $5 s" >&2; tail -40 "$3" >&2; return 1
}

port=$(free_port)
# shellcheck disable=SC2086
(cd "$tmp" && exec setsid "$nectar" serve --flight-sql '' --http '' --spark-connect "127.0.0.1:$port" --users users.txt ${NECTAR_SERVE_FLAGS:-}) >"$tmp/server.log" 2>&1 &
pids+=($!)
wait_port "$port" "$!" "$tmp/server.log" "nectar serve" 20
echo "connect-clients: nectar serve --spark-connect 127.0.0.1:$port" >&2

spark_remote=
if [ "${NECTAR_CONNECT_SPARK:-1}" != 0 ] && command -v java >/dev/null; then
	sport=$(free_port)
	setsid "$SPARK_HOME/bin/spark-submit" --class org.apache.spark.sql.connect.service.SparkConnectServer \
		--name nectar-connect-test --master 'local[2]' --driver-memory 2g \
		--conf spark.connect.grpc.binding.address=127.0.0.1 --conf spark.connect.grpc.binding.port="$sport" \
		--conf spark.driver.bindAddress=127.0.0.1 --conf spark.driver.host=127.0.0.1 --conf spark.ui.enabled=false \
		--conf spark.sql.shuffle.partitions=2 --conf spark.default.parallelism=2 \
		--conf spark.sql.session.timeZone=UTC --conf spark.sql.ansi.enabled=true \
		>"$tmp/spark.log" 2>&1 &
	pids+=($!)
	wait_port "$sport" "$!" "$tmp/spark.log" "Spark Connect" 180
	spark_remote="sc://127.0.0.1:$sport"
	echo "connect-clients: real Spark Connect on 127.0.0.1:$sport" >&2
fi

if [ -n "${NECTAR_CONNECT_BENCH_EVENTS:-}" ]; then
	[ -n "$spark_remote" ] || { echo "connect-clients: the benchmark needs the real Spark server" >&2; exit 1; }
	"$nectar" gen --out "$tmp/big" --events "$NECTAR_CONNECT_BENCH_EVENTS" --files 8 --seed 1 2>/dev/null
	"$py" scripts/connect-clients/bench.py "sc://localhost:$port/;user_id=$user;token=$password" "$spark_remote" \
		"$tmp/big/segment-logs" "${NECTAR_CONNECT_BENCH_REPS:-3}"
	exit
fi

status=0
# localhost, not 127.0.0.1: pyspark sends a token in the clear only to
# localhost (grpc's local credentials); to any other host it needs TLS.
# shellcheck disable=SC2086
NECTAR_REMOTE="sc://localhost:$port/;user_id=$user;token=$password" NECTAR_SPARK_REMOTE="$spark_remote" \
	NECTAR_BIN="$nectar" NECTAR_PROJECT="$tmp" NECTAR_LOGS="$tmp/logs/segment-logs" \
	timeout 600 "$py" -m pytest -q -p no:cacheprovider scripts/connect-clients/test_pyspark.py ${PYTEST_ARGS:-} || status=1

if ! grep -q 'Spark Connect operation failed.*interrupted by the client' "$tmp/server.log"; then
	echo "connect-clients: no operation was interrupted (test_interrupt)" >&2
	status=1
fi
if grep -qF -- "$password" "$tmp/server.log"; then
	echo "connect-clients: the server's log shows the password" >&2
	status=1
fi
if [ "$status" -ne 0 ]; then
	echo "connect-clients: server log:" >&2
	tail -40 "$tmp/server.log" >&2
fi
exit "$status"
