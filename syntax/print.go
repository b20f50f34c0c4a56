package syntax

import (
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// The printer renders canonical text: keywords upper case, function names
// lower case, names quoted only when needed, the fewest parentheses that
// keep the tree, and each |> on its own line. Parsing the output gives back
// the same tree, and printing is idempotent; the tests hold it to that.

// ---- statements ----

func (s *QueryStmt) String() string { return s.Query.String() }

func (s *CreateView) String() string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if s.OrReplace {
		b.WriteString("OR REPLACE ")
	}
	// nectar's views live for the session, which Spark calls TEMPORARY.
	b.WriteString("TEMPORARY VIEW ")
	b.WriteString(quoteDotted(s.Name))
	b.WriteString(columnList(s.Columns))
	b.WriteString(" AS ")
	b.WriteString(s.Query.String())
	return b.String()
}

func (s *Describe) String() string {
	if f, ok := s.Query.(*FromQuery); ok {
		if t, ok := f.From.(*TableName); ok && t.Alias == "" {
			return "DESCRIBE " + quoteDotted(t.Name)
		}
	}
	return "DESCRIBE " + s.Query.String()
}

func (s *Explain) String() string { return "EXPLAIN " + s.Query.String() }

func (s *DropView) String() string {
	if s.IfExists {
		return "DROP VIEW IF EXISTS " + quoteDotted(s.Name)
	}
	return "DROP VIEW " + quoteDotted(s.Name)
}

// columnList prints names given to a query's columns: " (a, b)", or ""
// for none. In a FROM alias it follows the alias without a space.
func columnList(cols []string) string {
	if cols == nil {
		return ""
	}
	return " " + parenNames(cols)
}

func parenNames(cols []string) string {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = QuoteIdent(c)
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

// String prints VALUES rows, each in parentheses, then the alias and the
// column names when given.
func (v *Values) String() string {
	var b strings.Builder
	b.WriteString("VALUES ")
	for i, r := range v.Rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		writeExprs(&b, r)
		b.WriteByte(')')
	}
	if v.Alias != "" {
		b.WriteString(aliasSuffix(v.Alias))
		if v.Columns != nil {
			b.WriteString(parenNames(v.Columns))
		}
	}
	return b.String()
}

func (s *ShowTables) String() string {
	if s.Pattern == "" {
		return "SHOW TABLES"
	}
	return "SHOW TABLES LIKE " + QuoteString(s.Pattern)
}

// ---- queries ----

func (s *Select) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if s.Distinct {
		b.WriteString("DISTINCT ")
	}
	writeSelectItems(&b, s.Items)
	if s.From != nil {
		b.WriteString(" FROM ")
		b.WriteString(s.From.String())
	}
	if s.Where != nil {
		b.WriteString(" WHERE ")
		b.WriteString(s.Where.String())
	}
	if len(s.GroupBy) > 0 {
		b.WriteString(" GROUP BY ")
		writeExprs(&b, s.GroupBy)
	}
	if s.GroupAll {
		b.WriteString(" GROUP BY ALL")
	}
	if s.GroupingSets != nil {
		if len(s.GroupBy) > 0 {
			b.WriteString(" GROUPING SETS (") // Hive's form, after the keys
		} else {
			b.WriteString(" GROUP BY GROUPING SETS (")
		}
		for i, set := range s.GroupingSets {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			writeExprs(&b, set)
			b.WriteByte(')')
		}
		b.WriteByte(')')
	}
	if s.Having != nil {
		b.WriteString(" HAVING ")
		b.WriteString(s.Having.String())
	}
	if s.Qualify != nil {
		b.WriteString(" QUALIFY ")
		b.WriteString(s.Qualify.String())
	}
	writeQueryTail(&b, s.OrderBy, s.Limit, s.Offset)
	return b.String()
}

func writeQueryTail(b *strings.Builder, order []OrderItem, limit, offset Expr) {
	if len(order) > 0 {
		b.WriteString(" ORDER BY ")
		writeOrderItems(b, order)
	}
	if limit != nil {
		b.WriteString(" LIMIT ")
		b.WriteString(limit.String())
	}
	if offset != nil {
		b.WriteString(" OFFSET ")
		b.WriteString(offset.String())
	}
}

