package bench

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// Spark runs queries on Spark local (issue 3's optional engine) through
// spark_runner.py in a child python3, one JVM per run: wall time and peak
// RSS include the JVM, as for a user's spark-submit.
type Spark struct {
	Measurer
	Python  string // python3
	Script  string // path of spark_runner.py
	Threads int    // local[N]
}

func (Spark) Name() string { return "spark" }

// Supports leaves out the queries that write Parquet: the runner prints
// rows only, and DataFrame writers lay files out unlike the other engines,
// so the file check would compare little.
func (Spark) Supports(q Query) bool { return !q.ToParquet && q.DuckDBColumns == "" }

func (s Spark) Run(ctx context.Context, q Query, ds DataSet, _ string) (Measurement, error) {
	format, path := "json", ds.Glob
	if ds.Compacted {
		format, path = "parquet", ds.Dir
	}
	return s.Measurer.Run(ctx, os.Environ(), s.Python, s.Script,
		"--threads", strconv.Itoa(threads(q, s.Threads)), "--format", format, "--path", path,
		"--query", q.SparkSQL(ds))
}

// doubleQuoted is a DuckDB quoted identifier.
var doubleQuoted = regexp.MustCompile(`"([^"]+)"`)

// SparkSQL is q's text for Spark, reading the temporary view src. Nectar's
// dialect is Spark SQL, so its text serves, except over a compacted copy:
// there the columns are named with their dots, which DuckDB's text quotes
// and Spark quotes with backticks.
func (q Query) SparkSQL(ds DataSet) string {
	text := q.Nectar
	if ds.Compacted && q.DuckDB != "" {
		text = doubleQuoted.ReplaceAllString(q.DuckDB, "`$1`")
	}
	return strings.ReplaceAll(text, "{src}", "src")
}

// SparkAvailable reports whether python3 can import pyspark, the way a
// user would run Spark local.
func SparkAvailable(python string) bool {
	return exec.Command(python, "-c", "import pyspark").Run() == nil
}
