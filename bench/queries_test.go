package bench

import (
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/syntax"
)

func TestQueriesAreComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, q := range Queries {
		if q.Name == "" || q.Title == "" || q.Nectar == "" || q.DuckDBText() == "" {
			t.Errorf("query %q lacks a name, title or text", q.Name)
		}
		if seen[q.Name] {
			t.Errorf("query name %q repeats", q.Name)
		}
		seen[q.Name] = true
		if !q.NoData && (!strings.Contains(q.Nectar, "{src}") || !strings.Contains(q.DuckDBText(), "{src}") && !strings.Contains(q.DuckDBText(), "'{glob}'")) {
			t.Errorf("query %q does not read {src}", q.Name)
		}
		if q.ToParquet && !strings.Contains(q.DuckDBText(), "'{out}'") {
			t.Errorf("query %q writes Parquet but DuckDB's text has no '{out}'", q.Name)
		}
	}
	for _, name := range []string{"seed", "seed_1thread", "seed_compacted", "seed_by_hour", "distinct_users", "gmv", "top_products", "select_star_parquet", "exposure_join"} {
		if !seen[name] {
			t.Errorf("issue 3's query %q is missing", name)
		}
	}
	for _, q := range Queries {
		if q.SameAs != "" && (!seen[q.SameAs] || q.SameAs == q.Name) {
			t.Errorf("query %q: SameAs %q is not another query", q.Name, q.SameAs)
		}
	}
}

// TestSeedVariantsAskTheSameQuestion keeps seed_1thread and seed_compacted
// the seed query: only threads and storage may differ.
func TestSeedVariantsAskTheSameQuestion(t *testing.T) {
	byName := map[string]Query{}
	for _, q := range Queries {
		byName[q.Name] = q
	}
	seed, one, comp := byName["seed"], byName["seed_1thread"], byName["seed_compacted"]
	if one.Nectar != seed.Nectar || one.DuckDBText() != seed.DuckDBText() || one.Threads != 1 || one.Compacted {
		t.Errorf("seed_1thread = %+v, want seed's text on 1 thread", one)
	}
	if comp.Nectar != seed.Nectar || !comp.Compacted || comp.Threads != 0 {
		t.Errorf("seed_compacted = %+v, want seed's nectar text over the compacted copy", comp)
	}
	// DuckDB's text differs only by quoting the dotted column names.
	unquoted := strings.NewReplacer(`"properties.recommender.variant"`, "properties.recommender.variant", `"properties.vertical"`, "properties.vertical").Replace(comp.DuckDB)
	if unquoted != seed.DuckDBText() {
		t.Errorf("seed_compacted's DuckDB text, unquoted:\n%s\nwant\n%s", unquoted, seed.DuckDBText())
	}
}

// TestNectarTextsParse keeps the query set in nectar's dialect.
func TestNectarTextsParse(t *testing.T) {
	for _, q := range Queries {
		if q.Mode == ModeExperiment {
			continue // a spec, checked by TestExperimentSpecParses
		}
		if _, err := syntax.ParseQuery(q.NectarSQL(DataSet{Glob: "logs/*/*/*.gz"})); err != nil {
			t.Errorf("%s: %v", q.Name, err)
		}
	}
}

func TestSubstitution(t *testing.T) {
	q := Query{Nectar: "SELECT * FROM {src}", DuckDB: "COPY (SELECT * FROM {src}) TO '{out}'"}
	ds := DataSet{Glob: "/d/it's/*.gz"}
	if got, want := q.NectarSQL(ds), `SELECT * FROM read_json('/d/it''s/*.gz')`; got != want {
		t.Errorf("NectarSQL = %s, want %s", got, want)
	}
	want := `COPY (SELECT * FROM read_json('/d/it''s/*.gz', format = 'newline_delimited')) TO '/o/x.parquet'`
	if got := q.DuckDBSQL(ds, "/o/x.parquet"); got != want {
		t.Errorf("DuckDBSQL = %s, want %s", got, want)
	}
	comp := DataSet{Dir: "/c/it's", Glob: "/c/it's/**/*.parquet", Compacted: true}
	q = Query{Nectar: "SELECT * FROM {src}"}
	if got, want := q.NectarSQL(comp), `SELECT * FROM read_parquet('/c/it''s')`; got != want {
		t.Errorf("NectarSQL over compacted = %s, want %s", got, want)
	}
	if got, want := q.DuckDBSQL(comp, ""), `SELECT * FROM read_parquet('/c/it''s/**/*.parquet', hive_partitioning = true)`; got != want {
		t.Errorf("DuckDBSQL over compacted = %s, want %s", got, want)
	}
	q = Query{Nectar: "SELECT event FROM {src}", DuckDBColumns: "{event: 'VARCHAR'}"}
	if got, want := q.DuckDBSQL(ds, ""), `SELECT event FROM read_json('/d/it''s/*.gz', format = 'newline_delimited', columns = {event: 'VARCHAR'})`; got != want {
		t.Errorf("DuckDBSQL with columns = %s, want %s", got, want)
	}
}

