package connect

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	pb "github.com/nectar-dev/nectar/connect/internal/sparkpb"
	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// scope is what an expression's column references may name: the inputs
// of one SELECT. A single input is read unqualified (so that nectar names
// a + 1 as Spark does, "(a + 1)"); a join's two are qualified by alias.
type scope struct {
	t       *translator
	items   []scopeItem
	qualify bool
}

type scopeItem struct {
	rel      *rel
	sqlAlias string // the input's alias in the SELECT (qualified scopes)
}

// match is a column a reference resolved to, and the reference's parts
// after it (nested fields).
type match struct {
	item int
	col  col
	rest []string
}

// resolve finds what a names, as Spark does: by name, case-insensitively,
// among the columns of the frame whose plan id it carries (df1.id) when it
// carries one, else among every input; a first part naming an alias
// (df.alias("a"), col("a.x")) qualifies the rest.
func (sc *scope) resolve(a *pb.Expression_UnresolvedAttribute) ([]match, []string, error) {
	parts, err := parseIdentifier(a.GetUnparsedIdentifier())
	if err != nil {
		return nil, nil, err
	}
	var byName, byPlan []match
	for i, it := range sc.items {
		for _, c := range it.rel.cols {
			if strings.EqualFold(c.name, parts[0]) {
				m := match{item: i, col: c, rest: parts[1:]}
				byName = append(byName, m)
				if a.PlanId != nil && containsPlan(c.plans, *a.PlanId) {
					byPlan = append(byPlan, m)
				}
			}
		}
		if len(parts) > 1 && it.rel.alias != "" && strings.EqualFold(it.rel.alias, parts[0]) {
			for _, c := range it.rel.cols {
				if strings.EqualFold(c.name, parts[1]) {
					byName = append(byName, match{item: i, col: c, rest: parts[2:]})
				}
			}
		}
	}
	if len(byPlan) > 0 {
		return byPlan, parts, nil
	}
	return byName, parts, nil
}

func containsPlan(plans []int64, id int64) bool {
	for _, p := range plans {
		if p == id {
			return true
		}
	}
	return false
}

// find is the column a names, or nil when it names none or several.
func (sc *scope) find(a *pb.Expression_UnresolvedAttribute) *col {
	ms, _, err := sc.resolve(a)
	if err != nil || len(ms) != 1 {
		return nil
	}
	return &ms[0].col
}

// attribute writes a column reference.
func (sc *scope) attribute(a *pb.Expression_UnresolvedAttribute) (string, error) {
	if a.GetIsMetadataColumn() {
		return "", unsupported("metadata columns (nectar's hidden columns are _file, _received_day and _line: select them by name)")
	}
	ms, parts, err := sc.resolve(a)
	if err != nil {
		return "", err
	}
	switch len(ms) {
	case 0:
		// Unknown here: nectar's binder says so with its suggestions
		// (and finds the hidden columns and nested paths of a source).
		return quoteParts(parts), nil
	case 1:
		m := ms[0]
		s := syntax.QuoteIdent(m.col.ref)
		if sc.qualify {
			s = sc.items[m.item].sqlAlias + "." + s
		}
		for _, p := range m.rest {
			s += "." + syntax.QuoteIdent(p)
		}
		return s, nil
	}
	return "", &analysisError{class: "AMBIGUOUS_REFERENCE",
		msg: fmt.Sprintf("Reference %s is ambiguous, could be: %d columns of that name (name the frame: df1[%q])", quoteParts(parts), len(ms), parts[0])}
}

// parseIdentifier splits a multi-part name as Spark's
// UnresolvedAttribute.parseAttributeName does: dots separate parts,
// backquotes quote (a doubled backquote is one).
func parseIdentifier(s string) ([]string, error) {
	var parts []string
	var cur strings.Builder
	inQuote, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && c == '`':
			if i+1 < len(s) && s[i+1] == '`' {
				cur.WriteByte('`')
				i++
			} else {
				inQuote = false
			}
		case inQuote:
			cur.WriteByte(c)
		case c == '`':
			inQuote, quoted = true, true
		case c == '.':
			if cur.Len() == 0 && !quoted {
				return nil, &analysisError{class: "INVALID_IDENTIFIER", msg: fmt.Sprintf("the name %q has an empty part", s)}
			}
			parts = append(parts, cur.String())
			cur.Reset()
			quoted = false
		default:
			cur.WriteByte(c)
		}
	}
	if inQuote {
		return nil, &analysisError{class: "INVALID_IDENTIFIER", msg: fmt.Sprintf("the name %q has an unclosed backquote", s)}
	}
	if cur.Len() == 0 && !quoted {
		return nil, &analysisError{class: "INVALID_IDENTIFIER", msg: fmt.Sprintf("the name %q is empty or ends with a dot", s)}
	}
	return append(parts, cur.String()), nil
}

