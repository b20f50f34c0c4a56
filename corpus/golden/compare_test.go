package golden

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/types"
)

// compatible reports whether nectar's kind k is how nectar represents
// Spark's type t. nectar computes every integer as a BIGINT and every
// fractional number (DECIMAL included) as a DOUBLE, as LANGUAGE.md says, so
// those families match as a whole; everything else must be the same type.
func compatible(t string, k types.Kind) bool {
	if k == types.Null {
		return true // VOID: every value NULL, checked by the rows
	}
	base, _, _ := strings.Cut(t, "(")
	switch base {
	case "tinyint", "smallint", "int", "bigint":
		return k == types.Int
	case "float", "double":
		return k == types.Float
	case "decimal":
		return k == types.Float || k == types.Int
	case "string", "varchar", "char":
		return k == types.String
	case "boolean":
		return k == types.Bool
	case "date":
		return k == types.Date
	case "timestamp", "timestamp_ntz", "timestamp_ltz":
		return k == types.Timestamp
	case "void":
		return false
	}
	if k == types.Kind(0) {
		return true
	}
	if isNested(t) {
		return k.IsNested() && normalType(t) == normalType(k.String())
	}
	return kindMatches(t, k)
}

// normalType spells a type as compatible compares it, for nested types:
// lower case, no spaces or quotes, every integer BIGINT and every
// fractional number DOUBLE, as nectar computes them.
func normalType(t string) string {
	t = strings.ToLower(strings.NewReplacer(" ", "", "`", "").Replace(t))
	t = decimalType.ReplaceAllString(t, "double")
	t = varcharType.ReplaceAllString(t, "string")
	return numberType.ReplaceAllStringFunc(t, func(w string) string {
		switch w {
		case "tinyint", "smallint", "int", "bigint":
			return "bigint"
		case "float", "double":
			return "double"
		case "timestamp_ntz", "timestamp_ltz":
			return "timestamp"
		}
		return w
	})
}

var (
	decimalType = regexp.MustCompile(`decimal\(\d+,\d+\)|decimal`)
	varcharType = regexp.MustCompile(`(var)?char\(\d+\)`)
	numberType  = regexp.MustCompile(`\b(tinyint|smallint|int|bigint|float|double|timestamp_ntz|timestamp_ltz)\b`)
)

// kindMatches is compatible for kinds this file does not list: a kind
// whose Spark name is the type's (nectar's interval kinds, as they come).
func kindMatches(t string, k types.Kind) bool {
	return strings.EqualFold(k.String(), t) || strings.HasPrefix(t, strings.ToLower(k.String()))
}

// render prints v as Spark's SQLQueryTestSuite prints a value of type t
// (HiveResult's strings): NULL, true/false, numbers as Java prints them,
// timestamps as "yyyy-MM-dd HH:mm:ss[.fraction]" in the session zone.
func render(v types.Value, t string) string {
	if v.IsNull() {
		return "NULL"
	}
	if v.K.IsNested() {
		var b strings.Builder
		renderNested(&b, v)
		return b.String()
	}
	if v.K.IsInterval() {
		return types.FormatIntervalHive(v)
	}
	switch v.K {
	case types.Float:
		if strings.HasPrefix(t, "float") {
			return javaFloat(float64(float32(v.F)), 32)
		}
		return javaFloat(v.F, 64)
	case types.Timestamp:
		tm := time.UnixMicro(v.I).UTC()
		return sparkYear(tm.Year()) + tm.Format("-01-02 15:04:05.999999")
	case types.Date:
		tm := v.Time()
		return sparkYear(tm.Year()) + tm.Format("-01-02")
	}
	return v.String()
}

// sparkYear prints a year as Spark's formatter does: four digits at
// least, a sign before years past 9999 and before negative ones.
func sparkYear(y int) string {
	switch {
	case y < 0:
		return fmt.Sprintf("-%04d", -y)
	case y > 9999:
		return fmt.Sprintf("+%d", y)
	}
	return fmt.Sprintf("%04d", y)
}

// javaFloat is Java's Double.toString (and Float.toString for 32 bits):
// the shortest digits that read back, "1.0" for integral values, and
// computerized scientific notation outside [1e-3, 1e7).
func javaFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	a := math.Abs(f)
	if a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, bits)
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// sameValue compares one rendered nectar value with Spark's text for a
// column of type t: exactly, except that numbers compare as numbers (a
// DECIMAL's "1.50" is nectar's 1.5; doubles within a relative 1e-9, since
// an aggregate's summation order may differ in the last bits).
func sameValue(got, want, t string) bool {
	if got == want {
		return true
	}
	base, _, _ := strings.Cut(t, "(")
	switch base {
	case "float", "double", "decimal", "tinyint", "smallint", "int", "bigint":
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if math.IsNaN(g) || math.IsNaN(w) {
			return math.IsNaN(g) && math.IsNaN(w)
		}
		if g == w {
			return true
		}
		if base == "float" {
			return float32(g) == float32(w)
		}
		return math.Abs(g-w) <= 1e-9*math.Max(math.Abs(g), math.Abs(w))
	}
	return false
}

