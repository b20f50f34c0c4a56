package syntax

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// Interval literals, read as Spark's AstBuilder reads them (visitInterval,
// visitMultiUnitsInterval, visitUnitToUnitInterval and, for INTERVAL
// '1 day', visitTypeConstructor) in ANSI mode.

// intervalText is an interval literal as written: a text alone (from
// empty, no parts), a text with its from and to units, or parts.
type intervalText struct {
	text, from, to string
	parts          []intervalPart
}

// intervalPart is one number and unit of INTERVAL 1 DAY 2 HOURS: num a
// decimal with its sign, unit upper case and singular.
type intervalPart struct{ num, unit string }

var errMixed = errors.New("it mixes years or months with days or times: write two intervals")

// intervalUnits maps every unit spelling of INTERVAL 1 DAY 2 HOURS to the
// singular unit (Spark's unitInMultiUnits, less NANOSECOND, which Spark
// parses and then refuses).
var intervalUnits = map[string]string{
	"YEAR": "YEAR", "YEARS": "YEAR",
	"MONTH": "MONTH", "MONTHS": "MONTH",
	"WEEK": "WEEK", "WEEKS": "WEEK",
	"DAY": "DAY", "DAYS": "DAY",
	"HOUR": "HOUR", "HOURS": "HOUR",
	"MINUTE": "MINUTE", "MINUTES": "MINUTE",
	"SECOND": "SECOND", "SECONDS": "SECOND",
	"MILLISECOND": "MILLISECOND", "MILLISECONDS": "MILLISECOND",
	"MICROSECOND": "MICROSECOND", "MICROSECONDS": "MICROSECOND",
}

// toUnits are the units of INTERVAL '1 02' DAY TO HOUR: singular only, as
// Spark's unitInUnitToUnit.
var toUnits = map[string]bool{"YEAR": true, "MONTH": true, "DAY": true, "HOUR": true, "MINUTE": true, "SECOND": true}

func isIntervalUnit(t *token) bool {
	return t.kind == tWord && intervalUnits[strings.ToUpper(t.text)] != ""
}

const intervalHint = "write INTERVAL '1 hour', INTERVAL 1 HOUR 30 MINUTES, INTERVAL '90' MINUTE or INTERVAL '1 02:30' DAY TO MINUTE; units: year, month, week, day, hour, minute, second, millisecond, microsecond"

// startsIntervalValue reports whether the tokens from the i-th after the
// current one are an interval value: a number or string, a sign before
// it or not.
func (p *parser) startsIntervalValue(i int) bool {
	t := p.peek(i)
	if t.kind == tOp && (t.text == "-" || t.text == "+") {
		t = p.peek(i + 1)
	}
	return t.kind == tString || t.kind == tInt || t.kind == tFloat
}

// parseInterval reads Spark's three forms of interval literal (see
// Interval): INTERVAL '1 hour', INTERVAL '1 02' DAY TO HOUR and INTERVAL
// 1 DAY 2 HOURS, a sign before each value or not, and gives its value.
func (p *parser) parseInterval() Expr {
	t := p.next()
	var lit intervalText
	done := func() Expr {
		v, err := lit.value()
		if err != nil {
			p.fail(&Error{Pos: t.pos, Msg: "invalid interval: " + err.Error(), Hint: intervalHint})
		}
		return &Interval{At: At{t.pos}, Value: v}
	}
	for {
		neg := false
		if p.isOp("-") || p.isOp("+") {
			neg = p.next().text == "-"
		}
		v := p.next()
		if v.kind != tString && v.kind != tInt && v.kind != tFloat {
			p.failExpected("a number or string after INTERVAL")
		}
		u := p.tok()
		if v.kind == tString && len(lit.parts) == 0 && !isIntervalUnit(u) && !toUnits[strings.ToUpper(u.text)] {
			if neg {
				p.fail(&Error{Pos: v.pos, Msg: "a sign before INTERVAL's string needs the units after it", Hint: intervalHint})
			}
			lit.text = v.text
			return done()
		}
		if u.kind != tWord {
			e := p.expectedErr("an interval unit")
			e.Hint = intervalHint
			p.fail(e)
		}
		p.next()
		if p.isKw("TO") {
			if len(lit.parts) > 0 {
				p.fail(&Error{Pos: p.tok().pos, Msg: "an interval cannot mix INTERVAL 1 DAY with '…' DAY TO HOUR", Hint: intervalHint})
			}
			p.next()
			to := p.next()
			from, toUnit := strings.ToUpper(u.text), strings.ToUpper(to.text)
			if v.kind != tString {
				p.fail(&Error{Pos: v.pos, Msg: "INTERVAL … " + from + " TO " + toUnit + " takes a string such as '1 02:03'", Hint: intervalHint})
			}
			if !toUnits[from] || !toUnits[toUnit] {
				p.fail(&Error{Pos: u.pos, Msg: "invalid interval units " + from + " TO " + toUnit, Hint: intervalHint})
			}
			lit.text, lit.from, lit.to = signed(v.text, neg), from, toUnit
			if p.startsIntervalValue(0) {
				p.fail(&Error{Pos: p.tok().pos, Msg: "an interval has one '…' FROM TO TO part", Hint: intervalHint})
			}
			return done()
		}
		unit, ok := intervalUnits[strings.ToUpper(u.text)]
		if !ok {
			p.fail(&Error{Pos: u.pos, Msg: "unknown interval unit " + QuoteString(u.text), Hint: intervalHint})
		}
		num := v.text
		if v.kind == tString {
			// Spark's stringToInterval skips spaces around the value and
			// after its sign ('-\t 1' DAY is minus one day).
			space := func(r rune) bool { return r <= ' ' }
			num = strings.TrimFunc(num, space)
			if len(num) > 1 && (num[0] == '-' || num[0] == '+') {
				num = num[:1] + strings.TrimLeftFunc(num[1:], space)
			}
		}
		num = strings.TrimPrefix(signed(num, neg), "+")
		if !isDecimal(num) {
			p.fail(&Error{Pos: v.pos, Msg: "invalid interval count " + QuoteString(num), Hint: intervalHint})
		}
		lit.parts = append(lit.parts, intervalPart{num: num, unit: unit})
		// More parts only if a value and a unit follow.
		next := 1
		if op := p.tok(); op.kind == tOp && (op.text == "-" || op.text == "+") {
			next = 2
		}
		if !p.startsIntervalValue(0) || !isIntervalUnit(p.peek(next)) {
			return done()
		}
	}
}

