"""Python's ADBC Flight SQL driver against a running `nectar serve`.

scripts/serve-clients-test.sh starts the server on loopback with generated
logs and users, and sets:
  NECTAR_FLIGHT    grpc://127.0.0.1:PORT
  NECTAR_HTTP      http://127.0.0.1:PORT
  NECTAR_USER, NECTAR_PASSWORD
  NECTAR_BIN       the nectar binary, for the CLI's answers
  NECTAR_PROJECT   the directory of the server's nectar.yaml, whose stream
                   data_stream reads incoming/ there
  NECTAR_ARRIVALS  generated .gz files to move in, colon-separated
"""

import base64
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import adbc_driver_flightsql.dbapi as flightsql
import adbc_driver_manager
import pyarrow as pa
import pytest

URI = os.environ["NECTAR_FLIGHT"]
USER = os.environ["NECTAR_USER"]
PASSWORD = os.environ["NECTAR_PASSWORD"]

SEED = """SELECT properties.recommender.variant AS variant, hour(timestamp) AS hour_of_day, count(*) AS added_to_cart
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY variant, hour_of_day
ORDER BY variant, hour_of_day"""

ENDLESS = "SELECT a.messageId, b.messageId AS other FROM events a CROSS JOIN events b"


def connect(user=USER, password=PASSWORD):
    return flightsql.connect(URI, db_kwargs={"username": user, "password": password}, autocommit=True)


@pytest.fixture
def conn():
    with connect() as c:
        yield c


