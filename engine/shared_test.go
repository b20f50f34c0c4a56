package engine_test

import (
	"maps"
	"os"
	"path/filepath"
	"testing"
)

// TestSharedWith checks that a WITH query named several times is read
// once, and answers as the same query with the WITH written out inline.
func TestSharedWith(t *testing.T) {
	dir := t.TempDir()
	data := `{"u":"a","e":"view","v":1,"x":"p"}
{"u":"a","e":"order","v":5,"x":"q"}
{"u":"b","e":"view","v":2,"x":"r"}
{"u":"c","e":"order","v":7,"x":"s"}
{"u":"c","e":"view","v":3,"x":"t"}
`
	path := filepath.Join(dir, "t.jsonl")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "read_json('" + path + "')"
	shared := `WITH w AS (SELECT u, e, v, x FROM ` + src + ` WHERE v > 1)
		SELECT a.u, a.e, b.x, (SELECT count(*) FROM w) AS total
		FROM w a JOIN (SELECT u, max(x) AS x FROM w GROUP BY u) b ON a.u = b.u
		UNION ALL SELECT u, e, x, v FROM w WHERE e = 'order'`
	inline := `SELECT a.u, a.e, b.x, (SELECT count(*) FROM (SELECT u, e, v, x FROM ` + src + ` WHERE v > 1)) AS total
		FROM (SELECT u, e, v, x FROM ` + src + ` WHERE v > 1) a
		JOIN (SELECT u, max(x) AS x FROM (SELECT u, e, v, x FROM ` + src + ` WHERE v > 1) GROUP BY u) b ON a.u = b.u
		UNION ALL SELECT u, e, x, v FROM (SELECT u, e, v, x FROM ` + src + ` WHERE v > 1) WHERE e = 'order'`
	run := func(q string) (map[string]int, int) {
		rows, e := runRows(t, q)
		return rows, len(e.Reads().Scans())
	}
	got, scans := run(shared)
	want, inlineScans := run(inline)
	if !maps.Equal(got, want) {
		t.Errorf("shared WITH:\n%v\ninline:\n%v", got, want)
	}
	// The main query reads w once; the scalar subquery is planned and run
	// on its own, so it reads the file once more.
	if scans != 2 || inlineScans != 4 {
		t.Errorf("scans: shared %d (want 2), inline %d (want 4)", scans, inlineScans)
	}
}
