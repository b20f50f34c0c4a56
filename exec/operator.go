package exec

import (
	"context"
	"errors"
	"fmt"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// Operator produces batches. A nil batch or one of length zero ends the
// stream. A returned batch is valid until the next call to Next.
type Operator interface {
	Next(ctx context.Context) (*types.Batch, error)
	Close() error
}

// Build makes the operator tree for n, first fixing the statement's
// instant for the clock functions (see WithInstant) and running any
// uncorrelated subqueries it holds.
func Build(ctx context.Context, n plan.Node) (Operator, error) {
	ctx, t := statementInstant(ctx)
	n, err := resolveSubqueries(ctx, pinInstant(n, t))
	if err != nil {
		return nil, err
	}
	bd := &builder{shared: map[int]*sharedRows{}}
	op, err := bd.build(ctx, n)
	if b, _ := ctx.Value(budgetKey{}).(*budget); b != nil && err == nil {
		// Callers pull with their own context: carry the budget along.
		op = &budgeted{Operator: op, b: b}
	}
	return op, err
}

// builder holds what the operators of one Build share: the rows of Shared
// subplans.
type builder struct {
	shared map[int]*sharedRows
}

func (bd *builder) build(ctx context.Context, n plan.Node) (Operator, error) {
	switch n := n.(type) {
	case *plan.Shared:
		st := bd.shared[n.ID]
		if st == nil {
			in, err := bd.build(ctx, n.Input)
			if err != nil {
				return nil, err
			}
			st = &sharedRows{in: in, schema: n.Schema(), what: "WITH " + n.Name}
			bd.shared[n.ID] = st
		}
		st.readers++
		return &sharedReader{st: st}, nil
	case *plan.Scan:
		r, err := n.Source.Open(ctx, n.Columns, n.Filters)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", n.Source, err)
		}
		return r, nil
	case *plan.OneRow:
		return &oneRow{}, nil
	case *plan.Values:
		return values(n)
	}
	if plan.ReadsNothing(n) {
		return Rows(n.Schema(), nil), nil
	}
	kids := n.Children()
	ins := make([]Operator, len(kids))
	for i, k := range kids {
		op, err := bd.build(ctx, k)
		if err != nil {
			closeAll(ins[:i])
			return nil, err
		}
		ins[i] = op
	}
	switch n := n.(type) {
	case *plan.Filter:
		return &filter{in: ins[0], cond: n.Cond, schema: n.Schema()}, nil
	case *plan.Project:
		return &project{in: ins[0], exprs: n.Exprs}, nil
	case *plan.Generate:
		return &generate{in: ins[0], node: n}, nil
	case *plan.Limit:
		return &limit{in: ins[0], count: n.Count, offset: n.Offset}, nil
	case *plan.Aggregate:
		if proj, outer, ok := splitDistinct(n); ok {
			pairs := &distinct{in: &project{in: ins[0], exprs: proj.Exprs}, schema: proj.Schema()}
			return &aggregate{in: pairs, node: outer}, nil
		}
		return &aggregate{in: ins[0], node: n}, nil
	case *plan.Sort:
		return &sorter{in: ins[0], node: n}, nil
	case *plan.Distinct:
		return &distinct{in: ins[0], schema: n.Schema()}, nil
	case *plan.Window:
		return &window{in: ins[0], node: n}, nil
	case *plan.Watermark:
		return ins[0], nil // only a stream has state for it to close
	case *plan.TimeWindows:
		return &timeWindows{in: ins[0], node: n}, nil
	case *plan.Expand:
		return &expand{in: ins[0], node: n}, nil
	case *plan.Join:
		return &join{left: ins[0], right: ins[1], node: n}, nil
	case *plan.SetOp:
		return &setOp{left: ins[0], right: ins[1], node: n}, nil
	}
	closeAll(ins)
	return nil, fmt.Errorf("exec: no operator for %T", n)
}

func closeAll(ops []Operator) error {
	var errs []error
	for _, op := range ops {
		if op != nil {
			errs = append(errs, op.Close())
		}
	}
	return errors.Join(errs...)
}

// Collect runs op to the end and returns every row. Used by blocking
// operators and by callers that want the whole result.
func Collect(ctx context.Context, op Operator) ([][]types.Value, error) {
	return collect(ctx, op, "the result")
}

