package oracle

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/nectar-dev/nectar/corpus"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/types"
)

// volumeOptions is the generated data set: a week of a realistic shop's
// Segment logs, with Segment's at-least-once duplicates but no malformed
// lines (DuckDB and nectar skip bad lines by different rules, which is not
// what this test is about).
var volumeOptions = gen.Options{Events: 30000, Files: 6, Seed: 7, Malformed: 0, Duplicates: 0.01}

// volumeGlob is the S3 layout segment-logs/<source>/<day_ms>/<file>.gz,
// relative to the generated root.
const volumeGlob = "segment-logs/*/*/*.gz"

// duckJSONOptions make DuckDB's inferred schema cover every key: the whole
// input is sampled (sample_size = -1), files with different key sets are
// merged by name, and objects whose keys are rare in the sample (most of
// properties' keys belong to one event each) stay STRUCTs instead of
// collapsing to MAP(VARCHAR, JSON), which would break dotted access. The
// filename column stands in for nectar's hidden _file.
const duckJSONOptions = "format = 'newline_delimited', union_by_name = true, sample_size = -1, filename = true, " +
	"maximum_object_size = 16777216, field_appearance_threshold = 0, map_inference_threshold = -1"

// volume holds what every volume test shares: the generated files, the
// nectar engine over them and a DuckDB connection with them loaded. It is
// built once per test binary, on first use, so the corpus tests alone do
// not pay for it.
var volume struct {
	once   sync.Once
	err    error
	dir    string
	nectar *engine.Session
	db     *sql.DB
	duck   *sql.Conn
}

func TestMain(m *testing.M) {
	code := m.Run()
	if volume.duck != nil {
		volume.duck.Close()
	}
	if volume.db != nil {
		volume.db.Close()
	}
	if volume.dir != "" {
		os.RemoveAll(volume.dir)
	}
	os.Exit(code)
}

func setupVolume(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "nectar-oracle-volume-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	volume.dir = dir
	o := volumeOptions
	o.Out = dir
	if _, err := gen.Generate(ctx, o); err != nil {
		return fmt.Errorf("generate %s: %w", dir, err)
	}
	volume.nectar = engine.New(engine.Options{Dir: dir})
	volume.nectar.DefineSource("events", "read_json", volumeGlob)

	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return fmt.Errorf("open duckdb: %w", err)
	}
	volume.db = sql.OpenDB(connector)
	// One connection, so session settings hold for every query.
	volume.duck, err = volume.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect duckdb: %w", err)
	}
	setup := append([]string{}, session...)
	// A table rather than a view: the files are parsed once, not per query.
	setup = append(setup, fmt.Sprintf("CREATE TABLE events AS SELECT * FROM read_json('%s', %s)",
		filepath.Join(dir, volumeGlob), duckJSONOptions))
	for _, s := range setup {
		if _, err := volume.duck.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("duckdb setup %q: %w", s, err)
		}
	}
	return nil
}

func volumeSetup(t *testing.T) {
	t.Helper()
	volume.once.Do(func() {
		start := time.Now()
		volume.err = setupVolume(context.Background())
		t.Logf("generated %d events and loaded them into DuckDB in %s", volumeOptions.Events, time.Since(start).Round(time.Millisecond))
	})
	if volume.err != nil {
		t.Fatal(volume.err)
	}
}

// runNectar runs script on the shared engine and returns the last result.
func runNectar(ctx context.Context, script string) (*corpus.Result, error) {
	var res *corpus.Result
	err := volume.nectar.Run(ctx, script, func(r *engine.Result) error {
		if r.Kind != engine.Rows {
			return nil
		}
		rows, err := exec.Collect(ctx, r.Rows)
		if err != nil {
			return err
		}
		res = &corpus.Result{Schema: r.Schema, Rows: rows}
		return nil
	})
	if err == nil && res == nil {
		err = fmt.Errorf("script returned no rows result")
	}
	return res, err
}

