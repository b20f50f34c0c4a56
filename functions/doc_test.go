package functions

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/FUNCTIONS.md from the catalogue")

const docPath = "../docs/FUNCTIONS.md"

const docHeader = `# Functions

Generated from the function catalogue (` + "`functions.All()`" + `) by
` + "`go test ./functions -run TestFunctionsDoc -update`" + `; do not edit by hand.

Names and semantics follow Spark SQL, with the session time zone UTC.
ISO-8601 strings such as Segment's ` + "`timestamp`" + ` are accepted wherever a
timestamp is expected. A function whose input it cannot read (an unparsable
date, an impossible day) returns NULL, as Spark does with ANSI mode off for
these functions; errors are reserved for mistakes in the query itself (a bad
regular expression, an unknown date pattern or time zone). Regular
expressions use Go's RE2 syntax: Java's backreferences and lookaround are
rejected with a clear error.

Operators, ` + "`CASE`, `CAST`/`TRY_CAST`, `IN`, `LIKE`/`ILIKE`/`RLIKE`, `BETWEEN`, `IS [NOT] NULL`" + ` and
` + "`coalesce`" + ` are part of the language: see [LANGUAGE.md](LANGUAGE.md).

## Aggregate functions

| function | result |
|---|---|
| ` + "`count(*)`, `count(x)`, `count(DISTINCT x)`" + ` | BIGINT: rows, non-NULL values, distinct non-NULL values |
| ` + "`count_if(cond)`" + ` | BIGINT: rows where cond is true |
| ` + "`sum(x)`" + ` | BIGINT for integers (overflow is an error), else DOUBLE (compensated summation) |
| ` + "`avg(x)`, `mean(x)`" + ` | DOUBLE |
| ` + "`min(x)`, `max(x)`" + ` | the argument's type |
| ` + "`first(x)`, `last(x)`, `any_value(x)`" + ` | the argument's type |
| ` + "`min_by(x, ord)`, `max_by(x, ord)`" + ` | x's type: x on the row with the least (greatest) ord; rows whose ord is NULL are skipped, x may be NULL. Among rows tied on ord, the least (greatest) x, NULL lowest, so the answer does not depend on file order (Spark and DuckDB return any of them; on Spark nectar orders by ` + "`struct(ord, x)`" + ` to match). Not a window function |
| ` + "`approx_count_distinct(x)`" + ` | BIGINT; computed exactly for now |
| ` + "`percentile_approx(x, p)`" + ` | the argument's type: the smallest value whose rank is at least p·n (exact) |
| ` + "`stddev`, `stddev_samp`, `stddev_pop`, `variance`, `var_samp`, `var_pop`" + ` | DOUBLE (Welford's algorithm) |

Every aggregate accepts ` + "`FILTER (WHERE cond)`" + `.

## Window functions

` + "`row_number()`, `rank()`, `dense_rank()`, `percent_rank()`, `cume_dist()`, `ntile(n)`, `lag(x[, n[, default]])`, `lead(x[, n[, default]])`, `first_value(x)`, `last_value(x)`, `nth_value(x, n)`" + `,
and ` + "`count`, `sum`, `avg`, `min`, `max`" + ` with ` + "`OVER (PARTITION BY … ORDER BY … [ROWS|RANGE BETWEEN …])`" + `.
Without a frame, the frame is the whole partition when there is no ORDER BY,
and RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW when there is, as in Spark.

## Scalar functions

| function | description |
|---|---|
`

func renderDoc() string {
	var b strings.Builder
	b.WriteString(docHeader)
	for _, f := range All() {
		doc := strings.ReplaceAll(f.Doc, "|", `\|`)
		if f.AliasOf != "" {
			doc = "same as `" + f.AliasOf + "`"
		}
		b.WriteString("| `" + f.Name + "` | " + doc + " |\n")
	}
	return b.String()
}

// TestFunctionsDoc keeps docs/FUNCTIONS.md in step with the catalogue.
func TestFunctionsDoc(t *testing.T) {
	want := renderDoc()
	if *update {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v (run go test ./functions -run TestFunctionsDoc -update)", err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date: run go test ./functions -run TestFunctionsDoc -update", docPath)
	}
}
