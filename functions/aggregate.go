package functions

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// Aggregate describes one aggregate function: how the binder checks a
// call, how the executor folds rows into per-group state, how that state is
// merged, saved and restored, and how Spark spells the call. Everything the
// engine knows about an aggregate is here, so adding one is one file in
// this package (agg_*.go) plus its tests.
type Aggregate struct {
	Name string
	// AliasOf names the canonical aggregate when Name is a synonym. The
	// binder puts the canonical name in the plan, so EXPLAIN, saved state
	// and Spark all see one spelling; errors keep the name the user typed.
	AliasOf string
	// Doc is one line for generated docs: the call's form, its result
	// kind, and what it computes.
	Doc   string
	Shape AggShape
	// Check validates the kind of the value argument (types.Null for a
	// NULL literal; BIGINT for count(*)) and returns the kind the binder
	// casts it to (the argument's own kind to keep it) and the result
	// kind. Its errors are *ArgTypeError; the binder adds the position.
	Check func(arg types.Kind) (cast, result types.Kind, err error)
	// New makes the state of one group.
	New func(s AggSpec) Accumulator
	// Fold folds one batch into the groups' states. Nil means row by row
	// through Accumulator.Add (FoldEach); families give their own loop
	// where a type assertion per row saves an interface call and the
	// boxing of a Value. A DISTINCT call always goes through FoldEach.
	Fold func(in *Rows) error
	// Incremental is set when the state is bounded and its accumulators
	// are Resumable, so a stream can keep it across micro-batches.
	Incremental bool
	// NotWindow, when set, says why the aggregate cannot be used with
	// OVER, and what to write instead (the error's hint).
	NotWindow string
	// Spark spells the call in Spark SQL (without FILTER, which is added
	// generically, and without the cast to nectar's result kind).
	Spark func(c SparkCall) string
	// SparkWindow is set when Spark runs the aggregate with OVER exactly
	// as nectar does.
	SparkWindow bool
	// WithinGroup says whether the aggregate is written f(…) WITHIN GROUP
	// (ORDER BY x): never (most), optionally (mode) or always
	// (percentile_cont, percentile_disc).
	WithinGroup WithinGroupUse
	// ArrivalOrder is set when the result depends on the order rows
	// arrive in (first, last): merging DISTINCT states then needs the
	// order each saw its values in, which costs memory the others save.
	ArrivalOrder bool
}

// WithinGroupUse is whether an aggregate takes WITHIN GROUP (ORDER BY …).
type WithinGroupUse uint8

const (
	WithinGroupNever WithinGroupUse = iota
	WithinGroupAllowed
	WithinGroupRequired
)

// AggShape is the form of an aggregate's arguments.
type AggShape uint8

const (
	// ValueArg is f(x).
	ValueArg AggShape = iota
	// CountArgs is count's: count(*) or count(x) (count() is refused, as in Spark).
	CountArgs
	// OrderedArgs is f(x, ord): the value x of the row whose ord is least
	// or greatest. DISTINCT does not apply.
	OrderedArgs
	// FractionArgs is f(x, p[, accuracy]) with a constant p in [0, 1]; the
	// accuracy is accepted and ignored, since nectar's answer is exact.
	FractionArgs
)

// AggSpec is what an accumulator knows of its call.
type AggSpec struct {
	Arg   types.Kind // the value argument's kind, after the binder's cast (BIGINT for count(*))
	K     types.Kind // the result kind Check returned
	Param float64    // FractionArgs: the fraction p
	// Desc: the call was written WITHIN GROUP (ORDER BY x DESC).
	Desc bool
	// Hold, when not nil, accounts memory that a state grows by with its
	// input (DISTINCT sets, percentiles' values); it fails past the
	// query's memory limit.
	Hold func(bytes int64) error
}

// Accumulator is the state of one aggregate call over one group.
type Accumulator interface {
	// Add folds one row: v is the value argument (BIGINT 1 for
	// count(*)), ord the ordering for OrderedArgs aggregates and NULL for
	// the others.
	Add(v, ord types.Value) error
	// Merge folds in other, the state of the same call over other rows
	// that come after this state's rows (two partial aggregates of one
	// group). other is made by the same definition.
	Merge(other Accumulator) error
	// Result is the aggregate's value; the executor casts it to the
	// result kind.
	Result() types.Value
}

