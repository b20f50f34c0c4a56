package syntax

import (
	"testing"
	"time"

	"github.com/nectar-dev/nectar/types"
)

func id(parts ...string) *Ident  { return &Ident{Parts: parts} }
func lit(v types.Value) *Literal { return &Literal{Value: v} }
func i64(n int64) *Literal       { return lit(types.IntValue(n)) }
func str(s string) *Literal      { return lit(types.StringValue(s)) }

// TestExprTrees pins the tree shape of constructs whose printed form alone
// would not show a mistake (an Ident with parts vs a Field chain, folded
// negative literals, the IS DISTINCT FROM rewrite).
func TestExprTrees(t *testing.T) {
	ts := time.Date(2019, 2, 1, 13, 45, 10, 123000000, time.UTC)
	tests := []struct {
		src  string
		want Expr
	}{
		{"count(*)", &Call{Name: "count", Args: []Expr{&Star{}}}},
		{"COUNT(DISTINCT userId)", &Call{Name: "count", Distinct: true, Args: []Expr{id("userId")}}},
		{"properties.recommender.variant", id("properties", "recommender", "variant")},
		{"e.`event`", id("e", "event")},
		{"properties.products[0].price", &Field{X: &Subscript{X: id("properties", "products"), Index: i64(0)}, Name: "price"}},
		{"-1", i64(-1)},
		{"-1.5", lit(types.FloatValue(-1.5))},
		{"-(1)", &Unary{Op: "-", X: i64(1)}},
		{"-x", &Unary{Op: "-", X: id("x")}},
		{"1e3", lit(types.FloatValue(1000))},
		{"42", i64(42)},
		{"\"double\"", str("double")},
		{"'a''b'", str("a'b")},
		{"'\\u0041\\n'", str("A\n")},
		{"TRUE", lit(types.BoolValue(true))},
		{"NULL", lit(types.NullValue)},
		{"TIMESTAMP '2019-02-01T13:45:10.123Z'", lit(types.TimestampValue(ts))},
		{"DATE '2019-02-01'", lit(types.DateValue(17928))},
		{"INTERVAL 90 MINUTES", &Interval{Value: types.Value{K: types.DayTimeKind(types.Minute, types.Minute), I: 90 * types.MicrosPerMinute}}},
		{"INTERVAL '1' HOUR", &Interval{Value: types.Value{K: types.DayTimeKind(types.Hour, types.Hour), I: types.MicrosPerHour}}},
		{"INTERVAL '1 hour'", &Interval{Value: types.Value{K: types.DayTimeKind(types.Hour, types.Hour), I: types.MicrosPerHour}}},
		{"INTERVAL '1 day 30 minutes'", &Interval{Value: types.Value{K: types.DayTimeKind(types.Day, types.Minute), I: types.MicrosPerDay + 30*types.MicrosPerMinute}}},
		{"INTERVAL '1 02' DAY TO HOUR", &Interval{Value: types.Value{K: types.DayTimeKind(types.Day, types.Hour), I: 26 * types.MicrosPerHour}}},
		{"INTERVAL 1 YEAR 2 MONTHS", &Interval{Value: types.Value{K: types.YearMonth, I: 14}}},
		{"a IS DISTINCT FROM b", &Unary{Op: "NOT", X: &Binary{Op: "<=>", L: id("a"), R: id("b")}}},
		{"a IS NOT DISTINCT FROM b", &Binary{Op: "<=>", L: id("a"), R: id("b")}},
		{"a <> b", &Binary{Op: "!=", L: id("a"), R: id("b")}},
		{"a == b", &Binary{Op: "=", L: id("a"), R: id("b")}},
		{"a div b", &Binary{Op: "DIV", L: id("a"), R: id("b")}},
		{"a REGEXP 'x'", &Like{Op: "RLIKE", X: id("a"), Pattern: str("x")}},
		{"a NOT ILIKE 'x'", &Like{Op: "ILIKE", X: id("a"), Pattern: str("x"), Not: true}},
		{"a NOT BETWEEN 1 AND 2", &Between{X: id("a"), Lo: i64(1), Hi: i64(2), Not: true}},
		{"a NOT IN (1, 2)", &In{X: id("a"), List: []Expr{i64(1), i64(2)}, Not: true}},
		{"x::int", &Cast{X: id("x"), Type: types.Type{Kind: types.Int, Bits: 32}}},
		{"x::bigint", &Cast{X: id("x"), Type: types.Type{Kind: types.Int}}},
		{"CAST(x AS tinyint)", &Cast{X: id("x"), Type: types.Type{Kind: types.Int, Bits: 8}}},
		{"TRY_CAST(x AS double)", &Cast{X: id("x"), Type: types.Type{Kind: types.Float}, Try: true}},
		{"timestamp(x)", &Call{Name: "timestamp", Args: []Expr{id("x")}}},
		{"DATE(x)", &Call{Name: "date", Args: []Expr{id("x")}}},
		{"date", id("date")},
		{"CASE x WHEN 1 THEN 'a' ELSE 'b' END", &Case{Operand: id("x"), Whens: []When{{Cond: i64(1), Result: str("a")}}, Else: str("b")}},
		{"1 + 2 * 3", &Binary{Op: "+", L: i64(1), R: &Binary{Op: "*", L: i64(2), R: i64(3)}}},
		{"NOT a = b", &Unary{Op: "NOT", X: &Binary{Op: "=", L: id("a"), R: id("b")}}},
		{"a || b + c", &Binary{Op: "||", L: id("a"), R: &Binary{Op: "+", L: id("b"), R: id("c")}}},
		{"row_number() OVER (PARTITION BY messageId ORDER BY receivedAt DESC)", &Call{Name: "row_number", Over: &WindowSpec{
			PartitionBy: []Expr{id("messageId")},
			OrderBy:     []OrderItem{{Expr: id("receivedAt"), Desc: true}},
		}}},
		{"sum(x) OVER (ROWS 2 PRECEDING)", &Call{Name: "sum", Args: []Expr{id("x")}, Over: &WindowSpec{
			Frame: &Frame{Unit: "ROWS", Start: FrameBound{Kind: OffsetPreceding, Offset: 2}, End: FrameBound{Kind: CurrentRow}},
		}}},
	}
	for _, tc := range tests {
		got, err := ParseExpr(tc.src)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", tc.src, err)
			continue
		}
		if !sameTree(got, tc.want) {
			t.Errorf("ParseExpr(%q) = %s, want %s", tc.src, got, tc.want)
		}
	}
}

