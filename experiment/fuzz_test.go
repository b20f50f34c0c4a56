package experiment

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nectar-dev/nectar/syntax"
)

// FuzzParseSpec feeds the spec reader hostile YAML: it must refuse it with
// ErrSpec or accept it, never panic, and an accepted spec must be valid
// enough to turn into SQL.
func FuzzParseSpec(f *testing.F) {
	for _, name := range []string{"food-recs.yaml", "handmade.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name: x\nvariants: [{name: a, weight: 0.5}, {name: b, weight: 0.5}]\n"))
	f.Add([]byte("metrics: [{name: m, type: ratio}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec(data, t.TempDir())
		if err != nil {
			return
		}
		if s == nil {
			t.Fatal("ParseSpec returned neither a spec nor an error")
		}
		// The SQL of an accepted spec parses: every name a spec holds is
		// quoted or checked before it reaches the query.
		if _, err := syntax.ParseScript(s.SQL()); err != nil {
			t.Fatalf("the SQL of an accepted spec does not parse: %v\n%s", err, s.SQL())
		}
	})
}