// collect is Collect with the rows counted against the memory budget as
// held by what.
func collect(ctx context.Context, op Operator, what string) ([][]types.Value, error) {
	var rows [][]types.Value
	for {
		b, err := op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil || b.Len == 0 {
			return rows, nil
		}
		for i := 0; i < b.Len; i++ {
			row := b.Row(make([]types.Value, 0, len(b.Cols)), i)
			if err := reserve(ctx, rowSize(row), what); err != nil {
				return nil, err
			}
			rows = append(rows, row)
		}
	}
}

// values computes an inline table's rows when the query starts, so that
// an error in one (CAST('x' AS INT)) fails the query, as in Spark.
func values(n *plan.Values) (Operator, error) {
	rows := make([][]types.Value, len(n.Rows))
	for i, r := range n.Rows {
		row := make([]types.Value, len(r))
		for j, e := range r {
			v, err := EvalRow(e, nil)
			if err != nil {
				return nil, err
			}
			row[j] = coerce(v, n.Kinds[j])
		}
		rows[i] = row
	}
	return newRowSource(n.Schema(), rows), nil
}

// rowSource emits materialised rows as batches.
type rowSource struct {
	schema types.Schema
	rows   [][]types.Value
	pos    int
	batch  *types.Batch
}

func newRowSource(schema types.Schema, rows [][]types.Value) *rowSource {
	return &rowSource{schema: schema, rows: rows}
}

func (r *rowSource) Next(ctx context.Context) (*types.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.batch == nil {
		r.batch = types.NewBatch(r.schema, types.BatchSize)
	}
	r.batch.Reset()
	for r.pos < len(r.rows) && r.batch.Len < types.BatchSize {
		r.batch.AppendRow(r.rows[r.pos])
		r.pos++
	}
	return r.batch, nil
}

func (r *rowSource) Close() error { return nil }

type oneRow struct{ done bool }

func (o *oneRow) Next(context.Context) (*types.Batch, error) {
	if o.done {
		return nil, nil
	}
	o.done = true
	return &types.Batch{Len: 1}, nil
}
func (o *oneRow) Close() error { return nil }

type filter struct {
	in     Operator
	cond   plan.Expr
	schema types.Schema
	out    *types.Batch

	// A condition a AND b AND … is applied one conjunct at a time, each
	// over the rows the earlier ones left, so an expensive test behind a
	// cheap one (event = 'X' AND coalesce(…) = 'id') runs on few rows.
	// Rows an earlier conjunct makes NULL stay for the later ones, as in
	// a row-at-a-time AND that stops only at FALSE, so a later conjunct's
	// error is still raised; they just cannot pass.
	conj    []conjunct
	sel     []int32         // rows of the input batch still alive
	pass    []bool          // per alive row: every conjunct so far TRUE
	idx     []int32         // the rows that pass, reused batch to batch
	scratch types.Batch     // a conjunct's columns for the alive rows
	own     []*types.Vector // the filter's copies of those columns
}

// conjunct is one AND-ed condition rewritten over just the columns it
// reads (cols, in input order).
type conjunct struct {
	cond  plan.Expr
	cols  []int
	kinds types.Schema
}

func splitAnd(e plan.Expr, out []plan.Expr) []plan.Expr {
	if op, ok := e.(*plan.Op); ok && op.Op == plan.OpAnd {
		for _, a := range op.Args {
			out = splitAnd(a, out)
		}
		return out
	}
	return append(out, e)
}

func (f *filter) prepare() {
	for _, c := range splitAnd(f.cond, nil) {
		need := map[int]bool{}
		plan.Columns(c, need)
		m := map[int]int{}
		var k conjunct
		for i, col := range f.schema {
			if need[i] {
				m[i] = len(k.cols)
				k.cols = append(k.cols, i)
				k.kinds = append(k.kinds, col)
			}
		}
		k.cond = plan.Remap(c, m)
		f.conj = append(f.conj, k)
	}
}

func (f *filter) Next(ctx context.Context) (*types.Batch, error) {
	if f.out == nil {
		f.out = types.NewBatch(f.schema, types.BatchSize)
		f.prepare()
	}
	for {
		b, err := f.in.Next(ctx)
		if err != nil || b == nil || b.Len == 0 {
			return nil, err
		}
		if err := f.apply(b); err != nil {
			return nil, err
		}
		f.out.Reset()
		idx := f.idx[:0]
		for i, r := range f.sel {
			if f.pass[i] {
				idx = append(idx, r)
			}
		}
		f.idx = idx
		if len(idx) == 0 {
			continue
		}
		if len(idx) == b.Len {
			for j, c := range b.Cols {
				appendVector(f.out.Cols[j], c)
			}
		} else {
			gather(f.out.Cols, b.Cols, idx)
		}
		f.out.Len = len(idx)
		return f.out, nil
	}
}

