package functions

import (
	"errors"
	"sort"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// Window describes a window-only function (ranking, offsets, values of
// the frame): its arguments, its result kind, how it is computed over one
// partition, and how Spark spells it. Aggregates used with OVER are in the
// aggregate catalogue; the window operator folds their frames itself.
type Window struct {
	Name string
	// Doc is one line for generated docs.
	Doc              string
	MinArgs, MaxArgs int // MaxArgs -1: any number, which the function ignores
	// Const is the position of the argument that must be a constant (an
	// offset, a bucket count), -1 for none; ConstWhat names it in errors.
	Const     int
	ConstWhat string
	// Check validates the argument kinds (types.Null for a NULL literal)
	// and returns the result kind and the kind each argument is cast to
	// (a nil slice: none is). Its errors are *ArgTypeError.
	Check func(args []types.Kind) (types.Kind, []types.Kind, error)
	// Framed functions read each row's frame (first_value, last_value,
	// nth_value); the others read the partition in window order, ignore
	// any frame, and are sent to Spark without one, which Spark requires.
	Framed bool
	// Filter is set on the functions that take FILTER (WHERE …): Spark
	// treats first_value and last_value as aggregates, and allows it on
	// them only.
	Filter bool
	// Compute fills p.Out.
	Compute func(p *Partition) error
	// Spark spells the call from its arguments in Spark SQL (the Const
	// argument already an INT literal, which Spark requires). Nil at
	// registration means name(args).
	Spark func(args []string) string
}

// Partition is one window partition as a window function sees it: its
// rows in window order (PARTITION BY, then ORDER BY).
type Partition struct {
	N   int
	Out []types.Value // one result per row, NULL until set
	// Row i's peers, the rows equal to it on ORDER BY (every row without
	// one), are [PeerStart[i], PeerEnd[i]).
	PeerStart, PeerEnd []int
	// Consts holds each argument's value where it is a non-NULL constant,
	// NULL elsewhere.
	Consts []types.Value
	// Arg evaluates argument a on row i.
	Arg func(i, a int) (types.Value, error)
	// Framed functions only: Vals is argument 0 on every row, Frame row
	// i's frame [lo, hi), and Counts whether row j passes the call's FILTER.
	Vals   []types.Value
	Frame  func(i int) (lo, hi int)
	Counts func(j int) bool
	// IgnoreNulls is IGNORE NULLS: the value functions skip rows whose
	// value is NULL.
	IgnoreNulls bool
}

// skip reports whether row j's value is passed over: a NULL under IGNORE
// NULLS.
func (p *Partition) skip(j int) bool { return p.IgnoreNulls && p.Vals[j].IsNull() }

// ConstInt is argument a as an integer constant, or def when it is absent,
// NULL or not a constant.
func (p *Partition) ConstInt(a int, def int64) int64 {
	if a < len(p.Consts) && !p.Consts[a].IsNull() {
		return p.Consts[a].I
	}
	return def
}

var windows = map[string]*Window{}

// registerWindow adds w, refusing an incomplete definition.
func registerWindow(w *Window) {
	if w.Name == "" || w.Doc == "" || w.Check == nil || w.Compute == nil || (w.Const >= 0 && w.ConstWhat == "") {
		panic("functions: incomplete definition of window function " + w.Name)
	}
	key := strings.ToLower(w.Name)
	if _, dup := windows[key]; dup {
		panic("functions: duplicate window function " + w.Name)
	}
	if _, dup := aggregates[key]; dup {
		panic("functions: window function " + w.Name + " is also an aggregate")
	}
	if w.Spark == nil {
		name := w.Name
		w.Spark = func(args []string) string { return name + "(" + strings.Join(args, ", ") + ")" }
	}
	check := w.Check
	w.Check = func(args []types.Kind) (types.Kind, []types.Kind, error) {
		k, casts, err := check(args)
		var ae *ArgTypeError
		if errors.As(err, &ae) {
			ae.Func, ae.single = w.Name, w.MaxArgs == 1
		}
		return k, casts, err
	}
	windows[key] = w
}

// LookupWindow finds a window-only function by name, case-insensitively.
func LookupWindow(name string) (*Window, bool) {
	w, ok := windows[strings.ToLower(name)]
	return w, ok
}

// Windows returns every window-only function, sorted by name.
func Windows() []*Window {
	out := make([]*Window, 0, len(windows))
	for _, w := range windows {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// fixedWindow is a Check for functions whose result kind does not depend
// on their arguments, which are not looked at.
func fixedWindow(k types.Kind) func([]types.Kind) (types.Kind, []types.Kind, error) {
	return func([]types.Kind) (types.Kind, []types.Kind, error) { return k, nil, nil }
}

// integerArg checks that argument i, if given, is an integer.
func integerArg(args []types.Kind, i int) error {
	if i < len(args) && args[i] != types.Int && args[i] != types.Null {
		return &ArgTypeError{Arg: i + 1, Want: "an integer", Got: args[i]}
	}
	return nil
}