func setOpPrec(op string) int {
	if op == "INTERSECT" {
		return 2
	}
	return 1
}

// setOperand prints one side of a set operation, in parentheses when the
// side would otherwise absorb or change what follows it.
func setOperand(q Query, parentPrec int, right bool) string {
	paren := false
	switch x := q.(type) {
	case *Select:
		paren = len(x.OrderBy) > 0 || x.Limit != nil || x.Offset != nil
	case *SetOp:
		pr := setOpPrec(x.Op)
		paren = len(x.OrderBy) > 0 || x.Limit != nil || x.Offset != nil || pr < parentPrec || (right && pr == parentPrec)
	case *With, *Pipe:
		paren = true
	}
	if paren {
		return "(" + q.String() + ")"
	}
	return q.String()
}

func (s *SetOp) String() string {
	var b strings.Builder
	pr := setOpPrec(s.Op)
	b.WriteString(setOperand(s.Left, pr, false))
	b.WriteByte(' ')
	b.WriteString(s.Op)
	if s.All {
		b.WriteString(" ALL")
	}
	b.WriteByte(' ')
	b.WriteString(setOperand(s.Right, pr, true))
	writeQueryTail(&b, s.OrderBy, s.Limit, s.Offset)
	return b.String()
}

func (w *With) String() string {
	var b strings.Builder
	b.WriteString("WITH ")
	for i, c := range w.CTEs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteIdent(c.Name))
		if c.Columns != nil {
			b.WriteString(parenNames(c.Columns))
		}
		b.WriteString(" AS (")
		b.WriteString(c.Query.String())
		b.WriteByte(')')
	}
	b.WriteByte(' ')
	b.WriteString(w.Body.String())
	return b.String()
}

func (f *FromQuery) String() string { return "FROM " + f.From.String() }

func (p *Pipe) String() string {
	in := p.Input.String()
	if _, ok := p.Input.(*With); ok {
		// WITH … q |> op would put the pipe inside the WITH body.
		in = "(" + in + ")"
	}
	return in + "\n|> " + p.Op.String()
}

// ---- pipe operators ----

func (o *PipeWhere) String() string { return "WHERE " + o.Cond.String() }

func (o *PipeSelect) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if o.Distinct {
		b.WriteString("DISTINCT ")
	}
	writeSelectItems(&b, o.Items)
	if len(o.GroupBy) > 0 {
		b.WriteString(" GROUP BY ")
		writeExprs(&b, o.GroupBy)
	}
	return b.String()
}

func (o *PipeExtend) String() string {
	var b strings.Builder
	b.WriteString("EXTEND ")
	writeSelectItems(&b, o.Items)
	return b.String()
}

func (o *PipeSet) String() string {
	var b strings.Builder
	b.WriteString("SET ")
	for i, n := range o.Names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteDotted(n))
		b.WriteString(" = ")
		if i < len(o.Exprs) {
			b.WriteString(o.Exprs[i].String())
		}
	}
	return b.String()
}

func (o *PipeDrop) String() string {
	names := make([]string, len(o.Names))
	for i, n := range o.Names {
		names[i] = quoteDotted(n)
	}
	return "DROP " + strings.Join(names, ", ")
}

func (o *PipeAs) String() string { return "AS " + QuoteIdent(o.Alias) }

func (o *PipeAggregate) String() string {
	var b strings.Builder
	b.WriteString("AGGREGATE")
	if len(o.Aggs) > 0 {
		b.WriteByte(' ')
		writeSelectItems(&b, o.Aggs)
	}
	if len(o.GroupBy) > 0 {
		b.WriteString(" GROUP BY ")
		writeSelectItems(&b, o.GroupBy)
	}
	return b.String()
}

func (o *PipeOrderBy) String() string {
	var b strings.Builder
	b.WriteString("ORDER BY ")
	writeOrderItems(&b, o.Items)
	return b.String()
}

func (o *PipeLimit) String() string {
	switch {
	case o.Limit == nil && o.Offset == nil:
		return "LIMIT ALL"
	case o.Limit == nil:
		return "OFFSET " + o.Offset.String()
	}
	s := "LIMIT " + o.Limit.String()
	if o.Offset != nil {
		s += " OFFSET " + o.Offset.String()
	}
	return s
}

