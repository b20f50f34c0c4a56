package plan

import "github.com/nectar-dev/nectar/types"

// ParamKinds records in kinds the kind each prepared statement's
// parameter is used as anywhere in n, subqueries included: a parameter is
// bound as a constant stand-in (which ones are, and whose, param says),
// and the binder casts it where the query needs another kind.
func ParamKinds(n Node, param func(*Const) (int, bool), kinds []types.Kind) {
	// cast returns the parameter x casts, if it is such a cast.
	cast := func(x Expr) (int, bool) {
		o, ok := x.(*Op)
		if !ok || o.Op != OpCast || len(o.Args) != 1 {
			return 0, false
		}
		if c, ok := o.Args[0].(*Const); ok {
			return param(c)
		}
		return 0, false
	}
	expr := func(x Expr) {
		Walk(x, func(x Expr) {
			switch x := x.(type) {
			case *Op:
				if i, ok := cast(x); ok {
					kinds[i] = x.K
				}
			case *Subquery:
				ParamKinds(x.Plan, param, kinds)
			}
		})
		// A string compared with a BIGINT is cast to DOUBLE (so that
		// '2.5' compares as 2.5), but the value a client means there is a
		// whole number.
		Walk(x, func(x Expr) {
			if o, ok := x.(*Op); ok && isComparison(o.Op) && len(o.Args) == 2 {
				for k, a := range o.Args {
					if i, ok := cast(a); ok && o.Args[1-k].Kind() == types.Int {
						kinds[i] = types.Int
					}
				}
			}
		})
	}
	Inspect(n, func(n Node) bool {
		for _, x := range Exprs(n) {
			expr(x)
		}
		return true
	})
}

func isComparison(op OpCode) bool {
	for _, c := range comparisons {
		if c == op {
			return true
		}
	}
	return false
}