// runDuck runs a DuckDB script (after the oracle's spelling rewrites) on
// the shared connection and returns the last statement's rows. Views a
// script creates outlive it, as on the nectar side.
func runDuck(ctx context.Context, script string) (*corpus.Result, error) {
	stmts := splitStatements(rewrite(script))
	if len(stmts) == 0 {
		return nil, fmt.Errorf("empty script")
	}
	for _, s := range stmts[:len(stmts)-1] {
		if _, err := volume.duck.ExecContext(ctx, s); err != nil {
			return nil, err
		}
	}
	res, nested, err := query(ctx, volume.duck, stmts[len(stmts)-1])
	if err != nil {
		return nil, err
	}
	if len(nested) > 0 {
		return nil, fmt.Errorf("DuckDB result has nested columns %v; select scalar fields instead", nested)
	}
	return res, nil
}

func TestVolumeAgainstDuckDB(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 30,000 events; skipped with -short")
	}
	volumeSetup(t)
	seen := map[string]bool{}
	for _, q := range volumeQueries {
		if seen[q.name] {
			t.Fatalf("duplicate query name %s", q.name)
		}
		seen[q.name] = true
		t.Run(q.name, func(t *testing.T) {
			if q.skip != "" {
				t.Skip(q.skip)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			msg := compareVolume(ctx, q)
			bug, isBug := nectarBugs[q.name]
			switch {
			case msg != "" && isBug:
				t.Skipf("known nectar bug: %s\n%s", bug, msg)
			case msg != "":
				t.Errorf("nectar and DuckDB disagree\nnectar:\n%s\nduckdb:\n%s\n%s", indentText(q.nectar), indentText(q.duckText()), msg)
			case isBug:
				t.Errorf("listed in nectarBugs (%s) but nectar now agrees with DuckDB: remove the entry", bug)
			}
		})
	}
}

// compareVolume runs q on both engines and returns "" when they agree, or
// a report of the difference.
func compareVolume(ctx context.Context, q volumeQuery) string {
	start := time.Now()
	got, err := runNectar(ctx, q.nectar)
	if err != nil {
		return fmt.Sprintf("nectar failed: %v", err)
	}
	nectarTime := time.Since(start)
	want, err := runDuck(ctx, q.duckText())
	if err != nil {
		return fmt.Sprintf("DuckDB failed: %v", err)
	}
	var b strings.Builder
	gotNames, wantNames := columnNames(got.Schema), columnNames(want.Schema)
	if !slices.Equal(gotNames, wantNames) {
		fmt.Fprintf(&b, "columns differ: nectar %v, DuckDB %v\n", gotNames, wantNames)
	}
	// Agreeing on nothing proves nothing: a path both engines fail to
	// resolve reads as NULL on both sides.
	if len(want.Rows) == 0 {
		fmt.Fprintf(&b, "DuckDB returned no rows: the query checks nothing\n")
	}
	for i, c := range want.Schema {
		if !slices.ContainsFunc(want.Rows, func(r []types.Value) bool { return !r[i].IsNull() }) {
			fmt.Fprintf(&b, "column %s is NULL in every DuckDB row: the query checks nothing there\n", c.Name)
		}
	}
	g, w := corpus.Render(got), corpus.Render(want)
	switch {
	case q.tol > 0:
		if !q.ordered {
			sortForTolerance(got)
			sortForTolerance(want)
		}
		b.WriteString(compareWithin(got, want, q.tol))
	case q.ordered:
		if !slices.Equal(g, w) {
			b.WriteString(corpus.Diff(w, g))
		}
	default:
		b.WriteString(multisetDiff(w, g))
	}
	if b.Len() > 0 {
		fmt.Fprintf(&b, "(%d rows from nectar in %s, %d from DuckDB)\n", len(g), nectarTime.Round(time.Millisecond), len(w))
	}
	return b.String()
}

func columnNames(s types.Schema) []string {
	out := make([]string, len(s))
	for i, c := range s {
		out[i] = strings.ToLower(c.Name)
	}
	return out
}

