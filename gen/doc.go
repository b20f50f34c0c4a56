// Package gen writes realistic Segment S3 archives (gzip NDJSON under
// segment-logs/<source_id>/<day_ms>/) for demos, tests and benchmarks.
// The events follow Segment's archiver shape and the v2 e-commerce spec, and
// carry a built-in A/B experiment (see Experiment) whose Model_B variant has a
// modestly better funnel, so the query engine has a real effect to find.
package gen
