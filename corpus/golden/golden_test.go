package golden

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/sqlconf"
	"github.com/nectar-dev/nectar/types"
)

var update = flag.Bool("update", false, "rewrite docs/SPARK-CONFORMANCE.md and baseline.json from this run")

// class is what became of one statement.
type class string

const (
	passed     class = "passed"                // nectar answered as Spark did
	bothError  class = "both refuse"           // Spark failed it and nectar refused it
	refused    class = "nectar refuses"        // Spark answered; nectar refused with an error
	wrong      class = "wrong answer"          // both answered, differently (rows or types)
	answered   class = "answers, Spark errors" // Spark failed it; nectar returned rows
	crashed    class = "crash"                 // panic or timeout: a bug whatever Spark did
	nestedText class = "nested as text"        // Spark's ARRAY, MAP or STRUCT; nectar's same values as JSON text (no nested types yet)
	zone       class = "session zone"          // differs, and the answer depends on the session time zone (Spark's tests run in America/Los_Angeles, nectar in UTC)
	command    class = "setup"                 // CREATE, INSERT, SET…: no result to compare
	underConf  class = "Spark setting"         // runs under a non-default Spark setting nectar does not have
)

// counted lists the classes the pass rate is taken over, in report order.
var counted = []class{passed, bothError, refused, wrong, answered, crashed, nestedText, zone}

type outcome struct {
	File   string
	Num    int
	Query  string
	Class  class
	Detail string
}

// goldenDir is where Spark's golden files are: NECTAR_SPARK_GOLDEN, or
// testdata/spark (kept out of commits; see README.md).
func goldenDir() string {
	if d := os.Getenv("NECTAR_SPARK_GOLDEN"); d != "" {
		return d
	}
	return filepath.Join("testdata", "spark")
}

// stmtTimeout bounds one statement; every golden query reads a few rows.
const stmtTimeout = 20 * time.Second

