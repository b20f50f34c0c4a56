#!/usr/bin/env bash
# Runs nectar's Spark tests against a real Spark Connect server on loopback.
#
# pyspark 4.x ships the whole Spark distribution, the Connect server jar
# included, so the only prerequisites are Python with pip and Java 17. The
# script installs pyspark when it is missing, starts the server on
# 127.0.0.1:15002 (local[2], two shuffle partitions: sized for a 2-core
# machine), waits until it answers, runs the Spark tests with NECTAR_SPARK
# set, and stops the server on exit whatever happened.
#
# Environment: NECTAR_SPARK_PORT (default 15002), SPARK_HOME (default: the
# pyspark package), GO_TEST_ARGS (extra go test flags, e.g. -v), SPARK_TEST_RUN
# (the tests to run, default every test named Spark…).
set -euo pipefail
cd "$(dirname "$0")/.."

port=${NECTAR_SPARK_PORT:-15002}
py=$(command -v python3 || command -v python)

if [ -z "${SPARK_HOME:-}" ]; then
	if ! "$py" -c 'import pyspark, sys; sys.exit(0 if pyspark.__version__.startswith("4.") else 1)' 2>/dev/null; then
		echo "installing pyspark 4.x with pip (it bundles the Spark Connect server)"
		"$py" -m pip install --quiet 'pyspark>=4.0,<5'
	fi
	SPARK_HOME=$("$py" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
	export SPARK_HOME
fi

if ! command -v java >/dev/null; then
	echo "spark-test: Java 17 is required (apt-get install openjdk-17-jre-headless)" >&2
	exit 1
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	echo "spark-test: 127.0.0.1:$port is already in use; set NECTAR_SPARK_PORT to a free port" >&2
	exit 1
fi

log=$(mktemp -d)/spark-connect.log
echo "starting Spark Connect $(basename "$(ls "$SPARK_HOME"/jars/spark-connect_*.jar 2>/dev/null | head -1)") on 127.0.0.1:$port (log: $log)"
# setsid gives the server its own process group, so the trap can stop the
# JVM and anything it started, and nothing else.
setsid "$SPARK_HOME/bin/spark-submit" \
	--class org.apache.spark.sql.connect.service.SparkConnectServer \
	--name nectar-spark-test \
	--master 'local[2]' \
	--driver-memory 2g \
	--conf spark.connect.grpc.binding.address=127.0.0.1 \
	--conf spark.connect.grpc.binding.port="$port" \
	--conf spark.driver.bindAddress=127.0.0.1 \
	--conf spark.driver.host=127.0.0.1 \
	--conf spark.ui.enabled=false \
	--conf spark.sql.shuffle.partitions=2 \
	--conf spark.default.parallelism=2 \
	--conf spark.sql.session.timeZone=UTC \
	--conf spark.sql.ansi.enabled=true \
	>"$log" 2>&1 &
pid=$!
stop() {
	kill -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
trap stop EXIT

# The port opens once the server is ready for sessions.
for i in $(seq 1 180); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		break
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "spark-test: the Spark Connect server exited; its log:" >&2
		tail -50 "$log" >&2
		exit 1
	fi
	if [ "$i" = 180 ]; then
		echo "spark-test: the server did not answer within 180 s; its log:" >&2
		tail -50 "$log" >&2
		exit 1
	fi
	sleep 1
done
echo "Spark Connect is up after ${i}s"

NECTAR_SPARK="sc://127.0.0.1:$port" go test ${GO_TEST_ARGS:-} -count=1 ./spark/ ./engine/ ./cmd/nectar/ -run "${SPARK_TEST_RUN:-Spark}"