// multisetDiff compares rendered rows ignoring order; it lists up to ten
// lines on each side that the other lacks.
func multisetDiff(want, got []string) string {
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	var missing, extra []string
	for l, n := range count {
		for ; n > 0; n-- {
			missing = append(missing, l)
		}
		for ; n < 0; n++ {
			extra = append(extra, l)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return ""
	}
	slices.Sort(missing)
	slices.Sort(extra)
	return fmt.Sprintf("%d rows only in DuckDB's result, %d only in nectar's\nonly DuckDB:\n%s\nonly nectar:\n%s\n",
		len(missing), len(extra), indentText(strings.Join(head(missing, 10), "\n")), indentText(strings.Join(head(extra, 10), "\n")))
}

// compareWithin compares ordered results value by value, allowing DOUBLEs a
// relative difference of tol: a sum's last bits depend on the order its
// terms are added in, which neither engine promises.
func compareWithin(got, want *corpus.Result, tol float64) string {
	if len(got.Rows) != len(want.Rows) {
		return fmt.Sprintf("nectar returned %d rows, DuckDB %d\n", len(got.Rows), len(want.Rows))
	}
	var b strings.Builder
	bad := 0
	for i := range want.Rows {
		if !rowWithin(got.Rows[i], want.Rows[i], tol) {
			if bad++; bad <= 10 {
				fmt.Fprintf(&b, "row %d:\n  duckdb %s\n  nectar %s\n", i,
					corpus.Render(&corpus.Result{Schema: want.Schema, Rows: want.Rows[i : i+1]})[0],
					corpus.Render(&corpus.Result{Schema: got.Schema, Rows: got.Rows[i : i+1]})[0])
			}
		}
	}
	if bad > 0 {
		fmt.Fprintf(&b, "%d rows differ by more than %g relative\n", bad, tol)
	}
	return b.String()
}

// sortForTolerance orders rows by their non-DOUBLE values, then by their
// DOUBLEs, so that two results equal within a tolerance line up row by row
// even though their rendered lines would sort differently.
func sortForTolerance(r *corpus.Result) {
	type keyed struct {
		key string
		row []types.Value
	}
	rows := make([]keyed, len(r.Rows))
	for n, row := range r.Rows {
		masked := slices.Clone(row)
		for i := range masked {
			if masked[i].K == types.Float {
				masked[i] = types.NullValue
			}
		}
		rows[n] = keyed{corpus.Render(&corpus.Result{Schema: r.Schema, Rows: [][]types.Value{masked}})[0], row}
	}
	slices.SortStableFunc(rows, func(a, b keyed) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		for i := range a.row {
			if a.row[i].K == types.Float && b.row[i].K == types.Float {
				if c := cmp.Compare(a.row[i].F, b.row[i].F); c != 0 {
					return c
				}
			}
		}
		return 0
	})
	for n := range rows {
		r.Rows[n] = rows[n].row
	}
}

func rowWithin(got, want []types.Value, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.K == types.Float && w.K == types.Float {
			if math.Abs(g.F-w.F) > tol*math.Max(math.Abs(g.F), math.Abs(w.F)) {
				return false
			}
			continue
		}
		one := types.Schema{{Name: "v"}}
		if corpus.Render(&corpus.Result{Schema: one, Rows: [][]types.Value{{g}}})[0] !=
			corpus.Render(&corpus.Result{Schema: one, Rows: [][]types.Value{{w}}})[0] {
			return false
		}
	}
	return true
}

func head(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("… and %d more", len(s)-n))
	}
	return s
}

func indentText(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// TestREADMEListsVolumeDifferences keeps README.md's list of skipped volume
// queries in sync with their skip reasons.
func TestREADMEListsVolumeDifferences(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "\n### Volume differences\n")
	if !ok {
		t.Fatal("README.md has no \"### Volume differences\" section")
	}
	section, _, _ := strings.Cut(rest, "\n#")
	got := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^- `volume/([^`]+)`: (.*)$").FindAllStringSubmatch(section, -1) {
		got[m[1]] = m[2]
	}
	want := map[string]string{}
	var lines []string
	for _, q := range volumeQueries {
		if q.skip != "" {
			want[q.name] = q.skip
			lines = append(lines, fmt.Sprintf("- `volume/%s`: %s", q.name, q.skip))
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("README.md's volume differences are out of sync with volumeQueries; the section should list:\n%s", strings.Join(lines, "\n"))
	}
}
