"""The seed query through pyspark, against nectar's Spark Connect endpoint
and a real Spark Connect server, interleaved: the numbers #20 asks for.

Usage (scripts/connect-clients-test.sh runs it when NECTAR_CONNECT_BENCH_EVENTS
is set): bench.py NECTAR_REMOTE SPARK_REMOTE LOGS_DIR REPS

Sessions are opened before timing (server start-up excluded); each run reads
the files anew. Prints each run, then medians and the ratio.
"""
import statistics
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F


def seed(spark, logs):
    df = spark.read.option("recursiveFileLookup", "true").json(logs)
    return (df.filter((F.col("event") == "Added to Cart") & (F.col("properties.vertical") == "Food"))
            .groupBy(F.col("properties.recommender.variant").alias("variant"))
            .count().orderBy("variant").collect())


def main():
    nectar_remote, spark_remote, logs, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    sessions = {}
    for name, remote in (("nectar", nectar_remote), ("spark", spark_remote)):
        sessions[name] = SparkSession.builder.remote(remote).getOrCreate()
        SparkSession.clearActiveSession()
        SparkSession.clearDefaultSession()
    times = {name: [] for name in sessions}
    answers = {}
    for rep in range(reps):
        order = list(sessions) if rep % 2 == 0 else list(reversed(list(sessions)))
        for name in order:
            began = time.monotonic()
            rows = seed(sessions[name], logs)
            took = time.monotonic() - began
            times[name].append(took)
            answers[name] = sorted((r["variant"], r["count"]) for r in rows)
            print(f"rep {rep + 1} {name:7s} {took:7.2f} s  {len(rows)} rows", flush=True)
    same = answers["nectar"] == answers["spark"]
    med = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"median of {reps}: nectar {med['nectar']:.2f} s, Spark {med['spark']:.2f} s, "
          f"Spark/nectar {med['spark'] / med['nectar']:.1f}x; same rows: {same}")
    for s in sessions.values():
        s.stop()
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