func quoteParts(parts []string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = syntax.QuoteIdent(p)
	}
	return strings.Join(q, ".")
}

// binary are the operators pyspark sends as functions (Column.__eq__ is
// "==", & is "and"), written infix.
var binary = map[string]string{
	"==": "=", "<=>": "<=>", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
	"+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "and": "AND", "or": "OR",
	"like": "LIKE", "ilike": "ILIKE", "rlike": "RLIKE", "regexp": "RLIKE", "div": "DIV",
}

// expr writes e. top is true for a select list item, where an alias
// names the column (elsewhere an alias is only its expression).
func (t *translator) expr(e *pb.Expression, sc *scope, top bool) (string, error) {
	if e == nil || e.GetExprType() == nil {
		return "", invalid("an expression with no type")
	}
	switch x := e.GetExprType().(type) {
	case *pb.Expression_Literal_:
		return literalSQL(x.Literal)
	case *pb.Expression_UnresolvedAttribute_:
		return sc.attribute(x.UnresolvedAttribute)
	case *pb.Expression_UnresolvedStar_:
		return t.star(x.UnresolvedStar, sc)
	case *pb.Expression_Alias_:
		if len(x.Alias.GetName()) != 1 {
			return "", unsupported("an alias of %d names (multi-column generators)", len(x.Alias.GetName()))
		}
		v, err := t.expr(x.Alias.GetExpr(), sc, false)
		if err != nil || !top {
			return v, err
		}
		return v + " AS " + syntax.QuoteIdent(x.Alias.GetName()[0]), nil
	case *pb.Expression_ExpressionString_:
		// selectExpr / filter("…") / F.expr: nectar SQL as written.
		s := strings.TrimSpace(x.ExpressionString.GetExpression())
		if s == "" {
			return "", invalid("an empty expression string")
		}
		if top {
			return s, nil
		}
		return "(" + s + ")", nil
	case *pb.Expression_Cast_:
		return t.cast(x.Cast, sc)
	case *pb.Expression_UnresolvedFunction_:
		f := x.UnresolvedFunction
		if f.GetIsUserDefinedFunction() {
			return "", unsupported("the user-defined function %s", f.GetFunctionName())
		}
		return t.call(f.GetFunctionName(), f.GetArguments(), f.GetIsDistinct(), sc)
	case *pb.Expression_CallFunction:
		return t.call(x.CallFunction.GetFunctionName(), x.CallFunction.GetArguments(), false, sc)
	case *pb.Expression_SortOrder_:
		return "", unsupported("a sort order outside orderBy or a window")
	case *pb.Expression_UnresolvedExtractValue_:
		return t.extract(x.UnresolvedExtractValue, sc)
	case *pb.Expression_Window_:
		return t.window(x.Window, sc)
	case *pb.Expression_CommonInlineUserDefinedFunction:
		return "", unsupported("Python and Scala UDFs (%s): nectar runs no Python code", x.CommonInlineUserDefinedFunction.GetFunctionName())
	case *pb.Expression_LambdaFunction_, *pb.Expression_UnresolvedNamedLambdaVariable_:
		return "", unsupported("lambda functions (transform, filter, aggregate over arrays)")
	}
	return "", unsupported("the expression %s", exprName(e))
}

func exprName(e *pb.Expression) string {
	name := fmt.Sprintf("%T", e.GetExprType())
	return snake(strings.TrimSuffix(strings.TrimPrefix(name, "*sparkpb.Expression_"), "_"))
}