def cli(sql):
    """The CLI's answer to sql, as a list of dicts (JSON lines)."""
    out = subprocess.run(
        [os.environ["NECTAR_BIN"], "query", "--format", "json", sql],
        cwd=os.environ["NECTAR_PROJECT"], check=True, capture_output=True, text=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def query(conn, sql, parameters=None):
    with conn.cursor() as cur:
        cur.execute(sql, parameters)
        return cur.fetch_arrow_table()


def test_seed_query_equals_cli(conn):
    table = query(conn, SEED)
    assert table.column_names == ["variant", "hour_of_day", "added_to_cart"]
    assert table.schema.field("added_to_cart").type == pa.int64()
    rows = table.to_pylist()
    assert rows and rows == cli(SEED)


def test_parameters(conn):
    sql = "SELECT messageId, properties.price AS price FROM events WHERE event = ? AND properties.price > ? ORDER BY messageId"
    rows = query(conn, sql, ("Added to Cart", 20.5)).to_pylist()
    want = cli("SELECT messageId, properties.price AS price FROM events "
               "WHERE event = 'Added to Cart' AND properties.price > 20.5 ORDER BY messageId")
    assert rows and rows == want
    # A value stays a value, quotes and all.
    assert query(conn, "SELECT count(*) AS n FROM events WHERE event = ?", ("x' OR '1' = '1",)).to_pylist() == [{"n": 0}]


def test_get_objects(conn):
    objects = conn.adbc_get_objects(depth="all").read_all().to_pylist()
    tables = {t["table_name"]: t for c in objects for s in c["catalog_db_schemas"] for t in s["db_schema_tables"]}
    assert tables["events"]["table_type"] == "TABLE"
    columns = [c["column_name"] for c in tables["events"]["table_columns"]]
    assert {"event", "messageId", "timestamp"} <= set(columns)


STREAM = ("SELECT properties.recommender.variant AS expt, count(*) AS n "
          "FROM read_json('./incoming/*.gz') WHERE event = 'Added to Cart' GROUP BY 1")


def test_live_stream_table(conn):
    """The stream nectar.yaml declares runs in the server: its memory table
    is a STREAM TABLE of the catalog, unavailable before the first batch,
    then the stream's current result as each file arrives, equal to the
    CLI's batch answer over the files so far."""
    objects = conn.adbc_get_objects(depth="tables").read_all().to_pylist()
    kinds = {t["table_name"]: t["table_type"] for c in objects for s in c["catalog_db_schemas"] for t in s["db_schema_tables"]}
    assert kinds.get("data_stream") == "STREAM TABLE"
    with pytest.raises(adbc_driver_manager.Error, match="no result yet"):
        query(conn, "SELECT * FROM data_stream")

    incoming = os.path.join(os.environ["NECTAR_PROJECT"], "incoming")
    os.makedirs(incoming, exist_ok=True)
    totals = []
    for i, path in enumerate(os.environ["NECTAR_ARRIVALS"].split(":")):
        # A writer renames a finished file into place.
        shutil.copy(path, os.path.join(incoming, f".part-{i}"))
        os.rename(os.path.join(incoming, f".part-{i}"), os.path.join(incoming, f"{i}.gz"))
        want = sorted(cli(STREAM), key=lambda r: str(r["expt"]))
        deadline = time.monotonic() + 30
        while True:
            try:
                got = sorted(query(conn, "SELECT expt, n FROM data_stream").to_pylist(), key=lambda r: str(r["expt"]))
            except adbc_driver_manager.Error:
                got = None  # before the first batch
            if got == want:
                break
            assert time.monotonic() < deadline, f"after file {i}: {got}, want {want}"
            time.sleep(0.1)
        totals.append(sum(r["n"] for r in got))
    assert totals == sorted(totals) and totals[0] < totals[-1], totals
    # The table's schema, as dbplyr's glimpse asks for it.
    schema = conn.adbc_get_table_schema("data_stream")
    assert schema.names == ["expt", "n"] and schema.field("n").type == pa.int64()


def test_get_table_schema(conn):
    schema = conn.adbc_get_table_schema("events")
    assert schema.field("messageId").type == pa.string()
    assert schema.field("event").type == pa.string()
    with pytest.raises(adbc_driver_manager.Error):
        conn.adbc_get_table_schema("no_such_table")


def test_schema_probe_answers_without_scanning(conn):
    # dbplyr learns a table's columns with WHERE (0 = 1).
    table = query(conn, "SELECT * FROM (SELECT event, properties.vertical AS vertical FROM events) AS q01 WHERE (0 = 1)")
    assert table.num_rows == 0
    assert table.column_names == ["event", "vertical"]


def test_views_are_kept(conn):
    with conn.cursor() as cur:
        cur.execute("CREATE OR REPLACE VIEW carts AS SELECT * FROM events WHERE event = 'Added to Cart'")
    n = query(conn, "SELECT count(*) AS n FROM carts").to_pylist()
    assert n == cli("SELECT count(*) AS n FROM events WHERE event = 'Added to Cart'")


def test_double_quoted_identifiers(conn):
    # Spark's setting for tools that quote names with double quotes: it
    # holds for this user's later statements, and RESET ends it.
    with conn.cursor() as cur:
        cur.execute("SET spark.sql.ansi.doubleQuotedIdentifiers = true")
    try:
        n = query(conn, 'SELECT count(*) AS "n" FROM "events" WHERE "event" = \'Added to Cart\'').to_pylist()
        assert n == cli("SELECT count(*) AS n FROM events WHERE event = 'Added to Cart'")
    finally:
        with conn.cursor() as cur:
            cur.execute("RESET spark.sql.ansi.doubleQuotedIdentifiers")
    assert query(conn, 'SELECT "event" AS e FROM events LIMIT 1').to_pylist() == [{"e": "event"}]


def test_auth_accepted_and_refused():
    with connect() as c:
        assert query(c, "SELECT 1 AS one").to_pylist() == [{"one": 1}]
    for user, password in [(USER, PASSWORD + "-wrong"), ("nobody", PASSWORD)]:
        with pytest.raises(adbc_driver_manager.Error) as info:
            with connect(user, password) as c:
                query(c, "SELECT 1 AS one")
        message = str(info.value)
        assert "Unauthenticated" in message or "authentication failed" in message
        assert PASSWORD not in message


def test_large_result_streams(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT * FROM events")
        reader = cur.fetch_record_batch()
        batches = [b.num_rows for b in reader]
    assert sum(batches) == cli("SELECT count(*) AS n FROM events")[0]["n"]
    assert len(batches) > 10


def test_cancel(conn):
    with conn.cursor() as cur:
        cur.execute(ENDLESS)
        reader = cur.fetch_record_batch()
        assert reader.read_next_batch().num_rows > 0
        cur.adbc_cancel()
        with pytest.raises(Exception):
            for _ in reader:
                pass
    # The connection goes on working.
    assert query(conn, "SELECT 1 AS one").to_pylist() == [{"one": 1}]


def test_http_api():
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    req = urllib.request.Request(os.environ["NECTAR_HTTP"] + "/v1/query", data=SEED.encode(),
                                 headers={"Authorization": "Basic " + token})
    with urllib.request.urlopen(req) as resp:
        rows = [json.loads(line) for line in resp.read().decode().splitlines()]
    assert rows == cli(SEED)
    bad = urllib.request.Request(os.environ["NECTAR_HTTP"] + "/v1/query", data=b"SELECT 1")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(bad)
    assert info.value.code == 401
