package syntax

// WatermarkTable is Spark's watermark clause on a FROM item (Spark 4.1 and
// Databricks SQL: `from_item WATERMARK named_expression DELAY OF interval
// [table_alias]`):
//
//	FROM read_json('logs/**/*.gz') WATERMARK timestamp DELAY OF INTERVAL 2 HOURS AS e
//
// It tells a streaming query how late an event may arrive, by its Time
// expression, before the state it would update is closed. A batch query
// has no state to close, so it reads Input as if the clause were absent.
// The node lives apart from ast.go's FROM items because only streams give
// it meaning.
type WatermarkTable struct {
	At
	Input    TableExpr // *TableName, *TableFunc or *SubqueryTable, without its alias
	Time     Expr      // the event-time expression
	TimeName string    // AS name of Time, "" when not named
	Delay    *Interval // how late events may be
	Alias    string    // the FROM item's alias, written after the clause
}

func (*WatermarkTable) tableExpr() {}

func (t *WatermarkTable) String() string {
	s := t.Input.String() + " WATERMARK " + t.Time.String()
	if t.TimeName != "" {
		s += " AS " + QuoteIdent(t.TimeName)
	}
	return s + " DELAY OF " + t.Delay.String() + aliasSuffix(t.Alias)
}

// Unwrap returns the FROM item without the watermark, carrying the alias:
// what a batch query reads.
func (t *WatermarkTable) Unwrap() TableExpr {
	switch in := t.Input.(type) {
	case *TableName:
		c := *in
		c.Alias = t.Alias
		return &c
	case *TableFunc:
		c := *in
		c.Alias = t.Alias
		return &c
	case *SubqueryTable:
		c := *in
		c.Alias = t.Alias
		return &c
	}
	return t.Input
}

// parseWatermark reads an optional WATERMARK clause after the FROM item in
// and, with it, the item's alias. WATERMARK is not reserved, so `FROM t
// watermark` keeps meaning "t aliased watermark": the clause is taken only
// when a DELAY OF follows an expression.
func (p *parser) parseWatermark(in TableExpr) (TableExpr, bool) {
	if !p.isKw("WATERMARK") {
		return in, false
	}
	start := p.tok()
	var w *WatermarkTable
	ok := p.attempt(func() {
		p.next()
		w = &WatermarkTable{At: At{start.pos}, Input: in, Time: p.parseExpr()}
		if p.acceptKw("AS") {
			w.TimeName = p.parseName("a name for the watermark's time column")
		}
		p.expectKw("DELAY")
		p.expectKw("OF")
	})
	if !ok {
		return in, false
	}
	if !p.isKw("INTERVAL") {
		e := p.expectedErr("INTERVAL after DELAY OF")
		e.Hint = "write WATERMARK timestamp DELAY OF INTERVAL 2 HOURS"
		p.fail(e)
	}
	w.Delay = p.parseInterval().(*Interval)
	w.Alias = p.parseAlias()
	return w, true
}