func (t *translator) star(s *pb.Expression_UnresolvedStar, sc *scope) (string, error) {
	if s.UnparsedTarget == nil && s.PlanId == nil {
		return "*", nil
	}
	// df["*"] of one frame, or "a.*" of an alias: that input's columns.
	target := strings.TrimSuffix(s.GetUnparsedTarget(), ".*")
	var cols []string
	for _, it := range sc.items {
		mine := false
		if s.PlanId != nil {
			for _, c := range it.rel.cols {
				mine = mine || containsPlan(c.plans, *s.PlanId)
			}
		} else {
			mine = it.rel.alias != "" && strings.EqualFold(it.rel.alias, target)
		}
		if !mine {
			continue
		}
		for _, c := range it.rel.cols {
			q := syntax.QuoteIdent(c.ref)
			if sc.qualify {
				q = it.sqlAlias + "." + q
			}
			cols = append(cols, q)
		}
	}
	if len(cols) == 0 {
		return "", unsupported("the star %q (expand a struct's fields by name)", s.GetUnparsedTarget())
	}
	return strings.Join(cols, ", "), nil
}

func (t *translator) cast(c *pb.Expression_Cast, sc *scope) (string, error) {
	v, err := t.expr(c.GetExpr(), sc, false)
	if err != nil {
		return "", err
	}
	var typ types.Type
	switch x := c.GetCastToType().(type) {
	case *pb.Expression_Cast_Type:
		if typ, err = kindOf(x.Type); err != nil {
			return "", err
		}
	case *pb.Expression_Cast_TypeStr:
		k, err := simpleTypeName(x.TypeStr)
		if err != nil {
			return "", err
		}
		typ, _ = types.ParseType(strings.TrimSpace(x.TypeStr))
		if typ.Kind != k {
			typ = types.Type{Kind: k}
		}
	default:
		return "", invalid("a cast with no type")
	}
	if typ.Kind == types.Null {
		return "", unsupported("a cast to VOID")
	}
	switch c.GetEvalMode() {
	case pb.Expression_Cast_EVAL_MODE_TRY:
		return "TRY_CAST(" + v + " AS " + typ.String() + ")", nil
	case pb.Expression_Cast_EVAL_MODE_LEGACY:
		return "", unsupported("a cast in legacy (non-ANSI) mode: nectar casts as Spark's ANSI mode does")
	}
	return "CAST(" + v + " AS " + typ.String() + ")", nil
}

// call writes a function call: pyspark's operators infix, when/otherwise
// as CASE, in as IN, and every other name as itself once nectar's
// catalogue knows it (the binder then checks arguments as for any query).
func (t *translator) call(name string, args []*pb.Expression, distinct bool, sc *scope) (string, error) {
	lname := strings.ToLower(name)
	sargs := make([]string, len(args))
	for i, a := range args {
		if a.GetUnresolvedStar() != nil && a.GetUnresolvedStar().UnparsedTarget == nil && a.GetUnresolvedStar().PlanId == nil {
			sargs[i] = "*"
			continue
		}
		s, err := t.expr(a, sc, false)
		if err != nil {
			return "", err
		}
		sargs[i] = s
	}
	if op, ok := binary[lname]; ok && !distinct {
		if len(args) != 2 {
			if (lname == "-" || lname == "+") && len(args) == 1 {
				return "(" + lname + sargs[0] + ")", nil
			}
			return "", &analysisError{class: "WRONG_NUM_ARGS", msg: fmt.Sprintf("%s takes 2 arguments, %d given", name, len(args))}
		}
		return "(" + sargs[0] + " " + op + " " + sargs[1] + ")", nil
	}
	one := func() error {
		if len(args) != 1 {
			return &analysisError{class: "WRONG_NUM_ARGS", msg: fmt.Sprintf("%s takes 1 argument, %d given", name, len(args))}
		}
		return nil
	}
	switch lname {
	case "not":
		if err := one(); err != nil {
			return "", err
		}
		return "(NOT " + sargs[0] + ")", nil
	case "negative":
		if err := one(); err != nil {
			return "", err
		}
		return "(- " + sargs[0] + ")", nil
	case "isnull":
		if err := one(); err != nil {
			return "", err
		}
		return "(" + sargs[0] + " IS NULL)", nil
	case "isnotnull":
		if err := one(); err != nil {
			return "", err
		}
		return "(" + sargs[0] + " IS NOT NULL)", nil
	case "in":
		if len(args) < 2 {
			return "", &analysisError{class: "WRONG_NUM_ARGS", msg: "isin needs at least one value"}
		}
		return "(" + sargs[0] + " IN (" + strings.Join(sargs[1:], ", ") + "))", nil
	case "when":
		// F.when(c1, v1).when(c2, v2).otherwise(v): c1, v1, c2, v2[, v].
		if len(args) < 2 {
			return "", &analysisError{class: "WRONG_NUM_ARGS", msg: "when needs a condition and a value"}
		}
		var b strings.Builder
		b.WriteString("CASE")
		i := 0
		for ; i+1 < len(sargs); i += 2 {
			b.WriteString(" WHEN " + sargs[i] + " THEN " + sargs[i+1])
		}
		if i < len(sargs) {
			b.WriteString(" ELSE " + sargs[i])
		}
		b.WriteString(" END")
		return b.String(), nil
	}
	_, scalar := functions.Lookup(lname)
	_, agg := functions.LookupAggregate(lname)
	_, win := functions.LookupWindow(lname)
	if !scalar && !agg && !win {
		return "", unsupported("the function %s (docs/FUNCTIONS.md lists nectar's functions)", name)
	}
	d := ""
	if distinct {
		d = "DISTINCT "
	}
	return lname + "(" + d + strings.Join(sargs, ", ") + ")", nil
}

