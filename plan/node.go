package plan

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Node is a relational plan node. Nodes are immutable once built: rewrites
// make new nodes.
type Node interface {
	Schema() types.Schema
	Children() []Node
	// Describe is the node's one-line text for EXPLAIN, without children.
	Describe() string
	// Streaming says how the node runs over a stream of micro-batches.
	Streaming() Streaming
}

// Streaming is how a node runs when its rows come from a stream of
// micro-batches (package stream), declared by each node kind, so that
// where a plan is cut between per-batch work, state kept across batches
// and work over that state is a function of the plan.
type Streaming struct {
	// PerBatch: over one batch's rows the node gives that batch's share
	// of its output over every row, so it runs on each batch alone: the
	// source, filters, projections, the watermark and event-time windows.
	PerBatch bool
	// Stateful: as the plan's top stateful node, it keeps state across
	// batches: an aggregation (exec.IncrementalAggregate, if each of its
	// aggregates can) or a DISTINCT.
	Stateful bool
	// OverState: the node may run above the stateful node, over its
	// current rows: projections, filters (HAVING), ORDER BY and LIMIT.
	OverState bool
	// Not says why a stream cannot run the node anywhere else.
	Not string
}

var (
	_ Node = (*Scan)(nil)
	_ Node = (*OneRow)(nil)
	_ Node = (*Filter)(nil)
	_ Node = (*Project)(nil)
	_ Node = (*Aggregate)(nil)
	_ Node = (*Window)(nil)
	_ Node = (*Sort)(nil)
	_ Node = (*Limit)(nil)
	_ Node = (*Distinct)(nil)
	_ Node = (*Join)(nil)
	_ Node = (*SetOp)(nil)
)

// BatchReader is what a source hands the executor: batches until a batch of
// length 0 (or nil).
type BatchReader interface {
	Next(ctx context.Context) (*types.Batch, error)
	Close() error
}

// SourceColumn is a column a Source can produce.
type SourceColumn struct {
	Name   string // for JSON: the canonical path text, e.g. properties.recommender.variant
	Kind   types.Kind
	Hidden bool // not part of SELECT * (e.g. _file, _received_day)
	// Provisional marks a name an OpenSchema source's sample never saw,
	// admitted by the binder: read as STRING until the data shows which
	// kind its values have, and an error if no line has it.
	Provisional bool
}

// Source is a readable table: a read_json or read_parquet call, or a named
// source from nectar.yaml. The binder asks it for columns; the executor asks
// it to open a reader for exactly the columns the optimised plan kept.
type Source interface {
	// Columns lists the columns SELECT * sees, then the hidden ones.
	Columns() []SourceColumn
	// Resolve finds a column that is not in Columns (a nested JSON path
	// such as properties.products[0].price), reporting its kind.
	Resolve(name string) (types.Kind, bool)
	// Open reads the named columns, in order. filters are conditions over
	// those columns that every wanted row satisfies; a source may use them
	// to skip whole files, row groups or lines, and may ignore them (a
	// Filter above the scan still applies them).
	Open(ctx context.Context, columns []SourceColumn, filters []Expr) (BatchReader, error)
	// String is the source as query text: read_json('logs/**/*.gz').
	String() string
}

// Scan reads Columns from Source. Filters are pruning hints passed to
// the source (see Source.Open); they never replace the Filter above.
type Scan struct {
	Source  Source
	Columns []SourceColumn
	Filters []Expr
}

// OneRow yields one row with no columns: the input of SELECT without FROM.
type OneRow struct{}

// Filter keeps rows where Cond is true (not NULL, not false).
type Filter struct {
	Input Node
	Cond  Expr
}

// Project computes Exprs over each input row.
type Project struct {
	Input Node
	Exprs []Expr
	Names []string
}

