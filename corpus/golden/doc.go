// Package golden measures nectar against Apache Spark's own SQL golden
// files (sql/core/src/test/resources/sql-tests in apache/spark: each
// inputs/X.sql with the results/X.sql.out Spark recorded for it). Its test
// runs every statement of the chosen files through a local engine session,
// compares the answer with Spark's recorded schema and rows, sorts each
// query into a class (passed, refused where Spark refuses too, refused,
// wrong answer, …) and keeps docs/SPARK-CONFORMANCE.md and the committed
// baseline of wrong answers in step with the result.
//
// The golden files themselves are Apache-2.0 data from Spark's repository
// and are not committed here: the test reads them from NECTAR_SPARK_GOLDEN
// (or testdata/spark, which .gitignore keeps out of commits) and skips when
// they are absent. README.md says where they come from and how to place
// them.
package golden
