"""Runs one benchmark query on Spark local and prints its rows as CSV.

The bench (bench/spark.go) starts this script once per query and repetition,
so the wall time it measures includes the JVM's start-up, as a user of
`spark-submit` pays it. Rows go to stdout as CSV with a header, the shape
nectar's --format csv has, for the bench's answer comparison.

usage: spark_runner.py --threads N --format json|parquet --path PATH --query SQL
"""

import argparse
import csv
import sys

from rowtext import text

from pyspark.sql import SparkSession


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--format", choices=["json", "parquet"], required=True)
    ap.add_argument("--path", required=True, help="glob of JSON files, or a Parquet directory")
    ap.add_argument("--query", required=True, help="Spark SQL reading the view src")
    args = ap.parse_args()

    spark = (
        SparkSession.builder.master("local[%d]" % args.threads)
        .appName("nectar-bench")
        # UTC for hour(), as nectar and the bench's DuckDB session use.
        .config("spark.sql.session.timeZone", "UTC")
        # One partition per core after a shuffle: the default 200 costs
        # more than it saves on a benchmark-sized laptop run.
        .config("spark.sql.shuffle.partitions", str(args.threads))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    # The JVM is this process's child; keep a handle so it can be waited
    # for, and its peak RSS counted in this process's rusage.
    jvm = getattr(spark.sparkContext._gateway, "proc", None)
    try:
        reader = spark.read
        df = reader.json(args.path) if args.format == "json" else reader.parquet(args.path)
        df.createOrReplaceTempView("src")
        result = spark.sql(args.query)
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(result.columns)
        for row in result.toLocalIterator():
            out.writerow([text(v) for v in row])
        sys.stdout.flush()
    finally:
        spark.stop()
        if jvm is not None:
            # The JVM exits when its stdin closes (pyspark's launcher
            # contract); waiting reaps it before this process exits.
            try:
                jvm.stdin.close()
            except OSError:
                pass
            jvm.wait()


if __name__ == "__main__":
    main()
