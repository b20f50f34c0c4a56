package plan

import (
	"math"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Window binding: calls with OVER, of a window-only function
// (functions.LookupWindow) or of an aggregate (functions.LookupAggregate),
// and their partitioning, order and frame.

type winState struct {
	calls []WindowCall
	names []string
}

func (c *exprCtx) window(e *syntax.Call) (Expr, error) {
	if c.win == nil {
		return nil, syntax.Errorf(e.Position(), "window function %s is not allowed in %s", e.Name, c.clause)
	}
	if e.IgnoreNulls {
		// Spark's first, any_value and last with IGNORE NULLS over a
		// window are first_value and last_value with it.
		switch strings.ToLower(e.Name) {
		case "first", "any_value":
			e = withName(e, "first_value")
		case "last":
			e = withName(e, "last_value")
		case "first_value", "last_value", "nth_value", "lead", "lag":
		default:
			return nil, syntax.Errorf(e.Position(), "%s does not take IGNORE NULLS; first_value, last_value, nth_value, lead and lag do", e.Name)
		}
	}
	wf, isWin := functions.LookupWindow(e.Name)
	af, isAgg := functions.LookupAggregate(e.Name)
	switch {
	case !isWin && !isAgg:
		return nil, syntax.Errorf(e.Position(), "%s is not a window or aggregate function", e.Name)
	case isAgg && af.NotWindow != "":
		err := syntax.Errorf(e.Position(), "%s is not supported as a window function", e.Name)
		err.Hint = af.NotWindow
		return nil, err
	case e.Distinct:
		return nil, syntax.Errorf(e.Position(), "DISTINCT is not supported in window functions (%s(DISTINCT …) OVER …)", e.Name)
	}
	inner := c.quiet()
	w := WindowCall{Name: e.Name, IgnoreNulls: e.IgnoreNulls}
	if e.Filter != nil {
		// Spark takes FILTER on aggregates, and so on first_value and
		// last_value, but not on ranking or offset functions
		// (FUNCTION_WITH_UNSUPPORTED_SYNTAX).
		if isWin && !wf.Filter {
			return nil, syntax.Errorf(e.Position(), "%s does not take FILTER; only aggregate functions do", e.Name)
		}
		f, err := inner.bindBool(e.Filter)
		if err != nil {
			return nil, err
		}
		w.Filter = f
	}
	var err error
	if isWin {
		err = inner.windowArgs(e, wf, &w)
	} else {
		err = inner.windowAggArgs(e, af, &w)
	}
	if err != nil {
		return nil, err
	}
	if w.PartitionBy, err = inner.bindAll(e.Over.PartitionBy); err != nil {
		return nil, err
	}
	for _, o := range e.Over.OrderBy {
		x, err := inner.bind(o.Expr)
		if err != nil {
			return nil, err
		}
		w.OrderBy = append(w.OrderBy, sortKey(x, o))
	}
	// Frames: Spark's default is the whole partition without ORDER BY and
	// RANGE UNBOUNDED PRECEDING to CURRENT ROW with it.
	w.Start = Bound{Kind: UnboundedPreceding}
	w.End = Bound{Kind: UnboundedFollowing}
	if len(w.OrderBy) > 0 {
		w.End = Bound{Kind: CurrentRow}
	}
	if isWin && !wf.Framed && len(e.Over.OrderBy) == 0 && wf.Name != "row_number" {
		// Spark: WINDOW_FUNCTION_FRAME_NOT_ORDERED. nectar keeps
		// row_number() OVER () numbering rows as they arrive, which the
		// Spark Connect endpoint's tail() is built on.
		return nil, syntax.Errorf(e.Position(), "%s needs ORDER BY in its window: without it the rows' order is undefined", e.Name)
	}
	if f := e.Over.Frame; f != nil {
		// Spark's INVALID_BOUNDARY and ROWS offsets, which are INT.
		if f.Start.Kind == syntax.UnboundedFollowing || f.End.Kind == syntax.UnboundedPreceding {
			return nil, syntax.Errorf(e.Position(), "a frame cannot start at UNBOUNDED FOLLOWING or end at UNBOUNDED PRECEDING")
		}
		for _, b := range []syntax.FrameBound{f.Start, f.End} {
			if b.Offset > math.MaxInt32 && f.Unit == "ROWS" {
				return nil, syntax.Errorf(e.Position(), "a frame offset must fit in an INT, got %d", b.Offset)
			}
		}
		w.Rows, w.Start, w.End = f.Unit == "ROWS", frameBound(f.Start), frameBound(f.End)
		if err := checkOffsets(e.Position(), &w); err != nil {
			return nil, err
		}
	}
	text := w.String()
	for i, t := range c.win.names {
		if c.win.calls[i].String() == text {
			return &ColRef{Idx: winBase + i, Name: t, K: w.K}, nil
		}
	}
	c.win.calls = append(c.win.calls, w)
	name := "_w" + strconv.Itoa(len(c.win.names))
	c.win.names = append(c.win.names, name)
	return &ColRef{Idx: winBase + len(c.win.calls) - 1, Name: name, K: w.K}, nil
}

// windowArgs binds and checks the arguments of a window-only function.
func (c *exprCtx) windowArgs(e *syntax.Call, wf *functions.Window, w *WindowCall) error {
	if n := len(e.Args); n < wf.MinArgs || (wf.MaxArgs >= 0 && n > wf.MaxArgs) {
		return syntax.Errorf(e.Position(), "%s takes %s, got %d", e.Name, argCount(wf.MinArgs, wf.MaxArgs), n)
	}
	args, err := c.bindAll(e.Args)
	if err != nil {
		return err
	}
	kinds := make([]types.Kind, len(args))
	for i, a := range args {
		kinds[i] = a.Kind()
	}
	k, casts, err := wf.Check(kinds)
	if err != nil {
		return syntax.Errorf(e.Position(), "%v", err)
	}
	for i, to := range casts {
		if to != types.Null {
			args[i] = castExpr(args[i], to)
		}
	}
	if i := wf.Const; i >= 0 && i < len(args) {
		if _, ok := args[i].(*Const); !ok {
			return syntax.Errorf(e.Position(), "%s takes a constant %s", e.Name, wf.ConstWhat)
		}
	}
	w.Args, w.K = args, k
	return nil
}

// windowAggArgs binds an aggregate's arguments as its shape says; a
// fraction becomes a constant argument after the value.
func (c *exprCtx) windowAggArgs(e *syntax.Call, af *functions.Aggregate, w *WindowCall) error {
	split, err := splitAggArgs(e, af)
	if err != nil {
		return err
	}
	var x Expr
	if split.value != nil {
		if x, err = c.bind(split.value); err != nil {
			return err
		}
	}
	if x, w.K, err = checkAggValue(e, af, x); err != nil {
		return err
	}
	w.Name = af.Canonical()
	if x != nil {
		w.Args = []Expr{x}
	}
	if split.param != nil {
		w.Args = append(w.Args, &Const{V: split.param.(*syntax.Literal).Value})
	}
	return nil
}

// frameBounds converts the syntax tree's frame bounds to the plan's.
var frameBounds = map[syntax.BoundKind]BoundKind{
	syntax.UnboundedPreceding: UnboundedPreceding,
	syntax.OffsetPreceding:    OffsetPreceding,
	syntax.CurrentRow:         CurrentRow,
	syntax.OffsetFollowing:    OffsetFollowing,
	syntax.UnboundedFollowing: UnboundedFollowing,
}

func frameBound(b syntax.FrameBound) Bound {
	return Bound{Kind: frameBounds[b.Kind], Offset: b.Offset, Value: b.Value}
}

// checkOffsets checks a frame's offsets as Spark does: whole numbers in
// ROWS; in RANGE, one ORDER BY key whose type the offsets apply to, a
// number to a number, days or an interval of months or whole days to a
// DATE, an interval to a TIMESTAMP (the boundary is key ± offset).
func checkOffsets(pos syntax.Pos, w *WindowCall) error {
	var offs []types.Value
	for _, b := range []Bound{w.Start, w.End} {
		if b.Kind == OffsetPreceding || b.Kind == OffsetFollowing {
			offs = append(offs, b.OffsetValue())
		}
	}
	if len(offs) == 0 {
		return nil
	}
	if pos0, ok := boundPos(w.Start); ok {
		if pos1, ok := boundPos(w.End); ok && pos0 > pos1 {
			return syntax.Errorf(pos, "[DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_WRONG_COMPARISON] the frame starts at %s, after its end %s", boundString(w.Start), boundString(w.End))
		}
	}
	if w.Rows {
		for _, o := range offs {
			if o.K != types.Int {
				return syntax.Errorf(pos, "a ROWS frame counts rows: its offsets are whole numbers, got %s", o)
			}
		}
		return nil
	}
	if len(w.OrderBy) != 1 {
		return syntax.Errorf(pos, "[DATATYPE_MISMATCH.RANGE_FRAME_MULTI_ORDER] a RANGE frame with offsets needs exactly one ORDER BY key, got %d", len(w.OrderBy))
	}
	k := w.OrderBy[0].Expr.Kind()
	for _, o := range offs {
		ok := false
		switch {
		case k == types.Int:
			ok = o.K == types.Int
		case k == types.Float:
			ok = o.K.IsNumeric()
		case k == types.Date:
			ok = o.K == types.Int || o.K.IsYearMonth() || o.K == types.DayTimeKind(types.Day, types.Day)
		case k == types.Timestamp:
			ok = o.K.IsInterval()
		}
		if !ok {
			return syntax.Errorf(pos, "[DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE] a RANGE offset of %s does not apply to an ORDER BY key of %s", o.K, k)
		}
	}
	return nil
}

// boundPos places a bounded frame end relative to the current row, in
// its offset's unit, for checking that a frame does not start after it
// ends; ok is false for an unbounded end.
func boundPos(b Bound) (float64, bool) {
	off := b.OffsetValue()
	n := off.AsFloat()
	if off.K.IsInterval() {
		n = float64(off.I)
	}
	switch b.Kind {
	case OffsetPreceding:
		return -n, true
	case CurrentRow:
		return 0, true
	case OffsetFollowing:
		return n, true
	}
	return 0, false
}

// withName is a copy of the call e under another function name.
func withName(e *syntax.Call, name string) *syntax.Call {
	c := *e
	c.Name = name
	return &c
}
