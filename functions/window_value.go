package functions

import "github.com/nectar-dev/nectar/types"

// first_value, last_value and nth_value: a value of the row's frame.

func init() {
	value := func(args []types.Kind) (types.Kind, []types.Kind, error) {
		return args[0], nil, integerArg(args, 1)
	}
	registerWindow(&Window{
		Name: "first_value", Doc: "first_value(x) → x's type: x on the frame's first row (that passes FILTER)",
		MinArgs: 1, MaxArgs: 1, Const: -1, Check: value, Framed: true, Filter: true,
		Compute: func(p *Partition) error {
			for i := range p.Out {
				lo, hi := p.Frame(i)
				for j := lo; j < hi; j++ {
					if p.Counts(j) && !p.skip(j) {
						p.Out[i] = p.Vals[j]
						break
					}
				}
			}
			return nil
		},
	})
	registerWindow(&Window{
		Name: "last_value", Doc: "last_value(x) → x's type: x on the frame's last row (that passes FILTER)",
		MinArgs: 1, MaxArgs: 1, Const: -1, Check: value, Framed: true, Filter: true,
		Compute: func(p *Partition) error {
			for i := range p.Out {
				lo, hi := p.Frame(i)
				for j := hi - 1; j >= lo; j-- {
					if p.Counts(j) && !p.skip(j) {
						p.Out[i] = p.Vals[j]
						break
					}
				}
			}
			return nil
		},
	})
	registerWindow(&Window{
		Name: "nth_value", Doc: "nth_value(x, n) → x's type: x on the frame's n-th row, NULL if the frame is shorter",
		MinArgs: 2, MaxArgs: 2, Const: 1, ConstWhat: "offset", Check: value, Framed: true,
		Compute: func(p *Partition) error {
			nth := p.ConstInt(1, 1)
			for i := range p.Out {
				lo, hi := p.Frame(i)
				if !p.IgnoreNulls {
					if nth > 0 && int64(hi-lo) >= nth {
						p.Out[i] = p.Vals[lo+int(nth)-1]
					}
					continue
				}
				seen := int64(0)
				for j := lo; j < hi && nth > 0; j++ {
					if !p.skip(j) {
						if seen++; seen == nth {
							p.Out[i] = p.Vals[j]
							break
						}
					}
				}
			}
			return nil
		},
	})
}
