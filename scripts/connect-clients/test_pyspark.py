"""pyspark's Spark Connect client against `nectar serve --spark-connect`.

Run by scripts/connect-clients-test.sh, which starts the server (and, when
NECTAR_SPARK_REMOTE is set, a real Spark Connect server over the same
files) and passes:

  NECTAR_REMOTE       sc://localhost:PORT/;user_id=…;token=…  (nectar)
  NECTAR_SPARK_REMOTE sc://127.0.0.1:PORT                      (real Spark, optional)
  NECTAR_BIN, NECTAR_PROJECT  the nectar binary and the project folder
  NECTAR_LOGS         the generated logs' folder (absolute)

Tests marked with the `both` fixture run the same pyspark code against
both servers and compare the rows; every test compares nectar with an
answer computed another way (the CLI, plain Python, or Spark).
"""
import csv
import io
import math
import os
import subprocess
import threading
import time

import pytest
from pyspark.errors import AnalysisException, ParseException, PySparkException
from pyspark.sql import SparkSession, Row, functions as F
from pyspark.sql.types import LongType, StringType, StructType
from pyspark.sql.window import Window

REMOTE = os.environ["NECTAR_REMOTE"]
SPARK = os.environ.get("NECTAR_SPARK_REMOTE", "")
LOGS = os.environ["NECTAR_LOGS"]
PROJECT = os.environ["NECTAR_PROJECT"]

SEED_SQL = """
SELECT properties.recommender.variant AS variant, hour(timestamp) AS hour_of_day, count(*) AS added_to_cart
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY variant, hour_of_day ORDER BY variant, hour_of_day"""


def session(url):
    return SparkSession.builder.remote(url).getOrCreate()


@pytest.fixture(scope="module")
def nectar():
    s = session(REMOTE)
    yield s
    s.stop()
    # A session left open keeps pyspark's threads, and pytest, alive.
    if _spark_session is not None:
        _spark_session.stop()


def events(s):
    # A folder read recursively: the same on both engines (Spark's globs
    # have no **).
    return s.read.option("recursiveFileLookup", "true").json(LOGS)


def cli(sql):
    out = subprocess.run([os.environ["NECTAR_BIN"], "query", "--format", "csv", sql],
                         cwd=PROJECT, check=True, capture_output=True, text=True).stdout
    return list(csv.reader(io.StringIO(out)))


def norm(rows):
    """Rows as tuples of comparable values: floats rounded to 9 digits."""
    out = []
    for r in rows:
        out.append(tuple(round(v, 9) if isinstance(v, float) else v for v in r))
    return out


def text_rows(rows):
    return [["" if v is None else str(v) for v in r] for r in rows]


def seed_dataframe(s):
    ev = events(s)
    return (ev.filter((F.col("event") == "Added to Cart") & (F.col("properties.vertical") == "Food"))
              .groupBy(F.col("properties.recommender.variant").alias("variant"),
                       F.hour("timestamp").alias("hour_of_day"))
              .agg(F.count("*").alias("added_to_cart"))
              .orderBy("variant", "hour_of_day"))


def test_seed_sql_matches_cli(nectar):
    rows = nectar.sql(SEED_SQL).collect()
    assert len(rows) > 10
    assert rows[0].asDict().keys() == {"variant", "hour_of_day", "added_to_cart"}
    assert text_rows(rows) == cli(SEED_SQL)[1:]


def test_seed_dataframe_matches_sql(nectar):
    df = seed_dataframe(nectar)
    assert df.columns == ["variant", "hour_of_day", "added_to_cart"]
    assert df.collect() == nectar.sql(SEED_SQL).collect()


def test_seed_on_spark(nectar):
    if not SPARK:
        pytest.skip("no real Spark Connect server (NECTAR_SPARK_REMOTE unset)")
    sp = session_spark()
    assert norm(seed_dataframe(nectar).collect()) == norm(seed_dataframe(sp).collect())
    events(sp).createOrReplaceTempView("events")
    assert norm(nectar.sql(SEED_SQL).collect()) == norm(sp.sql(SEED_SQL).collect())


def test_schema(nectar, capsys):
    df = nectar.sql(SEED_SQL)
    assert df.schema == StructType().add("variant", StringType()).add("hour_of_day", LongType()).add("added_to_cart", LongType())
    df.printSchema()
    assert capsys.readouterr().out == (
        "root\n"
        " |-- variant: string (nullable = true)\n"
        " |-- hour_of_day: long (nullable = true)\n"
        " |-- added_to_cart: long (nullable = true)\n\n")
    # Spark's JSON source infers no timestamps (inferTimestamp is off):
    # neither does nectar's.
    types = dict(events(nectar).dtypes)
    assert (types["timestamp"], types["event"]) == ("string", "string")
    if SPARK:
        spark_types = dict(events(session_spark()).dtypes)
        assert (spark_types["timestamp"], spark_types["event"]) == ("string", "string")


