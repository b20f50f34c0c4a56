package exec_test

import (
	"context"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// clockCall is a call of the clock function name, as the binder makes it.
func clockCall(t *testing.T, name string, k types.Kind) *plan.Call {
	t.Helper()
	fn, ok := functions.Lookup(name)
	if !ok {
		t.Fatalf("no function %s", name)
	}
	return &plan.Call{Fn: fn, K: k}
}

// TestOneInstantPerStatement checks that every row, call and subquery of a
// statement reads one instant, as Spark's ComputeCurrentTime makes it: the
// statement's clock is fixed once when Build starts (or given with
// WithInstant), not read per row or per call.
func TestOneInstantPerStatement(t *testing.T) {
	rows := make([][]types.Value, 5000)
	for i := range rows {
		rows[i] = []types.Value{types.IntValue(int64(i))}
	}
	src := &memSource{schema: types.Schema{{Name: "i", Kind: types.Int}}, rows: rows, batchRows: 7}
	scan := &plan.Scan{Source: src, Columns: src.Columns()}
	sub := &plan.Subquery{Mode: plan.ScalarSubquery, K: types.Timestamp,
		Plan: &plan.Project{Input: &plan.OneRow{}, Exprs: []plan.Expr{clockCall(t, "now", types.Timestamp)}, Names: []string{"t"}}}
	n := &plan.Project{Input: scan, Names: []string{"a", "b", "sub", "d", "u"}, Exprs: []plan.Expr{
		clockCall(t, "current_timestamp", types.Timestamp),
		clockCall(t, "localtimestamp", types.Timestamp),
		sub,
		clockCall(t, "current_date", types.Date),
		clockCall(t, "unix_timestamp", types.Int),
	}}
	run := func(ctx context.Context) [][]types.Value {
		t.Helper()
		op, err := exec.Build(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		defer op.Close()
		got, err := exec.Collect(ctx, op)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	got := run(context.Background())
	first := got[0]
	if first[0] != first[1] || first[0] != first[2] {
		t.Errorf("one row reads different instants: %v", first)
	}
	for i, r := range got {
		for j := range r {
			if r[j] != first[j] {
				t.Fatalf("row %d column %d = %v, row 0 has %v", i, j, r[j], first[j])
			}
		}
	}

	at := time.Date(2023, 11, 25, 23, 59, 59, 999999000, time.UTC)
	got = run(exec.WithInstant(context.Background(), at))
	want := []types.Value{types.TimestampValue(at), types.TimestampValue(at), types.TimestampValue(at), types.DateValue(19686), types.IntValue(1700956799)}
	for j := range want {
		if got[len(got)-1][j] != want[j] {
			t.Errorf("column %s at %v = %v, want %v", n.Names[j], at, got[len(got)-1][j], want[j])
		}
	}
}
