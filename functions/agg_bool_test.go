package functions

import (
	"errors"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

// TestBoolAndOr checks bool_and and bool_or, under each of Spark's names,
// against Spark's answers for its test_agg table (sql-tests group-by.sql:
// k 1 true false, 2 true, 3 false NULL, 4 NULL NULL, 5 NULL true false,
// and no rows at all).
func TestBoolAndOr(t *testing.T) {
	tr, fa, null := types.BoolValue(true), types.BoolValue(false), types.NullValue
	groups := map[string][]types.Value{
		"k=1": {tr, fa}, "k=2": {tr}, "k=3": {fa, null}, "k=4": {null, null}, "k=5": {null, tr, fa}, "empty": nil,
	}
	want := map[string]map[string]types.Value{
		"bool_and": {"k=1": fa, "k=2": tr, "k=3": fa, "k=4": null, "k=5": fa, "empty": null},
		"bool_or":  {"k=1": tr, "k=2": tr, "k=3": fa, "k=4": null, "k=5": tr, "empty": null},
	}
	for name, canonical := range map[string]string{"bool_and": "bool_and", "every": "bool_and", "bool_or": "bool_or", "some": "bool_or", "any": "bool_or"} {
		a, ok := LookupAggregate(name)
		if !ok {
			t.Fatalf("no aggregate %s", name)
		}
		if a.Canonical() != canonical {
			t.Errorf("%s is %s, want %s", name, a.Canonical(), canonical)
		}
		cast, k, err := a.Check(types.Bool)
		if err != nil || cast != types.Bool || k != types.Bool {
			t.Errorf("%s(BOOLEAN): %s, %s, %v", name, cast, k, err)
		}
		for g, vals := range groups {
			acc := a.New(AggSpec{Arg: types.Bool, K: types.Bool})
			if err := a.Fold(&Rows{Arg: vector(types.Bool, vals), Group: make([]int32, len(vals)), States: []Accumulator{acc}}); err != nil {
				t.Fatal(err)
			}
			if got, w := acc.Result(), want[canonical][g]; !sameResult(got, w) {
				t.Errorf("%s over %s: %v, want %v", name, g, got, w)
			}
		}
	}
}

// TestBoolAndOrTakeOnlyBoolean: Spark rejects every(1), some(1S), any(1L),
// every('true'), bool_and(1.0) and bool_or(1.0D); the error names the
// function as the query spelled it.
func TestBoolAndOrTakeOnlyBoolean(t *testing.T) {
	for name, kind := range map[string]types.Kind{"every": types.Int, "some": types.Int, "any": types.Int, "EVERY": types.String, "bool_and": types.Float, "bool_or": types.Date} {
		a, _ := LookupAggregate(name)
		_, _, err := a.Check(kind)
		if want := a.Name + " expects a boolean, got " + kind.String(); !errors.Is(err, ErrArgType) || err.Error() != want {
			t.Errorf("%s(%s): %v, want %q", name, kind, err, want)
		}
	}
	a, _ := LookupAggregate("bool_and")
	if _, k, err := a.Check(types.Null); err != nil || k != types.Bool {
		t.Errorf("bool_and(NULL): %s, %v", k, err)
	}
}

func TestBoolAndOrSpark(t *testing.T) {
	for name, want := range map[string]string{"every": "bool_and(`v`)", "any": "bool_or(`v`)", "bool_or": "bool_or(`v`)"} {
		a, _ := LookupAggregate(name)
		if got := a.Spark(SparkCall{Arg: "`v`"}); got != want {
			t.Errorf("%s on Spark: %s, want %s", name, got, want)
		}
		if !a.Incremental || !a.SparkWindow || a.NotWindow != "" {
			t.Errorf("%s: incremental %v, Spark window %v, window %q; want it everywhere", name, a.Incremental, a.SparkWindow, a.NotWindow)
		}
	}
}
