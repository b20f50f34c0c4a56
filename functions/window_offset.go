package functions

import "github.com/nectar-dev/nectar/types"

// lag and lead: the value of a row a fixed number of rows before or after,
// in window order.

func init() {
	for _, dir := range []int{-1, 1} {
		name, where := "lag", "before"
		if dir > 0 {
			name, where = "lead", "after"
		}
		registerWindow(&Window{
			Name:    name,
			Doc:     name + "(x[, n[, default]]) → x's type: x on the row n (default 1) rows " + where + ", else default (NULL)",
			MinArgs: 1, MaxArgs: 3, Const: 1, ConstWhat: "offset",
			Check:   checkOffset,
			Compute: func(p *Partition) error { return shift(p, dir) },
		})
	}
}

// checkOffset types lag and lead: the value and the default widen to one
// kind, which both are cast to.
func checkOffset(args []types.Kind) (types.Kind, []types.Kind, error) {
	if err := integerArg(args, 1); err != nil {
		return types.Null, nil, err
	}
	k := args[0]
	if len(args) < 3 {
		return k, nil, nil
	}
	k = types.Widen(k, args[2])
	return k, []types.Kind{k, types.Null, k}, nil
}

func shift(p *Partition, dir int) error {
	if p.IgnoreNulls {
		return shiftIgnoringNulls(p, dir)
	}
	off := p.ConstInt(1, 1) * int64(dir)
	for i := range p.Out {
		// Offsets past the partition land outside it; comparing in int64
		// keeps i+off from overflowing.
		j := int64(i) + off
		if off > int64(p.N) || off < -int64(p.N) {
			j = -1
		}
		a := 0
		switch {
		case j >= 0 && j < int64(p.N):
		case len(p.Consts) > 2:
			j, a = int64(i), 2
		default:
			continue
		}
		v, err := p.Arg(int(j), a)
		if err != nil {
			return err
		}
		p.Out[i] = v
	}
	return nil
}

// shiftIgnoringNulls is lag and lead with IGNORE NULLS, as Spark computes
// them: the n-th non-NULL value before (lag) or after (lead) the row,
// counting only rows with a value; n = 0 is the row's own value. Without
// one, the default (or NULL).
func shiftIgnoringNulls(p *Partition, dir int) error {
	n := p.ConstInt(1, 1)
	if n < 0 {
		n, dir = -n, -dir
	}
	vals := make([]types.Value, p.N)
	for j := range vals {
		v, err := p.Arg(j, 0)
		if err != nil {
			return err
		}
		vals[j] = v
	}
	for i := range p.Out {
		if n == 0 {
			p.Out[i] = vals[i]
			continue
		}
		found := -1
		seen := int64(0)
		for j := i + dir; j >= 0 && j < p.N; j += dir {
			if !vals[j].IsNull() {
				if seen++; seen == n {
					found = j
					break
				}
			}
		}
		if found >= 0 {
			p.Out[i] = vals[found]
			continue
		}
		if len(p.Consts) > 2 {
			v, err := p.Arg(i, 2)
			if err != nil {
				return err
			}
			p.Out[i] = v
		}
	}
	return nil
}
