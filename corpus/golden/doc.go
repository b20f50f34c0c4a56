// Package golden measures nectar against Apache Spark's own SQL golden
// files (sql/core/src/test/resources/sql-tests in apache/spark: each
// inputs/X.sql with the results/X.sql.out Spark recorded for it). Its test
// runs every statement of the chosen files through a local engine session,
// compares the answer with Spark's recorded schema and rows, sorts each
// query into a class (passed, refused where Spark refuses too, refused,
// wrong answer, …) and keeps docs/SPARK-CONFORMANCE.md and the committed
// baseline of wrong answers in step with the result.
//
// The golden files themselves are Apache-2.0 data from Spark and are not
// committed here: scripts/spark-golden.sh takes them from the test jar of
// a pinned Spark release on Maven Central into testdata/spark (which
// .gitignore keeps out of commits), and the test reads them from there or
// from NECTAR_SPARK_GOLDEN. Without them it skips, unless
// NECTAR_GOLDEN_REQUIRED is set (test.sh sets it), when it fails.
package golden
