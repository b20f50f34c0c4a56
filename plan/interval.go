package plan

import (
	"strings"
	"time"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Interval arithmetic, typed as Spark 4 types it in ANSI mode
// (ResolveBinaryArithmetic); syntax reads the literals.

// intervalDuration reads a positive day-time interval literal as a Go
// duration, for window sizes and watermark delays.
func intervalDuration(iv *syntax.Interval) (time.Duration, error) {
	v := iv.Value
	if !v.K.IsDayTime() || v.I <= 0 {
		return 0, syntax.Errorf(iv.Position(), "want a positive duration such as INTERVAL 2 HOURS, got %s", iv)
	}
	return time.Duration(v.I) * time.Microsecond, nil
}

// intervalArithmetic types + - * / where a side is an interval or both are
// dates or timestamps, as Spark's ResolveBinaryArithmetic rewrites them;
// ok is false when no side is, so the numeric rules apply.
func intervalArithmetic(pos syntax.Pos, op OpCode, l, r Expr) (Expr, bool, error) {
	lk, rk := l.Kind(), r.Kind()
	if !lk.IsInterval() && !rk.IsInterval() {
		if op == OpSub && isTimeLike(lk) && isTimeLike(rk) && (isTime(lk) || isTime(rk)) {
			return timeDiff(l, r), true, nil
		}
		if op == OpAdd && (isTime(lk) && rk == types.Null || lk == types.Null && isTime(rk)) {
			// Spark reads the NULL as an interval: DATE + NULL is a
			// TIMESTAMP.
			if lk == types.Null {
				l, r, lk, rk = r, l, rk, lk
			}
			r, rk = castExpr(r, types.DayTime), types.DayTime
		} else {
			return nil, false, nil
		}
	}
	mismatch := func() (Expr, bool, error) {
		return nil, true, syntax.Errorf(pos, "[DATATYPE_MISMATCH] %s cannot apply to %s and %s", op, lk, rk)
	}
	// A NULL beside an interval is an interval of its kind in a sum, a
	// number in a product.
	if lk == types.Null {
		l, lk = castExpr(l, nullAs(op, rk)), nullAs(op, rk)
	}
	if rk == types.Null {
		r, rk = castExpr(r, nullAs(op, lk)), nullAs(op, lk)
	}
	switch op {
	case OpAdd, OpSub:
		if op == OpAdd && lk.IsInterval() && !rk.IsInterval() {
			l, r, lk, rk = r, l, rk, lk // interval + time is time + interval
		}
		if lk.IsInterval() {
			w, ok := types.WidenInterval(lk, rk)
			if !ok {
				return mismatch()
			}
			return &Op{Op: addOrSub(op), Args: []Expr{castExpr(l, w), castExpr(r, w)}, K: w}, true, nil
		}
		switch {
		case lk == types.Date && rk == types.DayTimeKind(types.Day, types.Day), lk == types.Date && rk.IsYearMonth():
			return &Op{Op: addOrSub(op), Args: []Expr{l, r}, K: types.Date}, true, nil
		case lk == types.Date || lk == types.Timestamp:
			return &Op{Op: addOrSub(op), Args: []Expr{castExpr(l, types.Timestamp), r}, K: types.Timestamp}, true, nil
		case lk == types.String && rk.IsDayTime():
			// Spark adds to the text read as a timestamp and gives back
			// text in its own timestamp layout (Cast(TimeAdd(l, r),
			// StringType)), which nectar's text of a timestamp is not.
			return nil, true, syntax.Errorf(pos, "%s of a STRING and an interval gives Spark's text of a timestamp, which nectar does not write: CAST the string AS TIMESTAMP first", op)
		}
	case OpIntDiv:
		// How many times one interval goes into another, of one family.
		if _, ok := types.WidenInterval(lk, rk); !ok {
			return mismatch()
		}
		return &Op{Op: OpIntDiv, Args: []Expr{l, r}, K: types.Int}, true, nil
	case OpMul, OpDiv:
		if op == OpMul && !lk.IsInterval() {
			l, r, lk, rk = r, l, rk, lk
		}
		if !lk.IsInterval() || rk.IsInterval() {
			return mismatch()
		}
		if rk == types.String {
			r, rk = castExpr(r, types.Float), types.Float
		}
		if !rk.IsNumeric() {
			return mismatch()
		}
		k := types.DayTime
		if lk.IsYearMonth() {
			k = types.YearMonth
		}
		code := OpMulInterval
		if op == OpDiv {
			code = OpDivInterval
		}
		return &Op{Op: code, Args: []Expr{l, r}, K: k}, true, nil
	}
	return mismatch()
}

func nullAs(op OpCode, other types.Kind) types.Kind {
	if op == OpMul || op == OpDiv {
		return types.Float
	}
	return other
}

func addOrSub(op OpCode) OpCode {
	if op == OpSub {
		return OpSubInterval
	}
	return OpAddInterval
}

func isTimeLike(k types.Kind) bool { return isTime(k) || k == types.String || k == types.Null }

// timeDiff types a difference of dates or timestamps: an INTERVAL DAY
// between two dates (Spark 4's SubtractDates in ANSI mode), an INTERVAL
// DAY TO SECOND when either side is a timestamp (SubtractTimestamps). A
// STRING or NULL side is read as the other side's kind.
func timeDiff(l, r Expr) Expr {
	lk, rk := l.Kind(), r.Kind()
	if !isTime(lk) {
		lk = rk
	}
	if !isTime(rk) {
		rk = lk
	}
	if lk == types.Date && rk == types.Date {
		return &Op{Op: OpTimeDiff, Args: []Expr{castExpr(l, types.Date), castExpr(r, types.Date)}, K: types.DayTimeKind(types.Day, types.Day)}
	}
	return &Op{Op: OpTimeDiff, Args: []Expr{castExpr(l, types.Timestamp), castExpr(r, types.Timestamp)}, K: types.DayTime}
}

// compareIntervals checks a comparison with an interval side: Spark
// compares intervals of one family only, and no interval with a string.
func compareIntervals(pos syntax.Pos, l, r Expr) (Expr, Expr, error) {
	lk, rk := l.Kind(), r.Kind()
	switch {
	case lk == types.Null:
		return castExpr(l, rk), r, nil
	case rk == types.Null:
		return l, castExpr(r, lk), nil
	}
	w, ok := types.WidenInterval(lk, rk)
	if !ok {
		return nil, nil, syntax.Errorf(pos, "[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES] cannot compare %s with %s", lk, rk)
	}
	return castExpr(l, w), castExpr(r, w), nil
}

// intervalsWiden refuses k as the common type of args when Widen made it
// by turning an interval into text: Spark has no common type for an
// interval and a value of another family (DATATYPE_MISMATCH), where
// nectar's Widen, made for schema inference, falls back to STRING.
func intervalsWiden(pos syntax.Pos, k types.Kind, args []Expr) error {
	if k.IsInterval() {
		return nil
	}
	for _, a := range args {
		if a.Kind().IsInterval() {
			return syntax.Errorf(pos, "[DATATYPE_MISMATCH.DATA_DIFF_TYPES] no common type for %s and %s", a.Kind(), k)
		}
	}
	return nil
}

// datePart binds date_part(field, x) (and EXTRACT) whose field is a
// constant, typed by the field as Spark types it (functions.DatePart); a
// NULL field is Spark's NULL DOUBLE. ok is false for the catalogue's
// date_part to serve.
func datePart(e *syntax.Call, fn *functions.Func, args []Expr) (Expr, bool, error) {
	if len(args) != 2 || (fn.Name != "date_part" && fn.AliasOf != "date_part") {
		return nil, false, nil
	}
	lit, ok := args[0].(*Const)
	switch {
	case !ok:
		return nil, false, nil
	case lit.V.K == types.Null:
		return &Op{Op: OpCast, Args: []Expr{lit}, K: types.Float}, true, nil
	case lit.V.K != types.String:
		return nil, false, nil
	}
	part, k, ok, err := functions.DatePart(lit.V.S, args[1].Kind())
	if err != nil {
		return nil, true, syntax.Errorf(e.Position(), "%v", err)
	}
	return &Call{Fn: part, Args: args, K: k}, ok, nil
}

// bindCallArgs binds a call's arguments; timestampadd's and
// timestampdiff's first is a unit word (HOUR), never a string or column,
// as in Spark (INVALID_PARAMETER_VALUE.DATETIME_UNIT).
func (c *exprCtx) bindCallArgs(fn *functions.Func, e *syntax.Call) ([]Expr, error) {
	if (fn.Name != "timestampadd" && fn.Name != "timestampdiff") || len(e.Args) == 0 {
		return c.bindAll(e.Args)
	}
	u, ok := e.Args[0].(*syntax.Ident)
	if !ok || len(u.Parts) != 1 {
		return nil, syntax.Errorf(e.Args[0].Position(), "[INVALID_PARAMETER_VALUE.DATETIME_UNIT] %s takes a unit word first, such as HOUR or MONTH", fn.Name)
	}
	rest, err := c.bindAll(e.Args[1:])
	if err != nil {
		return nil, err
	}
	return append([]Expr{&Const{V: types.StringValue(strings.ToUpper(u.Parts[0]))}}, rest...), nil
}

// tryOps are Spark's try_ arithmetic functions and the operators they try.
var tryOps = map[string]OpCode{"try_add": OpAdd, "try_subtract": OpSub, "try_multiply": OpMul, "try_divide": OpDiv}

// tryArithmetic binds try_add(a, b) and its kin as a + b typed as the
// operator types it, whose own failure gives NULL. Of integers and text
// alone it is refused: Spark types integer literals and columns as INT,
// where an overflow past 2^31 gives NULL, and a string beside an integer
// as BIGINT, where nectar computes a BIGINT or a DOUBLE and would answer a
// number. try_divide of numbers is the catalogue's.
func (c *exprCtx) tryArithmetic(e *syntax.Call) (Expr, bool, error) {
	op, ok := tryOps[strings.ToLower(e.Name)]
	if !ok || len(e.Args) != 2 || e.Distinct || e.Over != nil {
		return nil, false, nil
	}
	args, err := c.bindAll(e.Args)
	if err != nil {
		return nil, true, err
	}
	l, r := args[0], args[1]
	lk, rk := l.Kind(), r.Kind()
	if op == OpDiv && !lk.IsInterval() {
		fn, _ := functions.Lookup("try_divide")
		k, err := fn.Check([]types.Kind{lk, rk})
		if err != nil {
			return nil, true, syntax.Errorf(e.Position(), "%v", err)
		}
		return &Call{Fn: fn, Args: args, K: k}, true, nil
	}
	if !exactKind(lk) && !exactKind(rk) {
		return nil, true, syntax.Errorf(e.Position(), "%s of integers or text is not supported: Spark computes them as INT or BIGINT, whose overflow gives NULL, nectar as BIGINT or DOUBLE; cast one to DOUBLE", e.Name)
	}
	x, err := arithmetic(e.Position(), op, l, r)
	if err != nil {
		return nil, true, err
	}
	return &Op{Op: OpTry, Args: []Expr{x}, K: x.Kind()}, true, nil
}

// exactKind reports kinds whose try_ arithmetic nectar computes as Spark
// does: DOUBLE, dates, timestamps and intervals.
func exactKind(k types.Kind) bool {
	return k == types.Float || isTime(k) || k.IsInterval()
}
