// Package scan turns gzip NDJSON Segment logs into typed columnar batches:
// a hand-written JSON path extractor, schema inference by sampling, and the
// Scanner operator that reads files (via package source) in parallel and
// emits types.Batch values in file order for package exec to consume.
package scan
