package engine_test

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
)

// TestRequiredValues checks the scanner's early drop of lines by a simple
// filter (event = 'x', event IN (…)): every answer must equal the same
// condition written so that it cannot be tested on raw bytes, over
// generated logs plus lines built to trip it (repeated and escaped keys,
// escaped values, nulls, numbers, a damaged tail).
func TestRequiredValues(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: 3000, Files: 3, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	odd := strings.Join([]string{
		`{"event":"Viewed","event":"Added to Cart","properties":{"vertical":"Food"}}`,
		`{"event":"Viewed","\u0065vent":"Added to Cart","properties":{"vertical":"Food"}}`,
		`{"event":"Added\u0020to Cart","properties":{"vertical":"Food"}}`,
		`{"event":"Added to Cart","properties":{"vertical":"Toys"},"properties":{"vertical":"Food"}}`,
		`{"event":"Added to Cart","properties":{"vertical":"Food"},"properties":{}}`,
		`{"event":null,"properties":{"vertical":"Food"}}`,
		`{"event":7,"properties":{"vertical":"Food"}}`,
		`{"properties":{"vertical":"Food"}}`,
		`{"event":"Viewed","properties":{"vertical":"Food","x":tru}}`,
	}, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "segment-logs", "odd.json"), []byte(odd), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "read_json('" + dir + "/segment-logs/**/*')"
	for _, where := range []string{
		"event = 'Added to Cart'",
		"'Added to Cart' = event AND properties.vertical = 'Food'",
		"event IN ('Added to Cart', 'Order Completed', NULL)",
		"event = 'Added to Cart' AND event = 'Order Completed'",
		"event = '7'",
		"properties.vertical = 'Food'",
	} {
		t.Run(where, func(t *testing.T) {
			q := "SELECT event, properties.vertical AS v, count(*) AS n FROM " + src + " WHERE %s GROUP BY event, v"
			early, _ := runRows(t, strings.Replace(q, "%s", where, 1))
			// concat(…) is no plain column: nothing is tested early.
			twin := strings.NewReplacer("event", "concat(event, '')", "properties.vertical", "concat(properties.vertical, '')").Replace(where)
			full, _ := runRows(t, strings.Replace(q, "%s", twin, 1))
			if !maps.Equal(early, full) {
				t.Errorf("answer differs:\n%v\nwant\n%v", early, full)
			}
		})
	}

	// The damaged last line is dropped by event before its damage is read,
	// so only a full read counts it; --bad-lines and strict read in full.
	malformed := func(where string, o engine.Options) int64 {
		e := engine.New(o)
		_, _, err := engine.QueryRows(context.Background(), e, "SELECT count(*) FROM read_json('"+dir+"/segment-logs/odd.json') WHERE "+where)
		if o.Strict {
			if err == nil {
				t.Fatalf("strict %s: no error", where)
			}
			return 1
		}
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, s := range e.Reads().Scans() {
			n += s.Stats().MalformedLines
		}
		return n
	}
	if n := malformed("event = 'Added to Cart'", engine.Options{}); n != 0 {
		t.Errorf("early drop: %d malformed lines counted, want 0 (the filter did not drop the line early)", n)
	}
	if n := malformed("concat(event, '') = 'Added to Cart'", engine.Options{}); n != 1 {
		t.Errorf("full read: %d malformed lines, want 1", n)
	}
	var bad bytes.Buffer
	if n := malformed("event = 'Added to Cart'", engine.Options{BadLines: &bad}); n != 1 || !strings.Contains(bad.String(), "tru}") {
		t.Errorf("with BadLines: %d malformed lines, records %q; want the line", n, bad.String())
	}
	malformed("event = 'Added to Cart'", engine.Options{Strict: true})
}