// AggCall is one aggregate: Name(Arg) over a group, or Name(Arg, Ord) for
// the aggregates that take an ordering (min_by, max_by).
type AggCall struct {
	Name     string // the canonical name in the aggregate catalogue (functions.LookupAggregate)
	Arg      Expr   // nil for count(*)
	Ord      Expr   // an ordering aggregate's ordering, whose extreme picks Arg; nil otherwise
	Distinct bool
	Filter   Expr    // FILTER (WHERE …), nil when absent
	Param    float64 // a fraction aggregate's fraction (percentile_approx's percentage)
	// WithinGroup: written f(p) WITHIN GROUP (ORDER BY Arg [DESC]), an
	// ordered-set aggregate; Desc is that order's direction.
	WithinGroup bool
	Desc        bool
	K           types.Kind
}

// Func looks the call's aggregate up in the catalogue. Executors and
// compilers call it once per call, not per row.
func (a AggCall) Func() (*functions.Aggregate, error) {
	fn, ok := functions.LookupAggregate(a.Name)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownAggregate, a.Name)
	}
	return fn, nil
}

// ErrUnknownAggregate is wrapped when a plan names an aggregate the
// catalogue does not have (a plan built by hand, or by another version).
var ErrUnknownAggregate = errors.New("unknown aggregate")

func (a AggCall) String() string {
	var b strings.Builder
	b.WriteString(a.Name)
	b.WriteByte('(')
	if a.WithinGroup {
		if fn, ok := functions.LookupAggregate(a.Name); ok && fn.Shape == functions.FractionArgs {
			b.WriteString(types.FormatFloat(a.Param))
		}
		fmt.Fprintf(&b, ") WITHIN GROUP (ORDER BY %s", a.Arg)
		if a.Desc {
			b.WriteString(" DESC")
		}
		b.WriteByte(')')
		if a.Filter != nil {
			fmt.Fprintf(&b, " FILTER (WHERE %s)", a.Filter)
		}
		return b.String()
	}
	if a.Distinct {
		b.WriteString("DISTINCT ")
	}
	if a.Arg == nil {
		b.WriteByte('*')
	} else {
		b.WriteString(a.Arg.String())
	}
	if a.Ord != nil {
		fmt.Fprintf(&b, ", %s", a.Ord)
	}
	if fn, ok := functions.LookupAggregate(a.Name); ok && fn.Shape == functions.FractionArgs {
		fmt.Fprintf(&b, ", %s", types.FormatFloat(a.Param))
	}
	b.WriteByte(')')
	if a.Filter != nil {
		fmt.Fprintf(&b, " FILTER (WHERE %s)", a.Filter)
	}
	return b.String()
}

// Aggregate groups by Groups and computes Aggs; its output is the group
// keys followed by the aggregates.
type Aggregate struct {
	Input  Node
	Groups []Expr
	Aggs   []AggCall
	Names  []string // len(Groups)+len(Aggs)
}

// Bound is one end of a window frame.
type Bound struct {
	Kind   BoundKind
	Offset int64 // for OffsetPreceding and OffsetFollowing
	// Value is a RANGE offset that is not a whole number, a fraction or an
	// interval; Offset is then 0.
	Value types.Value
}

// OffsetValue is the offset of an OffsetPreceding or OffsetFollowing
// bound as a value: a BIGINT, a DOUBLE or an interval.
func (f Bound) OffsetValue() types.Value {
	if f.Value.IsNull() {
		return types.IntValue(f.Offset)
	}
	return f.Value
}

// BoundKind names a frame bound. The plan has its own, converted from the
// syntax tree's by the binder, so that the executor and the compilers do
// not depend on the parser.
type BoundKind uint8

const (
	UnboundedPreceding BoundKind = iota
	OffsetPreceding
	CurrentRow
	OffsetFollowing
	UnboundedFollowing
)