// extract is col["field"] or col[0]: a nested field or an array element.
func (t *translator) extract(x *pb.Expression_UnresolvedExtractValue, sc *scope) (string, error) {
	child, err := t.expr(x.GetChild(), sc, false)
	if err != nil {
		return "", err
	}
	l := x.GetExtraction().GetLiteral()
	if l == nil {
		return "", unsupported("extracting a value with a key that is not a literal")
	}
	switch v := l.GetLiteralType().(type) {
	case *pb.Expression_Literal_String_:
		return child + "." + syntax.QuoteIdent(v.String_), nil
	case *pb.Expression_Literal_Integer:
		return child + "[" + strconv.Itoa(int(v.Integer)) + "]", nil
	case *pb.Expression_Literal_Long:
		return child + "[" + strconv.FormatInt(v.Long, 10) + "]", nil
	}
	return "", unsupported("extracting a value with a key of that type")
}

func (t *translator) sortOrderOf(o *pb.Expression_SortOrder, sc *scope) (string, error) {
	v, err := t.expr(o.GetChild(), sc, false)
	if err != nil {
		return "", err
	}
	if o.GetDirection() == pb.Expression_SortOrder_SORT_DIRECTION_DESCENDING {
		v += " DESC"
	} else {
		v += " ASC"
	}
	switch o.GetNullOrdering() {
	case pb.Expression_SortOrder_SORT_NULLS_FIRST:
		v += " NULLS FIRST"
	case pb.Expression_SortOrder_SORT_NULLS_LAST:
		v += " NULLS LAST"
	}
	return v, nil
}

func (t *translator) window(w *pb.Expression_Window, sc *scope) (string, error) {
	fn, err := t.expr(w.GetWindowFunction(), sc, false)
	if err != nil {
		return "", err
	}
	var spec []string
	if len(w.GetPartitionSpec()) > 0 {
		parts := make([]string, len(w.GetPartitionSpec()))
		for i, p := range w.GetPartitionSpec() {
			if parts[i], err = t.expr(p, sc, false); err != nil {
				return "", err
			}
		}
		spec = append(spec, "PARTITION BY "+strings.Join(parts, ", "))
	}
	if len(w.GetOrderSpec()) > 0 {
		keys := make([]string, len(w.GetOrderSpec()))
		for i, o := range w.GetOrderSpec() {
			if keys[i], err = t.sortOrderOf(o, sc); err != nil {
				return "", err
			}
		}
		spec = append(spec, "ORDER BY "+strings.Join(keys, ", "))
	}
	if f := w.GetFrameSpec(); f != nil {
		kind := map[pb.Expression_Window_WindowFrame_FrameType]string{
			pb.Expression_Window_WindowFrame_FRAME_TYPE_ROW: "ROWS", pb.Expression_Window_WindowFrame_FRAME_TYPE_RANGE: "RANGE",
		}[f.GetFrameType()]
		if kind == "" {
			return "", invalid("a window frame of no type")
		}
		lo, err := t.boundary(f.GetLower(), "PRECEDING", sc)
		if err != nil {
			return "", err
		}
		hi, err := t.boundary(f.GetUpper(), "FOLLOWING", sc)
		if err != nil {
			return "", err
		}
		spec = append(spec, kind+" BETWEEN "+lo+" AND "+hi)
	}
	return fn + " OVER (" + strings.Join(spec, " ") + ")", nil
}