func (o *PipeJoin) String() string {
	var b strings.Builder
	if o.Natural {
		b.WriteString("NATURAL ")
	}
	b.WriteString(joinKeyword(o.Kind))
	b.WriteByte(' ')
	b.WriteString(joinOperand(o.Right))
	writeJoinCond(&b, o.On, o.Using)
	return b.String()
}

func (o *PipeSetOp) String() string {
	var b strings.Builder
	b.WriteString(o.Op)
	if o.All {
		b.WriteString(" ALL")
	}
	for i, q := range o.Right {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(" (")
		b.WriteString(q.String())
		b.WriteByte(')')
	}
	return b.String()
}

// ---- lists ----

func writeSelectItems(b *strings.Builder, items []SelectItem) {
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.Expr.String())
		if it.Alias != "" {
			b.WriteString(" AS ")
			b.WriteString(QuoteIdent(it.Alias))
		}
		if len(it.Aliases) > 0 {
			b.WriteString(" AS (")
			for i, a := range it.Aliases {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(QuoteIdent(a))
			}
			b.WriteByte(')')
		}
	}
}

func writeExprs(b *strings.Builder, list []Expr) {
	for i, e := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.String())
	}
}

func writeOrderItems(b *strings.Builder, items []OrderItem) {
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.Expr.String())
		if it.Desc {
			b.WriteString(" DESC")
		}
		if it.NullsFirst != nil {
			if *it.NullsFirst {
				b.WriteString(" NULLS FIRST")
			} else {
				b.WriteString(" NULLS LAST")
			}
		}
	}
}

// ---- table expressions ----

func (t *TableName) String() string { return quoteDotted(t.Name) + aliasSuffix(t.Alias) }

func aliasSuffix(alias string) string {
	if alias == "" {
		return ""
	}
	return " AS " + QuoteIdent(alias)
}

func (t *TableFunc) String() string {
	var b strings.Builder
	b.WriteString(quoteDotted(t.Name))
	b.WriteByte('(')
	writeExprs(&b, t.Args)
	for i, a := range t.Named {
		if i > 0 || len(t.Args) > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteIdent(a.Name))
		b.WriteString(" => ")
		b.WriteString(a.Value.String())
	}
	b.WriteByte(')')
	b.WriteString(aliasSuffix(t.Alias))
	return b.String()
}

func (t *SubqueryTable) String() string {
	s := "(" + t.Query.String() + ")" + aliasSuffix(t.Alias)
	if t.Alias != "" && t.Columns != nil {
		s += parenNames(t.Columns)
	}
	return s
}

func joinKeyword(k JoinKind) string {
	switch k {
	case InnerJoin, "":
		return "JOIN"
	case LeftJoin, RightJoin, FullJoin, CrossJoin, SemiJoin, AntiJoin:
		return string(k) + " JOIN"
	}
	return string(k) + " JOIN"
}

// joinOperand parenthesises a join on the right of another join, which the
// left-associative grammar would otherwise regroup.
func joinOperand(t TableExpr) string {
	if _, ok := t.(*Join); ok {
		return "(" + t.String() + ")"
	}
	return t.String()
}

func writeJoinCond(b *strings.Builder, on Expr, using []string) {
	if on != nil {
		b.WriteString(" ON ")
		b.WriteString(on.String())
	}
	if len(using) > 0 {
		b.WriteString(" USING (")
		for i, u := range using {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(QuoteIdent(u))
		}
		b.WriteByte(')')
	}
}

func (j *Join) String() string {
	var b strings.Builder
	b.WriteString(j.Left.String())
	b.WriteByte(' ')
	if j.Natural {
		b.WriteString("NATURAL ")
	}
	b.WriteString(joinKeyword(j.Kind))
	b.WriteByte(' ')
	b.WriteString(joinOperand(j.Right))
	writeJoinCond(&b, j.On, j.Using)
	return b.String()
}

// ---- expressions ----

// Precedence levels, lowest binding first; the parser has one function per
// level in the same order.
const (
	precOr = 1 + iota
	precAnd
	precNot
	precCmp
	precConcat
	precAdd
	precMul
	precUnary
	precPostfix
	precPrimary
)

