// Package table owns the sources queries read: read_json over raw logs
// (its schema sampled, then checked against every line a query reads, or
// given in Spark's DDL), read_parquet over Parquet files and compacted
// copies (pruned by partitions and row-group statistics), and the union
// of a compacted copy with the raw files it does not cover yet. Each is a
// plan.Source; package engine names them in its catalog and runs the
// statements that read them. table/manifest is the format of a compacted
// copy's manifest, which package compact writes.
package table
