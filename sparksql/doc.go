// Package sparksql compiles nectar's optimised logical plan (package plan)
// into Spark SQL text that means the same on a Spark 4 cluster: every node
// becomes a SELECT over its child, and every read_json scan a temporary
// view over Spark's JSON source with a schema derived from the columns the
// plan reads. Constructs without a faithful Spark form fail up front with
// ErrUnsupported; package spark sends the result through Spark Connect.
package sparksql