// WindowCall is one window function over a partitioning and order.
type WindowCall struct {
	// Name is a window-only function (functions.LookupWindow) or an
	// aggregate's canonical name (functions.LookupAggregate).
	Name string
	// Args are the call's arguments as written: an aggregate's value
	// first, then its other arguments as constants (percentile_approx's
	// fraction).
	Args []Expr
	// Filter is an aggregate's FILTER (WHERE …): only the frame's rows
	// where it holds count (nil: all). Spark allows it on aggregates and on
	// first_value and last_value, which it treats as aggregates.
	Filter      Expr
	PartitionBy []Expr
	OrderBy     []SortKey
	// Frame: Rows true means ROWS, else RANGE. Default (no frame given):
	// with ORDER BY, RANGE UNBOUNDED PRECEDING..CURRENT ROW; without, the
	// whole partition.
	Rows       bool
	Start, End Bound
	K          types.Kind
	// IgnoreNulls is IGNORE NULLS: first_value, last_value, nth_value,
	// lead and lag skip NULL values.
	IgnoreNulls bool
}

func (w WindowCall) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(%s) ", w.Name, joinExprs(w.Args))
	if w.Filter != nil {
		fmt.Fprintf(&b, "FILTER (WHERE %s) ", w.Filter)
	}
	if w.IgnoreNulls {
		b.WriteString("IGNORE NULLS ")
	}
	b.WriteString("OVER (")
	if len(w.PartitionBy) > 0 {
		fmt.Fprintf(&b, "PARTITION BY %s", joinExprs(w.PartitionBy))
	}
	if len(w.OrderBy) > 0 {
		if len(w.PartitionBy) > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "ORDER BY %s", sortKeys(w.OrderBy))
	}
	unit := "RANGE"
	if w.Rows {
		unit = "ROWS"
	}
	fmt.Fprintf(&b, " %s BETWEEN %s AND %s)", unit, boundString(w.Start), boundString(w.End))
	return b.String()
}

func boundString(f Bound) string {
	switch f.Kind {
	case UnboundedPreceding:
		return "UNBOUNDED PRECEDING"
	case OffsetPreceding:
		return fmt.Sprintf("%s PRECEDING", f.OffsetValue())
	case CurrentRow:
		return "CURRENT ROW"
	case OffsetFollowing:
		return fmt.Sprintf("%s FOLLOWING", f.OffsetValue())
	}
	return "UNBOUNDED FOLLOWING"
}

// Window appends one column per call to its input's columns.
type Window struct {
	Input Node
	Calls []WindowCall
	Names []string
}

// SortKey is one ORDER BY key, with Spark's NULL placement resolved.
type SortKey struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
}

func (k SortKey) String() string {
	s := k.Expr.String()
	if k.Desc {
		s += " DESC"
	} else {
		s += " ASC"
	}
	if k.NullsFirst {
		return s + " NULLS FIRST"
	}
	return s + " NULLS LAST"
}

func sortKeys(ks []SortKey) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = k.String()
	}
	return strings.Join(s, ", ")
}

// Sort orders rows by Keys. Limit ≥ 0 makes it a top-N that keeps only
// that many rows.
type Sort struct {
	Input Node
	Keys  []SortKey
	Limit int64
}

// Limit skips Offset rows and then passes at most Count (-1: all).
type Limit struct {
	Input  Node
	Count  int64
	Offset int64
}

// ReadsNothing reports whether n yields no rows whatever its input holds:
// a LIMIT 0, or a filter whose condition is the constant FALSE (the
// optimizer folds conditions that are always false or NULL to it). The
// executor does not run the input of such a node, so its scans read
// nothing; what a read would have checked, the caller checks
// (table.CheckNames).
func ReadsNothing(n Node) bool {
	switch n := n.(type) {
	case *Limit:
		return n.Count == 0
	case *Filter:
		c, ok := n.Cond.(*Const)
		return ok && c.V.K == types.Bool && !c.V.Bool()
	}
	return false
}

// Distinct removes duplicate rows (NULLs equal).
type Distinct struct{ Input Node }

// JoinKind says which rows a join keeps. Its values are the SQL words, as
// EXPLAIN prints them.
type JoinKind string

