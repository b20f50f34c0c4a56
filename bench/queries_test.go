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
		if !q.NoData && (!strings.Contains(q.Nectar, "{src}") || !strings.Contains(q.DuckDBText(), "{src}")) {
			t.Errorf("query %q does not read {src}", q.Name)
		}
		if q.ToParquet && !strings.Contains(q.DuckDBText(), "'{out}'") {
			t.Errorf("query %q writes Parquet but DuckDB's text has no '{out}'", q.Name)
		}
	}
	for _, name := range []string{"seed", "seed_by_hour", "distinct_users", "gmv", "top_products", "select_star_parquet", "exposure_join"} {
		if !seen[name] {
			t.Errorf("issue 3's query %q is missing", name)
		}
	}
}

// TestNectarTextsParse keeps the query set in nectar's dialect.
func TestNectarTextsParse(t *testing.T) {
	for _, q := range Queries {
		if _, err := syntax.ParseQuery(q.NectarSQL("logs/*/*/*.gz")); err != nil {
			t.Errorf("%s: %v", q.Name, err)
		}
	}
}

func TestSubstitution(t *testing.T) {
	q := Query{Nectar: "SELECT * FROM {src}", DuckDB: "COPY (SELECT * FROM {src}) TO '{out}'"}
	glob := "/d/it's/*.gz"
	if got, want := q.NectarSQL(glob), `SELECT * FROM read_json('/d/it''s/*.gz')`; got != want {
		t.Errorf("NectarSQL = %s, want %s", got, want)
	}
	want := `COPY (SELECT * FROM read_json('/d/it''s/*.gz', format = 'newline_delimited')) TO '/o/x.parquet'`
	if got := q.DuckDBSQL(glob, "/o/x.parquet"); got != want {
		t.Errorf("DuckDBSQL = %s, want %s", got, want)
	}
}
