package scan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// TestSeen checks what a scan reports of each column: whether any line has
// it, the kind its values need, and the values that did not fit, by type
// and file, whole files and split ranges alike.
func TestSeen(t *testing.T) {
	dir := t.TempDir()
	a := writeGz(t, dir, "a.gz", []string{
		`{"n":1,"s":"x","o":null}`,
		`{"n":2,"s":"y"}`,
	})
	b := writeGz(t, dir, "b.gz", []string{
		`{"n":"3","o":4}`,
		`{"n":4.5,"o":{"k":1}}`,
	})
	// A plain file large enough to be split into ranges, with a misfit
	// in its last range only.
	var big strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&big, `{"n":%d,"pad":"%0100d"}`+"\n", i, i)
	}
	big.WriteString(`{"n":true}` + "\n")
	c := writeFile(t, dir, "c.jsonl", []byte(big.String()))
	cols := []Column{
		{Name: "n", Path: jsonpath.Path{{Key: "n"}}, Kind: types.Int, Guess: true},
		{Name: "s", Path: jsonpath.Path{{Key: "s"}}, Kind: types.String, Guess: true},
		{Name: "o", Path: jsonpath.Path{{Key: "o"}}, Kind: types.String, Observe: true},
		{Name: "nope", Path: jsonpath.Path{{Key: "nope"}}, Kind: types.String, Observe: true},
		HiddenColumn(FileColumn),
	}
	for _, workers := range []int{1, 2} {
		t.Run(fmt.Sprint(workers, " workers"), func(t *testing.T) {
			s := NewScanner(Options{Files: []source.File{a, b, c}, Columns: cols, Workers: workers, SplitBytes: 64 << 10, SplitMinBytes: 64 << 10, Strict: true})
			drain(t, s)
			if !s.Finished() {
				t.Error("Finished() = false after the last batch")
			}
			seen := s.Seen()
			n := seen[0]
			if !n.Present || n.Kind != types.String || n.Misfits != 3 || n.MisfitFiles != 2 ||
				n.MisfitTypes[String] != 1 || n.MisfitTypes[Number] != 1 || n.MisfitTypes[Bool] != 1 {
				t.Errorf("n: %+v", n)
			}
			if got := n.MisfitText(); got != "1 string, 1 number and 1 boolean" {
				t.Errorf("MisfitText() = %q", got)
			}
			if s := seen[1]; !s.Present || s.Kind != types.String || s.Misfits != 0 {
				t.Errorf("s: %+v", s)
			}
			// Observed: null, 4 and an object make a STRING column.
			if o := seen[2]; !o.Present || o.Kind != types.String || o.Misfits != 0 {
				t.Errorf("o: %+v", o)
			}
			if nope := seen[3]; nope.Present || nope.Kind != types.Null {
				t.Errorf("nope: %+v", nope)
			}
			if st := s.Stats(); st.Conflicts != 3 {
				t.Errorf("Conflicts = %d", st.Conflicts)
			}
		})
	}
}

// TestSeenRejected checks that lines a Require rules out unread are
// counted, since Seen knows nothing of them.
func TestSeenRejected(t *testing.T) {
	dir := t.TempDir()
	f := writeGz(t, dir, "a.gz", []string{`{"e":"a","x":1}`, `{"e":"b","x":"two"}`, `{"e":"a"}`})
	cols := []Column{
		{Name: "e", Path: jsonpath.Path{{Key: "e"}}, Kind: types.String, Guess: true},
		{Name: "x", Path: jsonpath.Path{{Key: "x"}}, Kind: types.Int, Guess: true},
	}
	s := NewScanner(Options{Files: []source.File{f}, Columns: cols, Require: []Require{{Column: 0, Values: []string{"a"}}}})
	rows := drain(t, s)
	if len(rows) != 2 {
		t.Fatalf("rows %v", rows)
	}
	if st := s.Stats(); st.RejectedLines != 1 {
		t.Errorf("RejectedLines = %d, want 1", st.RejectedLines)
	}
	if x := s.Seen()[1]; x.Misfits != 0 || x.Kind != types.Int {
		t.Errorf("x: %+v (the rejected line's value must not count)", x)
	}
}

// TestSeenUnfinished: a scan closed early has not seen everything.
func TestSeenUnfinished(t *testing.T) {
	dir := t.TempDir()
	f := writeGz(t, dir, "a.gz", []string{`{"x":1}`, `{"x":2}`})
	s := NewScanner(Options{Files: []source.File{f}, Columns: []Column{{Name: "x", Path: jsonpath.Path{{Key: "x"}}, Kind: types.Int}}, BatchRows: 1})
	if _, err := s.Next(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s.Finished() {
		t.Error("Finished() = true for a scan closed after one batch")
	}
}