func binaryPrec(op string) int {
	switch op {
	case "OR":
		return precOr
	case "AND":
		return precAnd
	case "||":
		return precConcat
	case "+", "-":
		return precAdd
	case "*", "/", "%", "DIV":
		return precMul
	}
	return precCmp
}

func prec(e Expr) int {
	switch x := e.(type) {
	case *Binary:
		return binaryPrec(x.Op)
	case *Unary:
		if x.Op == "NOT" {
			return precNot
		}
		return precUnary
	case *In, *Like, *Between, *IsNull:
		return precCmp
	case *Subscript, *Field:
		return precPostfix
	}
	return precPrimary
}

// operand prints e in parentheses if it binds looser than min.
func operand(e Expr, min int) string {
	if prec(e) < min {
		return "(" + e.String() + ")"
	}
	return e.String()
}

func (e *Ident) String() string {
	parts := make([]string, len(e.Parts))
	for i, p := range e.Parts {
		parts[i] = QuoteIdent(p)
	}
	return strings.Join(parts, ".")
}

func (e *Subscript) String() string {
	return operand(e.X, precPostfix) + "[" + e.Index.String() + "]"
}

func (e *Field) String() string {
	x := operand(e.X, precPostfix)
	if l, ok := e.X.(*Literal); ok && (l.Value.K == types.Int || l.Value.K == types.Float) {
		// 0.a would lex as a malformed number.
		x = "(" + x + ")"
	}
	return x + "." + QuoteIdent(e.Name)
}

func (e *Star) String() string {
	if e.Table == "" {
		return "*"
	}
	return quoteDotted(e.Table) + ".*"
}

func (e *Literal) String() string { return FormatValue(e.Value) }

// FormatValue renders v as a SQL literal that parses back to v.
func FormatValue(v types.Value) string {
	switch v.K {
	case types.Null:
		return "NULL"
	case types.Bool:
		if v.Bool() {
			return "TRUE"
		}
		return "FALSE"
	case types.Int:
		return strconv.FormatInt(v.I, 10)
	case types.Float:
		return formatDouble(v.F)
	case types.String:
		return QuoteString(v.S)
	case types.Timestamp:
		return "TIMESTAMP '" + v.Time().Format("2006-01-02 15:04:05.999999") + "'"
	case types.Date:
		return "DATE '" + v.Time().Format(types.DateLayout) + "'"
	case types.Binary:
		return types.BinaryLiteral(v.S)
	}
	if v.K.IsInterval() {
		return types.FormatInterval(v)
	}
	return "NULL"
}

func (e *Interval) String() string { return types.FormatInterval(e.Value) }

func (e *Unary) String() string {
	if e.Op == "NOT" {
		return "NOT " + operand(e.X, precNot)
	}
	x := operand(e.X, precUnary)
	if x != "" && (x[0] == '.' || isDigit(x[0])) {
		// -1 would read back as one negative literal, and -1[0] as (-1)[0].
		x = "(" + x + ")"
	}
	if strings.HasPrefix(x, "-") || strings.HasPrefix(x, "+") {
		// "--" starts a comment.
		return e.Op + " " + x
	}
	return e.Op + x
}

func (e *Binary) String() string {
	p := binaryPrec(e.Op)
	return operand(e.L, p) + " " + e.Op + " " + operand(e.R, p+1)
}

// funcName prints a function name bare unless it would read as a keyword.
// left and right are reserved but are also functions, and the parser takes
// them as calls before '('; so is exists (the higher-order function) before
// '(' and anything but a query.
func funcName(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		switch {
		case p == "":
			return QuoteIdent(name)
		case p == "left" || p == "right" || p == "exists" && len(parts) == 1:
		case p == "try_cast" || p == "extract":
			// these would parse as their special syntax
			parts[i] = "`" + p + "`"
		default:
			parts[i] = QuoteIdent(p)
		}
	}
	return strings.Join(parts, ".")
}

