package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/table"
	"github.com/nectar-dev/nectar/types"
)

// TextSchema is how a client that takes only rows (a Flight SQL or JDBC
// client) sees EXPLAIN's text: one STRING column, plan, one row.
var TextSchema = types.Schema{{Name: "plan", Kind: types.String}}

// Description is what running a script would give, found without running
// its queries: what a prepared statement tells its client before it runs.
type Description struct {
	// Schema is the columns of the last statement's rows; nil when it
	// gives none (CREATE VIEW).
	Schema types.Schema
	// Params are the kinds the ? placeholders take, in order: the kind
	// the query casts each to (compared with a TIMESTAMP, a TIMESTAMP; in
	// arithmetic, a DOUBLE), and compared with a BIGINT column a BIGINT,
	// STRING where nothing says. A value of another kind is still
	// accepted and cast as a literal would be.
	Params []types.Kind
}

// Describe binds every statement of script, reading at most the samples
// its sources infer their schemas from, and says what the last one gives.
// It creates the script's views in e, as running it would, with the
// placeholders standing for values not known yet: describe in a session
// made for it, sharing a clone of the state (State.Clone).
func (e *Session) Describe(ctx context.Context, script string) (*Description, error) {
	// Each placeholder is bound as a string no data holds: where the
	// query needs another kind it casts it, as it casts any string, and
	// the cast says which kind the parameter takes.
	n := syntax.Placeholders(script)
	probes := make([]types.Value, n)
	index := make(map[string]int, n)
	for i := range probes {
		s := fmt.Sprintf("\x00nectar parameter %d\x00", i)
		probes[i], index[s] = types.StringValue(s), i
	}
	stmts, err := e.Parse(script, syntax.Options{Params: probes, Bind: true})
	if err != nil {
		return nil, err
	}
	// Where a placeholder stands for a value no cast reaches (a BOOLEAN
	// operand of AND), the string stand-in does not bind: that statement
	// is bound again with NULLs, which go anywhere, and its placeholders
	// keep the kind STRING.
	nulls, err := e.Parse(script, syntax.Options{Params: make([]types.Value, n), Bind: true})
	if err != nil {
		return nil, err
	}
	d := &Description{Params: make([]types.Kind, n)}
	for i := range d.Params {
		d.Params[i] = types.String
	}
	// bind binds the query of statement i, probes first.
	bind := func(i int, query func(syntax.Statement) syntax.Query) (plan.Node, syntax.Statement, error) {
		n, err := e.bindChecked(ctx, query(stmts[i]))
		if err == nil {
			paramKinds(n, index, d.Params)
			return n, stmts[i], nil
		}
		// The error to report is the one without stand-ins, whose
		// message cannot quote them.
		if n, err = e.bindChecked(ctx, query(nulls[i])); err != nil {
			return nil, nil, err
		}
		return n, nulls[i], nil
	}
	for i, st := range stmts {
		d.Schema = nil
		switch st.(type) {
		case *syntax.CreateView:
			_, st, err := bind(i, func(st syntax.Statement) syntax.Query { return st.(*syntax.CreateView).Query })
			if err != nil {
				return nil, err
			}
			if err := e.runStatement(ctx, st, func(*Result) error { return nil }); err != nil {
				return nil, err
			}
		case *syntax.QueryStmt:
			n, _, err := bind(i, func(st syntax.Statement) syntax.Query { return st.(*syntax.QueryStmt).Query })
			if err != nil {
				return nil, err
			}
			d.Schema = n.Schema()
			if e.Opts.ExplainOnly {
				d.Schema = TextSchema
			}
		case *syntax.Describe:
			if _, _, err := bind(i, func(st syntax.Statement) syntax.Query { return st.(*syntax.Describe).Query }); err != nil {
				return nil, err
			}
			d.Schema = describe(nil).Schema
		case *syntax.Explain:
			if _, _, err := bind(i, func(st syntax.Statement) syntax.Query { return st.(*syntax.Explain).Query }); err != nil {
				return nil, err
			}
			d.Schema = TextSchema
		default:
			// A statement with no query to bind (SHOW …): it runs, in a
			// session made for describing, and its result gives the schema.
			err := e.runStatement(ctx, st, func(r *Result) error {
				d.Schema = r.Schema
				if r.Kind == Text {
					d.Schema = TextSchema
				}
				if r.Rows != nil {
					return r.Rows.Close()
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

// bindChecked is Plan without the optimiser: the optimiser folds
// constants, and the placeholders' stand-ins do not cast.
func (e *Session) bindChecked(ctx context.Context, q syntax.Query) (plan.Node, error) {
	n, err := plan.Bind(ctx, e.catalog(), q)
	if err != nil {
		return nil, err
	}
	again, err := table.CheckNames(ctx, q, n)
	if err != nil || !again {
		return n, err
	}
	return plan.Bind(ctx, e.catalog(), q)
}

// paramKinds records in kinds the kind each placeholder's stand-in (by
// its text in index) is cast to anywhere in n, subqueries included.
func paramKinds(n plan.Node, index map[string]int, kinds []types.Kind) {
	// param returns the placeholder x casts, if it is such a cast.
	param := func(x plan.Expr) (int, bool) {
		o, ok := x.(*plan.Op)
		if !ok || o.Op != plan.OpCast || len(o.Args) != 1 {
			return 0, false
		}
		c, ok := o.Args[0].(*plan.Const)
		if !ok || c.V.K != types.String || !strings.HasPrefix(c.V.S, "\x00") {
			return 0, false
		}
		i, ok := index[c.V.S]
		return i, ok
	}
	expr := func(x plan.Expr) {
		plan.Walk(x, func(x plan.Expr) {
			switch x := x.(type) {
			case *plan.Op:
				if i, ok := param(x); ok {
					kinds[i] = x.K
				}
			case *plan.Subquery:
				paramKinds(x.Plan, index, kinds)
			}
		})
		// A string compared with a BIGINT is cast to DOUBLE (so that
		// '2.5' compares as 2.5), but the value a client means there is a
		// whole number.
		plan.Walk(x, func(x plan.Expr) {
			if o, ok := x.(*plan.Op); ok && comparison[o.Op] && len(o.Args) == 2 {
				for k, a := range o.Args {
					if i, ok := param(a); ok && o.Args[1-k].Kind() == types.Int {
						kinds[i] = types.Int
					}
				}
			}
		})
	}
	plan.Inspect(n, func(n plan.Node) bool {
		for _, x := range plan.Exprs(n) {
			expr(x)
		}
		return true
	})
}

var comparison = map[plan.OpCode]bool{plan.OpEq: true, plan.OpNe: true, plan.OpLt: true, plan.OpLe: true,
	plan.OpGt: true, plan.OpGe: true, plan.OpNullSafeEq: true}
