package types

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Spark's ANSI interval types (Spark 3.2+, the only intervals of ANSI
// mode): INTERVAL YEAR TO MONTH and its narrower forms hold a number of
// months (Spark: YearMonthIntervalType, an Int), INTERVAL DAY TO SECOND
// and its narrower forms a number of microseconds (DayTimeIntervalType, a
// Long). The start and end fields are part of the type: they decide how
// the value prints (INTERVAL '2' HOUR against INTERVAL '0 02:00:00' DAY
// TO SECOND) and, for a literal, which text it reads. Both families are
// stored as Value.I, so every generic path (copying, hashing, spilling)
// moves them as it moves integers.

// IntervalField is one field of an interval type: YEAR and MONTH for the
// year-month family, DAY, HOUR, MINUTE and SECOND for the day-time one,
// numbered as Spark numbers them (YM.YEAR = 0, DT.DAY = 0, …).
type IntervalField uint8

const (
	Year  IntervalField = 0
	Month IntervalField = 1

	Day    IntervalField = 0
	Hour   IntervalField = 1
	Minute IntervalField = 2
	Second IntervalField = 3
)

// The interval kinds are numbered by family and fields: first + start*4 +
// end, so that the fields come back from the number alone.
const (
	firstYM Kind = 16
	firstDT Kind = 32
	lastDT  Kind = firstDT + 4*Kind(Second) + Kind(Second)
)

// YearMonthKind is INTERVAL start TO end of the year-month family.
func YearMonthKind(start, end IntervalField) Kind { return firstYM + Kind(start)*4 + Kind(end) }

// DayTimeKind is INTERVAL start TO end of the day-time family.
func DayTimeKind(start, end IntervalField) Kind { return firstDT + Kind(start)*4 + Kind(end) }

// The interval kinds Spark gives when nothing narrows them.
var (
	YearMonth = YearMonthKind(Year, Month)
	DayTime   = DayTimeKind(Day, Second)
)

// IsYearMonth reports whether k is an INTERVAL YEAR TO MONTH kind.
func (k Kind) IsYearMonth() bool {
	s, e := (k-firstYM)/4, (k-firstYM)%4
	return k >= firstYM && k < firstDT && s <= e && e <= Kind(Month)
}

// IsDayTime reports whether k is an INTERVAL DAY TO SECOND kind.
func (k Kind) IsDayTime() bool {
	s, e := (k-firstDT)/4, (k-firstDT)%4
	return k >= firstDT && k <= lastDT && s <= e
}

// IsInterval reports whether k is either interval family.
func (k Kind) IsInterval() bool { return k.IsYearMonth() || k.IsDayTime() }

// IntervalFields returns an interval kind's start and end fields.
func (k Kind) IntervalFields() (start, end IntervalField) {
	base := firstDT
	if k.IsYearMonth() {
		base = firstYM
	}
	return IntervalField((k - base) / 4), IntervalField((k - base) % 4)
}

var (
	ymNames = [...]string{"YEAR", "MONTH"}
	dtNames = [...]string{"DAY", "HOUR", "MINUTE", "SECOND"}
)

func (k Kind) fieldName(f IntervalField) string {
	if k.IsYearMonth() {
		return ymNames[f]
	}
	return dtNames[f]
}

// intervalName is the type's Spark name: INTERVAL HOUR, INTERVAL DAY TO
// SECOND.
func intervalName(k Kind) string {
	s, e := k.IntervalFields()
	if s == e {
		return "INTERVAL " + k.fieldName(s)
	}
	return "INTERVAL " + k.fieldName(s) + " TO " + k.fieldName(e)
}

