package engine_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/nectar-dev/nectar/corpus"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/experiment"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/spark"
	"github.com/nectar-dev/nectar/types"
)

// sparkURL is the Spark Connect server the Spark tests use; they skip
// without one. scripts/spark-test.sh starts a server and sets it.
func sparkURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("NECTAR_SPARK")
	if url == "" {
		t.Skip("NECTAR_SPARK is not set: run scripts/spark-test.sh (it starts a local Spark Connect server) or set NECTAR_SPARK=sc://host:15002")
	}
	return url
}

// sparkHarness runs corpus cases on Spark, each with its own catalog and
// one shared session.
type sparkHarness struct {
	base *spark.Backend
	mu   sync.Mutex // Spark temporary views are per session: one case at a time
}

func (h *sparkHarness) Query(ctx context.Context, script string, inputs map[string]string, dir string) (*corpus.Result, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := engine.New(engine.Options{Dir: dir, Strict: true, Backend: h.base})
	for name, path := range inputs {
		e.DefineSource(name, "read_json", path)
	}
	var res *corpus.Result
	err := e.Run(ctx, script, func(r *engine.Result) error {
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
	if err != nil {
		return nil, err
	}
	return res, nil
}

// sparkSkips lists the corpus cases the Spark engine does not pass, with
// the reason; docs/SPARK.md lists the same (TestSparkDocListsSkips).
var sparkSkips = map[string]string{}

func TestCorpusOnSpark(t *testing.T) {
	url := sparkURL(t)
	cases, err := corpus.Load(corpus.Files)
	if err != nil {
		t.Fatal(err)
	}
	if err := corpus.CheckSkips(cases, sparkSkips); err != nil {
		t.Fatal(err)
	}
	base := spark.NewBackend(url)
	defer base.Close()
	// Open the session once, before the cases share it.
	if err := engine.New(engine.Options{Backend: base}).Run(t.Context(), "SELECT 1 AS one", func(r *engine.Result) error {
		_, err := exec.Collect(t.Context(), r.Rows)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	skips := map[string]string{}
	for k, v := range sparkSkips {
		skips[k] = v
	}
	for k, v := range localSkips {
		skips[k] = v
	}
	corpus.Run(t, &sparkHarness{base: base}, cases, skips)
}

// TestSparkDocListsSkips keeps docs/SPARK.md's list of cases that fail on
// Spark in sync with the skip maps.
func TestSparkDocListsSkips(t *testing.T) {
	data, err := os.ReadFile("../docs/SPARK.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for name, why := range sparkSkips {
		if line := "- `" + name + "`: " + why; !strings.Contains(doc, line) {
			t.Errorf("docs/SPARK.md lacks the line\n%s", line)
		}
	}
	for name, why := range localSkips {
		if line := "- `" + name + "`: " + why; !strings.Contains(doc, line) {
			t.Errorf("docs/SPARK.md lacks the line\n%s", line)
		}
	}
}

// TestSparkInfersRemoteSchema reads a path nectar cannot list itself
// (file:// here, s3a:// on a cluster): Spark infers the schema.
func TestSparkInfersRemoteSchema(t *testing.T) {
	url := sparkURL(t)
	dir := t.TempDir()
	data := "{\"event\":\"a\",\"properties\":{\"price\":2}}\n{\"event\":\"b\",\"properties\":{\"price\":3.5}}\n{\"event\":\"a\"}\n"
	if err := os.WriteFile(dir+"/e.jsonl", []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	b := spark.NewBackend(url)
	defer b.Close()
	e := engine.New(engine.Options{Backend: b})
	var got []string
	err := e.Run(t.Context(), "SELECT event, sum(properties.price) AS s FROM read_json('file://"+dir+"/e.jsonl') GROUP BY event ORDER BY event", func(r *engine.Result) error {
		rows, err := exec.Collect(t.Context(), r.Rows)
		for _, row := range rows {
			got = append(got, row[0].String()+"="+row[1].String())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "a=2.0 b=3.5"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// TestSparkExperimentSQL runs an experiment report's statistics query on
// Spark and locally: Spark computes the per-variant sums (issue 7 item 4)
// and they must equal the local ones, up to float summation order.
func TestSparkExperimentSQL(t *testing.T) {
	url := sparkURL(t)
	dir := t.TempDir()
	if _, err := gen.Generate(t.Context(), gen.Options{Out: dir, Events: 4000, Files: 3, Seed: 7, Days: 3}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../experiment/testdata/food-recs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := experiment.ParseSpec(data, dir)
	if err != nil {
		t.Fatal(err)
	}
	spec.Source = filepath.Join(dir, "segment-logs")
	// The generated logs spell the variant two of the three ways the
	// default expression tries; a path no line has is an error, so name
	// the two (experiment.Run finds them itself).
	spec.Exposure.Variant = "coalesce(properties.variation_id, properties.variationId)"
	if err := spec.Validate(); err != nil {
		t.Fatal(err)
	}
	query := spec.SQL()
	collect := func(e engine.Engine) [][]types.Value {
		var rows [][]types.Value
		err := e.Run(t.Context(), query, func(r *engine.Result) error {
			var err error
			rows, err = exec.Collect(t.Context(), r.Rows)
			return err
		})
		if err != nil {
			t.Fatalf("%T: %v\nquery:\n%s", e, err, query)
		}
		return rows
	}
	b := spark.NewBackend(url)
	defer b.Close()
	sp := engine.New(engine.Options{Backend: b})
	local, remote := collect(engine.New(engine.Options{})), collect(sp)
	key := func(rows [][]types.Value) {
		sort.Slice(rows, func(i, j int) bool { return fmt.Sprint(rows[i]) < fmt.Sprint(rows[j]) })
	}
	key(local)
	key(remote)
	if len(local) == 0 || len(local) != len(remote) {
		t.Fatalf("local has %d rows, Spark %d", len(local), len(remote))
	}
	for i := range local {
		for j := range local[i] {
			a, b := local[i][j], remote[i][j]
			if a.K == types.Float && b.K == types.Float && math.Abs(a.F-b.F) <= 1e-9*math.Max(1, math.Abs(a.F)) {
				continue
			}
			if a != b {
				t.Errorf("row %d column %d: local %v, Spark %v", i, j, a, b)
			}
		}
	}
}

// TestSparkDrift: Spark reads the data with the schema of every line, as
// the local engine does after checking its sample, so a field whose later
// values are strings, or that only later files have, gives the local
// answer on Spark too, whatever nectar's sample saw.
func TestSparkDrift(t *testing.T) {
	url := sparkURL(t)
	dir := t.TempDir()
	writeJSONL(t, dir, "a/1.json", `{"e":"x","n":1}`, `{"e":"y","n":2}`)
	writeJSONL(t, dir, "a/2.json", `{"e":"x","n":2.5}`, `{"e":"y","n":"4","late":false}`, `{"e":"x","n":1,"late":true}`)
	b := spark.NewBackend(url)
	defer b.Close()
	sp := engine.New(engine.Options{Dir: dir, SampleLines: 1, Backend: b})
	for _, q := range []string{
		"SELECT e, sum(n) AS s, count(late) AS l FROM read_json('a') GROUP BY e ORDER BY e",
		"SELECT late FROM read_json('a') WHERE late",
	} {
		local := engine.New(engine.Options{Dir: dir, SampleLines: 1})
		_, want, err := engine.QueryRows(t.Context(), local, q)
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := engine.QueryRows(t.Context(), sp, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: Spark %v, local %v", q, got, want)
		}
	}
	if _, _, err := engine.QueryRows(t.Context(), sp, "SELECT count(lat) FROM read_json('a')"); err == nil || !strings.Contains(err.Error(), "unknown column lat") {
		t.Errorf("a typo on Spark: %v", err)
	}
}
