package functions

import (
	"math"

	"github.com/nectar-dev/nectar/types"
)

// The second moments: variance and standard deviation, of a sample or of
// a population.

func init() {
	for _, m := range []struct {
		name      string
		pop, sqrt bool
		doc       string
	}{
		{"stddev", false, true, "stddev(x) → DOUBLE: the sample standard deviation (NULL for one value)"},
		{"stddev_samp", false, true, "stddev_samp(x) → DOUBLE: the sample standard deviation (NULL for one value)"},
		{"stddev_pop", true, true, "stddev_pop(x) → DOUBLE: the population standard deviation"},
		{"variance", false, false, "variance(x) → DOUBLE: the sample variance (NULL for one value)"},
		{"var_samp", false, false, "var_samp(x) → DOUBLE: the sample variance (NULL for one value)"},
		{"var_pop", true, false, "var_pop(x) → DOUBLE: the population variance"},
	} {
		// stddev and variance are not aliases: the plan, and so EXPLAIN
		// and saved stream state, keep the name the query used.
		registerAggregate(&Aggregate{
			Name:        m.name,
			Doc:         m.doc + " (Welford's algorithm)",
			Check:       numeric(floatKind),
			New:         func(AggSpec) Accumulator { return &momentAcc{pop: m.pop, sqrt: m.sqrt} },
			Fold:        foldMoment,
			Incremental: true,
			Spark:       sparkAs(m.name),
		})
	}
}

// momentAcc computes variance and standard deviation with Welford's
// online algorithm (Knuth, TAOCP vol. 2, 4.2.2), stable for large means.
type momentAcc struct {
	pop, sqrt bool
	n         float64
	mean, m   float64
}

func (a *momentAcc) Add(v, _ types.Value) error {
	if !v.IsNull() {
		a.add(v.AsFloat())
	}
	return nil
}

func (a *momentAcc) add(x float64) {
	a.n++
	d := x - a.mean
	a.mean += d / a.n
	a.m += d * (x - a.mean)
}

// Merge combines two partial moments with Chan, Golub and LeVeque's
// pairwise update ("Updating formulae and a pairwise algorithm for
// computing sample variances", 1979): M = Ma + Mb + d²·na·nb/n.
func (a *momentAcc) Merge(other Accumulator) error {
	o, ok := other.(*momentAcc)
	if !ok || o.pop != a.pop || o.sqrt != a.sqrt {
		return mismatch(a, other)
	}
	if o.n == 0 {
		return nil
	}
	n := a.n + o.n
	d := o.mean - a.mean
	a.m += o.m + d*d*a.n*o.n/n
	a.mean += d * o.n / n
	a.n = n
	return nil
}

func (a *momentAcc) Result() types.Value {
	switch {
	case a.n == 0:
		return types.NullValue
	case a.n == 1 && !a.pop:
		return types.NullValue // Spark returns NULL for a sample of one
	}
	d := a.n - 1
	if a.pop {
		d = a.n
	}
	v := a.m / d
	if a.sqrt {
		v = math.Sqrt(v)
	}
	return types.FloatValue(v)
}

func (a *momentAcc) Export() (State, error) { return State{F: a.n, Mean: a.mean, M: a.m}, nil }
func (a *momentAcc) Import(s State) error {
	a.n, a.mean, a.m = s.F, s.Mean, s.M
	return nil
}

func foldMoment(in *Rows) error {
	arg := in.Arg
	if arg == nil || arg.Kind != types.Float {
		return FoldEach(in)
	}
	groups, states, filt, nulls, fs := in.Group, in.States, in.Filter, arg.Nulls, arg.F
	for r, gi := range groups {
		if filtered(filt, r) || nulls[r] {
			continue
		}
		if m, ok := states[gi].(*momentAcc); ok {
			m.add(fs[r])
		} else if err := states[gi].Add(arg.Get(r), types.NullValue); err != nil {
			return err
		}
	}
	return nil
}
