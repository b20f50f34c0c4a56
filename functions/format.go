package functions

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// evalFormatNumber formats like Java's DecimalFormat "#,###.00": strconv's
// 'f' formatting rounds the exact binary value half-to-even, which is what
// DecimalFormat's default HALF_EVEN does for a double.
func evalFormatNumber(a []types.Value) (types.Value, error) {
	x, ok := numValue(a[0])
	d, err := ToInt(a[1])
	if !ok || err != nil || d < 0 {
		return types.NullValue, nil
	}
	d = min(d, 340)
	var s string
	if x.K == types.Int {
		s = strconv.FormatInt(x.I, 10)
		if d > 0 {
			s += "." + strings.Repeat("0", int(d))
		}
	} else {
		switch {
		case math.IsNaN(x.F):
			return str("NaN"), nil
		case math.IsInf(x.F, 1):
			return str("∞"), nil
		case math.IsInf(x.F, -1):
			return str("-∞"), nil
		}
		s = strconv.FormatFloat(x.F, 'f', int(d), 64)
	}
	return str(groupThousands(s)), nil
}

// groupThousands inserts commas into the integer part of a formatted number.
func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteString(frac)
	return b.String()
}

// evalFormatString implements the common subset of java.util.Formatter
// that Spark's format_string exposes: %[n$][flags][width][.prec]conv with
// conversions s S d x X o f e E g G c b B % n. NULL arguments print as
// "null", as in Java. A malformed pattern is an error, as in Spark.
func evalFormatString(a []types.Value) (types.Value, error) {
	if a[0].K == types.Null {
		return types.NullValue, nil
	}
	pattern := ToString(a[0])
	args := a[1:]
	var b strings.Builder
	next := 0
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		// Argument index "n$".
		argIdx := -1
		k := j
		for k < len(pattern) && pattern[k] >= '0' && pattern[k] <= '9' {
			k++
		}
		if k > j && k < len(pattern) && pattern[k] == '$' {
			n, _ := strconv.Atoi(pattern[j:k])
			argIdx = n - 1
			j = k + 1
		}
		flagStart := j
		for j < len(pattern) && strings.IndexByte("-#+ 0,(", pattern[j]) >= 0 {
			j++
		}
		flags := pattern[flagStart:j]
		wStart := j
		for j < len(pattern) && pattern[j] >= '0' && pattern[j] <= '9' {
			j++
		}
		width := pattern[wStart:j]
		if len(width) > 6 {
			return types.NullValue, fmt.Errorf("%w: format_string: width %s too large", ErrInvalidArg, width)
		}
		prec := ""
		if j < len(pattern) && pattern[j] == '.' {
			pStart := j
			j++
			for j < len(pattern) && pattern[j] >= '0' && pattern[j] <= '9' {
				j++
			}
			prec = pattern[pStart:j]
			if len(prec) > 4 {
				return types.NullValue, fmt.Errorf("%w: format_string: precision %s too large", ErrInvalidArg, prec)
			}
		}
		if j >= len(pattern) {
			return types.NullValue, fmt.Errorf("%w: format_string: incomplete format specifier at end of %q", ErrInvalidArg, pattern)
		}
		conv := pattern[j]
		i = j
		switch conv {
		case '%':
			b.WriteString(pad1(flags, width, "%"))
			continue
		case 'n':
			b.WriteByte('\n')
			continue
		}
		if argIdx < 0 {
			argIdx = next
			next++
		}
		if argIdx < 0 || argIdx >= len(args) {
			return types.NullValue, fmt.Errorf("%w: format_string: missing argument for %%%c", ErrInvalidArg, conv)
		}
		v := args[argIdx]
		grouping := strings.Contains(flags, ",")
		goFlags := strings.NewReplacer(",", "", "(", "").Replace(flags)
		spec := "%" + goFlags + width + prec
		var out string
		if v.K == types.Null && conv != 'b' && conv != 'B' {
			out = pad1(flags, width, "null")
		} else {
			switch conv {
			case 's', 'S':
				out = fmt.Sprintf(spec+"s", ToString(v))
			case 'd':
				n, err := ToInt(v)
				if err != nil {
					return types.NullValue, fmt.Errorf("%w: format_string: %%d needs an integer, got %s", ErrInvalidArg, v.K)
				}
				out = fmt.Sprintf("%"+goFlags+width+"d", n)
				if grouping {
					out = pad1(flags, width, groupThousands(strconv.FormatInt(n, 10)))
				}
			case 'x', 'X', 'o':
				n, err := ToInt(v)
				if err != nil {
					return types.NullValue, fmt.Errorf("%w: format_string: %%%c needs an integer, got %s", ErrInvalidArg, conv, v.K)
				}
				// Java prints negative numbers in two's complement.
				out = fmt.Sprintf("%"+goFlags+width+string(conv), uint64(n))
			case 'f', 'e', 'E', 'g', 'G':
				f, err := ToFloat(v)
				if err != nil {
					return types.NullValue, fmt.Errorf("%w: format_string: %%%c needs a number, got %s", ErrInvalidArg, conv, v.K)
				}
				if prec == "" {
					spec += ".6" // Java's default precision; Go's %g would print the shortest form
				}
				out = fmt.Sprintf(spec+string(conv), f)
				if grouping && conv == 'f' {
					out = pad1(flags, width, groupThousands(fmt.Sprintf("%"+prec+"f", f)))
				}
			case 'c':
				n, err := ToInt(v)
				if err != nil {
					r := []rune(ToString(v))
					if len(r) != 1 {
						return types.NullValue, fmt.Errorf("%w: format_string: %%c needs a character", ErrInvalidArg)
					}
					n = int64(r[0])
				}
				out = pad1(flags, width, string(rune(n)))
			case 'b', 'B':
				t := "false"
				switch {
				case v.K == types.Bool:
					t = strconv.FormatBool(v.Bool())
				case v.K != types.Null:
					t = "true" // Java: any non-null, non-Boolean argument is true
				}
				out = pad1(flags, width, t)
			default:
				return types.NullValue, fmt.Errorf("%w: format_string: unsupported conversion %%%c", ErrInvalidArg, conv)
			}
		}
		if conv == 'S' || conv == 'X' || conv == 'E' || conv == 'G' || conv == 'B' {
			out = strings.ToUpper(out)
		}
		b.WriteString(out)
	}
	return str(b.String()), nil
}

// pad1 applies a width (and the '-' flag) to already formatted text.
func pad1(flags, width, s string) string {
	w, _ := strconv.Atoi(width)
	n := len([]rune(s))
	if w <= n {
		return s
	}
	fill := strings.Repeat(" ", w-n)
	if strings.Contains(flags, "-") {
		return s + fill
	}
	return fill + s
}
