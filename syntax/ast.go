package syntax

import (
	"regexp"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// Pos is a byte offset into the query text; errors turn it into line:column.
// NoPos marks nodes made by rewriting rather than parsing.
type Pos int

const NoPos Pos = -1

// Node is what every syntax node has: its position and its canonical text.
type Node interface {
	Position() Pos
	String() string
}

// At is embedded in every node to carry its position.
type At struct{ P Pos }

func (a At) Position() Pos { return a.P }

// ---- statements ----

// Statement is one top-level statement of a script.
type Statement interface {
	Node
	stmt()
}

// QueryStmt is a query to run and print.
type QueryStmt struct {
	At
	Query Query
}

// CreateView is CREATE [OR REPLACE] [TEMP|TEMPORARY] VIEW name [(col, …)]
// AS query.
type CreateView struct {
	At
	Name      string
	OrReplace bool
	Columns   []string // names given to the query's columns, in order; nil keeps its own
	Query     Query
}

// DropView is DROP VIEW [IF EXISTS] name (DROP TABLE is read the same:
// nectar's tables are views).
type DropView struct {
	At
	Name     string
	IfExists bool
}

// Describe is DESCRIBE query (or DESCRIBE name): the result's columns and types.
type Describe struct {
	At
	Query Query
}

// Explain is EXPLAIN query: the optimized plan as text.
type Explain struct {
	At
	Query Query
}

// ShowTables is SHOW TABLES [[LIKE] 'pattern']: the session's sources and
// views. As in Spark, the pattern's * matches any text and | separates
// alternatives, case-insensitively.
type ShowTables struct {
	At
	Pattern string // "" lists every table
}

func (*QueryStmt) stmt()  {}
func (*CreateView) stmt() {}
func (*Describe) stmt()   {}
func (*Explain) stmt()    {}
func (*DropView) stmt()   {}
func (*ShowTables) stmt() {}

// ---- queries ----

// Query is a relational expression: something that yields rows.
type Query interface {
	Node
	query()
}

// Select is one SELECT block. ORDER BY, LIMIT and OFFSET written after it
// belong to it.
type Select struct {
	At
	Distinct bool
	Items    []SelectItem
	From     TableExpr // nil for SELECT without FROM
	Where    Expr
	GroupBy  []Expr // may hold integer ordinals (GROUP BY 1) as *Literal
	// GroupAll is GROUP BY ALL: every select item without an aggregate.
	GroupAll bool
	// GroupingSets, when not nil, replaces GroupBy: GROUP BY GROUPING
	// SETS ((a, b), (a), ()). ROLLUP, CUBE and their mixes with plain keys
	// are read as the grouping sets they stand for. With GroupBy set too
	// (Hive's GROUP BY a, b GROUPING SETS ((a), (b))), GroupBy lists the
	// keys, in the order grouping_id's bits follow, and GroupingSets the
	// sets.
	GroupingSets [][]Expr
	Having       Expr
	Qualify      Expr // QUALIFY cond: filters on window function results
	OrderBy      []OrderItem
	Limit        Expr
	Offset       Expr
}

// SetOp is Left UNION|INTERSECT|EXCEPT [ALL|DISTINCT] Right, with an
// optional ORDER BY / LIMIT that applies to the combined result.
type SetOp struct {
	At
	Op      string // "UNION", "INTERSECT" or "EXCEPT"
	All     bool
	Left    Query
	Right   Query
	OrderBy []OrderItem
	Limit   Expr
	Offset  Expr
}

// With is WITH name AS (query), … body.
type With struct {
	At
	CTEs []CTE
	Body Query
}

// CTE is one named query of a WITH clause: name [(col, …)] AS (query).
type CTE struct {
	Name    string
	Columns []string // names given to the query's columns, in order; nil keeps its own
	Query   Query
}

// FromQuery is a bare "FROM t": the start of a pipe-syntax query, meaning
// every row and column of t.
type FromQuery struct {
	At
	From TableExpr
}

// Pipe is Input |> Op.
type Pipe struct {
	At
	Input Query
	Op    PipeOp
}

// Values is an inline table, VALUES (1, 'a'), (2, 'b'): a query of its own,
// or a table in FROM with an alias and column names (VALUES … AS t(n, s)).
// Each row holds one expression per column; a row written without
// parentheses is one column.
type Values struct {
	At
	Rows    [][]Expr
	Alias   string
	Columns []string // nil: Spark's col1, col2, …
}

func (*Values) query()     {}
func (*Values) tableExpr() {}

func (*Select) query()    {}
func (*SetOp) query()     {}
func (*With) query()      {}
func (*FromQuery) query() {}
func (*Pipe) query()      {}

// PipeOp is one |> operator.
type PipeOp interface {
	Node
	pipeOp()
}

type (
	// PipeWhere is |> WHERE cond.
	PipeWhere struct {
		At
		Cond Expr
	}
	// PipeSelect is |> SELECT [DISTINCT] items.
	PipeSelect struct {
		At
		Distinct bool
		Items    []SelectItem
		// GroupBy is |> SELECT … GROUP BY keys (Spark 4.2): aggregate
		// by the keys; a position numbers the input's columns.
		GroupBy []Expr
	}
	// PipeExtend is |> EXTEND expr [AS name], …: adds columns, keeps the rest.
	PipeExtend struct {
		At
		Items []SelectItem
	}
	// PipeSet is |> SET name = expr, …: replaces columns in place.
	PipeSet struct {
		At
		Names []string
		Exprs []Expr
	}
	// PipeDrop is |> DROP name, ….
	PipeDrop struct {
		At
		Names []string
	}
	// PipeAs is |> AS alias: names the relation for qualified references.
	PipeAs struct {
		At
		Alias string
	}
	// PipeAggregate is |> AGGREGATE aggs [GROUP BY keys]. The output is the
	// grouping keys followed by the aggregates, as in GoogleSQL and Spark.
	PipeAggregate struct {
		At
		Aggs    []SelectItem
		GroupBy []SelectItem
	}
	// PipeOrderBy is |> ORDER BY items.
	PipeOrderBy struct {
		At
		Items []OrderItem
	}
	// PipeLimit is |> LIMIT n [OFFSET m], |> LIMIT ALL [OFFSET m] or |> OFFSET
	// m: Limit is nil for no limit.
	PipeLimit struct {
		At
		Limit  Expr
		Offset Expr
	}
	// PipeJoin is |> [kind] JOIN table [ON cond | USING (cols)].
	PipeJoin struct {
		At
		Kind  JoinKind
		Right TableExpr
		On    Expr
		Using []string
		// Natural is |> NATURAL [kind] JOIN: USING the columns both
		// sides have.
		Natural bool
	}
	// PipeSetOp is |> UNION [ALL|DISTINCT] (query), ….
	PipeSetOp struct {
		At
		Op    string
		All   bool
		Right []Query
	}
)

func (*PipeWhere) pipeOp()     {}
func (*PipeSelect) pipeOp()    {}
func (*PipeExtend) pipeOp()    {}
func (*PipeSet) pipeOp()       {}
func (*PipeDrop) pipeOp()      {}
func (*PipeAs) pipeOp()        {}
func (*PipeAggregate) pipeOp() {}
func (*PipeOrderBy) pipeOp()   {}
func (*PipeLimit) pipeOp()     {}
func (*PipeJoin) pipeOp()      {}
func (*PipeSetOp) pipeOp()     {}

// SelectItem is one entry of a select list: an expression (or *Star) and an
// optional alias, or for a generator that makes several columns
// (posexplode(a) AS (pos, val)) their aliases.
type SelectItem struct {
	Expr    Expr
	Alias   string
	Aliases []string
}

// OrderItem is one ORDER BY key. NullsFirst nil means the default, which in
// Spark is NULLS FIRST for ASC and NULLS LAST for DESC.
type OrderItem struct {
	Expr       Expr
	Desc       bool
	NullsFirst *bool
}

// ---- table expressions ----

// TableExpr is what FROM and JOIN take.
type TableExpr interface {
	Node
	tableExpr()
}

// TableName is a view, CTE or named source, with an optional alias.
type TableName struct {
	At
	Name  string
	Alias string
}

// TableFunc is a table-valued function such as read_json('logs/**/*.gz'),
// with Spark 4's named arguments after the positional ones:
// read_json('logs', schema => 'event STRING').
type TableFunc struct {
	At
	Name  string
	Args  []Expr
	Named []NamedArg
	Alias string
}

// NamedArg is one name => value argument.
type NamedArg struct {
	Name  string
	Value Expr
}

// SubqueryTable is (query) [AS] alias [(col, …)] in FROM.
type SubqueryTable struct {
	At
	Query   Query
	Alias   string
	Columns []string // names given to the query's columns, in order; nil keeps its own
}

// JoinKind says which rows a join keeps.
type JoinKind string

const (
	InnerJoin JoinKind = "INNER"
	LeftJoin  JoinKind = "LEFT"
	RightJoin JoinKind = "RIGHT"
	FullJoin  JoinKind = "FULL"
	SemiJoin  JoinKind = "LEFT SEMI"
	AntiJoin  JoinKind = "LEFT ANTI"
	CrossJoin JoinKind = "CROSS"
)

// Join is Left [NATURAL] kind JOIN Right [ON cond | USING (cols)]. A
// NATURAL join has neither: it joins USING the columns both sides have.
type Join struct {
	At
	Kind    JoinKind
	Natural bool
	Left    TableExpr
	Right   TableExpr
	On      Expr
	Using   []string
}

func (*TableName) tableExpr()     {}
func (*TableFunc) tableExpr()     {}
func (*SubqueryTable) tableExpr() {}
func (*Join) tableExpr()          {}

// ---- expressions ----

// Expr is a scalar expression.
type Expr interface {
	Node
	expr()
}

type (
	// Ident is a possibly dotted name: a column (event), a qualified column
	// (e.event), or a path into nested JSON (properties.recommender.variant).
	// Which it is, the binder decides.
	Ident struct {
		At
		Parts []string
	}
	// Subscript is X[Index]: an array element (products[0]) or map key.
	Subscript struct {
		At
		X     Expr
		Index Expr
	}
	// Field is X.Name after a subscript: products[0].price.
	Field struct {
		At
		X    Expr
		Name string
	}
	// Star is * or t.* in a select list, and the * of count(*).
	Star struct {
		At
		Table string
	}
	// Literal is a constant: number, string, boolean, NULL, or a typed
	// literal such as TIMESTAMP '2019-02-01 00:00:00' or DATE '2019-02-01'.
	Literal struct {
		At
		Value types.Value
	}
	// Interval is an interval literal in any of Spark's three forms
	// (INTERVAL '1 day 2 hours', INTERVAL '1 02' DAY TO HOUR, INTERVAL 1
	// DAY 2 HOURS), read as Spark's parser reads it into a typed value:
	// the form decides the type (interval.go). It prints as the value's
	// ANSI text, which Spark also names the column by.
	Interval struct {
		At
		Value types.Value
	}
	// Unary is -X or NOT X.
	Unary struct {
		At
		Op string // "-", "+" or "NOT"
		X  Expr
	}
	// Binary is L op R. Op is one of + - * / % DIV || = != < <= > >= <=> AND OR,
	// upper case for the word operators ("<>" is printed as "!=").
	Binary struct {
		At
		Op   string
		L, R Expr
	}
	// Call is a function call: name(args) with optional DISTINCT, a FILTER
	// (WHERE …) clause for aggregates, and OVER (…) for window functions.
	Call struct {
		At
		Name     string // lower case
		Args     []Expr
		Distinct bool
		Filter   Expr
		Over     *WindowSpec
		// WithinGroup is WITHIN GROUP (ORDER BY …) of an ordered-set
		// aggregate (percentile_cont(0.5) WITHIN GROUP (ORDER BY x)).
		WithinGroup []OrderItem
		// IgnoreNulls is f(…) IGNORE NULLS OVER …: the value functions
		// skip NULL values (RESPECT NULLS, the default, reads as false).
		IgnoreNulls bool
	}
	// Case is CASE [Operand] WHEN … THEN … [ELSE …] END.
	Case struct {
		At
		Operand Expr
		Whens   []When
		Else    Expr
	}
	// Cast is CAST(X AS Type) or TRY_CAST(X AS Type).
	Cast struct {
		At
		X    Expr
		Type types.Type
		Try  bool
	}
	// In is X [NOT] IN (list) or X [NOT] IN (subquery).
	In struct {
		At
		X     Expr
		List  []Expr
		Query Query
		Not   bool
	}
	// Like is X [NOT] LIKE|ILIKE|RLIKE pattern, or with a Quantifier
	// X [NOT] LIKE|ILIKE ANY|ALL (pattern, …): Pattern is nil and
	// Patterns holds the list.
	Like struct {
		At
		Op         string // "LIKE", "ILIKE" or "RLIKE"
		X          Expr
		Pattern    Expr
		Not        bool
		Quantifier string // "", "ANY" (SOME reads as ANY) or "ALL"
		Patterns   []Expr
	}
	// Between is X [NOT] BETWEEN Lo AND Hi.
	Between struct {
		At
		X, Lo, Hi Expr
		Not       bool
	}
	// IsNull is X IS [NOT] NULL.
	IsNull struct {
		At
		X   Expr
		Not bool
	}
	// SubqueryExpr is a scalar subquery (SELECT max(x) FROM t) or EXISTS (…).
	SubqueryExpr struct {
		At
		Query  Query
		Exists bool
	}
)

// When is one WHEN Cond THEN Result arm.
type When struct {
	Cond, Result Expr
}

// WindowSpec is the OVER (…) of a window function.
type WindowSpec struct {
	PartitionBy []Expr
	OrderBy     []OrderItem
	Frame       *Frame
}

// Frame is ROWS|RANGE BETWEEN Start AND End.
type Frame struct {
	Unit  string // "ROWS" or "RANGE"
	Start FrameBound
	End   FrameBound
}

// FrameBound is one end of a frame.
type FrameBound struct {
	Kind   BoundKind
	Offset int64 // for OffsetPreceding and OffsetFollowing
	// Value is a RANGE offset that is not a whole number, a fraction or an
	// interval (RANGE INTERVAL '5' DAY PRECEDING); Offset is then 0.
	Value types.Value
}

// BoundKind names a frame bound.
type BoundKind int

const (
	UnboundedPreceding BoundKind = iota
	OffsetPreceding
	CurrentRow
	OffsetFollowing
	UnboundedFollowing
)

func (*Ident) expr()        {}
func (*Subscript) expr()    {}
func (*Field) expr()        {}
func (*Star) expr()         {}
func (*Literal) expr()      {}
func (*Interval) expr()     {}
func (*Unary) expr()        {}
func (*Binary) expr()       {}
func (*Call) expr()         {}
func (*Case) expr()         {}
func (*Cast) expr()         {}
func (*In) expr()           {}
func (*Like) expr()         {}
func (*Between) expr()      {}
func (*IsNull) expr()       {}
func (*SubqueryExpr) expr() {}

// MatchTablePattern matches name against a SHOW TABLES pattern (Spark's
// catalog matches listTables' pattern the same way): * is any text, |
// separates alternatives, case is ignored. Spark reads it as a regular
// expression after turning * into .* (StringUtils.filterPattern); this is
// that, for the characters names hold.
func MatchTablePattern(pattern, name string) bool {
	for _, alt := range strings.Split(pattern, "|") {
		var re strings.Builder
		re.WriteString("(?i)^")
		for i, part := range strings.Split(strings.TrimSpace(alt), "*") {
			if i > 0 {
				re.WriteString(".*")
			}
			re.WriteString(regexp.QuoteMeta(part))
		}
		re.WriteString("$")
		if ok, _ := regexp.MatchString(re.String(), name); ok {
			return true
		}
	}
	return false
}