const (
	InnerJoin JoinKind = "INNER"
	LeftJoin  JoinKind = "LEFT"
	RightJoin JoinKind = "RIGHT"
	FullJoin  JoinKind = "FULL"
	SemiJoin  JoinKind = "LEFT SEMI"
	AntiJoin  JoinKind = "LEFT ANTI"
	CrossJoin JoinKind = "CROSS"
)

// KeepsRight reports whether a join's output has the right side's columns:
// every kind but the semi and anti joins, which only filter the left.
func (k JoinKind) KeepsRight() bool { return k != SemiJoin && k != AntiJoin }

// Join combines Left and Right. Cond refers to the concatenated columns
// (left then right). LeftKeys/RightKeys are equality keys extracted from
// Cond for hashing (each side's expressions over its own columns); Residual
// is what remains of Cond. Semi and anti joins output only the left columns.
type Join struct {
	Left, Right Node
	Kind        JoinKind
	LeftKeys    []Expr
	RightKeys   []Expr
	Residual    Expr
}

// SetOp is UNION, INTERSECT or EXCEPT, with ALL or DISTINCT semantics.
type SetOp struct {
	Op          string
	All         bool
	Left, Right Node
	Names       []string
	Kinds       []types.Kind // widened column kinds
}

func (s *Scan) Schema() types.Schema {
	out := make(types.Schema, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = types.Column{Name: c.Name, Kind: c.Kind}
	}
	return out
}
func (*OneRow) Schema() types.Schema    { return nil }
func (f *Filter) Schema() types.Schema  { return f.Input.Schema() }
func (p *Project) Schema() types.Schema { return named(p.Names, p.Exprs) }
func (a *Aggregate) Schema() types.Schema {
	out := make(types.Schema, 0, len(a.Names))
	for i, g := range a.Groups {
		out = append(out, types.Column{Name: a.Names[i], Kind: g.Kind()})
	}
	for i, c := range a.Aggs {
		out = append(out, types.Column{Name: a.Names[len(a.Groups)+i], Kind: c.K})
	}
	return out
}
func (w *Window) Schema() types.Schema {
	out := append(types.Schema{}, w.Input.Schema()...)
	for i, c := range w.Calls {
		out = append(out, types.Column{Name: w.Names[i], Kind: c.K})
	}
	return out
}
func (s *Sort) Schema() types.Schema     { return s.Input.Schema() }
func (l *Limit) Schema() types.Schema    { return l.Input.Schema() }
func (d *Distinct) Schema() types.Schema { return d.Input.Schema() }
func (j *Join) Schema() types.Schema {
	if !j.Kind.KeepsRight() {
		return j.Left.Schema()
	}
	return append(append(types.Schema{}, j.Left.Schema()...), j.Right.Schema()...)
}
func (s *SetOp) Schema() types.Schema {
	out := make(types.Schema, len(s.Names))
	for i := range s.Names {
		out[i] = types.Column{Name: s.Names[i], Kind: s.Kinds[i]}
	}
	return out
}

func named(names []string, es []Expr) types.Schema {
	out := make(types.Schema, len(es))
	for i, e := range es {
		out[i] = types.Column{Name: names[i], Kind: e.Kind()}
	}
	return out
}

var (
	perBatch  = Streaming{PerBatch: true}
	overState = Streaming{PerBatch: true, OverState: true}
)

func (*Scan) Streaming() Streaming    { return perBatch }
func (*OneRow) Streaming() Streaming  { return perBatch }
func (*Filter) Streaming() Streaming  { return overState }
func (*Project) Streaming() Streaming { return overState }
func (*Aggregate) Streaming() Streaming {
	return Streaming{Stateful: true, Not: "aggregation of an aggregated stream (only the top-level aggregation keeps state)"}
}
func (w *Window) Streaming() Streaming {
	return Streaming{Not: fmt.Sprintf("window function %s over a stream (to keep one row per messageId, as row_number() OVER (PARTITION BY messageId …) = 1 does, use --dedup messageId)", w.Calls[0])}
}
func (*Sort) Streaming() Streaming {
	return Streaming{OverState: true, Not: "ORDER BY without an aggregation (a stream has no end to sort up to)"}
}
func (*Limit) Streaming() Streaming {
	return Streaming{OverState: true, Not: "LIMIT without an aggregation"}
}
func (*Distinct) Streaming() Streaming {
	return Streaming{Stateful: true, Not: "DISTINCT below an aggregation (write GROUP BY instead)"}
}
func (j *Join) Streaming() Streaming {
	return Streaming{Not: string(j.Kind) + " JOIN of a stream (with another stream or a static table)"}
}
func (s *SetOp) Streaming() Streaming { return Streaming{Not: s.Op + " over a stream"} }

