package corpus

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Harness is one engine under test.
type Harness interface {
	// Query runs script with the given inputs (table name → NDJSON file
	// path) and dir as the directory relative read_json paths resolve
	// against; it returns the result of the last statement.
	Query(ctx context.Context, script string, inputs map[string]string, dir string) (*Result, error)
}

// CaseTimeout bounds one case, so a hung engine fails that case rather than
// the whole test binary.
var CaseTimeout = 30 * time.Second

// Run runs every case as a subtest named by Case.Name. skip maps a case name
// to the reason the harness cannot pass it; those cases are skipped with
// the reason.
func Run(t *testing.T, h Harness, cases []Case, skip map[string]string) {
	t.Helper()
	for i := range cases {
		c := &cases[i]
		t.Run(c.Name(), func(t *testing.T) {
			if reason, ok := skip[c.Name()]; ok {
				t.Skip(reason)
			}
			if msg := Check(t.Context(), h, c, t.TempDir()); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// Check runs one case with dir as its scratch directory and returns "" on
// success or a failure report showing the query, the expected and actual
// rows, and their diff.
func Check(ctx context.Context, h Harness, c *Case, dir string) string {
	inputs := make(map[string]string, len(c.Inputs))
	for _, in := range c.Inputs {
		p := filepath.Join(dir, in.Name+".jsonl")
		if err := os.WriteFile(p, []byte(in.Data), 0o644); err != nil {
			return fmt.Sprintf("write input %s: %v", p, err)
		}
		inputs[in.Name] = p
	}
	ctx, cancel := context.WithTimeout(ctx, CaseTimeout)
	defer cancel()
	res, err := h.Query(ctx, c.Query, inputs, dir)
	where := fmt.Sprintf("%s:%d\n%s\nquery:\n%s\n", c.File, c.Line, c.Comment, indent(c.Query))
	if c.Error != "" {
		if err == nil {
			return fmt.Sprintf("%sexpected error containing %q, got rows:\n%s", where, c.Error, indent(strings.Join(Render(res), "\n")))
		}
		if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(c.Error)) {
			return fmt.Sprintf("%sexpected error containing %q, got: %v", where, c.Error, err)
		}
		return ""
	}
	if err != nil {
		return fmt.Sprintf("%sunexpected error: %v", where, err)
	}
	var b strings.Builder
	if len(c.Schema) > 0 {
		got := make([]string, len(res.Schema))
		for i, col := range res.Schema {
			got[i] = col.Name + " " + col.Kind.String()
		}
		if !slices.Equal(got, c.Schema) {
			fmt.Fprintf(&b, "schema mismatch:\n%s", Diff(c.Schema, got))
		}
	}
	want, got := c.Output, Render(res)
	if !c.Ordered {
		want, got = slices.Clone(want), slices.Clone(got)
		slices.Sort(want)
		slices.Sort(got)
	}
	if !slices.Equal(want, got) {
		order := "as a multiset"
		if c.Ordered {
			order = "in order"
		}
		fmt.Fprintf(&b, "rows differ (%s)\nexpected:\n%s\nactual:\n%s\ndiff (-expected +actual):\n%s",
			order, indent(strings.Join(c.Output, "\n")), indent(strings.Join(Render(res), "\n")), Diff(want, got))
	}
	if b.Len() == 0 {
		return ""
	}
	return where + b.String()
}

func indent(s string) string {
	if s == "" {
		return "    (none)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// Diff is a line diff of want against got: an LCS table, fine for the few
// dozen rows a case holds. Lines prefixed "-" are only expected, "+" only
// actual, " " both.
func Diff(want, got []string) string {
	n, m := len(want), len(got)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && want[i] == got[j]:
			b.WriteString("     " + want[i] + "\n")
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			b.WriteString("    +" + got[j] + "\n")
			j++
		default:
			b.WriteString("    -" + want[i] + "\n")
			i++
		}
	}
	return b.String()
}
