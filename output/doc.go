// Package output renders query results: an aligned table for terminals,
// CSV, JSON lines and Parquet (through package parquetfile), plus dplyr's
// glimpse view of a sample. The JSON rendering of a row (JSONRow) is also
// the form the conformance corpus compares, so it is fixed byte for byte.
package output