func TestThreads(t *testing.T) {
	if got := threads(Query{}, 2); got != 2 {
		t.Errorf("threads without override = %d, want the run's 2", got)
	}
	if got := threads(Query{Threads: 1}, 2); got != 1 {
		t.Errorf("threads with override = %d, want 1", got)
	}
}

// TestExperimentSpec keeps the bench's spec README's food-recs.yaml over
// the data set, with the glob quoted for YAML. (The bench module does not
// link nectar's experiment package, whose Spark client would come along;
// the smoke run parses the spec for real.)
func TestExperimentSpec(t *testing.T) {
	got := ExperimentSpec(DataSet{Glob: "/d/it's/**/*.gz"})
	for _, line := range []string{
		"source: '/d/it''s/**/*.gz'\n",
		"unit: anonymousId\n",
		"exposure: {event: Experiment Viewed, experiment_id: food-recs-2019-02}\n",
		"  - {name: Model_A, weight: 0.9}\n",
		"  - {name: Model_B, weight: 0.1}\n",
		"  - {name: conversion, type: binomial, event: Order Completed}\n",
		"  - {name: gmv, type: mean, event: Order Completed, value: properties.revenue}\n",
		"  - {name: ctr, type: ratio, numerator: {event: Product Clicked}, denominator: {event: Product Viewed}}\n",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("spec lacks %q:\n%s", line, got)
		}
	}
	if got := ExperimentSpec(DataSet{Dir: "/c", Glob: "/c/**/*.parquet", Compacted: true}); !strings.Contains(got, "source: '/c'\n") {
		t.Errorf("spec over a compacted copy should read its directory:\n%s", got)
	}
}

// TestNectarOnlyCases keeps the nectar-only cases off other engines and
// tied to the cases their targets compare them with.
func TestNectarOnlyCases(t *testing.T) {
	byName := map[string]Query{}
	for _, q := range Queries {
		byName[q.Name] = q
	}
	for _, name := range []string{"experiment", "stream"} {
		q := byName[name]
		if !q.NectarOnly || q.Mode == ModeQuery {
			t.Errorf("%s = %+v, want a nectar-only case with its own mode", name, q)
		}
		if Runs(DuckDB{}, q) || !Runs(Nectar{}, q) {
			t.Errorf("%s must run on nectar only", name)
		}
	}
	if byName["stream"].Nectar != byName["event_users"].Nectar || byName["stream"].SameAs != "event_users" {
		t.Error("stream must run event_users' text and be checked against its rows")
	}
	if u := byName["unit_sums"]; u.NectarOnly || u.Mode != ModeQuery {
		t.Errorf("unit_sums = %+v, want a query on every engine", u)
	}
}

func TestSparkSQL(t *testing.T) {
	byName := map[string]Query{}
	for _, q := range Queries {
		byName[q.Name] = q
	}
	raw := DataSet{Glob: "/d/*.gz"}
	if got := byName["seed"].SparkSQL(raw); strings.Contains(got, "{src}") || !strings.Contains(got, "FROM src\n") || strings.Contains(got, "read_json") {
		t.Errorf("seed for Spark reads something else than the view src:\n%s", got)
	}
	comp := DataSet{Dir: "/c", Glob: "/c/**/*.parquet", Compacted: true}
	got := byName["seed_compacted"].SparkSQL(comp)
	if !strings.Contains(got, "`properties.recommender.variant` AS variant") || strings.Contains(got, `"`) {
		t.Errorf("seed_compacted for Spark must backquote the dotted columns:\n%s", got)
	}
	if _, err := syntax.ParseQuery(got); err != nil {
		t.Errorf("seed_compacted for Spark does not parse as Spark SQL: %v", err)
	}
	if Runs(Spark{}, byName["select_star_parquet"]) || Runs(Spark{}, byName["stream"]) || !Runs(Spark{}, byName["unit_sums"]) {
		t.Error("Spark must skip the Parquet writer and nectar-only cases and run the rest")
	}
}