// signed applies a sign written before an interval's value, as Spark
// does: a minus before '-1' gives '1'.
func signed(s string, neg bool) string {
	switch {
	case !neg:
		return s
	case strings.HasPrefix(s, "-"):
		return s[1:]
	}
	return "-" + s
}

// isDecimal reports whether s is [-]digits[.digits] (or [-].digits): the
// only counts INTERVAL 1 DAY takes, so that it prints back as a number.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case isDigit(s[i]):
			digits++
		case s[i] == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// value is the literal's value. Its type is INTERVAL '1 02' DAY TO
// HOUR's fields named, or the fields the units of INTERVAL 1 DAY 2 HOURS
// and INTERVAL '1 day 2 hours' span (WEEK counts as DAY, MILLISECOND and
// MICROSECOND as SECOND), years and months never mixed with the others.
func (lit *intervalText) value() (types.Value, error) {
	switch {
	case lit.from != "":
		k, ok := types.ParseKind("INTERVAL " + lit.from + " TO " + lit.to)
		if s, e := k.IntervalFields(); !ok || s == e {
			return types.NullValue, fmt.Errorf("%s TO %s are not the fields of an interval type", lit.from, lit.to)
		}
		return types.ParseInterval(lit.text, k)
	case len(lit.parts) == 0:
		parts, err := unitParts(lit.text)
		if err != nil {
			return types.NullValue, err
		}
		lit.parts = parts
	}
	var c calendar
	ym, dt := [2]int{-1, -1}, [2]int{-1, -1}
	for _, p := range lit.parts {
		if err := c.add(p.num, strings.ToLower(p.unit)); err != nil {
			return types.NullValue, err
		}
		f, span := dtUnitField[p.unit], &dt
		if g, isYM := ymUnitField[p.unit]; isYM {
			f, span = g, &ym
		}
		if span[0] < 0 || int(f) < span[0] {
			span[0] = int(f)
		}
		span[1] = max(span[1], int(f))
	}
	switch {
	case ym[0] >= 0 && dt[0] >= 0:
		return types.NullValue, errMixed
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

// unitParts splits a text of numbers and units ("interval 1 day -2
// hours"), Spark's unit-string form, into parts.
func unitParts(text string) ([]intervalPart, error) {
	f := strings.Fields(strings.ToLower(text))
	if len(f) > 0 && f[0] == "interval" {
		f = f[1:]
	}
	if len(f) == 0 || len(f)%2 != 0 {
		return nil, errors.New("want numbers each followed by a unit, as in '1 day 2 hours'")
	}
	parts := make([]intervalPart, 0, len(f)/2)
	for i := 0; i < len(f); i += 2 {
		u, ok := intervalUnits[strings.ToUpper(f[i+1])]
		if !ok {
			return nil, fmt.Errorf("unknown unit %q", f[i+1])
		}
		parts = append(parts, intervalPart{num: f[i], unit: u})
	}
	return parts, nil
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
	x, ok := types.MulExact(v, scale)
	if ok && frac != "" {
		// Decimal digits: fmt.Sscan would read "05" as octal.
		us, _ := strconv.ParseInt((frac + "00000")[:6], 10, 64)
		if neg {
			us = -us
		}
		x, ok = types.AddExact(x, us)
	}
	if ok {
		*target, ok = types.AddExact(*target, x)
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
	d, ok := types.MulExact(c.days, types.MicrosPerDay)
	if ok {
		d, ok = types.AddExact(d, c.micros)
	}
	if !ok {
		return types.NullValue, errIntervalOverflow
	}
	return types.IntervalValue(k, d)
}
