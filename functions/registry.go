package functions

import (
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/types"
	"slices"
)

// Func describes one scalar function.
type Func struct {
	Name             string
	MinArgs, MaxArgs int // MaxArgs -1 = variadic
	// Check validates argument kinds (types.Null means a NULL literal or an
	// unknown; it is accepted anywhere) and returns the result kind. Its
	// errors are *ArgTypeError; the binder adds the position.
	Check func(args []types.Kind) (types.Kind, error)
	// Eval computes one row. Values arrive in whatever kinds Check accepted
	// and the result is NULL or of the kind Check returned. It never panics.
	Eval func(args []types.Value) (types.Value, error)
	// NullSafe false: any NULL argument makes the result NULL without
	// calling Eval. True: Eval sees NULLs (coalesce, concat_ws, if, …).
	NullSafe bool
	// Instant is set on the functions of the clock (current_timestamp,
	// current_date, unix_timestamp() without arguments): it gives a call's
	// value, without arguments, at instant t. Spark computes them once per
	// query (the ComputeCurrentTime rule, sql/catalyst/.../optimizer/
	// finishAnalysis.scala), so the executor replaces each such call with
	// its value at one instant taken when the statement starts; Eval, which
	// reads the clock itself, serves only calls evaluated outside a
	// statement. Such calls must never be folded into constants at plan
	// time.
	Instant func(t time.Time) types.Value
	// Doc is one line for generated docs.
	Doc string
	// AliasOf names the canonical function when Name is a synonym.
	AliasOf string
}

// Sentinel errors. Check errors wrap ErrArgType (and are *ArgTypeError);
// Call wraps ErrArgCount; Eval errors wrap ErrInvalidArg (a bad regex, an
// unknown time zone) or ErrBadPattern (a bad datetime pattern).
var (
	ErrArgType    = errors.New("wrong argument type")
	ErrArgCount   = errors.New("wrong number of arguments")
	ErrInvalidArg = errors.New("invalid argument")
	ErrBadPattern = errors.New("invalid datetime pattern")
)

// ArgTypeError reports an argument of a kind a function does not accept.
type ArgTypeError struct {
	Func string
	Arg  int // 1-based
	Want string
	Got  types.Kind
	// single is set when the function takes one argument, so the message
	// need not name the position.
	single bool
}

func (e *ArgTypeError) Error() string {
	if e.single {
		return fmt.Sprintf("%s expects %s, got %s", e.Func, e.Want, e.Got)
	}
	return fmt.Sprintf("%s expects %s as argument %d, got %s", e.Func, e.Want, e.Arg, e.Got)
}

func (e *ArgTypeError) Unwrap() error { return ErrArgType }

var registry = map[string]*Func{}

// register adds f under its name and every alias. Each alias is a copy
// whose errors name the alias, since that is what the user typed.
func register(f *Func, aliases ...string) {
	if f.Doc == "" || f.Check == nil || f.Eval == nil {
		panic("functions: incomplete definition of " + f.Name)
	}
	add := func(name, aliasOf string) {
		key := strings.ToLower(name)
		if _, dup := registry[key]; dup {
			panic("functions: duplicate " + name)
		}
		g := *f
		g.Name = name
		g.AliasOf = aliasOf
		check := f.Check
		g.Check = func(args []types.Kind) (types.Kind, error) {
			k, err := check(args)
			var ae *ArgTypeError
			if errors.As(err, &ae) {
				ae.Func = name
				ae.single = g.MaxArgs == 1
			}
			return k, err
		}
		registry[key] = &g
	}
	add(f.Name, "")
	for _, a := range aliases {
		add(a, f.Name)
	}
}

// Lookup finds a function by name, case-insensitively.
func Lookup(name string) (*Func, bool) {
	f, ok := registry[strings.ToLower(name)]
	return f, ok
}