// parseIntervalKind reads INTERVAL field [TO field] as intervalName
// writes it (any case and spacing).
func parseIntervalKind(name string) (Kind, bool) {
	f := strings.Fields(strings.ToUpper(name))
	if len(f) < 2 || f[0] != "INTERVAL" || (len(f) != 2 && (len(f) != 4 || f[2] != "TO")) {
		return Null, false
	}
	ym, okYM := fieldIndex(ymNames[:], f[1])
	dt, okDT := fieldIndex(dtNames[:], f[1])
	endYM, endDT := ym, dt
	if len(f) == 4 {
		var e1, e2 bool
		endYM, e1 = fieldIndex(ymNames[:], f[3])
		endDT, e2 = fieldIndex(dtNames[:], f[3])
		okYM, okDT = okYM && e1, okDT && e2
	}
	switch {
	case okYM && endYM >= ym:
		return YearMonthKind(ym, endYM), true
	case okDT && endDT >= dt:
		return DayTimeKind(dt, endDT), true
	}
	return Null, false
}

func fieldIndex(names []string, s string) (IntervalField, bool) {
	for i, n := range names {
		if n == s {
			return IntervalField(i), true
		}
	}
	return 0, false
}

// WidenInterval widens two intervals of one family to the type spanning
// both's fields, as Spark's type coercion does
// (DayTimeIntervalType(min start, max end)); ok is false unless both are
// intervals of one family.
func WidenInterval(a, b Kind) (Kind, bool) {
	as, ae := a.IntervalFields()
	bs, be := b.IntervalFields()
	switch {
	case a.IsYearMonth() && b.IsYearMonth():
		return YearMonthKind(min(as, bs), max(ae, be)), true
	case a.IsDayTime() && b.IsDayTime():
		return DayTimeKind(min(as, bs), max(ae, be)), true
	}
	return Null, false
}

// Microseconds per day-time field, as Spark's IntervalUtils counts them.
const (
	MicrosPerSecond = int64(1e6)
	MicrosPerMinute = 60 * MicrosPerSecond
	MicrosPerHour   = 60 * MicrosPerMinute
	MicrosPerDay    = 24 * MicrosPerHour
)

var dtUnit = [...]int64{Day: MicrosPerDay, Hour: MicrosPerHour, Minute: MicrosPerMinute, Second: MicrosPerSecond}

// ErrIntervalOverflow is wrapped when an interval does not fit its type:
// more than 2^31-1 months, or 2^63-1 microseconds (Spark's
// INTERVAL_ARITHMETIC_OVERFLOW, or a literal out of range).
var ErrIntervalOverflow = errors.New("interval overflow")

// IntervalValue is an interval of kind k holding n months (year-month) or
// microseconds (day-time). A year-month interval must fit 32 bits, as
// Spark holds it in an Int.
func IntervalValue(k Kind, n int64) (Value, error) {
	if k.IsYearMonth() && (n > math.MaxInt32 || n < math.MinInt32) {
		return NullValue, fmt.Errorf("%w: %d months is out of the range of %s", ErrIntervalOverflow, n, k)
	}
	return Value{K: k, I: n}, nil
}

// TruncateInterval drops what lies below k's end field (the 30 minutes of
// 1:30 as an INTERVAL HOUR), as Spark's casts between interval types and
// its literals do.
func TruncateInterval(k Kind, n int64) int64 {
	_, e := k.IntervalFields()
	if k.IsYearMonth() {
		if e == Year {
			return n / 12 * 12
		}
		return n
	}
	if e == Second {
		return n // microseconds are the fraction a SECOND keeps
	}
	return n / dtUnit[e] * dtUnit[e]
}

// FormatInterval prints an interval as Spark's CAST(… AS STRING) does, the
// ANSI style: INTERVAL '1-2' YEAR TO MONTH, INTERVAL '2' HOUR,
// INTERVAL '1 02:03:04.5' DAY TO SECOND (IntervalUtils.toYearMonthIntervalString
// and toDayTimeIntervalString with ANSI_STYLE).
func FormatInterval(v Value) string {
	k := v.K
	s, e := k.IntervalFields()
	suffix := "' " + k.fieldName(s)
	if s != e {
		suffix += " TO " + k.fieldName(e)
	}
	if k.IsYearMonth() {
		sign, abs := splitSign(v.I)
		var body string
		switch {
		case s != e:
			body = fmt.Sprintf("%s%d-%d", sign, abs/12, abs%12)
		case s == Year:
			body = fmt.Sprintf("%s%d", sign, abs/12)
		default:
			body = strconv.FormatInt(v.I, 10)
		}
		return "INTERVAL '" + body + suffix
	}
	return "INTERVAL '" + dayTimeANSI(v.I, s, e) + suffix
}

