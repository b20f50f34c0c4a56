# Generates duckdb.parquet (run in this folder with the duckdb Python package):
# a file written by another engine, with nested, logical and extension types.
import duckdb
duckdb.sql("""COPY (SELECT 1::INTEGER AS id, {'ip': '1.2.3.4', 'lib': {'name': 'a'}} AS context, [1,2] AS l, MAP {'k': 1.5} AS m,
 TIMESTAMP_NS '2024-01-01 00:00:00.123456789' AS tns, 12.34::DECIMAL(20,2) AS dec, 5.5::DECIMAL(4,1) AS dsmall, NULL AS nul,
 UUID '6ba7b810-9dad-11d1-80b4-00c04fd430c8' AS u, TIME '12:34:56' AS tm, 3::UTINYINT AS ut, 'x'::BLOB AS bl,
 [{'a': 1}, {'a': NULL}] AS los, TIMESTAMP '2024-05-06 07:08:09' AS tsntz, 1.5::FLOAT AS fl) TO 'duckdb.parquet' (FORMAT parquet)""")
