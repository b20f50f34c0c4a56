package functions

import (
	"fmt"
	"strings"
	"time"
)

// Parsing with a Spark datetime pattern, as Spark's DateTimeFormatterHelper
// builds a java.time formatter from it: case-insensitive, strict, 'y' read
// as the proleptic year 'u' when no era 'G' is in the pattern, optional
// sections in brackets, adjacent numbers without separators split by the
// widths of the fixed-width ones that follow (java.time's adjacent value
// parsing), and the fields the text leaves out defaulted as Spark's
// toLocalDate and toLocalTime default them: year 1970, month and day 1,
// midnight (https://github.com/apache/spark, sql/catalyst/.../util/
// DateTimeFormatterHelper.scala). A field given twice must agree, and a
// day of the year must agree with the month and day given with it.

// checkParsePattern refuses patterns Spark refuses for parsing.
func checkParsePattern(p string, toks []dtToken) error {
	depth := 0
	for _, t := range toks {
		switch t.letter {
		case '[':
			depth++
		case ']':
			depth--
			if depth < 0 {
				return fmt.Errorf("%w %q: ']' without a '[' before it", ErrBadPattern, p)
			}
		case 'E', 'Q', 'q':
			// Spark: "Symbols of 'E', 'F', 'q' and 'Q' can only be used for
			// datetime formatting".
			return fmt.Errorf("%w %q: '%c' can only format, not parse", ErrBadPattern, p, t.letter)
		case 'G', 'M', 'L':
			if t.count == 5 {
				// SPARK-31771: narrow text forms are refused.
				return fmt.Errorf("%w %q: '%s' cannot be used for parsing", ErrBadPattern, p, strings.Repeat(string(t.letter), t.count))
			}
		}
	}
	if depth != 0 {
		return fmt.Errorf("%w %q: '[' without a ']' after it", ErrBadPattern, p)
	}
	return nil
}

// Field indexes of dtFields.v.
const (
	fYear = iota
	fYearOfEra
	fEra
	fMonth
	fDay
	fDayOfYear
	fHour   // H, 0-23
	fHour24 // k, 1-24
	fHour12 // h, 1-12
	fHour11 // K, 0-11
	fAmPm
	fMinute
	fSecond
	fNano
	nFields
)

type dtFields struct {
	v   [nFields]int
	has [nFields]bool
	loc *time.Location
	err error // two values of one field, an error in Spark too
}

var fieldNames = [nFields]string{"year", "year of era", "era", "month", "day of month", "day of year",
	"hour of day", "clock hour of day", "clock hour of AM/PM", "hour of AM/PM", "AM/PM", "minute", "second", "fraction of second"}

// set records a field, failing when it was set before to another value.
func (f *dtFields) set(i, v int) bool {
	if f.has[i] && f.v[i] != v {
		f.err = fmt.Errorf("%w: [CANNOT_PARSE_TIMESTAMP] the text gives the %s twice, differently (%d and %d)", ErrInvalidArg, fieldNames[i], f.v[i], v)
		return false
	}
	f.v[i], f.has[i] = v, true
	return true
}

type dtParser struct {
	s      string
	pos    int
	f      dtFields
	hasEra bool
	err    error // a zone name nectar cannot resolve
}

// parseTokens parses s with a compiled pattern; ok is false when s does
// not match it. err is set for a zone name nectar does not know.
func parseTokens(s string, toks []dtToken) (t time.Time, ok bool, err error) {
	p := &dtParser{s: s}
	for _, tk := range toks {
		if tk.letter == 'G' {
			p.hasEra = true
		}
	}
	if !p.seq(toks) || p.pos != len(s) {
		if p.err == nil {
			p.err = p.f.err
		}
		return time.Time{}, false, p.err
	}
	t, ok = p.f.resolve()
	return t, ok, p.f.err
}

// seq parses toks in order; a bracketed section that does not match is
// skipped with the input and fields as they were before it.
func (p *dtParser) seq(toks []dtToken) bool {
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		switch tk.letter {
		case '[':
			end := matchingBracket(toks, i)
			pos, f := p.pos, p.f
			if !p.seq(toks[i+1 : end]) {
				if p.err != nil || p.f.err != nil {
					return false
				}
				p.pos, p.f = pos, f
			}
			i = end
		case ']':
		case 0:
			if len(p.s)-p.pos < len(tk.lit) || !strings.EqualFold(p.s[p.pos:p.pos+len(tk.lit)], tk.lit) {
				return false
			}
			p.pos += len(tk.lit)
		default:
			if !p.field(tk, adjacentWidth(toks[i+1:])) {
				return false
			}
		}
	}
	return true
}

func matchingBracket(toks []dtToken, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch toks[j].letter {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks)
}