func TestSparkGolden(t *testing.T) {
	dir := goldenDir()
	files, _ := filepath.Glob(filepath.Join(dir, "results", "*.sql.out"))
	if len(files) == 0 {
		// test.sh fetches them (scripts/spark-golden.sh) and sets
		// NECTAR_GOLDEN_REQUIRED, so there a missing file fails the run.
		if os.Getenv("NECTAR_GOLDEN_REQUIRED") != "" {
			t.Fatalf("Spark's golden files are not in %s: run scripts/spark-golden.sh", dir)
		}
		t.Skipf("Spark's golden files are not in %s (run scripts/spark-golden.sh; see corpus/golden/README.md)", dir)
	}
	want := fileList(t)
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".sql.out"))
	}
	sort.Strings(names)
	if !slices.Equal(names, want) {
		t.Fatalf("%s holds %v, files.txt names %v", dir, names, want)
	}
	checkSums(t, dir)
	var (
		mu  sync.Mutex
		all = map[string][]outcome{}
	)
	t.Run("files", func(t *testing.T) {
		for _, name := range names {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				text, err := os.ReadFile(filepath.Join(dir, "results", name+".sql.out"))
				if err != nil {
					t.Fatal(err)
				}
				entries, err := parseOut(name, string(text))
				if err != nil {
					t.Fatal(err)
				}
				input, err := os.ReadFile(filepath.Join(dir, "inputs", name+".sql"))
				if err != nil {
					t.Fatal(err)
				}
				out := runFile(t, name, headerSettings(string(input)), entries)
				mu.Lock()
				all[name] = out
				mu.Unlock()
			})
		}
	})
	if t.Failed() {
		return
	}
	if p := os.Getenv("NECTAR_GOLDEN_REPORT"); p != "" {
		writeReport(t, p, names, all)
	}
	doc := scoreboard(names, all)
	docPath := filepath.Join("..", "..", "docs", "SPARK-CONFORMANCE.md")
	base := baselineOf(all)
	if *update {
		if err := os.WriteFile(docPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		b, _ := json.MarshalIndent(base, "", "  ")
		if err := os.WriteFile("baseline.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile("baseline.json")
	if err != nil {
		t.Fatal(err)
	}
	var was baseline
	if err := json.Unmarshal(old, &was); err != nil {
		t.Fatal(err)
	}
	// The gate: answers nectar gets wrong may only fall. A file's count
	// may move between files only through a regenerated baseline.
	for _, c := range []struct {
		name     string
		got, max int
	}{{"wrong answers", base.Wrong, was.Wrong}, {"answers where Spark errors", base.Answered, was.Answered}, {"crashes", base.Crashed, was.Crashed}} {
		if c.got > c.max {
			t.Errorf("%s grew from %d to %d: see NECTAR_GOLDEN_REPORT=/tmp/r.txt go test ./corpus/golden -run TestSparkGolden", c.name, c.max, c.got)
		}
	}
	if base.Passed < was.Passed {
		t.Errorf("queries passed fell from %d to %d", was.Passed, base.Passed)
	}
	cur, err := os.ReadFile(docPath)
	if err != nil || string(cur) != doc {
		t.Errorf("docs/SPARK-CONFORMANCE.md is stale: run go test ./corpus/golden -run TestSparkGolden -update")
	}
}

// checkSums refuses golden files other than those sha256sums.txt lists:
// another Spark commit would change the scoreboard under the baseline.
func checkSums(t *testing.T, dir string) {
	b, err := os.ReadFile("sha256sums.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		sum, name, ok := strings.Cut(l, "  ")
		if !ok {
			t.Fatalf("sha256sums.txt: bad line %q", l)
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("golden file missing: %v", err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(data)); got != sum {
			t.Fatalf("%s is not the file the baseline was measured on (sha256 %s, want %s)", name, got, sum)
		}
	}
}

// fileList is files.txt: the golden files chosen, one name a line.
func fileList(t *testing.T) []string {
	b, err := os.ReadFile("files.txt")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			names = append(names, l)
		}
	}
	sort.Strings(names)
	return names
}

type baseline struct {
	Passed   int `json:"passed"`
	Wrong    int `json:"wrong"`
	Answered int `json:"answered_where_spark_errors"`
	Crashed  int `json:"crashed"`
}

func baselineOf(all map[string][]outcome) baseline {
	var b baseline
	for _, out := range all {
		for _, o := range out {
			switch o.Class {
			case passed, bothError:
				b.Passed++
			case wrong:
				b.Wrong++
			case answered:
				b.Answered++
			case crashed:
				b.Crashed++
			}
		}
	}
	return b
}

// inertSettings change how Spark runs a query, never its answer.
var inertSettings = regexp.MustCompile(`^spark\.sql\.(codegen\.|autoBroadcastJoinThreshold|join\.|optimizer\.windowGroupLimitThreshold|optimizeNullAwareAntiJoin|adaptive\.)`)

// defaults are the values the settings golden files change have by
// default: setting one back ends its effect.
var defaults = map[string]string{
	"spark.sql.legacy.javacharsets":                              "false",
	"spark.sql.legacy.codingerroraction":                         "false",
	"spark.sql.parser.singlecharacterpipeoperator.enabled":       "true",
	"spark.sql.legacy.bangequalsnot":                             "false",
	"spark.sql.legacy.percentilediscCalculation":                 "false",
	"spark.sql.legacy.percentiledisccalculation":                 "false",
	"spark.sql.prioritizeordinalresolutioninsort.enabled":        "false",
	"spark.sql.orderbyordinal":                                   "true",
	"spark.sql.legacy.setopsprecedence.enabled":                  "false",
	"spark.sql.groupbyaliases":                                   "true",
	"spark.sql.legacy.parser.havingwithoutgroupbyaswhere":        "false",
	"spark.sql.groupbyordinal":                                   "true",
	"spark.sql.legacy.allowstarwithsingletableidentifierincount": "false",
	"spark.sql.legacy.allowparameterlesscount":                   "false",
	"spark.sql.ansi.enabled":                                     "true",
}

var setStmt = regexp.MustCompile(`(?is)^\s*set\s+([a-z0-9_.]+)\s*=\s*(.*?)\s*;?\s*$`)

// headerSettings are the settings an input file's --SET lines give the
// whole file (--SET k=v,k2=v2), as Spark's suite reads them.
func headerSettings(input string) [][2]string {
	var out [][2]string
	for _, l := range strings.Split(input, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), "--SET ")
		if !ok {
			continue
		}
		for _, kv := range strings.Split(rest, ",") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
			}
		}
	}
	return out
}