// dayTimeANSI is the quoted part of a day-time interval's ANSI text: the
// start field unpadded (two digits below DAY), the others padded, seconds
// with their fraction and no trailing zeros.
func dayTimeANSI(n int64, s, e IntervalField) string {
	if n == math.MinInt64 {
		// -n overflows; Spark spells the one value out, 106751991 days,
		// 04:00:54.775808 (toDayTimeIntervalString).
		first := [...]string{"-106751991", "-2562047788", "-153722867280", "-9223372036854.775808"}[s]
		const base = "-106751991 04:00:54.775808"
		from := [...]int{Day: 10, Hour: 13, Minute: 16}
		to := [...]int{Hour: 13, Minute: 16, Second: 26}
		if s == e {
			return first
		}
		return first + base[from[s]:to[e]]
	}
	sign, rest := splitSign(n)
	var b strings.Builder
	b.WriteString(sign)
	if s == Second {
		b.WriteString(secondsText(rest))
	} else {
		lead := rest / dtUnit[s]
		rest %= dtUnit[s]
		if s == Day {
			b.WriteString(strconv.FormatInt(lead, 10))
		} else {
			fmt.Fprintf(&b, "%02d", lead)
		}
	}
	for f := s + 1; f <= e; f++ {
		if f == Hour {
			b.WriteByte(' ')
		} else {
			b.WriteByte(':')
		}
		if f == Second {
			b.WriteString(secondsText(rest))
			break
		}
		fmt.Fprintf(&b, "%02d", rest/dtUnit[f])
		rest %= dtUnit[f]
	}
	return b.String()
}

// secondsText prints microseconds as seconds, two digits at least and the
// fraction without trailing zeros (BigDecimal.stripTrailingZeros).
func secondsText(micros int64) string {
	s := strconv.FormatInt(micros/MicrosPerSecond, 10)
	if micros < 10*MicrosPerSecond {
		s = "0" + s
	}
	if frac := micros % MicrosPerSecond; frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	}
	return s
}

func splitSign(n int64) (string, int64) {
	if n < 0 {
		return "-", -n
	}
	return "", n
}

// FormatIntervalHive prints an interval as Spark's HiveResult does, the
// form spark-sql's shell and SQLQueryTestSuite show: 1-2 for a year-month
// interval, 1 02:03:04.500000000 for a day-time one, whatever the fields.
func FormatIntervalHive(v Value) string {
	if v.K.IsYearMonth() {
		sign, abs := splitSign(v.I)
		return fmt.Sprintf("%s%d-%d", sign, abs/12, abs%12)
	}
	if v.I == math.MinInt64 {
		return "-106751991 04:00:54.775808000"
	}
	sign, rest := splitSign(v.I)
	return fmt.Sprintf("%s%d %02d:%02d:%02d.%09d", sign, rest/MicrosPerDay, rest%MicrosPerDay/MicrosPerHour,
		rest%MicrosPerHour/MicrosPerMinute, rest%MicrosPerMinute/MicrosPerSecond, rest%MicrosPerSecond*1000)
}

// ErrIntervalFormat is wrapped when a text does not read as an interval
// of the kind asked for.
var ErrIntervalFormat = errors.New("invalid interval")

