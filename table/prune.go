package table

import (
	"strings"
	"time"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

const day = 24 * time.Hour

// TimestampSkew is the safety margin for pruning day folders by a lower
// bound on timestamp. Segment sets timestamp = receivedAt − (sentAt −
// originalTimestamp), and a device sends an event after it records it, so
// timestamp ≤ receivedAt: an event of folder D (receivedAt < D+1 day) has
// timestamp < D+1 day. A device clock moved back between recording and
// sending, or a server source that sets timestamp itself, can break that
// by a little; a day covers it.
const TimestampSkew = day

// pruneDays drops the files whose Segment day folder cannot hold a row
// that passes filters. A folder D holds the events whose receivedAt lies in
// [D, D+1 day), so conditions on _received_day and receivedAt bound the
// folders to read. A lower bound on timestamp bounds them too, with
// TimestampSkew of margin. An upper bound on timestamp bounds nothing by
// itself, because offline clients deliver events days late; with
// late > 0 the caller accepts that events arriving more than late after
// their timestamp are not read. Files outside the layout (no day folder)
// are always kept.
func pruneDays(files []source.File, cols []plan.SourceColumn, filters []plan.Expr, late time.Duration) []source.File {
	var keeps []func(d time.Time) bool
	for _, f := range filters {
		if k := dayCondition(f, cols, late); k != nil {
			keeps = append(keeps, k)
		}
	}
	if len(keeps) == 0 {
		return files
	}
	out := make([]source.File, 0, len(files))
next:
	for _, f := range files {
		if !f.ReceivedDay.IsZero() {
			for _, keep := range keeps {
				if !keep(f.ReceivedDay) {
					continue next
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// dayCondition turns "column op constant" on _received_day, receivedAt or
// timestamp into a test of a day folder's midnight, or nil when e is not
// such a condition (see pruneDays for timestamp and late).
func dayCondition(e plan.Expr, cols []plan.SourceColumn, late time.Duration) func(time.Time) bool {
	o, ok := e.(*plan.Op)
	if !ok || len(o.Args) != 2 {
		return nil
	}
	op := o.Op
	col, c := o.Args[0], o.Args[1]
	if _, isConst := col.(*plan.Const); isConst {
		col, c = c, col
		op = flip(op)
	}
	k, ok := c.(*plan.Const)
	if !ok || k.V.IsNull() {
		return nil
	}
	asTime := false // compared as a time, not as text
	if cast, ok := col.(*plan.Op); ok && cast.Op == plan.OpCast {
		col, asTime = cast.Args[0], cast.K == types.Timestamp || cast.K == types.Date
	}
	ref, ok := col.(*plan.ColRef)
	if !ok || ref.Idx >= len(cols) {
		return nil
	}
	at, ok := constTime(k.V)
	if !ok {
		return nil
	}
	// Text comparisons of ISO strings differ from time comparisons at the
	// edges, so widen by a day on each side when the column is text.
	slack := time.Duration(0)
	if ref.K == types.String && !asTime {
		slack = day
	}
	switch name := cols[ref.Idx].Name; {
	case name == "_received_day":
		// The column is the folder's date itself: compare exactly.
		return compareDay(op, at.Truncate(day), 0, 0)
	case strings.EqualFold(name, "receivedAt"):
		// Rows of folder D have receivedAt in [D, D+1).
		return compareDay(op, at, day, slack)
	case strings.EqualFold(name, "timestamp"):
		// Rows of folder D have timestamp below D+1+skew, and, for events
		// delivered at most late after their time, at or above D−late.
		lower := compareDay(plan.OpGe, at, day, slack+TimestampSkew)
		switch {
		case op == plan.OpGe || op == plan.OpGt:
			return lower
		case late <= 0:
			return nil
		case op == plan.OpLe || op == plan.OpLt:
			return compareDay(op, at, day, slack+late)
		case op == plan.OpEq:
			upper := compareDay(plan.OpLe, at, day, slack+late)
			return func(d time.Time) bool { return lower(d) && upper(d) }
		}
	}
	return nil
}

// compareDay keeps folder D when some t in [D, D+width) (width 0: t = D)
// can satisfy "t op at", with slack added on both sides.
func compareDay(op plan.OpCode, at time.Time, width, slack time.Duration) func(time.Time) bool {
	lo := func(d time.Time) time.Time { return d.Add(-slack) }
	hi := func(d time.Time) time.Time { return d.Add(width + slack) } // exclusive unless width is 0
	switch op {
	case plan.OpGe, plan.OpGt:
		return func(d time.Time) bool {
			if width == 0 && slack == 0 {
				return d.After(at) || (op == plan.OpGe && d.Equal(at))
			}
			return hi(d).After(at)
		}
	case plan.OpLe, plan.OpLt:
		return func(d time.Time) bool {
			// The earliest row of folder D is at D itself.
			return lo(d).Before(at) || (op == plan.OpLe && lo(d).Equal(at))
		}
	case plan.OpEq:
		return func(d time.Time) bool {
			if width == 0 && slack == 0 {
				return d.Equal(at)
			}
			return !lo(d).After(at) && hi(d).After(at)
		}
	}
	return nil
}

func flip(op plan.OpCode) plan.OpCode {
	switch op {
	case plan.OpLt:
		return plan.OpGt
	case plan.OpLe:
		return plan.OpGe
	case plan.OpGt:
		return plan.OpLt
	case plan.OpGe:
		return plan.OpLe
	}
	return op
}

func constTime(v types.Value) (time.Time, bool) {
	switch v.K {
	case types.Date, types.Timestamp:
		return v.Time(), true
	case types.String:
		return types.ParseTimestamp(v.S)
	}
	return time.Time{}, false
}