func (*Scan) Children() []Node        { return nil }
func (*OneRow) Children() []Node      { return nil }
func (f *Filter) Children() []Node    { return []Node{f.Input} }
func (p *Project) Children() []Node   { return []Node{p.Input} }
func (a *Aggregate) Children() []Node { return []Node{a.Input} }
func (w *Window) Children() []Node    { return []Node{w.Input} }
func (s *Sort) Children() []Node      { return []Node{s.Input} }
func (l *Limit) Children() []Node     { return []Node{l.Input} }
func (d *Distinct) Children() []Node  { return []Node{d.Input} }
func (j *Join) Children() []Node      { return []Node{j.Left, j.Right} }
func (s *SetOp) Children() []Node     { return []Node{s.Left, s.Right} }

func (s *Scan) Describe() string {
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = syntax.QuoteIdent(c.Name)
	}
	d := fmt.Sprintf("Scan %s [%s]", s.Source, strings.Join(names, ", "))
	if len(s.Filters) > 0 {
		d += " prune by " + joinExprs(s.Filters)
	}
	return d
}
func (*OneRow) Describe() string    { return "OneRow" }
func (f *Filter) Describe() string  { return "Filter " + f.Cond.String() }
func (p *Project) Describe() string { return "Project " + aliased(p.Exprs, p.Names) }
func (a *Aggregate) Describe() string {
	aggs := make([]string, len(a.Aggs))
	for i, c := range a.Aggs {
		aggs[i] = c.String() + " AS " + syntax.QuoteIdent(a.Names[len(a.Groups)+i])
	}
	return fmt.Sprintf("Aggregate [%s] [%s]", aliased(a.Groups, a.Names), strings.Join(aggs, ", "))
}
func (w *Window) Describe() string {
	calls := make([]string, len(w.Calls))
	for i, c := range w.Calls {
		calls[i] = c.String() + " AS " + syntax.QuoteIdent(w.Names[i])
	}
	return "Window " + strings.Join(calls, ", ")
}
func (s *Sort) Describe() string {
	if s.Limit >= 0 {
		return fmt.Sprintf("TopN %d %s", s.Limit, sortKeys(s.Keys))
	}
	return "Sort " + sortKeys(s.Keys)
}
func (l *Limit) Describe() string {
	if l.Offset > 0 {
		return fmt.Sprintf("Limit %d OFFSET %d", l.Count, l.Offset)
	}
	return fmt.Sprintf("Limit %d", l.Count)
}
func (*Distinct) Describe() string { return "Distinct" }
func (j *Join) Describe() string {
	s := string(j.Kind) + " Join"
	if len(j.LeftKeys) > 0 {
		s += fmt.Sprintf(" [%s] = [%s]", joinExprs(j.LeftKeys), joinExprs(j.RightKeys))
	}
	if j.Residual != nil {
		s += " ON " + j.Residual.String()
	}
	return s
}
func (s *SetOp) Describe() string {
	if s.All {
		return s.Op + " ALL"
	}
	return s.Op
}

func aliased(es []Expr, names []string) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String() + " AS " + syntax.QuoteIdent(names[i])
	}
	return strings.Join(parts, ", ")
}

// Explain renders the tree rooted at n, one node a line, children indented.
func Explain(n Node) string {
	var b strings.Builder
	var walk func(Node, int)
	walk = func(n Node, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(n.Describe())
		b.WriteByte('\n')
		for _, c := range n.Children() {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}
