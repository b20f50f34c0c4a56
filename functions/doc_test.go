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

` + "`FILTER (WHERE cond)`" + ` applies to every aggregate, ` + "`DISTINCT`" + ` to all but ` + "`min_by` and `max_by`" + `.
*Streams* marks the aggregates a continuous query keeps across micro-batches;
*OVER* those that are also window functions (on the Spark backend, only
{{sparkover}}).

| function | description | streams | OVER |
|---|---|---|---|
{{aggregates}}

## Window functions

These run only with ` + "`OVER (PARTITION BY … ORDER BY … [ROWS|RANGE BETWEEN …])`" + `, as do the
aggregates marked *OVER* above. Without a frame, the frame is the whole
partition when there is no ORDER BY, and RANGE BETWEEN UNBOUNDED PRECEDING
AND CURRENT ROW when there is, as in Spark. Ranking and offset functions read
the partition in order and ignore the frame.

| function | description |
|---|---|
{{windows}}

## Scalar functions

| function | description |
|---|---|
`

func renderDoc() string {
	var b strings.Builder
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	mark := func(ok bool) string {
		if ok {
			return "✓"
		}
		return ""
	}
	var aggs strings.Builder
	for _, a := range Aggregates() {
		doc := cell(a.Doc)
		if a.AliasOf != "" {
			doc = "same as `" + a.AliasOf + "`"
		}
		aggs.WriteString("| `" + a.Name + "` | " + doc + " | " + mark(a.Incremental) + " | " + mark(a.NotWindow == "") + " |\n")
	}
	var wins strings.Builder
	for _, w := range Windows() {
		wins.WriteString("| `" + w.Name + "` | " + cell(w.Doc) + " |\n")
	}
	var sparkOver []string
	for _, a := range Aggregates() {
		if a.SparkWindow {
			sparkOver = append(sparkOver, "`"+a.Name+"`")
		}
	}
	header := strings.Replace(docHeader, "{{sparkover}}", strings.Join(sparkOver, ", "), 1)
	header = strings.Replace(header, "{{aggregates}}\n", aggs.String(), 1)
	header = strings.Replace(header, "{{windows}}\n", wins.String(), 1)
	b.WriteString(header)
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