// sameRows compares nectar's rendered rows with Spark's; unordered rows are
// sorted first. Values compare with sameValue column by column.
func sameRows(got, want [][]string, cols []sparkColumn, ordered bool) bool {
	if len(got) != len(want) {
		return false
	}
	if !ordered {
		got, want = sortedRows(got, cols), sortedRows(want, cols)
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return false
		}
		for j := range got[i] {
			t := ""
			if j < len(cols) {
				t = cols[j].Type
			}
			if !sameValue(got[i][j], want[i][j], t) {
				return false
			}
		}
	}
	return true
}

// sortedRows orders rows by a key in which numbers are written one way
// (Spark's "1.50" and nectar's 1.5 sort alike), so that sorted lists line
// up before sameValue compares them.
func sortedRows(rows [][]string, cols []sparkColumn) [][]string {
	key := func(r []string) string {
		parts := make([]string, len(r))
		for j, v := range r {
			parts[j] = v
			if j < len(cols) && isNumeric(cols[j].Type) {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					parts[j] = strconv.FormatFloat(f, 'g', 10, 64)
				}
			}
		}
		return strings.Join(parts, "\t")
	}
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b []string) int { return strings.Compare(key(a), key(b)) })
	return out
}

func isNumeric(t string) bool {
	base, _, _ := strings.Cut(t, "(")
	switch base {
	case "float", "double", "decimal", "tinyint", "smallint", "int", "bigint":
		return true
	}
	return false
}

// splitRows cuts Spark's output into rows of n values. A value holding a
// tab or a newline cannot be told apart from the separators; such rows
// then fail to split into n values and the comparison fails, which is the
// safe side.
func splitRows(lines []string, n int) [][]string {
	out := make([][]string, len(lines))
	for i, l := range lines {
		if n <= 1 {
			out[i] = []string{l}
			continue
		}
		out[i] = strings.Split(l, "\t")
	}
	return out
}

// TestOrderKeys checks which ORDER BY lists the comparison may narrow to
// their key columns: only plain output column names.
func TestOrderKeys(t *testing.T) {
	cols := []sparkColumn{{"name", "string"}, {"department", "string"}, {"salary", "int"}}
	for _, c := range []struct {
		q    string
		want []int
	}{
		{"SELECT * FROM t ORDER BY department", []int{1}},
		{"SELECT * FROM t ORDER BY t.department DESC NULLS LAST, `salary` LIMIT 3", []int{1, 2}},
		{"SELECT * FROM (SELECT * FROM t ORDER BY name) ORDER BY salary", []int{2}},
		{"SELECT * FROM t ORDER BY salary + 1", nil},
		{"SELECT * FROM t ORDER BY 1", nil},
		{"SELECT * FROM t ORDER BY bonus", nil},
		{"SELECT * FROM t", nil},
	} {
		if got := orderKeys(c.q, cols); !slices.Equal(got, c.want) {
			t.Errorf("orderKeys(%q) = %v, want %v", c.q, got, c.want)
		}
	}
}

// renderNested prints a nested value as HiveResult does inside ARRAY, MAP
// and STRUCT: [1,2], {"a":1,"b":"x"}, {"k":1}, strings and times quoted,
// null lower case.
func renderNested(b *strings.Builder, v types.Value) {
	if v.IsNull() {
		b.WriteString("null")
		return
	}
	switch {
	case v.K.IsArray(), v.K.IsMap(), v.K.IsStruct():
		parts, err := types.Parts(nil, v)
		if err != nil {
			b.WriteString("<" + err.Error() + ">")
			return
		}
		open, sep, close := "[", ",", "]"
		if !v.K.IsArray() {
			open, close = "{", "}"
		}
		if v.K.IsMap() {
			// HiveResult sorts a map's "key:value" texts.
			entries := make([]string, 0, len(parts)/2)
			for i := 0; i+1 < len(parts); i += 2 {
				var e strings.Builder
				renderNested(&e, parts[i])
				e.WriteString(":")
				renderNested(&e, parts[i+1])
				entries = append(entries, e.String())
			}
			sort.Strings(entries)
			b.WriteString(open + strings.Join(entries, sep) + close)
			return
		}
		b.WriteString(open)
		fields := v.K.Fields()
		for i, p := range parts {
			switch {
			case v.K.IsMap() && i%2 == 1:
				b.WriteString(":")
			case i > 0:
				b.WriteString(sep)
			}
			if v.K.IsStruct() {
				b.WriteString(`"` + fields[i].Name + `":`)
			}
			renderNested(b, p)
		}
		b.WriteString(close)
	case v.K == types.String:
		b.WriteString(`"` + v.S + `"`)
	default: // times unquoted, as HiveResult prints them nested too
		b.WriteString(render(v, ""))
	}
}