// runFile runs a golden file's statements in order in one session, under
// the file's header settings.
func runFile(t *testing.T, name string, header [][2]string, entries []entry) []outcome {
	sess := engine.New(engine.Options{Dir: t.TempDir()})
	settings := map[string]string{}
	// set makes a setting: in nectar's session when nectar honours it
	// (SET takes it), else in settings, under which answers that differ
	// from Spark's are put down to it.
	set := func(key, val string) {
		if _, honoured := sqlconf.Defaults[key]; honoured {
			if _, _, err := engine.QueryRows(context.Background(), sess, "SET "+key+" = "+val); err == nil {
				return
			}
		}
		lower, val := strings.ToLower(key), strings.ToLower(val)
		if inertSettings.MatchString(key) {
			return
		}
		if d, ok := defaults[lower]; ok && d == val {
			delete(settings, lower)
		} else {
			settings[lower] = val
		}
	}
	for _, kv := range header {
		set(kv[0], kv[1])
	}
	tables := tableShim{}
	var out []outcome
	for _, e := range entries {
		o := outcome{File: name, Num: e.Num, Query: e.Query}
		if m := setStmt.FindStringSubmatch(e.Query); m != nil {
			set(m[1], strings.TrimSpace(m[2]))
			o.Class = command
			out = append(out, o)
			continue
		}
		if regexp.MustCompile(`(?i)^\s*(reset|set\s+time\s+zone)\b`).MatchString(e.Query) {
			o.Class = command
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(e.Query)), "reset") {
				clear(settings)
				engine.QueryRows(context.Background(), sess, "RESET")
			} else {
				settings["time zone"] = e.Query
			}
			out = append(out, o)
			continue
		}
		schema, rows, err := runOne(sess, tables.translate(e.Query))
		if err != nil && e.isCommand() {
			// A table nectar could not fill must not read as empty: its
			// queries would count as wrong answers for want of the rows.
			tables.broken(sess, e.Query)
		}
		o.Class, o.Detail = classify(e, schema, rows, err)
		// Under a setting nectar lacks, an answer that agrees with Spark's
		// still counts; one that does not is put down to the setting.
		if len(settings) > 0 && o.Class != command && o.Class != passed && o.Class != bothError {
			keys := make([]string, 0, len(settings))
			for k := range settings {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			o.Class, o.Detail = underConf, strings.Join(keys, ", ")
		}
		out = append(out, o)
	}
	return out
}

// tableShim turns the tables Spark's files create into nectar views, since
// nectar has views only: CREATE TABLE t AS q is a view of q, and CREATE
// TABLE t(col type, …) then INSERT INTO t VALUES … a view over the rows
// inserted so far (VALUES cast to the declared types). The statements are
// setup: nothing of nectar's is judged by them, but the queries that read
// the tables are.
type tableShim map[string]*shimTable

type shimTable struct {
	cols, types []string
	rows        []string
}

var (
	ctas        = regexp.MustCompile(`(?is)^\s*create\s+table\s+(\w+)\s*(?:using\s+\w+\s*)?as\s+(.*)$`)
	createTable = regexp.MustCompile(`(?is)^\s*create\s+table\s+(\w+)\s*\((.*)\)\s*(?:using\s+\w+)?\s*$`)
	insertInto  = regexp.MustCompile(`(?is)^\s*insert\s+into\s+(?:table\s+)?(\w+)\s+values\s*(.*)$`)
)