// numWidth is the digits a numeric pattern letter reads, as java.time's
// DateTimeFormatterBuilder.parsePattern appends it; ok is false for text
// fields. 'S' is Spark's fraction of 1 to count digits.
func numWidth(tk dtToken) (lo, hi int, ok bool) {
	n := tk.count
	switch tk.letter {
	case 'y':
		switch {
		case n == 2:
			return 2, 2, true
		case n >= 4:
			return n, n, true // strict EXCEEDS_PAD: no more digits without a sign
		}
		return n, 19, true
	case 'M', 'L':
		if n > 2 {
			return 0, 0, false
		}
		fallthrough
	case 'd', 'H', 'h', 'k', 'K', 'm', 's':
		if n == 2 {
			return 2, 2, true
		}
		return 1, 19, true
	case 'D':
		return [...]int{0, 1, 2, 3}[n], [...]int{0, 19, 3, 3}[n], true
	case 'S':
		return 1, n, true
	}
	return 0, 0, false
}

// adjacentWidth is the digits the fixed-width numbers right after a
// number take, which a variable-width number before them leaves them. A
// fraction neither leaves digits nor has them left, and a year of four or
// more letters is not fixed-width (java.time's appendValue).
func adjacentWidth(rest []dtToken) int {
	w := 0
	for _, tk := range rest {
		lo, hi, ok := numWidth(tk)
		if !ok || lo != hi || tk.letter == 'S' || (tk.letter == 'y' && tk.count > 2) {
			break
		}
		w += lo
	}
	return w
}

func (p *dtParser) digits(lo, hi int) (int, int, bool) {
	end := p.pos
	for end < len(p.s) && end-p.pos < hi && p.s[end] >= '0' && p.s[end] <= '9' {
		end++
	}
	n := end - p.pos
	if n < lo {
		return 0, 0, false
	}
	v := 0
	for _, c := range p.s[p.pos:end] {
		v = v*10 + int(c-'0')
		if v > 1e9 {
			return 0, 0, false
		}
	}
	p.pos = end
	return v, n, true
}

var fieldOf = map[byte]int{'M': fMonth, 'L': fMonth, 'd': fDay, 'D': fDayOfYear, 'H': fHour, 'k': fHour24, 'h': fHour12, 'K': fHour11, 'm': fMinute, 's': fSecond}

func (p *dtParser) field(tk dtToken, reserve int) bool {
	if lo, hi, ok := numWidth(tk); ok {
		if lo != hi && reserve > 0 && tk.letter != 'S' {
			avail := 0
			for p.pos+avail < len(p.s) && p.s[p.pos+avail] >= '0' && p.s[p.pos+avail] <= '9' {
				avail++
			}
			hi = min(hi, avail-reserve)
		}
		neg := false
		if tk.letter == 'y' && tk.count != 2 && p.pos < len(p.s) && p.s[p.pos] == '-' && !p.hasEra {
			neg = true
			p.pos++
		}
		v, n, ok := p.digits(lo, hi)
		if !ok {
			return false
		}
		switch tk.letter {
		case 'y':
			if neg {
				v = -v
			}
			if tk.count == 2 {
				v += 2000 // java.time's reduced value, base 2000
			}
			if p.hasEra {
				return p.f.set(fYearOfEra, v)
			}
			return p.f.set(fYear, v)
		case 'S':
			for ; n < 9; n++ {
				v *= 10
			}
			return p.f.set(fNano, v)
		}
		return p.f.set(fieldOf[tk.letter], v)
	}
	switch tk.letter {
	case 'M', 'L':
		for m := time.January; m <= time.December; m++ {
			name := m.String()
			if tk.count == 3 {
				name = name[:3]
			}
			if p.word(name) {
				return p.f.set(fMonth, int(m))
			}
		}
		return false
	case 'a':
		switch {
		case p.word("AM"):
			return p.f.set(fAmPm, 0)
		case p.word("PM"):
			return p.f.set(fAmPm, 1)
		}
		return false
	case 'G':
		names := [2]string{"BC", "AD"}
		if tk.count == 4 {
			names = [2]string{"Before Christ", "Anno Domini"}
		}
		for era, name := range names {
			if p.word(name) {
				return p.f.set(fEra, era)
			}
		}
		return false
	case 'z', 'V':
		return p.zoneName()
	case 'O':
		if !p.word("GMT") {
			return false
		}
		if p.pos < len(p.s) && (p.s[p.pos] == '+' || p.s[p.pos] == '-') {
			return p.offset()
		}
		return p.setZone(time.UTC)
	case 'X', 'x', 'Z':
		if tk.letter != 'x' && p.pos < len(p.s) && (p.s[p.pos] == 'Z' || p.s[p.pos] == 'z') && (tk.letter == 'X' || tk.count == 5) {
			p.pos++
			return p.setZone(time.UTC)
		}
		if tk.letter == 'Z' && tk.count == 4 {
			if !p.word("GMT") {
				return false
			}
			if p.pos == len(p.s) || (p.s[p.pos] != '+' && p.s[p.pos] != '-') {
				return p.setZone(time.UTC)
			}
		}
		return p.offset()
	}
	return false
}

// word consumes w, in any case.
func (p *dtParser) word(w string) bool {
	if len(p.s)-p.pos >= len(w) && strings.EqualFold(p.s[p.pos:p.pos+len(w)], w) {
		p.pos += len(w)
		return true
	}
	return false
}

