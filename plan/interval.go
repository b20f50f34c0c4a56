package plan

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Interval literals and interval arithmetic, typed as Spark 4 types them
// in ANSI mode (AstBuilder.visitInterval, ResolveBinaryArithmetic).

// intervalLiteral is the value of an INTERVAL literal. Its type depends on
// the form: INTERVAL '1 day' is an INTERVAL DAY TO SECOND (YEAR TO MONTH
// when the text names years or months), INTERVAL '1 02' DAY TO HOUR the
// fields named, and INTERVAL 1 DAY 2 HOURS the fields its units span
// (WEEK counts as DAY, MILLISECOND and MICROSECOND as SECOND).
func intervalLiteral(iv *syntax.Interval) (types.Value, error) {
	bad := func(err error) (types.Value, error) {
		return types.NullValue, syntax.Errorf(iv.Position(), "invalid interval %s: %v", iv, err)
	}
	switch {
	case iv.From != "":
		k, ok := types.ParseKind("INTERVAL " + iv.From + " TO " + iv.To)
		if s, e := k.IntervalFields(); !ok || s == e {
			return bad(fmt.Errorf("%s TO %s are not the fields of an interval type", iv.From, iv.To))
		}
		v, err := types.ParseInterval(iv.Text, k)
		if err != nil {
			return bad(err)
		}
		return v, nil
	case len(iv.Parts) == 0:
		var c calendar
		if err := c.read(iv.Text); err != nil {
			return bad(err)
		}
		if c.months != 0 && (c.days != 0 || c.micros != 0) {
			return bad(errors.New("an interval mixes years or months with days or times: write two intervals"))
		}
		if c.months != 0 {
			return c.yearMonth(types.YearMonth)
		}
		return c.dayTime(types.DayTime)
	}
	var c calendar
	ym, dt := [2]int{-1, -1}, [2]int{-1, -1}
	for _, p := range iv.Parts {
		if err := c.add(p.Num, strings.ToLower(p.Unit)); err != nil {
			return bad(err)
		}
		f, span := dtUnitField[p.Unit], &dt
		if g, isYM := ymUnitField[p.Unit]; isYM {
			f, span = g, &ym
		}
		if span[0] < 0 || int(f) < span[0] {
			span[0] = int(f)
		}
		span[1] = max(span[1], int(f))
	}
	switch {
	case ym[0] >= 0 && dt[0] >= 0:
		return bad(errors.New("an interval mixes years or months with days or times: write two intervals"))
	case ym[0] >= 0:
		return c.yearMonth(types.YearMonthKind(types.IntervalField(ym[0]), types.IntervalField(ym[1])))
	}
	return c.dayTime(types.DayTimeKind(types.IntervalField(dt[0]), types.IntervalField(dt[1])))
}

// ymUnitField and dtUnitField are the fields the units of INTERVAL 1 DAY
// 2 HOURS stand for.
var (
	ymUnitField = map[string]types.IntervalField{"YEAR": types.Year, "MONTH": types.Month}
	dtUnitField = map[string]types.IntervalField{
		"WEEK": types.Day, "DAY": types.Day, "HOUR": types.Hour, "MINUTE": types.Minute,
		"SECOND": types.Second, "MILLISECOND": types.Second, "MICROSECOND": types.Second,
	}
)

// calendar sums the parts of an interval text as Spark's
// IntervalUtils.stringToInterval does: months, days and microseconds
// apart, each checked for overflow.
type calendar struct {
	months, days, micros int64
}

var errIntervalOverflow = fmt.Errorf("%w: the interval does not fit", types.ErrIntervalOverflow)

