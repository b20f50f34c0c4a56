// Package parquetfile reads and writes Parquet files with apache/arrow-go's
// pqarrow. The reader turns a file into nectar batches, flattening structs
// into dotted column names and rendering lists and maps as JSON text, and
// reads only the columns a query names; the writer is the sink behind
// "-o result.parquet" (package output) and maps each nectar kind to the
// Parquet type DuckDB and Spark expect.
package parquetfile
