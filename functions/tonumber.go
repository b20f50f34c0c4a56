package functions

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nectar-dev/nectar/types"
)

// to_number(s, fmt) reads text with one of Spark's number formats
// (ToNumberParser, https://spark.apache.org/docs/latest/sql-ref-number-pattern.html):
// 0 or 9 for a digit, , or G for a grouping separator, . or D for the
// decimal point, $ for a dollar sign, S at the start or end for a sign, MI
// at the end for a trailing minus and PR at the end for angle brackets
// around a negative number. Spark returns a DECIMAL; nectar computes it as
// a DOUBLE. Text that does not match the format is an error, as in Spark
// (try_to_number gives NULL).

type numberFormat struct {
	intPart  string // digits and grouping separators before the point, normalised to 0 and ,
	fracLen  int    // digits after the point; -1 without a point
	dollar   bool
	signLead bool // S first
	signEnd  bool // S last
	mi, pr   bool
}

// numberFormats caches parsed formats as regexCache does regexes: the
// format is almost always a literal, parsed once rather than per row.
var numberFormats sync.Map // string → numberFormat

var numberFormatCount atomic.Int64

// compileNumberFormat is parseNumberFormat through numberFormats.
func compileNumberFormat(f string) (numberFormat, error) {
	if nf, ok := numberFormats.Load(f); ok {
		return nf.(numberFormat), nil
	}
	nf, err := parseNumberFormat(f)
	if err == nil && numberFormatCount.Add(1) <= maxCachedRegexes {
		numberFormats.Store(f, nf)
	}
	return nf, err
}

func parseNumberFormat(f string) (numberFormat, error) {
	var nf numberFormat
	bad := func(why string) (numberFormat, error) {
		return nf, fmt.Errorf("%w: [INVALID_FORMAT] to_number: the format %s %s", ErrInvalidArg, quoteSQL(f), why)
	}
	u := strings.ToUpper(f)
	switch {
	case strings.HasSuffix(u, "MI"):
		nf.mi, u = true, u[:len(u)-2]
	case strings.HasSuffix(u, "PR"):
		nf.pr, u = true, u[:len(u)-2]
	case strings.HasSuffix(u, "S"):
		nf.signEnd, u = true, u[:len(u)-1]
	}
	if strings.HasPrefix(u, "S") {
		if nf.signEnd || nf.mi || nf.pr {
			return bad("has more than one sign")
		}
		nf.signLead, u = true, u[1:]
	}
	if strings.HasPrefix(u, "$") {
		nf.dollar, u = true, u[1:]
	}
	var b strings.Builder
	nf.fracLen = -1
	digits := 0
	for _, c := range u {
		switch c {
		case '0', '9':
			digits++
			if nf.fracLen >= 0 {
				nf.fracLen++
			} else {
				b.WriteByte('0')
			}
		case ',', 'G':
			if nf.fracLen >= 0 {
				return bad("has a grouping separator after the decimal point")
			}
			b.WriteByte(',')
		case '.', 'D':
			if nf.fracLen >= 0 {
				return bad("has two decimal points")
			}
			nf.fracLen = 0
		default:
			return bad(fmt.Sprintf("has the character %q, which is not a number format element", c))
		}
	}
	if digits == 0 {
		return bad("has no digits")
	}
	nf.intPart = b.String()
	return nf, nil
}