// ParseInterval reads the text of an interval of kind k: the quoted part
// of its ANSI form ('1-2' for YEAR TO MONTH, '1 02:03:04.5' for DAY TO
// SECOND, '-90' for MINUTE), surrounded by spaces or not, or the whole
// ANSI form (INTERVAL '1-2' YEAR TO MONTH) with k's fields, as Spark's
// literals and its casts from STRING read them
// (IntervalUtils.castStringToYMInterval and castStringToDTInterval).
// Fields after the first keep to their ranges (hours 0-23, minutes and
// seconds 0-59); a fraction of a second beyond microseconds is cut off.
func ParseInterval(text string, k Kind) (Value, error) {
	bad := func() (Value, error) {
		return NullValue, fmt.Errorf("%w: '%s' is not %s", ErrIntervalFormat, text, k)
	}
	t := strings.TrimSpace(text)
	if up := strings.ToUpper(t); strings.HasPrefix(up, "INTERVAL") {
		rest := strings.TrimSpace(t[len("INTERVAL"):])
		sign := ""
		if rest != "" && (rest[0] == '-' || rest[0] == '+') {
			sign, rest = rest[:1], strings.TrimSpace(rest[1:])
		}
		q := strings.IndexByte(rest[min(1, len(rest)):], '\'') + 1
		if !strings.HasPrefix(rest, "'") || q <= 0 {
			return bad()
		}
		fk, ok := parseIntervalKind("INTERVAL " + rest[q+1:])
		if !ok || fk != k {
			return bad()
		}
		v, err := ParseInterval(rest[1:q], k)
		if err != nil || sign != "-" {
			return v, err
		}
		return negateInterval(v, text)
	}
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg, t = t[0] == '-', t[1:]
	}
	s, e := k.IntervalFields()
	var n int64
	var ok bool
	if k.IsYearMonth() {
		n, ok = parseYM(t, s, e)
		if neg {
			n = -n
		}
	} else {
		n, ok = parseDT(t, s, e, neg)
	}
	if !ok {
		return bad()
	}
	v, err := IntervalValue(k, n)
	if err != nil {
		return NullValue, fmt.Errorf("%w: '%s' is out of the range of %s", ErrIntervalOverflow, text, k)
	}
	return v, nil
}

func negateInterval(v Value, text string) (Value, error) {
	if v.I == math.MinInt64 || (v.K.IsYearMonth() && v.I == math.MinInt32) {
		return NullValue, fmt.Errorf("%w: -%s", ErrIntervalOverflow, text)
	}
	v.I = -v.I
	return v, nil
}

// parseYM reads Y-M, Y or M as s and e ask; the months of Y-M are 0-11.
func parseYM(t string, s, e IntervalField) (int64, bool) {
	if s != e {
		y, m, ok := strings.Cut(t, "-")
		yn, ok1 := parseDigits(y)
		mn, ok2 := parseDigits(m)
		if !ok || !ok1 || !ok2 || mn > 11 || yn > math.MaxInt32/12+1 {
			return 0, false
		}
		return yn*12 + mn, true
	}
	n, ok := parseDigits(t)
	if !ok {
		return 0, false
	}
	if s == Year {
		if n > math.MaxInt32/12+1 {
			return 0, false
		}
		n *= 12
	}
	return n, true
}

// parseDT reads the fields s to e: "d h:m:s.f" and its parts, the first
// field unbounded up to the limit of 64 bits, the others in range. The
// sum is unsigned because a negative interval reaches one microsecond
// further than a positive one.
func parseDT(t string, s, e IntervalField, neg bool) (int64, bool) {
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var parts []string
	if s == Day && e > Day {
		d, rest, ok := strings.Cut(t, " ")
		if !ok {
			return 0, false
		}
		parts = append([]string{d}, strings.Split(rest, ":")...)
	} else {
		parts = strings.Split(t, ":")
	}
	if len(parts) != int(e-s)+1 {
		return 0, false
	}
	var total uint64
	for i, p := range parts {
		f := s + IntervalField(i)
		var n int64
		var ok bool
		if f == Second {
			n, ok = parseSeconds(p)
			if ok && i > 0 && n >= MicrosPerMinute {
				return 0, false
			}
		} else {
			n, ok = parseDigits(p)
			limit := [...]int64{Hour: 23, Minute: 59}
			if ok && i > 0 && n > limit[f] {
				return 0, false
			}
			if ok && n > math.MaxInt64/dtUnit[f] {
				return 0, false
			}
			n *= dtUnit[f]
		}
		if !ok || total > limit-uint64(n) {
			return 0, false
		}
		total += uint64(n)
	}
	if neg {
		return -int64(total), true
	}
	return int64(total), true
}

