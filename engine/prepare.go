package engine

import (
	"context"
	"fmt"

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
	bind := func(i int) (plan.Node, syntax.Statement, error) {
		n, err := e.bindChecked(ctx, statementQuery(stmts[i]))
		if err == nil {
			plan.ParamKinds(n, func(c *plan.Const) (int, bool) {
				i, ok := index[c.V.S]
				return i, ok && c.V.K == types.String
			}, d.Params)
			return n, stmts[i], nil
		}
		// The error to report is the one without stand-ins, whose
		// message cannot quote them.
		if n, err = e.bindChecked(ctx, statementQuery(nulls[i])); err != nil {
			return nil, nil, err
		}
		return n, nulls[i], nil
	}
	for i, st := range stmts {
		d.Schema = nil
		if statementQuery(st) == nil {
			// A statement with no query to bind (SHOW, SET): it runs, in a
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
			continue
		}
		n, st, err := bind(i)
		if err != nil {
			return nil, err
		}
		switch st.(type) {
		case *syntax.CreateView:
			if err := e.runStatement(ctx, st, func(*Result) error { return nil }); err != nil {
				return nil, err
			}
		case *syntax.QueryStmt:
			d.Schema = n.Schema()
			if e.Opts.ExplainOnly {
				d.Schema = TextSchema
			}
		case *syntax.Describe:
			d.Schema = describe(nil).Schema
		case *syntax.Explain:
			d.Schema = TextSchema
		}
	}
	return d, nil
}

// statementQuery is the query a statement binds, nil for none.
func statementQuery(st syntax.Statement) syntax.Query {
	switch st := st.(type) {
	case *syntax.CreateView:
		return st.Query
	case *syntax.QueryStmt:
		return st.Query
	case *syntax.Describe:
		return st.Query
	case *syntax.Explain:
		return st.Query
	}
	return nil
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
