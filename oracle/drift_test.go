package oracle

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/types"
)

// driftCase is one query over drifting logs: nectar's text, and DuckDB's
// with every line read as JSON text and each field extracted and cast the
// way a schema inferred from every line reads it (a field that holds
// numbers and strings is text, summed as DOUBLE), so that no sample of
// DuckDB's decides anything.
type driftCase struct {
	name, nectar, duck string
}

// runDriftCases runs each case on nectar (at several sample sizes, down to
// one line, so that the later files drift from the sample) and on DuckDB
// over the same files, and compares the rows.
func runDriftCases(t *testing.T, glob string, cases []driftCase) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	objects := fmt.Sprintf("read_json_objects('%s', format = 'newline_delimited')", glob)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, _, err := query(t.Context(), conn, strings.ReplaceAll(c.duck, "{objects}", objects))
			if err != nil {
				t.Fatalf("DuckDB: %v", err)
			}
			for _, sample := range []int{0, 50, 1} {
				e := engine.New(engine.Options{SampleLines: sample})
				_, rows, err := engine.QueryRows(t.Context(), e, strings.ReplaceAll(c.nectar, "{src}", "read_json('"+glob+"')"))
				if err != nil {
					t.Fatalf("sample=%d: %v", sample, err)
				}
				if g, w := fmt.Sprint(textRows(rows)), fmt.Sprint(textRows(want.Rows)); g != w {
					t.Errorf("sample=%d:\nnectar %s\nDuckDB %s", sample, g, w)
				}
			}
		})
	}
}

// canonical prints numbers as both engines' text agrees: 519.0 and 519
// are the same DOUBLE.
func canonical(s string) string { return strings.TrimSuffix(s, ".0") }

// TestRealSamplesAgainstDuckDB: the real Segment events laid out as their
// bucket listing, where properties.lead_count, opp_count and
// created_month are numbers in some files and strings in others.
func TestRealSamplesAgainstDuckDB(t *testing.T) {
	events, listing, err := gen.OpenSamples("..")
	if err != nil {
		t.Fatal(err)
	}
	defer events.Close()
	defer listing.Close()
	dir := t.TempDir()
	if _, err := gen.LayoutSamples(dir, events, listing); err != nil {
		t.Fatal(err)
	}
	glob := filepath.Join(dir, "segment-logs", "*", "*", "*.gz")
	runDriftCases(t, glob, []driftCase{
		{"lead and opp counts by day",
			`SELECT date_format(_received_day, 'yyyy-MM-dd') AS day, count(*) AS n, sum(properties.lead_count) AS leads,
			   sum(properties.opp_count) AS opps, count(properties.created_month) AS months FROM {src} GROUP BY 1 ORDER BY 1`,
			`SELECT strftime(CAST(json_extract_string(json, '$.receivedAt') AS TIMESTAMP), '%Y-%m-%d') AS day, count(*),
			   sum(TRY_CAST(json_extract_string(json, '$.properties.lead_count') AS DOUBLE)),
			   sum(TRY_CAST(json_extract_string(json, '$.properties.opp_count') AS DOUBLE)),
			   count(json_extract_string(json, '$.properties.created_month')) FROM {objects} GROUP BY 1 ORDER BY 1`},
		{"created_month as text",
			`SELECT properties.created_month AS m, count(*) AS n FROM {src} GROUP BY 1 ORDER BY 1`,
			`SELECT json_extract_string(json, '$.properties.created_month') AS m, count(*) FROM {objects} GROUP BY 1 ORDER BY 1`},
		{"channels and countries",
			`SELECT properties.mktg_channel AS c, properties.sales_territory_country AS k, count(DISTINCT anonymousId) AS users
			   FROM {src} GROUP BY 1, 2 ORDER BY 1, 2`,
			`SELECT json_extract_string(json, '$.properties.mktg_channel'), json_extract_string(json, '$.properties.sales_territory_country'),
			   count(DISTINCT json_extract_string(json, '$.anonymousId')) FROM {objects} GROUP BY 1, 2 ORDER BY 1, 2`},
	})
}

// TestGeneratedDriftAgainstDuckDB: generated logs whose last files drift:
// string prices, a writeKey only they have, context.campaign as a string.
func TestGeneratedDriftAgainstDuckDB(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(t.Context(), gen.Options{Out: dir, Events: 8000, Files: 10, Seed: 5, DriftFiles: 2}); err != nil {
		t.Fatal(err)
	}
	glob := filepath.Join(dir, "segment-logs", "*", "*", "*.gz")
	runDriftCases(t, glob, []driftCase{
		{"price by vertical",
			`SELECT properties.vertical AS v, round(sum(properties.price), 2) AS price, count(properties.price) AS n FROM {src}
			   WHERE event = 'Product Viewed' GROUP BY 1 ORDER BY 1`,
			`SELECT json_extract_string(json, '$.properties.vertical') AS v, round(sum(TRY_CAST(json_extract_string(json, '$.properties.price') AS DOUBLE)), 2),
			   count(json_extract_string(json, '$.properties.price')) FROM {objects}
			   WHERE json_extract_string(json, '$.event') = 'Product Viewed' GROUP BY 1 ORDER BY 1`},
		{"late top-level field",
			`SELECT count(writeKey) AS keys, count(*) AS n FROM {src}`,
			`SELECT count(json_extract_string(json, '$.writeKey')), count(*) FROM {objects}`},
		{"campaign names where campaign is an object",
			`SELECT context.campaign.name AS c, count(*) AS n FROM {src} GROUP BY 1 ORDER BY 1`,
			`SELECT CASE WHEN json_type(json, '$.context.campaign') = 'OBJECT' THEN json_extract_string(json, '$.context.campaign.name') END AS c,
			   count(*) FROM {objects} GROUP BY 1 ORDER BY 1 NULLS FIRST`},
	})
}

func textRows(rows [][]types.Value) [][]string {
	var out [][]string
	for _, r := range rows {
		var vs []string
		for _, v := range r {
			vs = append(vs, canonical(v.String()))
		}
		out = append(out, vs)
	}
	return out
}
