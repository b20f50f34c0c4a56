package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// TestGeneratedDrift runs queries over generated logs whose last files
// drift (string prices, a writeKey field only they have, context.campaign
// as a string) and checks every answer against plain Go over every line.
func TestGeneratedDrift(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(t.Context(), gen.Options{Out: dir, Events: 6000, Files: 12, Seed: 3, DriftFiles: 2}); err != nil {
		t.Fatal(err)
	}
	glob := filepath.Join(dir, "segment-logs", "**", "*.gz")
	paths, err := filepath.Glob(filepath.Join(dir, "segment-logs", "*", "*", "*.gz"))
	if err != nil || len(paths) != 12 {
		t.Fatalf("%d files, %v", len(paths), err)
	}
	// Plain Go over every line.
	var priceSum float64
	var prices, writeKeys, campaignNames, campaignStrings int64
	for _, lines := range readLines(t, paths) {
		for _, l := range lines {
			dec := json.NewDecoder(strings.NewReader(l))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if x, ok := jsonPath(v, "properties.price"); ok {
				f, ok := sparkDouble(x)
				if !ok {
					t.Fatalf("price %v", x)
				}
				priceSum += f
				prices++
			}
			if _, ok := jsonPath(v, "writeKey"); ok {
				writeKeys++
			}
			if _, ok := jsonPath(v, "context.campaign.name"); ok {
				campaignNames++
			}
			if x, ok := jsonPath(v, "context.campaign"); ok {
				if _, isString := x.(string); isString {
					campaignStrings++
				}
			}
		}
	}
	if writeKeys == 0 || campaignStrings == 0 || campaignNames == 0 {
		t.Fatalf("the generator wrote no drift: %d writeKeys, %d campaign strings", writeKeys, campaignStrings)
	}
	e := engine.New(engine.Options{})
	q := fmt.Sprintf(`SELECT sum(properties.price) AS price_sum, count(properties.price) AS prices, count(writeKey) AS write_keys,
		count(context.campaign.name) AS campaign_names FROM read_json('%s')`, glob)
	_, rows, err := engine.QueryRows(t.Context(), e, q)
	if err != nil {
		t.Fatal(err)
	}
	got := rows[0]
	if got[0].K != types.Float || fmt.Sprintf("%.2f", got[0].F) != fmt.Sprintf("%.2f", priceSum) || got[1].I != prices || got[2].I != writeKeys || got[3].I != campaignNames {
		t.Errorf("got %v, want %.2f %d %d %d", got, priceSum, prices, writeKeys, campaignNames)
	}
	notes := strings.Join(e.Reads().Notes(), "\n")
	for _, want := range []string{
		fmt.Sprintf("context.campaign.name: read as NULL in %d lines of 2 files where a value on its path is not an object or array (%d strings)", campaignStrings, campaignStrings),
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

// writeJSONL writes lines into dir/name and returns the path.
func writeJSONL(t *testing.T, dir, name string, lines ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDriftCases covers each way the sample can be wrong, with a sample
// of one line per file so that the second file drifts from it.
func TestDriftCases(t *testing.T) {
	dir := t.TempDir()
	writeJSONL(t, dir, "a/1.json", `{"e":"x","n":1,"o":{"k":1},"z":null}`, `{"e":"y","n":2,"o":{"k":2},"z":null}`)
	writeJSONL(t, dir, "a/2.json", `{"e":"x","n":2.5,"o":"flat","z":null}`, `{"e":"y","n":"4","o":{"k":3},"late":false,"z":8}`,
		`{"e":"x","n":1,"o":{"k":4},"late":true,"z":7}`)
	cases := []struct {
		name, query string
		want        string // rows, "|" between values, "\n" between rows; or "error: …"
		notes       []string
	}{
		{"number then string", "SELECT sum(n) FROM read_json('a')", "10.5",
			[]string{"n: 1 string and 1 number in 1 file among integers; read as STRING"}},
		{"field only late", "SELECT count(late), count(*) FROM read_json('a')", "2|5", nil},
		{"field only late is BOOLEAN", "SELECT late FROM read_json('a') WHERE late", "true", nil},
		{"nulls then integers", "SELECT sum(z), sum(z) / 2 FROM read_json('a')", "15|7.5", nil},
		{"object then string", "SELECT count(o.k) FROM read_json('a')", "4",
			[]string{"o.k: read as NULL in 1 line of 1 file where a value on its path is not an object or array (1 string)"}},
		{"select star learns late keys", "SELECT * FROM read_json('a') WHERE e = 'y' ORDER BY n",
			"y|2|{\"k\":2}|NULL|NULL\ny|4|{\"k\":3}|8|false", nil},
		{"typo", "SELECT count(lat) FROM read_json('a')", "error: [UNRESOLVED_COLUMN] unknown column lat", nil},
		{"typo with LIMIT probes every file", "SELECT lat FROM read_json('a') LIMIT 1", "error: unknown column lat", nil},
		{"late field with LIMIT is found by the probe", "SELECT late FROM read_json('a') LIMIT 1", "NULL", nil},
		{"late field in lines a filter drops unread", "SELECT count(late) FROM read_json('a') WHERE e = 'q'", "0", nil},
		{"qualified late field", "SELECT t.late FROM read_json('a') AS t WHERE t.late", "true", nil},
		{"late field ambiguous between sources", "SELECT count(late) FROM read_json('a/1.json') AS p JOIN read_json('a/2.json') AS q ON p.e = q.e",
			"error: unknown column late", nil},
		{"late field of one of two sources", "SELECT count(q.late) FROM read_json('a/1.json') AS p JOIN read_json('a/2.json') AS q ON p.e = q.e", "2", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := engine.New(engine.Options{Dir: dir, SampleLines: 1, Strict: true})
			_, rows, err := engine.QueryRows(t.Context(), e, c.query)
			if want, ok := strings.CutPrefix(c.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("error %v, want one containing %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rows {
				var vs []string
				for _, v := range r {
					vs = append(vs, v.String())
				}
				got = append(got, strings.Join(vs, "|"))
			}
			if g := strings.Join(got, "\n"); g != c.want {
				t.Errorf("got\n%s\nwant\n%s", g, c.want)
			}
			if c.notes != nil && strings.Join(e.Reads().Notes(), "\n") != strings.Join(c.notes, "\n") {
				t.Errorf("notes %q, want %q", e.Reads().Notes(), c.notes)
			}
		})
	}
}

// TestExplainChecksNames: EXPLAIN and DESCRIBE read nothing, but a name
// the sample never saw must still be in the data, as the query would
// find; a name found there is described with the kind its values have.
func TestExplainChecksNames(t *testing.T) {
	dir := t.TempDir()
	writeJSONL(t, dir, "a/1.json", `{"e":"x"}`)
	writeJSONL(t, dir, "a/2.json", `{"e":"y","late":3}`)
	e := engine.New(engine.Options{Dir: dir, SampleLines: 1})
	if _, _, err := engine.QueryRows(t.Context(), e, "EXPLAIN SELECT lat FROM read_json('a')"); err == nil || !strings.Contains(err.Error(), "unknown column lat") {
		t.Errorf("EXPLAIN of a typo: %v", err)
	}
	_, rows, err := engine.QueryRows(t.Context(), e, "DESCRIBE SELECT late FROM read_json('a')")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][1].S != "bigint" {
		t.Errorf("DESCRIBE: %v", rows)
	}
}

// TestDeclaredSchema: with a schema given, nothing is guessed: a value
// that does not fit is NULL and told by column (Spark's PERMISSIVE mode),
// a name the schema lacks is unknown at once, and --strict stops on the
// misfit.
func TestDeclaredSchema(t *testing.T) {
	dir := t.TempDir()
	writeJSONL(t, dir, "a/1.json", `{"e":"x","n":1,"o":{"k":1},"p":[{"q":1.5}]}`, `{"e":"y","n":"two","o":{"k":2},"late":1}`)
	const schema = `e STRING, n DOUBLE, o STRUCT<k: BIGINT>, p ARRAY<STRUCT<q: DOUBLE>>`
	e := engine.New(engine.Options{Dir: dir})
	q := "SELECT e, n, o.k, p[0].q, p FROM read_json('a', schema => '" + schema + "') ORDER BY e"
	schemaOut, rows, err := engine.QueryRows(t.Context(), e, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rows); got != `[[x 1.0 1 1.5 [{1.5}]] [y NULL 2 NULL NULL]]` {
		t.Errorf("rows %s", got)
	}
	if schemaOut.String() != "e STRING, n DOUBLE, k BIGINT, q DOUBLE, p ARRAY<STRUCT<q: DOUBLE>>" {
		t.Errorf("schema %s", schemaOut)
	}
	if got, want := e.Reads().Notes(), []string{"n: 1 string in 1 file did not fit DOUBLE (the schema given); read as NULL"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("notes %q, want %q", got, want)
	}
	for _, bad := range []struct{ query, err string }{
		{"SELECT late FROM read_json('a', schema => '" + schema + "')", "unknown column late"},
		{"SELECT e FROM read_json('a', schema => 'e STRNG')", "type STRNG is not one nectar reads"},
		{"SELECT e FROM read_json('a', schema => 'e STRING,')", "read_json schema: expected a name"},
		{"SELECT e FROM read_json('a', schem => 'e STRING')", "read_json has no argument schem"},
		{"SELECT e FROM read_json(schema => 'e STRING')", "read_json takes one path"},
	} {
		if _, _, err := engine.QueryRows(t.Context(), e, bad.query); err == nil || !strings.Contains(err.Error(), bad.err) {
			t.Errorf("%s: error %v, want %q", bad.query, err, bad.err)
		}
	}
	strict := engine.New(engine.Options{Dir: dir, Strict: true})
	if _, _, err := engine.QueryRows(t.Context(), strict, "SELECT count(n) FROM read_json('a', schema => 'n DOUBLE')"); err == nil || !strings.Contains(err.Error(), `column n: string "two" does not convert to DOUBLE`) {
		t.Errorf("strict: %v", err)
	}
	// nectar.yaml's schema: gives a named source the same.
	cfg := filepath.Join(dir, "nectar.yaml")
	if err := os.WriteFile(cfg, []byte("sources:\n  logs: {path: a, schema: 'e STRING, n BIGINT'}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := project.LoadConfig(cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	named := engine.New(engine.Options{})
	c.Apply(named)
	_, rows, err = engine.QueryRows(t.Context(), named, "SELECT * FROM logs ORDER BY e")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rows); got != "[[x 1] [y NULL]]" {
		t.Errorf("named source with a schema: %s", got)
	}
}

// TestFileChangedBetweenStatements: a session lists a source's files once;
// when one changes before a later statement reads it, a query whose rows
// are still held lists the files again and reads them again, while one
// whose rows already streamed out fails, naming the file.
func TestFileChangedBetweenStatements(t *testing.T) {
	dir := t.TempDir()
	p := writeJSONL(t, dir, "a/1.json", `{"id":1,"s":"x"}`, `{"id":2,"s":"y"}`)
	e := engine.New(engine.Options{Dir: dir})
	sum := func() (string, error) {
		_, rows, err := engine.QueryRows(t.Context(), e, "SELECT sum(id) FROM read_json('a')")
		return fmt.Sprint(rows), err
	}
	if got, err := sum(); err != nil || got != "[[3]]" {
		t.Fatalf("first read: %s, %v", got, err)
	}
	writeJSONL(t, dir, "a/1.json", `{"id":40,"s":"x"}`, `{"id":2,"s":"y"}`, `{"id":0,"s":"z"}`)
	if got, err := sum(); err != nil || got != "[[42]]" {
		t.Errorf("after the file changed: %s, %v", got, err)
	}
	writeJSONL(t, dir, "a/1.json", `{"id":1,"s":"only"}`)
	_, _, err := engine.QueryRows(t.Context(), e, "SELECT s FROM read_json('a')")
	if !errors.Is(err, source.ErrChanged) || !strings.Contains(err.Error(), p) {
		t.Errorf("streamed rows over a changed file: %v, want ErrChanged naming %s", err, p)
	}
}

// TestSchemaProbeReadsNothing: a query that yields no rows whatever the
// data holds (dbplyr's WHERE (0 = 1) schema probe, LIMIT 0) answers from
// the schema without scanning, but still checks the names the sample
// never saw, and describes them with the kinds their values have.
func TestSchemaProbeReadsNothing(t *testing.T) {
	dir := t.TempDir()
	writeJSONL(t, dir, "a/1.json", `{"e":"x","n":1}`)
	writeJSONL(t, dir, "a/2.json", `{"e":"y","n":2,"late":3}`, `{not json`)
	for _, c := range []struct{ query, want string }{
		{"SELECT * FROM (SELECT e, late FROM read_json('a')) q WHERE (0 = 1)", "e string, late bigint"},
		{"SELECT e, late FROM read_json('a') WHERE n > 0 AND NULL", "e string, late bigint"},
		{"SELECT e FROM read_json('a') LIMIT 0", "e string"},
		{"SELECT e, count(*) AS c FROM read_json('a') GROUP BY e HAVING 1 = 0", "e string, c bigint"},
		{"SELECT * FROM read_json('a') |> WHERE false", "e string, n bigint"},
		{"SELECT lat FROM read_json('a') WHERE 0 = 1", "error: unknown column lat"},
		{"SELECT e FROM read_json('a') WHERE 0 = 1 UNION ALL SELECT lat FROM read_json('a') WHERE 0 = 1", "error: unknown column lat"},
	} {
		t.Run(c.query, func(t *testing.T) {
			e := engine.New(engine.Options{Dir: dir, SampleLines: 1})
			schema, rows, err := engine.QueryRows(t.Context(), e, c.query)
			if want, ok := strings.CutPrefix(c.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("error %v, want one containing %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			for _, f := range schema {
				cols = append(cols, f.Name+" "+strings.ToLower(f.Kind.String()))
			}
			if got := strings.Join(cols, ", "); got != c.want || len(rows) != 0 {
				t.Errorf("schema %s with %d rows, want %s and none", got, len(rows), c.want)
			}
			if n := len(e.Reads().Scans()); n != 0 {
				t.Errorf("%d scans opened", n)
			}
			if s := e.Summary(); len(s) != 0 {
				t.Errorf("summary %q: the malformed line was read", s)
			}
		})
	}
}
