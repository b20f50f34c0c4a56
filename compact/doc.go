// Package compact converts raw Segment logs into a Parquet dataset
// partitioned by received day (and optionally by event), reading them with
// the engine's own JSON reader so schema inference and bad-line accounting
// match queries. Runs are incremental: a manifest in the destination
// (package table/manifest) records which source files went into which
// outputs, and read_parquet over the destination reads through it.
package compact