// parseDigits reads a non-negative decimal integer of up to 18 digits.
func parseDigits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseSeconds reads seconds with up to nine fractional digits as
// microseconds, cutting off the nanoseconds.
func parseSeconds(s string) (int64, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" && hasFrac {
		whole = "0"
	}
	n, ok := parseDigits(whole)
	if !ok || len(frac) > 9 || (hasFrac && frac == "") || n > math.MaxInt64/MicrosPerSecond {
		return 0, false
	}
	var f int64
	if frac != "" {
		fv, ok := parseDigits((frac + "000000")[:6])
		if _, okAll := parseDigits(frac); !ok || !okAll {
			return 0, false
		}
		f = fv
	}
	n *= MicrosPerSecond
	if n > math.MaxInt64-f {
		return 0, false
	}
	return n + f, true
}

// canCastInterval is CanCast where either side is an interval, as Spark's
// Cast.canAnsiCast allows: within one family, to and from STRING, to an
// integer and from a number, counted in the end field's unit (CAST(INTERVAL
// '1 02' DAY TO HOUR AS INT) is 26). Not to a DOUBLE: Spark gives a
// DECIMAL rounded to its scale, which nectar's DOUBLE does not keep.
func canCastInterval(from, to Kind) bool {
	if _, ok := WidenInterval(from, to); ok {
		return true
	}
	switch {
	case from == String || to == String:
		return true
	case from.IsNumeric():
		return to.IsInterval()
	}
	return to == Int
}

// castInterval is Cast where either side is an interval (canCastInterval
// has allowed it).
func castInterval(v Value, to Kind) (Value, error) {
	if !canCastInterval(v.K, to) {
		return NullValue, castErr(v, to)
	}
	switch {
	case to == String:
		return StringValue(FormatInterval(v)), nil
	case v.K == String:
		r, err := ParseInterval(v.S, to)
		if err != nil {
			return NullValue, fmt.Errorf("%w: %w", ErrCast, err)
		}
		return r, nil
	case to == Int:
		_, e := v.K.IntervalFields()
		return IntValue(v.I / intervalUnit(v.K, e)), nil
	case v.K == Int || v.K == Float:
		return numberToInterval(v, to)
	}
	return Value{K: to, I: TruncateInterval(to, v.I)}, nil
}

// intervalUnit is how many months or microseconds one unit of field f of
// an interval of kind k holds.
func intervalUnit(k Kind, f IntervalField) int64 {
	if k.IsYearMonth() {
		if f == Year {
			return 12
		}
		return 1
	}
	return dtUnit[f]
}

// numberToInterval is CAST(n AS interval type): n of the end field's
// unit; a fraction rounds half up to a month, or to a microsecond and
// then down to the end field (Spark's decimalToYearMonthInterval and
// decimalToDayTimeInterval).
func numberToInterval(v Value, to Kind) (Value, error) {
	_, e := to.IntervalFields()
	u := intervalUnit(to, e)
	over := func() (Value, error) {
		return NullValue, fmt.Errorf("%w %s to %s: %w", ErrCast, v, to, ErrIntervalOverflow)
	}
	var n int64
	if v.K == Int {
		if v.I > math.MaxInt64/u || v.I < math.MinInt64/u {
			return over()
		}
		n = v.I * u
	} else {
		unit := float64(u)
		if to.IsDayTime() {
			unit = 1 // rounded to the microsecond first, cut to the field below
		}
		f := v.F * float64(u) / unit
		r := math.Floor(math.Abs(f) + 0.5)
		if math.IsNaN(r) || r >= 0x1p63 {
			return over()
		}
		n = int64(math.Copysign(r, f)) * int64(unit)
	}
	r, err := IntervalValue(to, TruncateInterval(to, n))
	if err != nil {
		return over()
	}
	return r, nil
}

// AddExact is a + b, ok false when it overflows 64 bits (Java's
// Math.addExact, which Spark's interval arithmetic uses).
func AddExact(a, b int64) (int64, bool) {
	s := a + b
	return s, !((a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0))
}

// MulExact is a × b, ok false when it overflows 64 bits (Math.multiplyExact).
func MulExact(a, b int64) (int64, bool) {
	p := a * b
	return p, a == 0 || (p/a == b && !(a == -1 && b == math.MinInt64))
}