// offset reads +HH, +HHMM, +HH:MM or +HH:MM:SS.
func (p *dtParser) offset() bool {
	if p.pos >= len(p.s) || (p.s[p.pos] != '+' && p.s[p.pos] != '-') {
		return false
	}
	sign := 1
	if p.s[p.pos] == '-' {
		sign = -1
	}
	p.pos++
	h, _, ok := p.digits(1, 2)
	if !ok || h > 18 {
		return false
	}
	secs := h * 3600
	for _, unit := range []int{60, 1} {
		start := p.pos
		if p.pos < len(p.s) && p.s[p.pos] == ':' {
			p.pos++
		}
		v, _, ok := p.digits(2, 2)
		if !ok {
			p.pos = start
			break
		}
		if v > 59 {
			return false
		}
		secs += v * unit
	}
	return p.setZone(time.FixedZone("", sign*secs))
}

// zoneName reads a zone id ("America/Los_Angeles"), a short name ("PST")
// or "UTC"/"GMT" with an offset after it.
func (p *dtParser) zoneName() bool {
	end := p.pos
	for end < len(p.s) {
		c := p.s[end]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '_') {
			break
		}
		end++
	}
	name := p.s[p.pos:end]
	if name == "" {
		return false
	}
	p.pos = end
	if u := strings.ToUpper(name); (u == "UTC" || u == "GMT" || u == "UT") && p.pos < len(p.s) && (p.s[p.pos] == '+' || p.s[p.pos] == '-') {
		return p.offset()
	}
	loc, err := loadZone(name)
	if err != nil {
		p.err = err
		return false
	}
	return p.setZone(loc)
}

func (p *dtParser) setZone(loc *time.Location) bool {
	if p.f.loc != nil {
		return false
	}
	p.f.loc = loc
	return true
}

// resolve turns the fields into an instant, as Spark's toLocalDate and
// toLocalTime do with java.time's strict resolver. A day of the year that
// contradicts the month or day sets f.err, as Spark fails then.
func (f *dtFields) resolve() (time.Time, bool) {
	year := 1970
	switch {
	case f.has[fYear]:
		year = f.v[fYear]
	case f.has[fYearOfEra]:
		year = f.v[fYearOfEra]
		if year < 1 {
			return time.Time{}, false
		}
		if f.has[fEra] && f.v[fEra] == 0 {
			year = 1 - year
		}
	}
	if year < -290000 || year > 290000 {
		return time.Time{}, false
	}
	var month time.Month = 1
	day := 1
	if f.has[fDayOfYear] {
		doy := f.v[fDayOfYear]
		if doy < 1 || doy > time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).YearDay() {
			return time.Time{}, false
		}
		d := time.Date(year, 1, doy, 0, 0, 0, 0, time.UTC)
		if (f.has[fMonth] && f.v[fMonth] != int(d.Month())) || (f.has[fDay] && f.v[fDay] != d.Day()) {
			f.err = fmt.Errorf("%w: day %d of %d is %s, not the month and day the text gives", ErrInvalidArg, doy, year, d.Format("January 2"))
			return time.Time{}, false
		}
		month, day = d.Month(), d.Day()
	} else {
		if f.has[fMonth] {
			month = time.Month(f.v[fMonth])
		}
		if f.has[fDay] {
			day = f.v[fDay]
		}
		if month < 1 || month > 12 || day < 1 || day > time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day() {
			return time.Time{}, false
		}
	}
	hour, ok := f.hour()
	if !ok {
		return time.Time{}, false
	}
	minute, second := f.v[fMinute], f.v[fSecond]
	if minute > 59 || second > 59 {
		return time.Time{}, false
	}
	loc := f.loc
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(year, month, day, hour, minute, second, f.v[fNano], loc).UTC(), true
}

// hour is the hour of day from H, k, h or K and AM/PM; the clock hour of
// AM/PM without AM or PM is taken as AM, as Spark's toLocalTime does.
func (f *dtFields) hour() (int, bool) {
	h, has := 0, false
	if f.has[fHour] {
		if f.v[fHour] > 23 {
			return 0, false
		}
		h, has = f.v[fHour], true
	}
	if f.has[fHour24] {
		v := f.v[fHour24]
		if v < 1 || v > 24 || (has && v%24 != h) {
			return 0, false
		}
		h, has = v%24, true
	}
	ampm := -1
	if f.has[fHour12] {
		v := f.v[fHour12]
		if v < 1 || v > 12 {
			return 0, false
		}
		ampm = v % 12
	}
	if f.has[fHour11] {
		v := f.v[fHour11]
		if v > 11 || (ampm >= 0 && v != ampm) {
			return 0, false
		}
		ampm = v
	}
	if ampm >= 0 {
		v := ampm
		if f.has[fAmPm] {
			v += 12 * f.v[fAmPm]
		}
		if has && f.has[fAmPm] && v != h {
			return 0, false
		}
		if !has {
			h = v
		}
	} else if f.has[fAmPm] && has && (h >= 12) != (f.v[fAmPm] == 1) {
		return 0, false
	}
	return h, true
}