def test_read_json_folder(nectar):
    # nectar reads a folder's subfolders (Segment's <source>/<day>/ files)
    # without recursiveFileLookup, where Spark finds no file and fails
    # with UNABLE_TO_INFER_SCHEMA (docs/SPARK-CONNECT.md).
    n = nectar.read.json(LOGS).count()
    assert str(n) == cli("SELECT count(*) FROM events")[1][0]
    assert events(nectar).count() == n
    if SPARK:
        assert events(session_spark()).count() == n


AGG_QUERIES = {
    "by_event": lambda ev: ev.groupBy("event").agg(F.count("*").alias("n"), F.countDistinct("userId").alias("users")).orderBy("event"),
    "revenue": lambda ev: (ev.filter(F.col("event") == "Order Completed")
                           .groupBy(F.col("context.library.name").alias("lib"))
                           .agg(F.sum("properties.revenue").alias("rev"), F.avg("properties.revenue").alias("avg"),
                                F.max("properties.revenue").alias("top"), F.count(F.lit(1)).alias("n"))
                           .orderBy(F.desc("rev"))),
    "select_filter_limit": lambda ev: (ev.select("messageId", "event", F.col("properties.price").cast("double").alias("price"))
                                       .where("price > 20").orderBy(F.col("price").desc(), "messageId").limit(7)),
    "with_columns": lambda ev: (ev.withColumn("day", F.to_date("timestamp")).withColumnRenamed("event", "what")
                                .groupBy("day", "what").count().orderBy("day", "what").limit(20)),
    "distinct_drop": lambda ev: ev.select("event", "type").distinct().drop("type").orderBy("event"),
    "when_isin": lambda ev: (ev.select(F.when(F.col("event").isin("Added to Cart", "Order Completed"), "money")
                                       .otherwise("other").alias("kind"))
                             .groupBy("kind").count().orderBy("kind")),
    "fillna": lambda ev: (ev.select("event", F.col("properties.revenue").alias("rev"), F.col("properties.variation_id").alias("v"))
                          .fillna(0).fillna("none", subset=["v"]).groupBy("event", "v")
                          .agg(F.sum("rev").alias("rev"), F.count("*").alias("n")).orderBy("event", "v")),
    "offset": lambda ev: ev.select("messageId").orderBy("messageId").offset(5).limit(3),
    "union": lambda ev: (ev.filter("event = 'Order Completed'").select("userId")
                         .union(ev.filter("event = 'Added to Cart'").select("userId")).groupBy("userId").count()
                         .orderBy(F.desc("count"), "userId").limit(5)),
    "rollup": lambda ev: (ev.rollup("type", "event").agg(F.count("*").alias("n"))
                          .orderBy("type", "event")),
    "cube": lambda ev: (ev.filter("event IN ('Order Completed', 'Added to Cart')")
                        .cube("event", F.col("properties.vertical").alias("vertical")).count()
                        .orderBy("event", "vertical")),
    # A value no group has is NULL, even for count (Spark's PivotFirst).
    # (count(lit(1)): Spark refuses count("*") in a pivot, nectar takes it.)
    "pivot_values": lambda ev: (ev.groupBy("type").pivot("event", ["Added to Cart", "Order Completed", "No Such Event"])
                                .agg(F.count(F.lit(1))).orderBy("type")),
    # Without values, the column's distinct values, sorted; two aggregates.
    "pivot_no_values": lambda ev: (ev.filter("event IN ('Order Completed', 'Added to Cart', 'Product Viewed')")
                                   .groupBy(F.col("properties.vertical").alias("vertical")).pivot("event")
                                   .agg(F.round(F.sum("properties.price"), 2).alias("s"), F.count(F.lit(1)).alias("n")).orderBy("vertical")),
    # A STRING aggregate: Spark's other pivot plan.
    "pivot_string": lambda ev: (ev.groupBy("event").pivot("type", ["track", "page"]).agg(F.max("userId"))
                                .orderBy("event")),
    "grouping_sets": lambda ev: (ev.groupingSets([["type", "event"], ["type"], []], "type", "event")
                                 .agg(F.count("*").alias("n")).orderBy("type", "event")),
    "unpivot": lambda ev: (ev.filter("event = 'Order Completed'")
                           .select("messageId", F.col("properties.revenue").cast("double").alias("rev"),
                                   F.col("properties.price").cast("double").alias("price"))
                           .unpivot("messageId", ["rev", "price"], "field", "value")
                           .orderBy("messageId", "field").limit(20)),
    "melt_all_values": lambda ev: (ev.select("messageId", F.col("event").alias("e"), F.col("type").alias("t"))
                                   .melt(["messageId"], None, "k", "v").orderBy("messageId", "k").limit(10)),
    "window": lambda ev: (ev.filter("event = 'Order Completed'")
                          .select("userId", "messageId", F.row_number().over(
                              Window.partitionBy("userId").orderBy("messageId")).alias("k"))
                          .filter("k = 1").orderBy("userId").limit(10)),
}


