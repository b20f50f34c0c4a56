package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// oneRow is a table of one value, for a registered table function.
type oneRow struct{ v string }

func (oneRow) Columns() []plan.SourceColumn {
	return []plan.SourceColumn{{Name: "v", Kind: types.String}}
}
func (oneRow) Resolve(string) (types.Kind, bool) { return 0, false }
func (o oneRow) String() string                  { return "echo('" + o.v + "')" }
func (o oneRow) Open(context.Context, []plan.SourceColumn, []plan.Expr) (plan.BatchReader, error) {
	return exec.Rows(types.Schema{{Name: "v", Kind: types.String}}, [][]types.Value{{types.StringValue(o.v)}}), nil
}

func TestRegisterTableFunc(t *testing.T) {
	e := New(Options{})
	calls := 0
	e.RegisterTableFunc("Echo", func(_ context.Context, call plan.TableCall) (plan.Source, error) {
		calls++
		return oneRow{call.Args[0].S + "/" + call.Named["suffix"].S}, nil
	})
	_, rows, err := QueryRows(context.Background(), e, "SELECT v FROM echo('a', suffix => 'b'); SELECT v FROM ECHO('a', suffix => 'b')")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][0].S != "a/b" || calls < 2 {
		t.Fatalf("rows %v after %d calls", rows, calls)
	}
	// read_json is still the session's own.
	if _, _, err := QueryRows(context.Background(), e, "SELECT * FROM nope('x')"); err == nil || !strings.Contains(err.Error(), "unknown table function nope") {
		t.Fatalf("unknown function: %v", err)
	}
}