func (s tableShim) translate(q string) string {
	if m := ctas.FindStringSubmatch(q); m != nil {
		return "CREATE OR REPLACE TEMPORARY VIEW " + m[1] + " AS " + m[2]
	}
	if m := createTable.FindStringSubmatch(q); m != nil {
		t := &shimTable{}
		for _, def := range splitTop(m[2]) {
			f := strings.Fields(def)
			if len(f) < 2 {
				return q
			}
			t.cols = append(t.cols, f[0])
			t.types = append(t.types, strings.Join(f[1:], " "))
		}
		s[strings.ToLower(m[1])] = t
		return s.view(m[1], t)
	}
	if m := insertInto.FindStringSubmatch(q); m != nil {
		t := s[strings.ToLower(m[1])]
		if t == nil {
			return q
		}
		t.rows = append(t.rows, m[2])
		return s.view(m[1], t)
	}
	return q
}

// broken drops the view of a table whose INSERT failed, so that queries
// reading it fail too (nectar refuses) instead of finding no rows.
func (s tableShim) broken(sess *engine.Session, q string) {
	if m := insertInto.FindStringSubmatch(q); m != nil && s[strings.ToLower(m[1])] != nil {
		runOne(sess, "DROP VIEW IF EXISTS "+m[1])
		delete(s, strings.ToLower(m[1]))
	}
}

func (tableShim) view(name string, t *shimTable) string {
	sel := make([]string, len(t.cols))
	for i, c := range t.cols {
		sel[i] = fmt.Sprintf("CAST(col%d AS %s) AS %s", i+1, t.types[i], c)
	}
	if len(t.rows) == 0 {
		nulls := make([]string, len(t.cols))
		for i := range nulls {
			nulls[i] = "NULL"
		}
		return fmt.Sprintf("CREATE OR REPLACE TEMPORARY VIEW %s AS SELECT %s FROM VALUES (%s) LIMIT 0", name, strings.Join(sel, ", "), strings.Join(nulls, ", "))
	}
	return fmt.Sprintf("CREATE OR REPLACE TEMPORARY VIEW %s AS SELECT %s FROM VALUES %s", name, strings.Join(sel, ", "), strings.Join(t.rows, ", "))
}

// splitTop splits s at commas outside parentheses and angle brackets.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(', '<':
			depth++
		case ')', '>':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

var errTimeout = errors.New("timed out")

type panicError struct{ msg string }

func (p panicError) Error() string { return p.msg }

// runOne runs one statement, turning a panic or a hang into an error of
// its own kind.
func runOne(sess *engine.Session, query string) (schema types.Schema, rows [][]types.Value, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), stmtTimeout)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				err = panicError{fmt.Sprintf("panic: %v\n%s", r, debug.Stack())}
			}
		}()
		schema, rows, err = engine.QueryRows(ctx, sess, query)
	}()
	select {
	case <-done:
		return schema, rows, err
	case <-time.After(stmtTimeout + 5*time.Second):
		return nil, nil, errTimeout
	}
}

var _ = exec.Collect