@pytest.mark.parametrize("name", sorted(AGG_QUERIES))
def test_dataframe_ops(nectar, name):
    df = AGG_QUERIES[name](events(nectar))
    rows = df.collect()
    assert rows, name
    if SPARK:
        other = AGG_QUERIES[name](events(session_spark()))
        assert norm(rows) == norm(other.collect()), name
        if name.startswith(("pivot", "unpivot", "melt")):
            # Their columns are named by the data: the names must agree too.
            assert df.columns == other.columns, name


_spark_session = None


def session_spark():
    global _spark_session
    if _spark_session is None:
        _spark_session = SparkSession.builder.remote(SPARK).create()
    return _spark_session


def test_tail(nectar):
    df = events(nectar).select("messageId", "event").orderBy("messageId")
    last = df.tail(3)
    assert text_rows(last) == cli("SELECT messageId, event FROM events ORDER BY messageId DESC LIMIT 3")[1:][::-1]
    if SPARK:
        assert last == events(session_spark()).select("messageId", "event").orderBy("messageId").tail(3)


def numbers(rows):
    """describe()'s strings, numbers rounded (sums may differ in the last digit)."""
    def one(v):
        try:
            return round(float(v), 6)
        except (TypeError, ValueError):
            return v
    return [tuple(one(v) for v in r) for r in rows]


def test_describe(nectar):
    def pick(s):
        return events(s).select("event", F.col("properties.revenue").alias("rev"), F.col("properties.quantity").alias("qty"))
    d = pick(nectar).describe()
    assert d.columns == ["summary", "event", "rev", "qty"]
    rows = d.collect()
    assert [r.summary for r in rows] == ["count", "mean", "stddev", "min", "max"]
    assert rows[0].event == cli("SELECT count(event) FROM events")[1][0]
    if SPARK:
        assert numbers(rows) == numbers(pick(session_spark()).describe().collect())


def test_catalog(nectar):
    events(nectar).groupBy("userId").count().createOrReplaceTempView("per_user")
    tables = {t.name: (t.tableType, t.isTemporary) for t in nectar.catalog.listTables()}
    assert tables["events"] == ("EXTERNAL", False)  # nectar.yaml's source
    assert tables["per_user"] == ("TEMPORARY", True)
    assert [c.name for c in nectar.catalog.listColumns("per_user")] == ["userId", "count"]
    assert nectar.catalog.tableExists("per_user") and not nectar.catalog.tableExists("nosuch")
    assert nectar.catalog.currentDatabase() == "default"
    assert nectar.catalog.dropTempView("per_user")
    assert not nectar.catalog.tableExists("per_user")
    with pytest.raises(PySparkException, match="UNSUPPORTED_CONNECT_FEATURE"):
        nectar.catalog.createTable("t", path="/tmp/nowhere")


def test_count_matches_cli(nectar):
    n = events(nectar).filter(F.col("event") == "Added to Cart").count()
    assert str(n) == cli("SELECT count(*) FROM events WHERE event = 'Added to Cart'")[1][0]