func (e *Call) String() string {
	var b strings.Builder
	b.WriteString(funcName(e.Name))
	b.WriteByte('(')
	if e.Distinct {
		b.WriteString("DISTINCT ")
	}
	writeExprs(&b, e.Args)
	b.WriteByte(')')
	if e.WithinGroup != nil {
		b.WriteString(" WITHIN GROUP (ORDER BY ")
		writeOrderItems(&b, e.WithinGroup)
		b.WriteByte(')')
	}
	if e.Filter != nil {
		b.WriteString(" FILTER (WHERE ")
		b.WriteString(e.Filter.String())
		b.WriteByte(')')
	}
	if e.IgnoreNulls {
		b.WriteString(" IGNORE NULLS")
	}
	if e.Over != nil {
		b.WriteString(" OVER (")
		b.WriteString(e.Over.String())
		b.WriteByte(')')
	}
	return b.String()
}

// String renders the inside of OVER (…).
func (w *WindowSpec) String() string {
	var parts []string
	if len(w.PartitionBy) > 0 {
		var b strings.Builder
		b.WriteString("PARTITION BY ")
		writeExprs(&b, w.PartitionBy)
		parts = append(parts, b.String())
	}
	if len(w.OrderBy) > 0 {
		var b strings.Builder
		b.WriteString("ORDER BY ")
		writeOrderItems(&b, w.OrderBy)
		parts = append(parts, b.String())
	}
	if w.Frame != nil {
		parts = append(parts, w.Frame.String())
	}
	return strings.Join(parts, " ")
}

func (f *Frame) String() string {
	return f.Unit + " BETWEEN " + f.Start.String() + " AND " + f.End.String()
}

func (b FrameBound) String() string {
	off := strconv.FormatInt(b.Offset, 10)
	if !b.Value.IsNull() {
		off = FormatValue(b.Value)
	}
	switch b.Kind {
	case UnboundedPreceding:
		return "UNBOUNDED PRECEDING"
	case OffsetPreceding:
		return off + " PRECEDING"
	case CurrentRow:
		return "CURRENT ROW"
	case OffsetFollowing:
		return off + " FOLLOWING"
	}
	return "UNBOUNDED FOLLOWING"
}

func (e *Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if e.Operand != nil {
		b.WriteByte(' ')
		b.WriteString(e.Operand.String())
	}
	for _, w := range e.Whens {
		b.WriteString(" WHEN ")
		b.WriteString(w.Cond.String())
		b.WriteString(" THEN ")
		b.WriteString(w.Result.String())
	}
	if e.Else != nil {
		b.WriteString(" ELSE ")
		b.WriteString(e.Else.String())
	}
	b.WriteString(" END")
	return b.String()
}

func (e *Cast) String() string {
	name := "CAST("
	if e.Try {
		name = "TRY_CAST("
	}
	return name + e.X.String() + " AS " + e.Type.String() + ")"
}

func notWord(not bool) string {
	if not {
		return " NOT"
	}
	return ""
}

func (e *In) String() string {
	var b strings.Builder
	b.WriteString(operand(e.X, precCmp))
	b.WriteString(notWord(e.Not))
	b.WriteString(" IN (")
	if e.Query != nil {
		b.WriteString(e.Query.String())
	} else {
		writeExprs(&b, e.List)
	}
	b.WriteByte(')')
	return b.String()
}

func (e *Like) String() string {
	if e.Quantifier != "" {
		var b strings.Builder
		b.WriteString(operand(e.X, precCmp) + notWord(e.Not) + " " + e.Op + " " + e.Quantifier + " (")
		writeExprs(&b, e.Patterns)
		b.WriteByte(')')
		return b.String()
	}
	return operand(e.X, precCmp) + notWord(e.Not) + " " + e.Op + " " + operand(e.Pattern, precConcat)
}

func (e *Between) String() string {
	return operand(e.X, precCmp) + notWord(e.Not) + " BETWEEN " + operand(e.Lo, precConcat) + " AND " + operand(e.Hi, precConcat)
}

func (e *IsNull) String() string {
	if e.Not {
		return operand(e.X, precCmp) + " IS NOT NULL"
	}
	return operand(e.X, precCmp) + " IS NULL"
}

func (e *SubqueryExpr) String() string {
	if e.Exists {
		return "EXISTS (" + e.Query.String() + ")"
	}
	return "(" + e.Query.String() + ")"
}
