// Package spark is nectar's only contact with Spark Connect: it opens a
// session on an sc:// URL, runs SQL text and turns the Arrow results into
// nectar batches. It wraps github.com/apache/spark-connect-go, a young
// client, so that replacing it touches this package alone; sparksql makes
// the SQL and engine.Spark drives both.
package spark