def test_join(nectar):
    ev = events(nectar)
    adds = ev.filter(F.col("event") == "Added to Cart").groupBy("userId").agg(F.count("*").alias("adds"))
    orders = ev.filter(F.col("event") == "Order Completed").groupBy("userId").agg(F.sum("properties.revenue").alias("rev"))
    j = adds.join(orders, adds.userId == orders.userId).select(adds.userId, "adds", "rev").orderBy(F.desc("adds"), "userId")
    rows = j.collect()
    want = cli("""SELECT a.userId, a.adds, o.rev FROM
      (SELECT userId, count(*) AS adds FROM events WHERE event = 'Added to Cart' GROUP BY userId) a JOIN
      (SELECT userId, sum(properties.revenue) AS rev FROM events WHERE event = 'Order Completed' GROUP BY userId) o
      ON a.userId = o.userId ORDER BY adds DESC, userId""")[1:]
    assert text_rows(rows) == want
    using = adds.join(orders, "userId", "left").orderBy("userId")
    assert using.columns == ["userId", "adds", "rev"]
    if SPARK:
        sp = session_spark()
        e2 = events(sp)
        a2 = e2.filter(F.col("event") == "Added to Cart").groupBy("userId").agg(F.count("*").alias("adds"))
        o2 = e2.filter(F.col("event") == "Order Completed").groupBy("userId").agg(F.sum("properties.revenue").alias("rev"))
        assert norm(using.collect()) == norm(a2.join(o2, "userId", "left").orderBy("userId").collect())
        j2 = a2.join(o2, a2.userId == o2.userId).select(a2.userId, "adds", "rev").orderBy(F.desc("adds"), "userId")
        assert norm(rows) == norm(j2.collect())


def test_show(nectar):
    df = nectar.sql("SELECT event, count(*) AS n FROM events GROUP BY event ORDER BY n DESC, event")
    text = df._show_string(3, 20, False)
    lines = text.splitlines()
    assert lines[0].startswith("+") and lines[1].startswith("|") and "event" in lines[1]
    assert lines[-1] == "only showing top 3 rows"
    assert len(lines) == 3 + 4 + 1
    if SPARK:
        sp = session_spark()
        events(sp).createOrReplaceTempView("events")
        other = sp.sql("SELECT event, count(*) AS n FROM events GROUP BY event ORDER BY n DESC, event")._show_string(3, 20, False)
        assert text == other
        assert seed_dataframe(nectar)._show_string(5, 20, False) == seed_dataframe(sp)._show_string(5, 20, False)


def test_df_show(nectar, capsys):
    nectar.sql("SELECT event, count(*) AS n FROM events GROUP BY event ORDER BY n DESC, event").show(2)
    out = capsys.readouterr().out.splitlines()
    top = cli("SELECT event, count(*) AS n FROM events GROUP BY event ORDER BY n DESC, event LIMIT 2")[1:]
    assert out[1].split("|")[1:3] == ["event".rjust(len(out[1].split("|")[1])), "n".rjust(len(out[1].split("|")[2]))]
    shown = [[c.strip() for c in line.split("|")[1:3]] for line in out[3:5]]
    assert [["" if c == "NULL" else c for c in r] for r in shown] == top  # the CLI's CSV writes NULL as nothing
    assert out[-1] == "only showing top 2 rows"


def test_to_pandas(nectar):
    pdf = seed_dataframe(nectar).toPandas()
    assert list(pdf.columns) == ["variant", "hour_of_day", "added_to_cart"]
    assert int(pdf["added_to_cart"].sum()) == int(cli(
        "SELECT count(*) FROM events WHERE event = 'Added to Cart' AND properties.vertical = 'Food'")[1][0])


def test_explain(nectar, capsys):
    seed_dataframe(nectar).explain()
    out = capsys.readouterr().out
    assert "== nectar SQL ==" in out and "read_json" in out and "Aggregate" in out


def test_conf(nectar):
    nectar.conf.set("spark.sql.shuffle.partitions", "4")
    assert nectar.conf.get("spark.sql.shuffle.partitions") == "4"
    nectar.conf.unset("spark.sql.shuffle.partitions")
    assert nectar.conf.get("spark.sql.shuffle.partitions") == "200"
    assert nectar.conf.get("spark.sql.session.timeZone") == "UTC"
    nectar.conf.set("spark.sql.session.timeZone", "UTC")
    with pytest.raises(PySparkException, match="UNSUPPORTED_CONNECT_FEATURE.*timeZone"):
        nectar.conf.set("spark.sql.session.timeZone", "America/New_York")
    assert nectar.conf.get("nectar.no.such.key", "dflt") == "dflt"
    # spark.sql("SET …") is spark.conf in SQL.
    assert nectar.sql("SET spark.sql.shuffle.partitions=3").collect() == [Row(key="spark.sql.shuffle.partitions", value="3")]
    assert nectar.conf.get("spark.sql.shuffle.partitions") == "3"
    nectar.conf.unset("spark.sql.shuffle.partitions")