// Resumable is an Accumulator whose state can be saved between the
// micro-batches of a stream and restored after a restart.
type Resumable interface {
	Accumulator
	Export() (State, error)
	// Import replaces the state with a saved one; the accumulator was made
	// by New for the same call.
	Import(s State) error
}

// State is a saved accumulator: a bag of fields of which each family uses
// a few. Stream checkpoints hold its gob encoding (exec's partialVersion
// 1, whose accState it replaces field for field), so fields may be added
// but never renamed or retyped; gob skips fields a reader does not have.
type State struct {
	N, I    int64
	F, C    float64
	Mean, M float64
	Any     bool
	V       types.Value
	Ord     types.Value // OrderedArgs: the ordering of V
	Seen    []string    // DISTINCT: the keys (types.AppendKey) of the values seen, first seen first
	Inner   *State      // DISTINCT: the state of the aggregate it feeds
}

// Rows is one batch of one aggregate call's input, as Fold takes it.
type Rows struct {
	Arg *types.Vector // the value argument; nil for count(*)
	Ord *types.Vector // the ordering of OrderedArgs aggregates; nil otherwise
	// Group[r] is row r's group: an index into States, the call's state of
	// each group (the executor's groups are numbered, as in vectorised
	// hash aggregation, so that a row costs four bytes to route and a fold
	// reaches its state in one step).
	Group  []int32
	States []Accumulator
	// Filter, when not nil, is the call's FILTER (WHERE …): rows where it
	// is NULL or false are skipped.
	Filter *types.Vector
}

// Acc is the accumulator row r folds into, or nil when FILTER rejects the
// row.
func (in *Rows) Acc(r int) Accumulator {
	if filtered(in.Filter, r) {
		return nil
	}
	return in.States[in.Group[r]]
}

// filtered reports whether FILTER vector f (nil: none) rejects row r.
// Folds copy Rows' fields to locals and call it in their loops, so that
// the compiler keeps them in registers across the state updates.
func filtered(f *types.Vector, r int) bool {
	return f != nil && (f.Nulls[r] || f.I[r] == 0)
}

// SparkCall is an aggregate call with its operands already in Spark SQL.
type SparkCall struct {
	Arg      string // the value argument; "*" for count(*)
	Ord      string // OrderedArgs: the ordering
	Param    string // FractionArgs: the fraction as a DOUBLE literal
	Distinct bool
	// WithinGroup and Desc: written f(…) WITHIN GROUP (ORDER BY Arg [DESC]).
	WithinGroup, Desc bool
}

// Sentinel errors of the aggregate catalogue. ErrNotResumable is wrapped
// when state that cannot be saved is asked to be; ErrStateMismatch when
// saved state or a merged accumulator does not fit the call.
var (
	ErrOverflow      = errors.New("integer overflow")
	ErrNotResumable  = errors.New("aggregate state cannot be saved")
	ErrStateMismatch = errors.New("aggregate state does not match the call")
)

var aggregates = map[string]*Aggregate{}

// registerAggregate adds a under its name and every alias. It refuses an
// incomplete definition, and an Incremental one whose accumulators cannot
// be saved. Each alias is a copy whose Check errors name the alias, since
// that is what the user typed.
func registerAggregate(a *Aggregate, aliases ...string) {
	if a.Name == "" || a.Doc == "" || a.Check == nil || a.New == nil || a.Spark == nil {
		panic("functions: incomplete definition of aggregate " + a.Name)
	}
	if a.Fold == nil {
		a.Fold = FoldEach
	}
	if _, ok := a.New(AggSpec{Arg: types.Int, K: types.Int}).(Resumable); a.Incremental && !ok {
		panic("functions: incremental aggregate " + a.Name + " has accumulators that cannot be saved")
	}
	add := func(name, aliasOf string) {
		key := strings.ToLower(name)
		if _, dup := aggregates[key]; dup {
			panic("functions: duplicate aggregate " + name)
		}
		if _, dup := registry[key]; dup {
			panic("functions: aggregate " + name + " is also a scalar function")
		}
		g := *a
		g.Name, g.AliasOf = name, aliasOf
		check := a.Check
		g.Check = func(arg types.Kind) (types.Kind, types.Kind, error) {
			c, k, err := check(arg)
			var ae *ArgTypeError
			if errors.As(err, &ae) {
				ae.Func, ae.single = name, true
			}
			return c, k, err
		}
		aggregates[key] = &g
	}
	add(a.Name, "")
	for _, al := range aliases {
		add(al, a.Name)
	}
}

