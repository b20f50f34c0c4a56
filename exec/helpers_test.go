package exec_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// batchSizes are the batch sizes every operator test runs with, as
// CockroachDB's operator tests do: boundaries after every row, at odd
// places, and none at all.
var batchSizes = []int{1, 2, 3, types.BatchSize}

// memSource is a plan.Source over rows built in code. Its reader reuses one
// batch and poisons it before refilling, so an operator that keeps a
// reference to a batch past the next Next sees garbage and fails its test.
type memSource struct {
	schema    types.Schema
	rows      [][]types.Value
	batchRows int
}

func (m *memSource) Columns() []plan.SourceColumn {
	out := make([]plan.SourceColumn, len(m.schema))
	for i, c := range m.schema {
		out[i] = plan.SourceColumn{Name: c.Name, Kind: c.Kind}
	}
	return out
}
func (m *memSource) Resolve(string) (types.Kind, bool) { return 0, false }
func (m *memSource) String() string                    { return "mem" }

func (m *memSource) Open(_ context.Context, cols []plan.SourceColumn, _ []plan.Expr) (plan.BatchReader, error) {
	idx := make([]int, len(cols))
	schema := make(types.Schema, len(cols))
	for i, c := range cols {
		idx[i] = m.schema.Index(c.Name)
		if idx[i] < 0 {
			return nil, fmt.Errorf("mem: no column %s", c.Name)
		}
		schema[i] = m.schema[idx[i]]
	}
	return &memReader{src: m, idx: idx, batch: types.NewBatch(schema, m.batchRows)}, nil
}

type memReader struct {
	src   *memSource
	idx   []int
	pos   int
	batch *types.Batch
}

func (r *memReader) Next(ctx context.Context) (*types.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := r.batch
	poison(b)
	b.Reset()
	for r.pos < len(r.src.rows) && b.Len < r.src.batchRows {
		for j, c := range b.Cols {
			v := r.src.rows[r.pos][r.idx[j]]
			if !v.IsNull() && v.K != c.Kind {
				panic(fmt.Sprintf("mem: row %d column %d is %s, want %s", r.pos, j, v.K, c.Kind))
			}
			c.Append(v)
		}
		b.Len++
		r.pos++
	}
	return b, nil
}

func (r *memReader) Close() error { return nil }

// poison overwrites every slot of b, including the spare capacity, so
// stale references read nonsense.
func poison(b *types.Batch) {
	for _, c := range b.Cols {
		for i := range c.Nulls[:cap(c.Nulls)] {
			c.Nulls[:cap(c.Nulls)][i] = false
		}
		for i := range c.I[:cap(c.I)] {
			c.I[:cap(c.I)][i] = -424242
		}
		for i := range c.F[:cap(c.F)] {
			c.F[:cap(c.F)][i] = -4242.42
		}
		for i := range c.S[:cap(c.S)] {
			c.S[:cap(c.S)][i] = "POISON"
		}
	}
}

// scan returns a Scan of every column of rows, read batchRows at a time.
func scan(schema types.Schema, rows [][]types.Value, batchRows int) *plan.Scan {
	src := &memSource{schema: schema, rows: rows, batchRows: batchRows}
	return &plan.Scan{Source: src, Columns: src.Columns()}
}

// run builds and drains n.
func run(t *testing.T, n plan.Node) ([][]types.Value, error) {
	t.Helper()
	ctx := context.Background()
	op, err := exec.Build(ctx, n)
	if err != nil {
		return nil, err
	}
	defer op.Close()
	return exec.Collect(ctx, op)
}

// mustRun is run for plans that must succeed.
func mustRun(t *testing.T, n plan.Node) [][]types.Value {
	t.Helper()
	rows, err := run(t, n)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// render prints rows one a line, values separated by |, NULL as "NULL".
func render(rows [][]types.Value) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		s := make([]string, len(r))
		for j, v := range r {
			s[j] = v.String()
			if v.K == types.String {
				s[j] = "'" + v.S + "'"
			}
		}
		out[i] = strings.Join(s, "|")
	}
	return out
}

// checkRows compares rows to want, in order or as multisets.
func checkRows(t *testing.T, got [][]types.Value, want []string, ordered bool) {
	t.Helper()
	g := render(got)
	w := slices.Clone(want)
	if !ordered {
		slices.Sort(g)
		slices.Sort(w)
	}
	if !slices.Equal(g, w) {
		t.Errorf("rows differ\ngot:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(w, "\n  "))
	}
}

// Shorthands for building rows and expressions.
var null = types.NullValue

func i64(v int64) types.Value    { return types.IntValue(v) }
func f64(v float64) types.Value  { return types.FloatValue(v) }
func str(s string) types.Value   { return types.StringValue(s) }
func boolean(b bool) types.Value { return types.BoolValue(b) }
func col(i int, k types.Kind) *plan.ColRef {
	return &plan.ColRef{Idx: i, Name: fmt.Sprintf("c%d", i), K: k}
}
func lit(v types.Value) *plan.Const { return &plan.Const{V: v} }
func op(code plan.OpCode, k types.Kind, args ...plan.Expr) *plan.Op {
	return &plan.Op{Op: code, Args: args, K: k}
}
