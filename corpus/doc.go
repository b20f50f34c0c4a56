// Package corpus holds nectar's conformance corpus: plain-text .test files
// (a query, its NDJSON inputs, and the expected rows or error) embedded in
// the binary, plus the exported loader and runner, so that every engine —
// the local executor, the streaming executor, the Spark backend, and the
// DuckDB oracle that checks the expected outputs — runs the same cases
// through a small Harness interface.
package corpus
