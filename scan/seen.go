package scan

import (
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// Seen is what a scan learnt about one JSON column from the lines it read
// in full. A schema inferred from a sample is a guess; Seen is how the
// engine checks it against every line a query reads, and learns the kind
// of a path the sample never saw.
type Seen struct {
	// Present reports that some line holds the path (a JSON null counts).
	Present bool
	// Kind is the narrowest kind every value seen fits. For an Observe
	// column it is the widening of every value's kind (types.Null when no
	// line had a value); otherwise the column's kind widened by each value
	// that did not fit it.
	Kind types.Kind
	// Misfits counts the values that did not fit the column's kind, in
	// MisfitFiles files; MisfitTypes splits them by JSON type.
	Misfits     int64
	MisfitFiles int64
	MisfitTypes [numJSONTypes]int64
	// Blocked counts the lines, in BlockedFiles files, where the path is
	// missing because an object or array it leads through is another kind
	// of value (Raw.Blocked); BlockedTypes splits them by that value's type.
	Blocked      int64
	BlockedFiles int64
	BlockedTypes [numJSONTypes]int64
	// Inexact counts the integers beyond BIGINT's range that a DOUBLE
	// column holds: exact to about 16 digits, where Spark's inference
	// would have made the column a DECIMAL.
	Inexact int64
}

const numJSONTypes = int(Array) + 1

// see folds one value of an Observe column into s.
func (s *Seen) see(r Raw) {
	if r.Type == Missing {
		return
	}
	s.Present = true
	s.Kind = types.Merge(s.Kind, RawKind(r))
}

// misfit folds in a value that did not fit the column's kind.
func (s *Seen) misfit(r Raw) {
	s.Misfits++
	s.MisfitTypes[r.Type]++
	s.Kind = types.Merge(s.Kind, RawKind(r))
}

// block folds in a line where the path is blocked by a value of type t.
func (s *Seen) block(t JSONType) {
	s.Blocked++
	s.BlockedTypes[t]++
}

// add folds o, the tally of other lines of the same column, into s.
func (s *Seen) add(o *Seen) {
	s.Present = s.Present || o.Present
	s.Kind = types.Merge(s.Kind, o.Kind)
	s.Misfits += o.Misfits
	s.MisfitFiles += o.MisfitFiles
	for t, n := range o.MisfitTypes {
		s.MisfitTypes[t] += n
	}
	s.Blocked += o.Blocked
	s.Inexact += o.Inexact
	s.BlockedFiles += o.BlockedFiles
	for t, n := range o.BlockedTypes {
		s.BlockedTypes[t] += n
	}
}

// MisfitText describes the misfits by JSON type: "492 strings",
// "3 numbers and 1 object".
func (s *Seen) MisfitText() string { return typesText(&s.MisfitTypes, s.Misfits) }

// BlockedText describes the values that blocked the path by JSON type.
func (s *Seen) BlockedText() string { return typesText(&s.BlockedTypes, s.Blocked) }

func typesText(byType *[numJSONTypes]int64, total int64) string {
	var parts []string
	for _, t := range []JSONType{String, Number, Bool, Object, Array} {
		if n := byType[t]; n > 0 {
			parts = append(parts, plural(n, t.String()))
		}
	}
	switch len(parts) {
	case 0:
		return plural(total, "value")
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// KindNoun names the JSON values a kind holds, for messages about drift:
// "numbers" for BIGINT, "strings" for STRING.
func KindNoun(k types.Kind) string {
	switch k {
	case types.Int:
		return "integers"
	case types.Float:
		return "numbers"
	case types.Bool:
		return "booleans"
	case types.String:
		return "strings"
	case types.Null:
		return "nulls"
	}
	return fmt.Sprintf("%s values", k)
}

// bigInteger reports whether a number token is an integer that BIGINT
// cannot hold (a DOUBLE then rounds it).
func bigInteger(b []byte) bool {
	for _, c := range b {
		if c == '.' || c == 'e' || c == 'E' {
			return false
		}
	}
	_, ok := parseInt(b)
	return !ok
}

// RawKind is the kind schema inference gives one JSON value: BOOLEAN,
// BIGINT for an integer token that fits, DOUBLE for any other number,
// STRING for strings, an ARRAY or STRUCT typed from its contents for
// arrays and objects (ValueKind), and VOID for null or a missing value.
// It agrees with Inferrer value by value.
func RawKind(r Raw) types.Kind {
	switch r.Type {
	case Bool:
		return types.Bool
	case Number:
		if _, ok := parseInt(r.Bytes); ok {
			return types.Int
		}
		return types.Float
	case String:
		return types.String
	case Object, Array:
		return ValueKind(r.Bytes)
	}
	return types.Null
}