// LookupAggregate finds an aggregate by name or alias, case-insensitively.
func LookupAggregate(name string) (*Aggregate, bool) {
	a, ok := aggregates[strings.ToLower(name)]
	return a, ok
}

// Aggregates returns every aggregate, aliases included, sorted by name.
func Aggregates() []*Aggregate {
	out := make([]*Aggregate, 0, len(aggregates))
	for _, a := range aggregates {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Canonical is the name the plan records: the aggregate's own for an alias.
func (a *Aggregate) Canonical() string {
	if a.AliasOf != "" {
		return a.AliasOf
	}
	return a.Name
}

// NewAccumulator makes the state of one group for a call, DISTINCT
// included: a DISTINCT call feeds each distinct non-NULL value to the
// aggregate once, whatever the aggregate.
func (a *Aggregate) NewAccumulator(s AggSpec, distinct bool) Accumulator {
	acc := a.New(s)
	if distinct {
		acc = NewDistinct(acc, s.Hold, a.ArrivalOrder)
	}
	return acc
}

// FoldFunc is the batch fold for a call: the aggregate's own, or FoldEach
// for DISTINCT, whose accumulators are the generic wrapper.
func (a *Aggregate) FoldFunc(distinct bool) func(*Rows) error {
	if distinct {
		return FoldEach
	}
	return a.Fold
}

// FoldEach folds a batch row by row through Accumulator.Add.
func FoldEach(in *Rows) error {
	one := types.Value{K: types.Int, I: 1} // count(*) counts rows
	for r := range in.Group {
		acc := in.Acc(r)
		if acc == nil {
			continue
		}
		v, ord := one, types.NullValue
		if in.Arg != nil {
			v = in.Arg.Get(r)
		}
		if in.Ord != nil {
			ord = in.Ord.Get(r)
		}
		if err := acc.Add(v, ord); err != nil {
			return err
		}
	}
	return nil
}

// sparkAs spells a call as name(arg), with DISTINCT when the call has it.
func sparkAs(name string) func(SparkCall) string {
	return func(c SparkCall) string {
		if c.Distinct {
			return name + "(DISTINCT " + c.Arg + ")"
		}
		return name + "(" + c.Arg + ")"
	}
}

// mismatch is the error of Merge when other is not the same kind of state.
func mismatch(want Accumulator, got Accumulator) error {
	return fmt.Errorf("%w: cannot merge %T into %T", ErrStateMismatch, got, want)
}

// ---- argument checks ----

// anyKind accepts every argument and returns sameAs(arg) or a fixed kind.
func anyKind(result func(types.Kind) types.Kind) func(types.Kind) (types.Kind, types.Kind, error) {
	return func(arg types.Kind) (types.Kind, types.Kind, error) { return arg, result(arg), nil }
}

func sameKind(k types.Kind) types.Kind { return k }

// numeric accepts numbers, and strings read as DOUBLE as Spark does.
func numeric(result func(types.Kind) types.Kind) func(types.Kind) (types.Kind, types.Kind, error) {
	return func(arg types.Kind) (types.Kind, types.Kind, error) {
		switch {
		case arg.IsNumeric() || arg == types.Null:
		case arg == types.String:
			arg = types.Float
		default:
			return types.Null, types.Null, &ArgTypeError{Arg: 1, Want: classWant[numArg], Got: arg}
		}
		return arg, result(arg), nil
	}
}

// boolean accepts BOOLEAN (and NULL) only: Spark casts no other kind to it
// implicitly.
func boolean(result types.Kind) func(types.Kind) (types.Kind, types.Kind, error) {
	return func(arg types.Kind) (types.Kind, types.Kind, error) {
		if arg != types.Bool && arg != types.Null {
			return types.Null, types.Null, &ArgTypeError{Arg: 1, Want: classWant[boolArg], Got: arg}
		}
		return arg, result, nil
	}
}

func floatKind(types.Kind) types.Kind { return types.Float }

// ---- DISTINCT ----

// distinctAcc passes each distinct non-NULL value to inner once. For an
// aggregate whose result depends on arrival order it keeps the values'
// keys in that order too, so that merging feeds the other state's new
// values in the order they came: first and last then see what one pass
// over both parts would have shown them.
type distinctAcc struct {
	inner     Accumulator
	seen      map[string]bool
	keepOrder bool
	order     []string // with keepOrder, the keys of seen, first seen first
	buf       []byte
	hold      func(int64) error
}

// NewDistinct wraps inner so that it sees each distinct non-NULL value
// once. hold, when not nil, accounts the memory of the values kept.
// keepOrder records the order values arrive in, for an inner aggregate
// that depends on it (Aggregate.ArrivalOrder).
func NewDistinct(inner Accumulator, hold func(int64) error, keepOrder bool) Accumulator {
	return &distinctAcc{inner: inner, seen: map[string]bool{}, keepOrder: keepOrder, hold: hold}
}

func (a *distinctAcc) Add(v, ord types.Value) error {
	if v.IsNull() {
		return nil
	}
	a.buf = types.AppendKey(a.buf[:0], v)
	if a.seen[string(a.buf)] {
		return nil
	}
	return a.addNew(string(a.buf), v, ord)
}

// addNew records key, which is not in seen, and feeds its value on.
func (a *distinctAcc) addNew(key string, v, ord types.Value) error {
	if a.hold != nil {
		// The key's bytes and a map entry's overhead, and a slice entry
		// when the order is kept.
		n := int64(len(key)) + 48
		if a.keepOrder {
			n += 16
		}
		if err := a.hold(n); err != nil {
			return err
		}
	}
	a.seen[key] = true
	if a.keepOrder {
		a.order = append(a.order, key)
	}
	return a.inner.Add(v, ord)
}

// keys returns the keys seen: in arrival order when it is kept, else in
// the map's order.
func (a *distinctAcc) keys() []string {
	if a.keepOrder {
		return a.order
	}
	out := make([]string, 0, len(a.seen))
	for k := range a.seen {
		out = append(out, k)
	}
	return out
}

// Merge feeds other's values that this state has not seen, in the order
// other saw them. The inner states cannot be merged directly: a value both
// saw would count twice.
func (a *distinctAcc) Merge(other Accumulator) error {
	o, ok := other.(*distinctAcc)
	if !ok {
		return mismatch(a, other)
	}
	for _, k := range o.keys() {
		if a.seen[k] {
			continue
		}
		v, _, err := types.DecodeKey([]byte(k))
		if err != nil {
			return fmt.Errorf("%w: %w", ErrStateMismatch, err)
		}
		if err := a.addNew(k, v, types.NullValue); err != nil {
			return err
		}
	}
	return nil
}

func (a *distinctAcc) Result() types.Value { return a.inner.Result() }

func (a *distinctAcc) Export() (State, error) {
	r, ok := a.inner.(Resumable)
	if !ok {
		return State{}, fmt.Errorf("%w: DISTINCT over %T", ErrNotResumable, a.inner)
	}
	inner, err := r.Export()
	if err != nil {
		return State{}, err
	}
	return State{Inner: &inner, Seen: append([]string(nil), a.keys()...)}, nil
}

func (a *distinctAcc) Import(s State) error {
	for _, k := range s.Seen {
		if !a.seen[k] {
			a.seen[k] = true
			if a.keepOrder {
				a.order = append(a.order, k)
			}
		}
	}
	if s.Inner == nil {
		return nil
	}
	r, ok := a.inner.(Resumable)
	if !ok {
		return fmt.Errorf("%w: DISTINCT over %T", ErrNotResumable, a.inner)
	}
	return r.Import(*s.Inner)
}