// boundary writes a frame boundary; Spark sends offsets as signed values
// (-1 is one row before), nectar's SQL as n PRECEDING / n FOLLOWING.
func (t *translator) boundary(b *pb.Expression_Window_WindowFrame_FrameBoundary, unbounded string, sc *scope) (string, error) {
	switch x := b.GetBoundary().(type) {
	case *pb.Expression_Window_WindowFrame_FrameBoundary_CurrentRow:
		return "CURRENT ROW", nil
	case *pb.Expression_Window_WindowFrame_FrameBoundary_Unbounded:
		return "UNBOUNDED " + unbounded, nil
	case *pb.Expression_Window_WindowFrame_FrameBoundary_Value:
		v, err := literalValue(x.Value.GetLiteral())
		if err != nil || v.K != types.Int {
			return "", unsupported("a window frame boundary that is not an integer literal")
		}
		switch {
		case v.I == 0:
			return "CURRENT ROW", nil
		case v.I < 0:
			return strconv.FormatInt(-v.I, 10) + " PRECEDING", nil
		}
		return strconv.FormatInt(v.I, 10) + " FOLLOWING", nil
	}
	return "", invalid("a window frame boundary of no kind")
}

// literalValue reads a literal nectar has a kind for.
func literalValue(l *pb.Expression_Literal) (types.Value, error) {
	if l == nil {
		return types.Value{}, invalid("a missing literal")
	}
	switch v := l.GetLiteralType().(type) {
	case *pb.Expression_Literal_Null:
		return types.Value{}, nil
	case *pb.Expression_Literal_Boolean:
		return types.BoolValue(v.Boolean), nil
	case *pb.Expression_Literal_Byte:
		return types.IntValue(int64(v.Byte)), nil
	case *pb.Expression_Literal_Short:
		return types.IntValue(int64(v.Short)), nil
	case *pb.Expression_Literal_Integer:
		return types.IntValue(int64(v.Integer)), nil
	case *pb.Expression_Literal_Long:
		return types.IntValue(v.Long), nil
	case *pb.Expression_Literal_Float:
		return types.FloatValue(float64(v.Float)), nil
	case *pb.Expression_Literal_Double:
		return types.FloatValue(v.Double), nil
	case *pb.Expression_Literal_Decimal_:
		f, err := strconv.ParseFloat(v.Decimal.GetValue(), 64)
		if err != nil {
			return types.Value{}, invalid("decimal literal %q", v.Decimal.GetValue())
		}
		return types.FloatValue(f), nil
	case *pb.Expression_Literal_String_:
		return types.StringValue(v.String_), nil
	case *pb.Expression_Literal_Date:
		return types.DateValue(int64(v.Date)), nil
	case *pb.Expression_Literal_Timestamp:
		return types.Value{K: types.Timestamp, I: v.Timestamp}, nil
	case *pb.Expression_Literal_TimestampNtz:
		return types.Value{K: types.Timestamp, I: v.TimestampNtz}, nil
	case nil:
		return types.Value{}, invalid("a literal with no value")
	}
	name := fmt.Sprintf("%T", l.GetLiteralType())
	return types.Value{}, unsupported("a literal of type %s", snake(strings.TrimSuffix(strings.TrimPrefix(name, "*sparkpb.Expression_Literal_"), "_")))
}

// literalSQL writes a literal as nectar SQL: a typed NULL as a cast, a
// double that SQL has no literal for (NaN, ±Infinity) as a cast of text.
func literalSQL(l *pb.Expression_Literal) (string, error) {
	v, err := literalValue(l)
	if err != nil {
		return "", err
	}
	switch {
	case v.K == types.Null:
		if dt := l.GetNull(); dt != nil {
			if typ, err := kindOf(dt); err == nil && typ.Kind != types.Null {
				return "CAST(NULL AS " + typ.String() + ")", nil
			}
		}
		return "NULL", nil
	case v.K == types.Float && (math.IsNaN(v.F) || math.IsInf(v.F, 0)):
		return "CAST('" + types.FormatFloat(v.F) + "' AS DOUBLE)", nil
	case v.K == types.Int && v.I == math.MinInt64:
		return "(" + strconv.FormatInt(v.I+1, 10) + " - 1)", nil
	case v.K == types.Timestamp:
		return "TIMESTAMP '" + v.Time().UTC().Format("2006-01-02 15:04:05.999999") + "Z'", nil
	}
	return syntax.FormatValue(v), nil
}

var _ = time.UTC