// parse reads s with the format; ok is false when s does not match it.
func (nf numberFormat) parse(s string) (float64, bool) {
	neg := false
	switch {
	case nf.pr:
		if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") && len(s) >= 2 {
			neg, s = true, s[1:len(s)-1]
		}
	case nf.mi:
		if strings.HasSuffix(s, "-") {
			neg, s = true, s[:len(s)-1]
		} else if strings.HasSuffix(s, "+") || strings.HasSuffix(s, " ") {
			s = s[:len(s)-1]
		}
	case nf.signEnd:
		if strings.HasSuffix(s, "-") || strings.HasSuffix(s, "+") {
			neg, s = s[len(s)-1] == '-', s[:len(s)-1]
		}
	}
	if nf.signLead && (strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+")) {
		neg, s = s[0] == '-', s[1:]
	}
	if nf.dollar {
		if !strings.HasPrefix(s, "$") {
			return 0, false
		}
		s = s[1:]
	}
	intText, fracText, hasPoint := strings.Cut(s, ".")
	if hasPoint && nf.fracLen < 0 || len(fracText) > max(nf.fracLen, 0) {
		return 0, false
	}
	// The integer part lines up with the format's from the right: a digit
	// for a digit, a separator for a separator; the format may have more.
	var digits strings.Builder
	fi := len(nf.intPart) - 1
	for i := len(intText) - 1; i >= 0; i-- {
		c := intText[i]
		if fi < 0 {
			return 0, false
		}
		switch {
		case c >= '0' && c <= '9' && nf.intPart[fi] == '0':
		case c == ',' && nf.intPart[fi] == ',':
		default:
			return 0, false
		}
		fi--
		if c != ',' {
			digits.WriteByte(c)
		}
	}
	for _, c := range fracText {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	text := reverseString(digits.String())
	if text == "" && fracText == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat("0"+text+"."+fracText+"0", 64)
	if err != nil {
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

func init() {
	toNumber := func(try bool) func(a []types.Value) (types.Value, error) {
		return func(a []types.Value) (types.Value, error) {
			nf, err := compileNumberFormat(ToString(a[1]))
			if err != nil {
				return types.NullValue, err
			}
			f, ok := nf.parse(ToString(a[0]))
			if !ok {
				if try {
					return types.NullValue, nil
				}
				return types.NullValue, fmt.Errorf("%w: [INVALID_FORMAT.MISMATCH_INPUT] to_number: %s does not match the format %s (use try_to_number to get NULL instead)", ErrInvalidArg, quoteSQL(ToString(a[0])), quoteSQL(ToString(a[1])))
			}
			return types.FloatValue(f), nil
		}
	}
	register(&Func{Name: "to_number", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Float, anyArg, strArg),
		Doc:  "to_number(s, fmt) → DOUBLE (Spark: DECIMAL): s read with a number format (0 or 9 a digit, , or G a separator, . or D the point, $, S, MI, PR); an error when s does not match",
		Eval: toNumber(false)})
	register(&Func{Name: "try_to_number", MinArgs: 2, MaxArgs: 2, Check: fixed(types.Float, anyArg, strArg),
		Doc:  "try_to_number(s, fmt) → DOUBLE: to_number, with NULL where s does not match",
		Eval: toNumber(true)})
}

func init() {
	register(&Func{Name: "to_char", MinArgs: 2, MaxArgs: 2,
		Doc: "to_char(x, fmt) → STRING: a date or timestamp with a Spark datetime pattern (as date_format); a BINARY as 'hex', 'base64' or 'utf-8' text. Number formats are not supported yet",
		Check: func(args []types.Kind) (types.Kind, error) {
			switch args[0] {
			case types.Timestamp, types.Date, types.Binary, types.Null:
			default:
				return types.Null, &ArgTypeError{Arg: 1, Want: "a date, timestamp or binary (to_char of numbers is not supported yet)", Got: args[0]}
			}
			if err := checkArgs(args[1:], strArg); err != nil {
				err.(*ArgTypeError).Arg++
				return types.Null, err
			}
			return types.String, nil
		},
		Eval: func(a []types.Value) (types.Value, error) {
			if a[0].K != types.Binary {
				us, ok := tsArg(a[0])
				if !ok {
					return types.NullValue, nil
				}
				s, err := FormatTime(utc(us), ToString(a[1]))
				if err != nil {
					return types.NullValue, err
				}
				return str(s), nil
			}
			b := []byte(a[0].S)
			switch strings.ToLower(ToString(a[1])) {
			case "hex":
				return str(strings.ToUpper(fmt.Sprintf("%x", b))), nil
			case "base64":
				return str(base64Std(b)), nil
			case "utf-8", "utf8":
				return str(string(b)), nil
			}
			return types.NullValue, fmt.Errorf("%w: [INVALID_PARAMETER_VALUE.BINARY_FORMAT] to_char's format for a BINARY must be 'hex', 'base64' or 'utf-8', got %s", ErrInvalidArg, quoteSQL(ToString(a[1])))
		}}, "to_varchar")
}