// classify compares nectar's answer to one statement with Spark's.
func classify(e entry, schema types.Schema, rows [][]types.Value, err error) (class, string) {
	var p panicError
	if errors.As(err, &p) || errors.Is(err, errTimeout) || errors.Is(err, context.DeadlineExceeded) {
		return crashed, err.Error()
	}
	switch {
	case e.isCommand():
		if err != nil {
			return command, "nectar: " + err.Error()
		}
		return command, ""
	case e.isError():
		if err != nil {
			return bothError, e.errorClass() + " / " + err.Error()
		}
		return answered, e.errorClass() + "; nectar: " + renderAll(schema, rows, nil)
	case err != nil:
		return refused, err.Error()
	}
	cols := e.columns()
	detail := fmt.Sprintf("spark: %s\n%s\nnectar: %s\n%s", e.Schema, e.Output, schemaString(schema), renderAll(schema, rows, cols))
	if len(cols) != len(schema) {
		return mismatch(e, detail)
	}
	asText := false
	for i, c := range cols {
		if isNested(c.Type) && schema[i].Kind == types.String {
			asText = true
			continue
		}
		if !compatible(c.Type, schema[i].Kind) {
			return mismatch(e, detail)
		}
	}
	got := make([][]string, len(rows))
	for i, r := range rows {
		got[i] = make([]string, len(r))
		for j, v := range r {
			got[i][j] = render(v, cols[j].Type)
		}
	}
	want := splitRows(e.rows(), len(cols))
	if len(cols) == 1 && len(got) == 1 && strings.TrimRightFunc(got[0][0], unicode.IsSpace) == e.Output {
		// SQLQueryTestSuite writes the output with its trailing
		// whitespace cut (one empty string and no row print alike), and
		// a value holding a newline as several lines.
		want = got
	}
	if !sameRows(got, want, cols, false) {
		if sameRows(got, inUTC(want, cols), cols, false) {
			// Spark printed the same instants in its suite's zone.
			return zone, detail
		}
		return mismatch(e, detail)
	}
	if ordered(e.Query) && !sameRows(got, want, cols, true) {
		// ORDER BY department leaves the order of one department's rows
		// open: when every key is an output column, only the keys' order
		// must agree.
		keys := orderKeys(e.Query, cols)
		if keys == nil || !sameRows(project(got, keys), project(want, keys), pick(cols, keys), true) {
			return mismatch(e, "order differs\n"+detail)
		}
	}
	if asText {
		return nestedText, detail
	}
	return passed, ""
}

// sparkZone is the session time zone of Spark's SQLQueryTestSuite.
var sparkZone = func() *time.Location {
	l, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return time.FixedZone("PST", -8*3600)
	}
	return l
}()

// inUTC rewrites Spark's timestamps, printed in its suite's zone, as
// nectar prints the same instants (UTC), for a query whose zone
// dependence hides in a view (timestamp_seconds in its setup).
func inUTC(rows [][]string, cols []sparkColumn) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = slices.Clone(r)
		for j, v := range r {
			if j >= len(cols) || cols[j].Type != "timestamp" {
				continue
			}
			if t, err := time.ParseInLocation("2006-01-02 15:04:05.999999", v, sparkZone); err == nil {
				u := t.UTC()
				out[i][j] = sparkYear(u.Year()) + u.Format("-01-02 15:04:05.999999")
			}
		}
	}
	return out
}

// isNested reports Spark's nested types, which nectar reads as JSON text.
func isNested(t string) bool {
	return strings.HasPrefix(t, "array<") || strings.HasPrefix(t, "map<") || strings.HasPrefix(t, "struct<")
}

// mismatch is a wrong answer, unless the answer depends on the session time
// zone, which differs between Spark's test suite and nectar.
func mismatch(e entry, detail string) (class, string) {
	if zoneDependent.MatchString(e.Query) {
		return zone, detail
	}
	return wrong, detail
}

// zoneDependent finds what makes a query's answer depend on the session
// time zone: conversions between instants and local times (epoch seconds,
// zone names and offsets in the text) and the current time.
var zoneDependent = regexp.MustCompile(`(?i)\b(unix_timestamp|to_unix_timestamp|from_unixtime|timestamp_seconds|timestamp_millis|timestamp_micros|unix_seconds|unix_millis|unix_micros|from_utc_timestamp|to_utc_timestamp|current_timezone|convert_timezone|timestamp_ltz|to_timestamp_ltz|make_timestamp_ltz|current_timestamp|current_date|now|localtimestamp|curdate)\b|'[^']*([+-]\d\d:?\d\d|\d(Z|UTC|GMT|CET|PST|PDT)|[A-Z][a-z]+/[A-Z][A-Za-z_]+)[^']*'`)

func schemaString(s types.Schema) string {
	parts := make([]string, len(s))
	for i, c := range s {
		parts[i] = c.Name + ":" + c.Kind.String()
	}
	return strings.Join(parts, ",")
}

