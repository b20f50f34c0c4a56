"""Runs one benchmark query on a peer engine and prints its rows as CSV.

The peers are ClickHouse (chDB), Apache DataFusion and Polars, each reading
the gzip NDJSON logs itself, told the type of every field the query reads
(the fastest way each of them has; none infers here). The bench
(bench/peer.go) starts this script once per query and repetition, so the
wall time includes the interpreter's and the engine's start-up, as a
user's script pays it.

Each engine reads the fields --columns names ("event STRING,
properties.vertical STRING, …") as nested as the JSON holds them, and the
query (--query) reads them flattened, as the view src with the dots turned
into underscores (properties_vertical): the SQL is then the same for the
three engines, and each does the flattening lazily inside its own plan.

usage: peer_runner.py --engine chdb|datafusion|polars --threads N
                      --glob 'DIR/**/*.gz' --columns COLS --query SQL
"""

import argparse
import csv
import glob as globmod
import os
import sys

from rowtext import text

TYPES = {
    # nectar type: (ClickHouse, Arrow name, Polars name)
    "STRING": ("Nullable(String)", "string", "String"),
    "BIGINT": ("Nullable(Int64)", "int64", "Int64"),
    "DOUBLE": ("Nullable(Float64)", "float64", "Float64"),
    "TIMESTAMP": ("Nullable(DateTime64(3, 'UTC'))", "timestamp", "Datetime"),
}


def parse_columns(text):
    """'a STRING, b.c DOUBLE' -> [(['a'], 'STRING'), (['b', 'c'], 'DOUBLE')]"""
    out = []
    for part in text.split(","):
        path, typ = part.split()
        out.append((path.split("."), typ.upper()))
    return out


def tree(cols):
    """The nested field tree: {name: TYPE or subtree}, in first-seen order."""
    root = {}
    for path, typ in cols:
        node = root
        for name in path[:-1]:
            node = node.setdefault(name, {})
        node[path[-1]] = typ
    return root


def flat(path):
    return "_".join(path)


def write(columns, rows):
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(columns)
    for row in rows:
        out.writerow([text(v) for v in row])
    sys.stdout.flush()


def run_chdb(args, cols):
    import chdb

    def ch_type(node):
        if isinstance(node, str):
            return TYPES[node][0]
        return "Tuple(" + ", ".join("%s %s" % (k, ch_type(v)) for k, v in node.items()) + ")"

    schema = ", ".join("%s %s" % (k, ch_type(v)) for k, v in tree(cols).items())

    def access(path):
        expr = path[0]
        for name in path[1:]:
            expr = "tupleElement(%s, '%s')" % (expr, name)
        return expr

    view = ", ".join("%s AS %s" % (access(p), flat(p)) for p, _ in cols)
    sql = "WITH src AS (SELECT %s FROM file('%s', JSONEachRow, '%s')) %s SETTINGS max_threads = %d" % (
        view, args.glob, schema, args.query, args.threads)
    res = chdb.query(sql, "ArrowTable")
    write(res.column_names, zip(*[c.to_pylist() for c in res.columns]) if res.num_rows else [])


def run_datafusion(args, cols):
    import pyarrow as pa
    from datafusion import SessionConfig, SessionContext

    def arrow_type(node):
        if isinstance(node, str):
            t = TYPES[node][1]
            return pa.timestamp("ms", tz="UTC") if t == "timestamp" else pa.type_for_alias(t)
        return pa.struct([pa.field(k, arrow_type(v)) for k, v in node.items()])

    schema = pa.schema([pa.field(k, arrow_type(v)) for k, v in tree(cols).items()])
    ctx = SessionContext(SessionConfig().with_target_partitions(args.threads))
    # DataFusion lists one folder's files, not a tree or a glob: read each
    # folder the glob reaches (Segment's day folders) and union them.
    folders = sorted({os.path.dirname(f) for f in globmod.glob(args.glob, recursive=True)})
    ext = "." + args.glob.rsplit(".", 1)[-1]
    compression = "gzip" if ext == ".gz" else ""
    raw = None
    for d in folders:
        df = ctx.read_json(d + "/", schema=schema, file_extension=ext, file_compression_type=compression)
        raw = df if raw is None else raw.union(df)
    ctx.register_view("raw", raw)

    def access(path):
        expr = '"%s"' % path[0]
        for name in path[1:]:
            expr = "%s['%s']" % (expr, name)
        return expr

    view = ", ".join("%s AS %s" % (access(p), flat(p)) for p, _ in cols)
    ctx.register_view("src", ctx.sql("SELECT %s FROM raw" % view))
    res = ctx.sql(args.query).to_arrow_table()
    write(res.column_names, zip(*[c.to_pylist() for c in res.columns]) if res.num_rows else [])


def run_polars(args, cols):
    os.environ["POLARS_MAX_THREADS"] = str(args.threads)
    import polars as pl

    def pl_type(node):
        if isinstance(node, str):
            t = TYPES[node][2]
            return pl.Datetime("ms", "UTC") if t == "Datetime" else getattr(pl, t)
        return pl.Struct({k: pl_type(v) for k, v in node.items()})

    schema = {k: pl_type(v) for k, v in tree(cols).items()}
    files = sorted(globmod.glob(args.glob, recursive=True))
    lf = pl.scan_ndjson(files, schema=schema)

    def access(path):
        expr = pl.col(path[0])
        for name in path[1:]:
            expr = expr.struct.field(name)
        return expr.alias(flat(path))

    lf = lf.select([access(p) for p, _ in cols])
    res = pl.SQLContext(src=lf).execute(args.query).collect()
    write(res.columns, res.iter_rows())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", choices=["chdb", "datafusion", "polars"], required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--glob", required=True)
    ap.add_argument("--columns", required=True)
    ap.add_argument("--query", required=True, help="SQL over the view src, fields flattened with _")
    args = ap.parse_args()
    cols = parse_columns(args.columns)
    {"chdb": run_chdb, "datafusion": run_datafusion, "polars": run_polars}[args.engine](args, cols)


if __name__ == "__main__":
    main()