// apply evaluates the conjuncts over b, leaving in f.sel the rows no
// conjunct made FALSE and in f.pass which of them every conjunct made TRUE.
func (f *filter) apply(b *types.Batch) error {
	f.sel, f.pass = f.sel[:0], f.pass[:0]
	for i := 0; i < b.Len; i++ {
		f.sel = append(f.sel, int32(i))
		f.pass = append(f.pass, true)
	}
	for _, k := range f.conj {
		if len(f.sel) == 0 {
			return nil
		}
		in := &f.scratch
		in.Len = len(f.sel)
		in.Cols = in.Cols[:0]
		for i, c := range k.cols {
			if len(f.sel) == b.Len {
				in.Cols = append(in.Cols, b.Cols[c]) // nothing dropped yet: no copy
				continue
			}
			for len(f.own) <= i {
				f.own = append(f.own, &types.Vector{})
			}
			v := f.own[i]
			v.Kind = b.Cols[c].Kind
			v.Reset()
			gather([]*types.Vector{v}, b.Cols[c:c+1], f.sel)
			in.Cols = append(in.Cols, v)
		}
		mask, err := Eval(k.cond, in)
		if err != nil {
			return err
		}
		kept := 0
		for i := range f.sel {
			isNull := mask.Nulls[i]
			if !isNull && mask.I[i] == 0 {
				continue // FALSE: the row is out
			}
			f.sel[kept] = f.sel[i]
			f.pass[kept] = f.pass[i] && !isNull
			kept++
		}
		f.sel, f.pass = f.sel[:kept], f.pass[:kept]
	}
	return nil
}
func (f *filter) Close() error { return f.in.Close() }

type project struct {
	in    Operator
	exprs []plan.Expr
	out   types.Batch
}

func (p *project) Next(ctx context.Context) (*types.Batch, error) {
	b, err := p.in.Next(ctx)
	if err != nil || b == nil || b.Len == 0 {
		return nil, err
	}
	if p.out.Cols == nil {
		p.out.Cols = make([]*types.Vector, len(p.exprs))
	}
	for i, e := range p.exprs {
		v, err := Eval(e, b)
		if err != nil {
			return nil, err
		}
		p.out.Cols[i] = v
	}
	p.out.Len = b.Len
	return &p.out, nil
}
func (p *project) Close() error { return p.in.Close() }

type limit struct {
	in            Operator
	count, offset int64
	seen, emitted int64
}

func (l *limit) Next(ctx context.Context) (*types.Batch, error) {
	for {
		if l.count >= 0 && l.emitted >= l.count {
			return nil, nil
		}
		b, err := l.in.Next(ctx)
		if err != nil || b == nil || b.Len == 0 {
			return nil, err
		}
		start := int64(0)
		if l.seen < l.offset {
			start = min(l.offset-l.seen, int64(b.Len))
		}
		l.seen += int64(b.Len)
		end := int64(b.Len)
		if l.count >= 0 {
			// count-emitted first: start+count overflows for LIMIT near
			// MaxInt64.
			end = min(end, start+min(l.count-l.emitted, end))
		}
		if end <= start {
			continue
		}
		l.emitted += end - start
		return slice(b, int(start), int(end)), nil
	}
}
func (l *limit) Close() error { return l.in.Close() }

// slice returns rows [lo, hi) of b as a new batch sharing no storage
// mutations with b's future.
func slice(b *types.Batch, lo, hi int) *types.Batch {
	if lo == 0 && hi == b.Len {
		return b
	}
	out := &types.Batch{Len: hi - lo, Cols: make([]*types.Vector, len(b.Cols))}
	for j, c := range b.Cols {
		v := types.NewVector(c.Kind, hi-lo)
		for i := lo; i < hi; i++ {
			v.AppendFrom(c, i)
		}
		out.Cols[j] = v
	}
	return out
}

// Rows returns an operator over materialised rows.
func Rows(schema types.Schema, rows [][]types.Value) Operator { return newRowSource(schema, rows) }