def test_create_dataframe_round_trip(nectar):
    data = [(1, "Food", 2.5), (2, "Books", None), (3, None, -1.0)]
    df = nectar.createDataFrame(data, ["id", "vertical", "x"])
    assert df.collect() == [Row(id=1, vertical="Food", x=2.5), Row(id=2, vertical="Books", x=None), Row(id=3, vertical=None, x=-1.0)]
    assert df.filter("x > 0").count() == 1
    df.createOrReplaceTempView("verticals")
    got = nectar.sql("""SELECT v.id, count(*) AS n FROM events e JOIN verticals v ON e.properties.vertical = v.vertical
                         GROUP BY v.id ORDER BY v.id""").collect()
    want = cli("""SELECT CASE properties.vertical WHEN 'Food' THEN 1 ELSE 2 END AS id, count(*) AS n FROM events
                  WHERE properties.vertical IN ('Food', 'Books') GROUP BY 1 ORDER BY 1""")[1:]
    assert text_rows(got) == want
    assert nectar.range(3, 10, 3).collect() == [Row(id=3), Row(id=6), Row(id=9)]


def test_sql_with_args(nectar):
    n = nectar.sql("SELECT count(*) AS n FROM events WHERE event = ? AND properties.price > ?", args=["Added to Cart", 20.5]).first().n
    assert str(n) == cli("SELECT count(*) FROM events WHERE event = 'Added to Cart' AND properties.price > 20.5")[1][0]
    named = nectar.sql("SELECT count(*) AS n FROM events WHERE event = :ev AND properties.price > :p",
                       args={"ev": "Added to Cart", "p": 20.5}).first().n
    assert named == n
    if SPARK:
        sp = session_spark()
        events(sp).createOrReplaceTempView("events")
        assert sp.sql("SELECT count(*) AS n FROM events WHERE event = :ev AND properties.price > :p",
                      args={"ev": "Added to Cart", "p": 20.5}).first().n == n


def test_unsupported_is_refused(nectar):
    with pytest.raises(PySparkException, match="UNSUPPORTED_CONNECT_FEATURE.*sample"):
        events(nectar).sample(0.1).collect()
    with pytest.raises(PySparkException, match="UNSUPPORTED_CONNECT_FEATURE.*UDF"):
        events(nectar).select(F.udf(lambda x: x)("event")).collect()


def test_artifacts_are_refused(nectar, tmp_path):
    py = tmp_path / "helper.py"
    py.write_text("X = 1\n")
    with pytest.raises(PySparkException, match="UNSUPPORTED_CONNECT_FEATURE.*artifacts"):
        nectar.addArtifacts(str(py), pyfile=True)
    # Registering a Python UDF for SQL is refused too.
    with pytest.raises(PySparkException, match="UNSUPPORTED_CONNECT_FEATURE"):
        nectar.udf.register("plus_one", lambda x: x + 1, "long")


def test_bad_column_is_an_analysis_error(nectar):
    with pytest.raises(AnalysisException, match="nosuch") as e:
        events(nectar).select("nosuch").collect()
    assert e.value.getCondition() == "UNRESOLVED_COLUMN"
    with pytest.raises(AnalysisException, match="nosuch") as e:
        nectar.sql("SELECT nosuch FROM events")
    assert e.value.getCondition() == "UNRESOLVED_COLUMN"
    with pytest.raises(ParseException) as e:
        nectar.sql("SELECT FROM WHERE")
    assert e.value.getCondition() == "PARSE_SYNTAX_ERROR" and e.value.getSqlState() == "42601"
    with pytest.raises(AnalysisException) as e:
        nectar.table("no_such_view").collect()
    assert e.value.getCondition() == "TABLE_OR_VIEW_NOT_FOUND"


def test_wrong_token_is_refused():
    bad = REMOTE.split(";token=")[0] + ";token=wrong-password"
    s = SparkSession.builder.remote(bad).create()
    try:
        with pytest.raises(PySparkException, match="authentication failed") as e:
            s.sql("SELECT 1").collect()
        assert e.value.getCondition() == "CONNECT.AUTHENTICATION_FAILED"
        assert "wrong-password" not in str(e.value)
    finally:
        s.stop()


def test_interrupt(nectar):
    long = "SELECT count(*) FROM events a CROSS JOIN events b CROSS JOIN events c WHERE a.messageId < b.messageId"
    ids = []

    def stop():
        time.sleep(1.5)
        ids.extend(nectar.interruptAll())

    t = threading.Thread(target=stop)
    t.start()
    began = time.time()
    with pytest.raises(PySparkException, match="OPERATION_CANCELED"):
        nectar.sql(long).collect()
    t.join()
    assert ids and time.time() - began < 30
    # The session still works.
    assert nectar.sql("SELECT 1 AS one").first().one == 1