func TestQueryTrees(t *testing.T) {
	tests := []struct {
		src  string
		want Query
	}{
		{"SELECT a FROM t UNION SELECT b FROM u ORDER BY 1 LIMIT 2", &SetOp{Op: "UNION",
			Left:    &Select{Items: []SelectItem{{Expr: id("a")}}, From: &TableName{Name: "t"}},
			Right:   &Select{Items: []SelectItem{{Expr: id("b")}}, From: &TableName{Name: "u"}},
			OrderBy: []OrderItem{{Expr: i64(1)}}, Limit: i64(2)}},
		{"SELECT 1 UNION SELECT 2 INTERSECT SELECT 3", &SetOp{Op: "UNION",
			Left:  &Select{Items: []SelectItem{{Expr: i64(1)}}},
			Right: &SetOp{Op: "INTERSECT", Left: &Select{Items: []SelectItem{{Expr: i64(2)}}}, Right: &Select{Items: []SelectItem{{Expr: i64(3)}}}}}},
		{"FROM `segment-logs`.events e, u", &FromQuery{From: &Join{Kind: CrossJoin,
			Left: &TableName{Name: "segment-logs.events", Alias: "e"}, Right: &TableName{Name: "u"}}}},
		{"FROM t |> AGGREGATE count(*) AS n GROUP BY x", &Pipe{Input: &FromQuery{From: &TableName{Name: "t"}},
			Op: &PipeAggregate{Aggs: []SelectItem{{Expr: &Call{Name: "count", Args: []Expr{&Star{}}}, Alias: "n"}}, GroupBy: []SelectItem{{Expr: id("x")}}}}},
		{"SELECT * FROM read_json('logs/**/*.gz') AS l", &Select{Items: []SelectItem{{Expr: &Star{}}},
			From: &TableFunc{Name: "read_json", Args: []Expr{str("logs/**/*.gz")}, Alias: "l"}}},
		{"SELECT t.* FROM t", &Select{Items: []SelectItem{{Expr: &Star{Table: "t"}}}, From: &TableName{Name: "t"}}},
		{"FROM a |> LEFT ANTI JOIN b USING (id)", &Pipe{Input: &FromQuery{From: &TableName{Name: "a"}},
			Op: &PipeJoin{Kind: AntiJoin, Right: &TableName{Name: "b"}, Using: []string{"id"}}}},
	}
	for _, tc := range tests {
		got, err := ParseQuery(tc.src)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tc.src, err)
			continue
		}
		if !sameTree(got, tc.want) {
			t.Errorf("ParseQuery(%q) =\n%s\nwant\n%s", tc.src, got, tc.want)
		}
	}
}