// read adds a text of numbers and units ("interval 1 day -2 hours"):
// Spark's unit-string form.
func (c *calendar) read(text string) error {
	f := strings.Fields(strings.ToLower(text))
	if len(f) > 0 && f[0] == "interval" {
		f = f[1:]
	}
	if len(f) == 0 || len(f)%2 != 0 {
		return errors.New("want numbers each followed by a unit, as in '1 day 2 hours'")
	}
	for i := 0; i < len(f); i += 2 {
		if err := c.add(f[i], f[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// add adds num units; only seconds take a fraction, of up to nine digits,
// cut to microseconds.
func (c *calendar) add(num, unit string) error {
	unit = strings.TrimSuffix(unit, "s")
	whole, frac, hasFrac := strings.Cut(strings.TrimPrefix(num, "+"), ".")
	if hasFrac && unit != "second" {
		return fmt.Errorf("'%s %s' cannot have a fractional part", num, unit)
	}
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	n, ok := new(big.Int).SetString(whole, 10)
	if whole == "" && hasFrac {
		n, ok = new(big.Int), true
	}
	if !ok || strings.ContainsAny(whole, "+-") || len(frac) > 9 || strings.Trim(frac, "0123456789") != "" {
		return fmt.Errorf("cannot read %q as a number of %ss", num, unit)
	}
	if !n.IsInt64() {
		return errIntervalOverflow
	}
	v := n.Int64()
	if neg {
		v = -v
	}
	var target *int64
	var scale int64
	switch unit {
	case "year":
		target, scale = &c.months, 12
	case "month":
		target, scale = &c.months, 1
	case "week":
		target, scale = &c.days, 7
	case "day":
		target, scale = &c.days, 1
	case "hour":
		target, scale = &c.micros, types.MicrosPerHour
	case "minute":
		target, scale = &c.micros, types.MicrosPerMinute
	case "second":
		target, scale = &c.micros, types.MicrosPerSecond
	case "millisecond":
		target, scale = &c.micros, 1000
	case "microsecond":
		target, scale = &c.micros, 1
	default:
		return fmt.Errorf("unknown unit %q", unit)
	}
	x, ok := mulExact(v, scale)
	if ok && frac != "" {
		var us int64
		fmt.Sscan((frac + "00000")[:6], &us)
		if neg {
			us = -us
		}
		x, ok = addExact(x, us)
	}
	if ok {
		*target, ok = addExact(*target, x)
	}
	if !ok || (target != &c.micros && (*target > math.MaxInt32 || *target < math.MinInt32)) {
		return errIntervalOverflow
	}
	return nil
}

func (c *calendar) yearMonth(k types.Kind) (types.Value, error) {
	return types.IntervalValue(k, c.months)
}

func (c *calendar) dayTime(k types.Kind) (types.Value, error) {
	d, ok := mulExact(c.days, types.MicrosPerDay)
	if ok {
		d, ok = addExact(d, c.micros)
	}
	if !ok {
		return types.NullValue, errIntervalOverflow
	}
	return types.IntervalValue(k, d)
}

func addExact(a, b int64) (int64, bool) {
	s := a + b
	return s, !((a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0))
}

func mulExact(a, b int64) (int64, bool) {
	p := a * b
	return p, a == 0 || (p/a == b && !(a == -1 && b == math.MinInt64))
}

// intervalDuration reads a positive day-time interval literal as a Go
// duration, for window sizes and watermark delays.
func intervalDuration(iv *syntax.Interval) (time.Duration, error) {
	v, err := intervalLiteral(iv)
	if err != nil {
		return 0, err
	}
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
	// A NULL beside an interval is an interval of its kind.
	if lk == types.Null {
		l, lk = castExpr(l, rk), rk
	}
	if rk == types.Null {
		r, rk = castExpr(r, lk), lk
	}
	switch op {
	case OpAdd, OpSub:
		if op == OpAdd && lk.IsInterval() && !rk.IsInterval() {
			l, r, lk, rk = r, l, rk, lk // interval + time is time + interval
		}
		if lk.IsInterval() {
			w, ok := intervalWiden(lk, rk)
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
			// text (Cast(TimeAdd(l, r), StringType)).
			sum := &Op{Op: addOrSub(op), Args: []Expr{castExpr(l, types.Timestamp), r}, K: types.Timestamp}
			return castExpr(sum, types.String), true, nil
		}
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

func addOrSub(op OpCode) OpCode {
	if op == OpSub {
		return OpSubInterval
	}
	return OpAddInterval
}

// intervalWiden is the type of a sum of intervals of one family.
func intervalWiden(a, b types.Kind) (types.Kind, bool) {
	if a.IsYearMonth() != b.IsYearMonth() || !a.IsInterval() || !b.IsInterval() {
		return types.Null, false
	}
	return types.Widen(a, b), true
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
	w, ok := intervalWiden(lk, rk)
	if !ok {
		return nil, nil, syntax.Errorf(pos, "[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES] cannot compare %s with %s", lk, rk)
	}
	return castExpr(l, w), castExpr(r, w), nil
}