func renderAll(schema types.Schema, rows [][]types.Value, cols []sparkColumn) string {
	var b strings.Builder
	for i, r := range rows {
		if i == 20 {
			fmt.Fprintf(&b, "… %d rows\n", len(rows))
			break
		}
		for j, v := range r {
			if j > 0 {
				b.WriteByte('\t')
			}
			t := ""
			if j < len(cols) {
				t = cols[j].Type
			}
			b.WriteString(render(v, t))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// ordered reports whether the query's own result is sorted: an ORDER BY
// outside every parenthesis (SQLQueryTestSuite sorts the rows of any other
// query before recording them).
func ordered(q string) bool {
	depth := 0
	lower := strings.ToLower(q)
	last := -1
	for i := 0; i < len(lower); i++ {
		switch c := lower[i]; c {
		case '(':
			depth++
		case ')':
			depth--
		case '\'', '"', '`':
			j := strings.IndexByte(lower[i+1:], c)
			if j < 0 {
				return false
			}
			i += j + 1
		case 'o':
			if depth == 0 && strings.HasPrefix(lower[i:], "order by") && (i == 0 || !isWord(lower[i-1])) {
				last = i
			}
		}
	}
	if last < 0 {
		return false
	}
	// A later pipe step other than LIMIT may reorder.
	rest := lower[last:]
	for _, step := range strings.Split(rest, "|>")[1:] {
		if !strings.HasPrefix(strings.TrimSpace(step), "limit") {
			return false
		}
	}
	return true
}

// orderKeys returns the output columns a query's last top-level ORDER BY
// sorts on, or nil unless every key is a plain column name (possibly
// qualified or backquoted, with ASC/DESC and NULLS FIRST/LAST) of the
// output.
func orderKeys(q string, cols []sparkColumn) []int {
	lower := strings.ToLower(q)
	at := -1
	depth := 0
	for i := 0; i < len(lower); i++ {
		switch c := lower[i]; c {
		case '(':
			depth++
		case ')':
			depth--
		case '\'', '"', '`':
			j := strings.IndexByte(lower[i+1:], c)
			if j < 0 {
				return nil
			}
			i += j + 1
		case 'o':
			if depth == 0 && strings.HasPrefix(lower[i:], "order by") && (i == 0 || !isWord(lower[i-1])) {
				at = i + len("order by")
			}
		}
	}
	if at < 0 {
		return nil
	}
	rest := q[at:]
	for _, stop := range []string{"|>", ";"} {
		if i := strings.Index(rest, stop); i >= 0 {
			rest = rest[:i]
		}
	}
	var keys []int
	for _, item := range strings.Split(rest, ",") {
		words := strings.Fields(item)
		if len(words) == 0 || strings.ContainsAny(words[0], "()+-*/'\"") {
			return nil
		}
		for _, w := range words[1:] {
			switch strings.ToLower(w) {
			case "asc", "desc", "nulls", "first", "last":
			case "limit", "offset":
				// The list ends; what follows is the count.
				goto done
			default:
				return nil
			}
		}
	done:
		name := words[0]
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		name = strings.Trim(name, "`")
		found := -1
		for j, c := range cols {
			if strings.EqualFold(c.Name, name) {
				if found >= 0 {
					return nil
				}
				found = j
			}
		}
		if found < 0 {
			return nil
		}
		keys = append(keys, found)
		if strings.Contains(strings.ToLower(item), "limit") || strings.Contains(strings.ToLower(item), "offset") {
			break
		}
	}
	return keys
}

func project(rows [][]string, keys []int) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		for _, k := range keys {
			out[i] = append(out[i], r[k])
		}
	}
	return out
}

func pick(cols []sparkColumn, keys []int) []sparkColumn {
	var out []sparkColumn
	for _, k := range keys {
		out = append(out, cols[k])
	}
	return out
}

func isWord(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func writeReport(t *testing.T, path string, names []string, all map[string][]outcome) {
	var b strings.Builder
	for _, n := range names {
		for _, o := range all[n] {
			if o.Class == passed || o.Class == command && o.Detail == "" {
				continue
			}
			fmt.Fprintf(&b, "=== %s #%d [%s]\n%s\n--- %s\n\n", n, o.Num, o.Class, o.Query, o.Detail)
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Error(err)
	}
}
