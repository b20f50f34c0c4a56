package functions

import "github.com/nectar-dev/nectar/types"

// The ranking window functions: a row's place among the rows of its
// partition in window order.

func init() {
	registerWindow(&Window{
		Name: "row_number", Doc: "row_number() → BIGINT: 1, 2, … in window order",
		Const: -1, Check: fixedWindow(types.Int),
		Compute: func(p *Partition) error {
			for i := range p.Out {
				p.Out[i] = types.IntValue(int64(i + 1))
			}
			return nil
		},
	})
	// rank, dense_rank and percent_rank take any arguments and ignore them,
	// as Spark's RankLike functions do (the ORDER BY keys replace them).
	registerWindow(&Window{
		Name: "rank", Doc: "rank() → BIGINT: 1 + the rows before the row's peers (gaps after ties)",
		MaxArgs: -1, Const: -1, Check: fixedWindow(types.Int),
		Compute: func(p *Partition) error {
			for i := range p.Out {
				p.Out[i] = types.IntValue(int64(p.PeerStart[i] + 1))
			}
			return nil
		},
	})
	registerWindow(&Window{
		Name: "dense_rank", Doc: "dense_rank() → BIGINT: 1 + the distinct ORDER BY values before the row's (no gaps)",
		MaxArgs: -1, Const: -1, Check: fixedWindow(types.Int),
		Compute: func(p *Partition) error {
			r := int64(0)
			for i := range p.Out {
				if i == p.PeerStart[i] {
					r++
				}
				p.Out[i] = types.IntValue(r)
			}
			return nil
		},
	})
	registerWindow(&Window{
		Name: "percent_rank", Doc: "percent_rank() → DOUBLE: (rank − 1) / (rows − 1), 0 for a single row",
		MaxArgs: -1, Const: -1, Check: fixedWindow(types.Float),
		Compute: func(p *Partition) error {
			for i := range p.Out {
				if p.N == 1 {
					p.Out[i] = types.FloatValue(0)
				} else {
					p.Out[i] = types.FloatValue(float64(p.PeerStart[i]) / float64(p.N-1))
				}
			}
			return nil
		},
	})
	registerWindow(&Window{
		Name: "cume_dist", Doc: "cume_dist() → DOUBLE: the fraction of rows up to and including the row's last peer",
		Const: -1, Check: fixedWindow(types.Float),
		Compute: func(p *Partition) error {
			for i := range p.Out {
				p.Out[i] = types.FloatValue(float64(p.PeerEnd[i]) / float64(p.N))
			}
			return nil
		},
	})
	// ntile() means ntile(1), as in Spark.
	registerWindow(&Window{
		Name: "ntile", Doc: "ntile(n) → BIGINT: the row's bucket, 1 to n, of n as equal as can be (the first ones one row larger)",
		MaxArgs: 1, Const: 0, ConstWhat: "bucket count",
		Check: func(args []types.Kind) (types.Kind, []types.Kind, error) {
			return types.Int, nil, integerArg(args, 0)
		},
		Compute: func(p *Partition) error {
			buckets := p.ConstInt(0, 1)
			if buckets <= 0 {
				buckets = 1
			}
			size, extra := int64(p.N)/buckets, int64(p.N)%buckets
			for i := range p.Out {
				// The first n%buckets buckets hold one row more.
				idx := int64(i)
				var b int64
				if idx < extra*(size+1) {
					b = idx / (size + 1)
				} else {
					b = extra + (idx-extra*(size+1))/max(size, 1)
				}
				p.Out[i] = types.IntValue(b + 1)
			}
			return nil
		},
	})
}