func TestStatementKinds(t *testing.T) {
	stmts, err := ParseScript("CREATE OR REPLACE VIEW v AS SELECT 1; DESCRIBE v; DESCRIBE SELECT 1; EXPLAIN FROM t; SELECT 2")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 5 {
		t.Fatalf("got %d statements, want 5", len(stmts))
	}
	cv, ok := stmts[0].(*CreateView)
	if !ok || cv.Name != "v" || !cv.OrReplace {
		t.Errorf("statement 0 = %#v, want CreateView v OR REPLACE", stmts[0])
	}
	d, ok := stmts[1].(*Describe)
	if !ok {
		t.Fatalf("statement 1 is %T, want *Describe", stmts[1])
	}
	if !sameTree(d.Query, &FromQuery{From: &TableName{Name: "v"}}) {
		t.Errorf("DESCRIBE v query = %s", d.Query)
	}
	if _, ok := stmts[2].(*Describe); !ok {
		t.Errorf("statement 2 is %T, want *Describe", stmts[2])
	}
	if _, ok := stmts[3].(*Explain); !ok {
		t.Errorf("statement 3 is %T, want *Explain", stmts[3])
	}
	if _, ok := stmts[4].(*QueryStmt); !ok {
		t.Errorf("statement 4 is %T, want *QueryStmt", stmts[4])
	}
}

// TestPositions checks that nodes carry the byte offset of their token, which
// the binder's errors rely on.
func TestPositions(t *testing.T) {
	src := "SELECT a + b FROM t\n|> WHERE x"
	q, err := ParseQuery(src)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := q.(*Pipe)
	if !ok {
		t.Fatalf("got %T, want *Pipe", q)
	}
	if p.Position() != 20 {
		t.Errorf("pipe at %d, want 20", p.Position())
	}
	if w := p.Op.(*PipeWhere); w.Cond.Position() != 29 {
		t.Errorf("WHERE cond at %d, want 29", w.Cond.Position())
	}
	sel := p.Input.(*Select)
	b := sel.Items[0].Expr.(*Binary)
	if b.Position() != 9 || b.L.Position() != 7 || b.R.Position() != 11 {
		t.Errorf("binary at %d (%d, %d), want 9 (7, 11)", b.Position(), b.L.Position(), b.R.Position())
	}
	if sel.From.Position() != 18 {
		t.Errorf("table at %d, want 18", sel.From.Position())
	}
}

func TestQuoteIdent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"event", "event"},
		{"timestamp", "timestamp"},
		{"user", "user"},
		{"_metadata", "_metadata"},
		{"from", "`from`"},
		{"Select", "`Select`"},
		{"unit price", "`unit price`"},
		{"a`b", "`a``b`"},
		{"1st", "`1st`"},
		{"context.page.url", "`context.page.url`"},
		{"é", "`é`"},
	}
	for _, tc := range tests {
		if got := QuoteIdent(tc.in); got != tc.want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    types.Value
		want string
	}{
		{types.FloatValue(1), "1.0"},
		{types.FloatValue(-0.25), "-0.25"},
		{types.FloatValue(1.5e10), "15000000000.0"}, {types.FloatValue(1.5e20), "1.5E20"},
		{types.FloatValue(1e-7), "1.0E-7"},
		{types.FloatValue(0.001), "0.001"},
		{types.FloatValue(1234567.5), "1234567.5"},
		{types.FloatValue(0), "0.0"},
		{types.StringValue("a'b\\c\x01"), `'a\'b\\c\u0001'`},
		{types.DateValue(-1), "DATE '1969-12-31'"},
		{types.TimestampValue(time.Date(2024, 1, 2, 3, 4, 5, 600000000, time.UTC)), "TIMESTAMP '2024-01-02 03:04:05.6'"},
	}
	for _, tc := range tests {
		got := FormatValue(tc.v)
		if got != tc.want {
			t.Errorf("FormatValue(%v) = %s, want %s", tc.v, got, tc.want)
			continue
		}
		back, err := ParseExpr(got)
		if err != nil {
			t.Errorf("ParseExpr(%s): %v", got, err)
			continue
		}
		if l, ok := back.(*Literal); !ok || !types.Equal(l.Value, tc.v) || l.Value.K != tc.v.K {
			t.Errorf("%s parses back as %s, want the value %v", got, back, tc.v)
		}
	}
}
