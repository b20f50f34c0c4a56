package functions

import (
	"bytes"
	"encoding/gob"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

// The tests here hold every aggregate in the catalogue to its contract
// (fold, merge, export/import, the batch fold against Add), whatever the
// aggregate; each family's file has its own tests of what it computes.

func TestAggregateCatalogue(t *testing.T) {
	all := Aggregates()
	if len(all) < 20 {
		t.Fatalf("only %d aggregates registered", len(all))
	}
	for i, a := range all {
		if a.Doc == "" || !strings.Contains(a.Doc, "→") {
			t.Errorf("%s: Doc %q lacks a signature line", a.Name, a.Doc)
		}
		if i > 0 && all[i-1].Name >= a.Name {
			t.Errorf("Aggregates not sorted: %s before %s", all[i-1].Name, a.Name)
		}
		if b, ok := LookupAggregate(strings.ToUpper(a.Name)); !ok || b != a {
			t.Errorf("LookupAggregate(%q) does not find %s", strings.ToUpper(a.Name), a.Name)
		}
		if a.AliasOf != "" {
			c, ok := LookupAggregate(a.AliasOf)
			if !ok || c.AliasOf != "" || a.Canonical() != c.Name {
				t.Errorf("%s: alias of %q, which is no canonical aggregate", a.Name, a.AliasOf)
			}
		}
		if _, ok := Lookup(a.Name); ok {
			t.Errorf("%s is both an aggregate and a scalar function", a.Name)
		}
		if _, ok := LookupWindow(a.Name); ok {
			t.Errorf("%s is both an aggregate and a window function", a.Name)
		}
	}
	if _, ok := LookupAggregate("no_such_aggregate"); ok {
		t.Error("LookupAggregate found an unknown name")
	}
}

func TestAggregateCheckNamesWhatWasTyped(t *testing.T) {
	for _, c := range []struct {
		name string
		arg  types.Kind
		msg  string
	}{
		{"sum", types.Bool, "sum expects a number, got BOOLEAN"},
		{"mean", types.Date, "mean expects a number, got DATE"},
		{"approx_percentile", types.Bool, "approx_percentile expects a number, got BOOLEAN"},
		{"count_if", types.Int, "count_if expects a boolean, got BIGINT"},
	} {
		a, ok := LookupAggregate(c.name)
		if !ok {
			t.Fatalf("no aggregate %s", c.name)
		}
		_, _, err := a.Check(c.arg)
		if !errors.Is(err, ErrArgType) || err.Error() != c.msg {
			t.Errorf("%s(%s): %v, want %q", c.name, c.arg, err, c.msg)
		}
	}
	// Strings are read as DOUBLE by the numeric aggregates, as in Spark.
	a, _ := LookupAggregate("avg")
	if cast, k, err := a.Check(types.String); err != nil || cast != types.Float || k != types.Float {
		t.Errorf("avg(STRING): cast %s, result %s, %v; want DOUBLE, DOUBLE", cast, k, err)
	}
}

func TestRegisterAggregateRefusesIncomplete(t *testing.T) {
	complete := func() *Aggregate {
		return &Aggregate{
			Name: "test_incomplete", Doc: "test_incomplete(x) → BIGINT", Check: anyKind(sameKind),
			New: func(AggSpec) Accumulator { return &countAcc{} }, Spark: sparkAs("count"),
		}
	}
	for name, spoil := range map[string]func(*Aggregate){
		"no doc":   func(a *Aggregate) { a.Doc = "" },
		"no check": func(a *Aggregate) { a.Check = nil },
		"no new":   func(a *Aggregate) { a.New = nil },
		"no spark": func(a *Aggregate) { a.Spark = nil },
		"incremental without saved state": func(a *Aggregate) {
			a.Incremental = true
			a.New = func(AggSpec) Accumulator { return &percentileAcc{} }
		},
		"a scalar function's name": func(a *Aggregate) { a.Name = "abs" },
		"an existing name":         func(a *Aggregate) { a.Name = "count" },
	} {
		t.Run(name, func(t *testing.T) {
			a := complete()
			spoil(a)
			defer func() {
				if recover() == nil {
					t.Errorf("registerAggregate accepted it")
				}
			}()
			registerAggregate(a)
		})
	}
	if _, ok := LookupAggregate("test_incomplete"); ok {
		t.Error("a refused definition was registered")
	}
}

// aggInput is a test column of one kind, NULLs included, with an
// ordering column for the aggregates that take one.
func aggInput(k types.Kind) (arg, ord []types.Value) {
	var vals []types.Value
	switch k {
	case types.Bool:
		vals = []types.Value{types.BoolValue(true), types.NullValue, types.BoolValue(true), types.BoolValue(false), types.BoolValue(true)}
	case types.Int:
		vals = []types.Value{types.IntValue(3), types.NullValue, types.IntValue(-7), types.IntValue(3), types.IntValue(1 << 40), types.IntValue(0)}
	case types.Float:
		vals = []types.Value{types.FloatValue(0.1), types.FloatValue(2.5), types.NullValue, types.FloatValue(-1e9), types.FloatValue(0.1), types.FloatValue(3)}
	case types.String:
		vals = []types.Value{types.StringValue("b"), types.StringValue("a"), types.NullValue, types.StringValue("b"), types.StringValue("")}
	}
	for i := range vals {
		o := types.IntValue(int64((i * 7) % 4)) // ties, for min_by and max_by
		if i == 2 {
			o = types.NullValue
		}
		ord = append(ord, o)
	}
	return vals, ord
}

func vector(k types.Kind, vals []types.Value) *types.Vector {
	v := types.NewVector(k, len(vals))
	for _, x := range vals {
		v.Append(x)
	}
	return v
}

// foldRows folds vals[lo:hi] into acc with fold.
func foldRows(t *testing.T, fold func(*Rows) error, acc Accumulator, k types.Kind, vals, ords []types.Value, lo, hi int, star bool) {
	t.Helper()
	// Rows outside [lo, hi) are rejected by a FILTER; odd rows go to
	// group 1 and even ones to group 0, which is acc in both places, after
	// a decoy group the fold must leave alone.
	in := &Rows{Group: make([]int32, len(vals)), States: []Accumulator{&mismatchAcc{}, acc, acc}, Filter: types.NewVector(types.Bool, len(vals))}
	for r := range vals {
		in.Group[r] = int32(1 + r%2)
		in.Filter.Append(types.BoolValue(r >= lo && r < hi))
	}
	if !star {
		in.Arg = vector(k, vals)
		in.Ord = vector(types.Int, ords)
	}
	if err := fold(in); err != nil {
		t.Fatal(err)
	}
}

func sameResult(a, b types.Value) bool {
	if a.K == types.Float && b.K == types.Float {
		return a.F == b.F || math.Abs(a.F-b.F) <= 1e-9*math.Max(math.Abs(a.F), math.Abs(b.F))
	}
	return a.K == b.K && types.Equal(a, b) || a.IsNull() && b.IsNull()
}

// TestEveryAggregateKeepsItsContract folds test columns of every kind an
// aggregate accepts, with and without DISTINCT, and checks that
//   - its batch fold gives what Add row by row gives,
//   - folding two parts and merging them gives what one fold gives, for
//     every place the input can be cut,
//   - an incremental aggregate's state survives export, gob (as stream
//     checkpoints hold it) and import, and the import goes on folding.
func TestEveryAggregateKeepsItsContract(t *testing.T) {
	for _, a := range Aggregates() {
		if a.AliasOf != "" {
			continue
		}
		for _, k := range []types.Kind{types.Bool, types.Int, types.Float, types.String} {
			cast, res, err := a.Check(k)
			if err != nil {
				continue
			}
			vals, ords := aggInput(k)
			if cast != k {
				for i, v := range vals {
					if vals[i], err = types.Cast(v, cast); err != nil {
						vals[i] = types.NullValue
					}
				}
			}
			spec := AggSpec{Arg: cast, K: res, Param: 0.5}
			for _, distinct := range []bool{false, true} {
				if distinct && a.Shape == OrderedArgs {
					continue
				}
				for _, star := range []bool{false, true} {
					if star && a.Shape != CountArgs {
						continue
					}
					name := a.Name + "/" + k.String()
					if distinct {
						name += "/distinct"
					}
					if star {
						name += "/star"
					}
					t.Run(name, func(t *testing.T) {
						checkContract(t, a, spec, distinct, star, cast, vals, ords)
					})
				}
			}
		}
	}
}

func checkContract(t *testing.T, a *Aggregate, spec AggSpec, distinct, star bool, k types.Kind, vals, ords []types.Value) {
	n := len(vals)
	each := a.NewAccumulator(spec, distinct)
	foldRows(t, FoldEach, each, k, vals, ords, 0, n, star)
	want := each.Result()

	fast := a.NewAccumulator(spec, distinct)
	foldRows(t, a.FoldFunc(distinct), fast, k, vals, ords, 0, n, star)
	if got := fast.Result(); !sameResult(got, want) {
		t.Errorf("batch fold gives %v, Add row by row %v", got, want)
	}

	for cut := 0; cut <= n; cut++ {
		left, right := a.NewAccumulator(spec, distinct), a.NewAccumulator(spec, distinct)
		foldRows(t, a.FoldFunc(distinct), left, k, vals, ords, 0, cut, star)
		foldRows(t, a.FoldFunc(distinct), right, k, vals, ords, cut, n, star)
		if err := left.Merge(right); err != nil {
			t.Fatalf("merge at %d: %v", cut, err)
		}
		if got := left.Result(); !sameResult(got, want) {
			t.Errorf("cut at %d and merged: %v, one fold %v", cut, got, want)
		}

		if !a.Incremental {
			continue
		}
		saved := a.NewAccumulator(spec, distinct)
		foldRows(t, a.FoldFunc(distinct), saved, k, vals, ords, 0, cut, star)
		s, err := saved.(Resumable).Export()
		if err != nil {
			t.Fatalf("export at %d: %v", cut, err)
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(&s); err != nil {
			t.Fatal(err)
		}
		var back State
		if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
			t.Fatal(err)
		}
		resumed := a.NewAccumulator(spec, distinct)
		if err := resumed.(Resumable).Import(back); err != nil {
			t.Fatalf("import at %d: %v", cut, err)
		}
		foldRows(t, a.FoldFunc(distinct), resumed, k, vals, ords, cut, n, star)
		if got := resumed.Result(); !sameResult(got, want) {
			t.Errorf("saved at %d and resumed: %v, one fold %v", cut, got, want)
		}
	}

	// A state of another kind is refused.
	if err := each.Merge(&mismatchAcc{}); !errors.Is(err, ErrStateMismatch) {
		t.Errorf("merging a foreign state: %v, want ErrStateMismatch", err)
	}
}

type mismatchAcc struct{}

func (*mismatchAcc) Add(types.Value, types.Value) error { return nil }
func (*mismatchAcc) Merge(Accumulator) error            { return nil }
func (*mismatchAcc) Result() types.Value                { return types.NullValue }

func TestSumOverflowIsAnError(t *testing.T) {
	a, _ := LookupAggregate("sum")
	acc := a.New(AggSpec{Arg: types.Int, K: types.Int})
	in := &Rows{Arg: vector(types.Int, []types.Value{types.IntValue(math.MaxInt64), types.IntValue(1)}), Group: []int32{0, 0}, States: []Accumulator{acc}}
	if err := a.Fold(in); !errors.Is(err, ErrOverflow) {
		t.Errorf("MaxInt64 + 1: %v, want ErrOverflow", err)
	}
	l, r := a.New(AggSpec{K: types.Int}), a.New(AggSpec{K: types.Int})
	_ = l.Add(types.IntValue(math.MaxInt64), types.NullValue)
	_ = r.Add(types.IntValue(1), types.NullValue)
	if err := l.Merge(r); !errors.Is(err, ErrOverflow) {
		t.Errorf("merging to MaxInt64 + 1: %v, want ErrOverflow", err)
	}
}

func TestWindowCatalogue(t *testing.T) {
	all := Windows()
	if len(all) != 11 {
		t.Errorf("%d window functions, want Spark's 11 window-only ones", len(all))
	}
	for _, w := range all {
		if !strings.Contains(w.Doc, "→") {
			t.Errorf("%s: Doc %q lacks a signature line", w.Name, w.Doc)
		}
		if w.MaxArgs >= 0 && w.MaxArgs < w.MinArgs {
			t.Errorf("%s: MaxArgs %d < MinArgs %d", w.Name, w.MaxArgs, w.MinArgs)
		}
		if w.Const >= 0 && w.MaxArgs >= 0 && w.Const >= w.MaxArgs {
			t.Errorf("%s: constant argument %d past its arguments", w.Name, w.Const)
		}
		if w.Filter && !w.Framed {
			t.Errorf("%s takes FILTER but reads no frame", w.Name)
		}
	}
	lag, _ := LookupWindow("LAG")
	k, casts, err := lag.Check([]types.Kind{types.Int, types.Int, types.Float})
	if err != nil || k != types.Float || len(casts) != 3 || casts[0] != types.Float || casts[2] != types.Float {
		t.Errorf("lag(BIGINT, 1, DOUBLE): %s %v %v, want DOUBLE with value and default cast to it", k, casts, err)
	}
	if _, _, err := lag.Check([]types.Kind{types.Int, types.String}); !errors.Is(err, ErrArgType) || !strings.Contains(err.Error(), "lag expects an integer as argument 2") {
		t.Errorf("lag with a STRING offset: %v", err)
	}
}

// partition is a window partition of n rows whose ORDER BY values are
// keys (equal neighbours are peers), over the whole partition as frame.
func partition(keys []int, arg []types.Value) *Partition {
	n := len(keys)
	p := &Partition{N: n, Out: make([]types.Value, n), PeerStart: make([]int, n), PeerEnd: make([]int, n), Vals: arg}
	for i := 0; i < n; {
		j := i + 1
		for j < n && keys[j] == keys[i] {
			j++
		}
		for k := i; k < j; k++ {
			p.PeerStart[k], p.PeerEnd[k] = i, j
		}
		i = j
	}
	p.Arg = func(i, a int) (types.Value, error) { return arg[i], nil }
	p.Frame = func(int) (int, int) { return 0, n }
	p.Counts = func(int) bool { return true }
	return p
}

func TestWindowComputes(t *testing.T) {
	arg := []types.Value{types.IntValue(10), types.IntValue(20), types.IntValue(30), types.IntValue(40)}
	for _, c := range []struct {
		name   string
		consts []types.Value
		want   string
	}{
		{"row_number", nil, "1 2 3 4"},
		{"rank", nil, "1 2 2 4"},
		{"dense_rank", nil, "1 2 2 3"},
		{"percent_rank", nil, "0.0 0.3333333333333333 0.3333333333333333 1.0"},
		{"cume_dist", nil, "0.25 0.75 0.75 1.0"},
		{"ntile", []types.Value{types.IntValue(3)}, "1 1 2 3"},
		{"lag", []types.Value{types.NullValue}, "NULL 10 20 30"},
		{"lead", []types.Value{types.NullValue, types.IntValue(2)}, "30 40 NULL NULL"},
		{"first_value", nil, "10 10 10 10"},
		{"last_value", nil, "40 40 40 40"},
		{"nth_value", []types.Value{types.NullValue, types.IntValue(2)}, "20 20 20 20"},
	} {
		w, ok := LookupWindow(c.name)
		if !ok {
			t.Fatalf("no window function %s", c.name)
		}
		p := partition([]int{1, 2, 2, 3}, arg)
		p.Consts = c.consts
		if err := w.Compute(p); err != nil {
			t.Fatal(err)
		}
		got := make([]string, len(p.Out))
		for i, v := range p.Out {
			got[i] = v.String()
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("%s: %s, want %s", c.name, s, c.want)
		}
	}
}

func TestLikeToRegexp(t *testing.T) {
	for p, want := range map[string]string{
		"a%":    `(?s)^a.*$`,
		"_.b":   `(?s)^.\.b$`,
		`50\%`:  `(?s)^50%$`,
		`end\`:  `(?s)^end\\$`,
		"é_":    `(?s)^é.$`,
		"(x)|y": `(?s)^\(x\)\|y$`,
	} {
		if got := LikeToRegexp(p); got != want {
			t.Errorf("LikeToRegexp(%q) = %q, want %q", p, got, want)
		}
	}
}
