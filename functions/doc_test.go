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

## Nested data: constructors, higher-order functions, generators

These need more than their arguments' types, so the binder handles them
(` + "`plan/nestedbind.go`" + `); element access (` + "`a[0]`, `m['k']`, `s.f`" + `) is in
[LANGUAGE.md](LANGUAGE.md#arrays-maps-and-structs).

| function | description |
|---|---|
| ` + "`array(x, …)`" + ` | ARRAY of the arguments, widened to their common type (` + "`array(1, 2.5)`" + ` is ARRAY<DOUBLE>) |
| ` + "`map(k, v, …)`" + ` | MAP of keys and values in pairs; a NULL key or a repeated key is an error, as in Spark |
| ` + "`named_struct('name', x, …)`" + ` | STRUCT of the named fields; the names are string constants |
| ` + "`struct(x, …)`" + ` | STRUCT whose fields take the columns' names (` + "`struct(a, b.c)`" + ` has fields a and c), else col1, col2, … |
| ` + "`from_json(json, schema)`" + ` | the JSON text read as the schema's type: a column list (` + "`'a INT, b ARRAY<STRING>'`" + `, a STRUCT) or one type (` + "`'ARRAY<BIGINT>'`" + `, ` + "`'MAP<STRING, INT>'`" + `); for a STRUCT, text that is not a JSON object gives a STRUCT of NULLs (Spark's PERMISSIVE mode), for an ARRAY or MAP NULL; NULL fields where a value does not fit; the schema is a string constant |
| ` + "`transform(a, x -> f)`" + `, ` + "`transform(a, (x, i) -> f)`" + ` | ARRAY of f over each element (i is its 0-based position) |
| ` + "`filter(a, x -> cond)`" + `, ` + "`filter(a, (x, i) -> cond)`" + ` | the elements for which cond is true |
| ` + "`exists(a, x -> cond)`" + ` | true if cond is true for some element, else NULL if it is NULL for some, else false |
| ` + "`forall(a, x -> cond)`" + ` | false if cond is false for some element, else NULL if it is NULL for some, else true |
| ` + "`aggregate(a, start, (acc, x) -> merge[, acc -> finish])`" + ` | folds the elements into start with merge, then applies finish; the accumulator takes the wider of start's and merge's types (` + "`aggregate(prices, 0, (acc, x) -> acc + x)`" + ` sums doubles) |
| ` + "`reduce(…)`" + ` | same as ` + "`aggregate`" + ` |
| ` + "`zip_with(a, b, (x, y) -> f)`" + ` | ARRAY of f over the elements of a and b pairwise, the shorter padded with NULLs |
| ` + "`map_zip_with(m1, m2, (k, v1, v2) -> f)`" + ` | MAP of f over the keys of m1, then m2's other keys, with each key's value in either map (NULL where absent); the maps' keys are of one type |
| ` + "`map_filter(m, (k, v) -> cond)`" + ` | the entries for which cond is true |
| ` + "`transform_keys(m, (k, v) -> f)`" + ` | the map with each key replaced by f (a NULL or repeated key is an error) |
| ` + "`transform_values(m, (k, v) -> f)`" + ` | the map with each value replaced by f |
| ` + "`array_sort(a[, (l, r) -> cmp])`" + ` | a sorted ascending with NULLs last, or by the comparator (negative, 0 or positive; NULL is an error) |
| ` + "`explode(a)`" + `, ` + "`explode(m)`" + ` | generator: a row per element (column ` + "`col`" + `) or entry (` + "`key`, `value`" + `) |
| ` + "`posexplode(a)`" + `, ` + "`posexplode(m)`" + ` | generator: as explode with the 0-based position first (` + "`pos`" + `) |
| ` + "`inline(a)`" + ` | generator: a row per STRUCT element of a, a column per field |
| ` + "`explode_outer`, `posexplode_outer`, `inline_outer`" + ` | generators: as without _outer, but a NULL or empty input keeps its row once, with NULLs (LATERAL VIEW OUTER) |

Generators stand as a whole select item (` + "`SELECT explode(a) AS x, y FROM t`" + `, one
a select list, no aggregation in it) or in ` + "`LATERAL VIEW`" + `.

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