// All returns every function, aliases included, sorted by name.
func All() []*Func {
	out := make([]*Func, 0, len(registry))
	for _, f := range registry {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// CheckCall validates the argument count, then the kinds.
func (f *Func) CheckCall(args []types.Kind) (types.Kind, error) {
	n := len(args)
	if n < f.MinArgs || (f.MaxArgs >= 0 && n > f.MaxArgs) {
		var want string
		switch {
		case f.MaxArgs < 0:
			want = fmt.Sprintf("at least %d", f.MinArgs)
		case f.MinArgs == f.MaxArgs:
			want = fmt.Sprint(f.MinArgs)
		default:
			want = fmt.Sprintf("%d to %d", f.MinArgs, f.MaxArgs)
		}
		return types.Null, fmt.Errorf("%w: %s takes %s, got %d", ErrArgCount, f.Name, want, n)
	}
	return f.Check(args)
}

// Call evaluates one row, applying the NULL rule for functions that are
// not NullSafe. Executors may inline this.
func (f *Func) Call(args []types.Value) (types.Value, error) {
	if !f.NullSafe {
		for _, a := range args {
			if a.K == types.Null {
				return types.NullValue, nil
			}
		}
	}
	return f.Eval(args)
}

// argClass is what one argument position accepts.
type argClass uint8

const (
	anyArg   argClass = iota // any scalar; string functions cast implicitly as Spark does
	numArg                   // BIGINT, DOUBLE, or a STRING holding a number
	timeArg                  // TIMESTAMP, DATE, or an ISO-8601 STRING
	boolArg                  // BOOLEAN
	strArg                   // STRING only (patterns, units, zone names)
	anyValue                 // everything, ARRAY, MAP and STRUCT included
)

var classWant = [...]string{
	anyArg:   "a scalar value, not an ARRAY, MAP or STRUCT",
	anyValue: "any value",
	numArg:   "a number",
	timeArg:  "a timestamp, date or string",
	boolArg:  "a boolean",
	strArg:   "a string",
}

func (c argClass) accepts(k types.Kind) bool {
	if k == types.Null {
		return true
	}
	if k.IsNested() {
		// Spark casts no ARRAY, MAP or STRUCT to a string implicitly:
		// upper(array('a')) is a DATATYPE_MISMATCH, not '[A]'.
		return c == anyValue
	}
	switch c {
	case numArg:
		return k == types.Int || k == types.Float || k == types.String
	case timeArg:
		return k == types.Timestamp || k == types.Date || k == types.String
	case boolArg:
		return k == types.Bool
	case strArg:
		return k == types.String
	}
	return true
}

// checkArgs validates args against classes; positions past the end of
// classes use the last class, which serves variadic functions.
func checkArgs(args []types.Kind, classes ...argClass) error {
	for i, k := range args {
		c := anyValue
		if len(classes) > 0 {
			c = classes[min(i, len(classes)-1)]
		}
		if !c.accepts(k) {
			return &ArgTypeError{Arg: i + 1, Want: classWant[c], Got: k}
		}
	}
	return nil
}

// fixed returns a Check that validates classes and always yields result.
func fixed(result types.Kind, classes ...argClass) func([]types.Kind) (types.Kind, error) {
	return func(args []types.Kind) (types.Kind, error) {
		if err := checkArgs(args, classes...); err != nil {
			return types.Null, err
		}
		return result, nil
	}
}

// widenAll is the common kind of a list of argument kinds, as coalesce and
// greatest need.
func widenAll(ks []types.Kind) types.Kind {
	k := types.Null
	for _, x := range ks {
		k = types.Widen(k, x)
	}
	return k
}

// castTo converts v to the kind Check promised; a value that cannot be
// converted becomes NULL rather than failing the row.
func castTo(v types.Value, k types.Kind) types.Value {
	if v.K == k || v.K == types.Null || k == types.Null {
		return v
	}
	r, err := types.Cast(v, k)
	if err != nil {
		return types.NullValue
	}
	return r
}

// BinderFuncs are the functions the binder handles itself, because they
// need more than their arguments' kinds (plan/nestedbind.go, and
// coalesce, whose NULL rule is the executor's): constructors, from_json,
// higher-order functions and generators. plan's tests check that each
// binds.
var BinderFuncs = []string{
	"aggregate", "array", "array_sort", "coalesce", "exists", "explode", "explode_outer", "filter", "forall",
	"from_json", "inline", "inline_outer", "map", "map_filter", "map_zip_with", "named_struct", "posexplode", "posexplode_outer",
	"reduce", "struct", "transform", "transform_keys", "transform_values", "try_add", "try_multiply", "try_subtract",
	"zip_with",
}

// Names lists every function a query may call, lower case and sorted: the
// scalar catalogue, the aggregates and the window-only functions, aliases
// included. The shell completes with it.
func Names() []string {
	seen := map[string]bool{}
	for _, n := range BinderFuncs {
		seen[n] = true
	}
	for _, f := range All() {
		seen[f.Name] = true
	}
	for _, a := range Aggregates() {
		seen[a.Name] = true
	}
	for _, w := range Windows() {
		seen[w.Name] = true
	}
	return slices.Sorted(maps.Keys(seen))
}
