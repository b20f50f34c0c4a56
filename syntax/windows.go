package syntax

import "strings"

// Named windows: SELECT … OVER w … WINDOW w AS (PARTITION BY …), as in
// Spark. The parser resolves them: each OVER w gets a copy of w's
// definition, so the tree (and the canonical printer) only ever holds
// windows written out in OVER (…).

// winRef is an OVER name whose definition is still to come.
type winRef struct {
	name string
	pos  Pos
	call *Call
}

// parseWindowClause reads an optional WINDOW name AS (spec) | name, … and
// gives each reference made since mark its definition. A definition may
// name another one of the clause (w2 AS w1).
func (p *parser) parseWindowClause(mark int) {
	if !p.isKw("WINDOW") || !isNameToken(p.peek(1)) {
		return
	}
	p.next()
	defs := map[string]*WindowSpec{}
	for {
		nt := p.tok()
		name := p.parseName("a window name")
		key := strings.ToLower(name)
		if _, dup := defs[key]; dup {
			p.fail(Errorf(nt.pos, "WINDOW defines %s twice", QuoteIdent(name)))
		}
		p.expectKw("AS")
		if p.isOp("(") {
			defs[key] = p.parseWindow()
		} else {
			rt := p.tok()
			ref := p.parseName("a window name or (")
			w, ok := defs[strings.ToLower(ref)]
			if !ok {
				p.fail(Errorf(rt.pos, "window %s is not defined before %s", QuoteIdent(ref), QuoteIdent(name)))
			}
			defs[key] = w
		}
		if !p.acceptOp(",") {
			break
		}
	}
	for _, r := range p.winRefs[mark:] {
		if r.call.Over != nil {
			continue
		}
		if w, ok := defs[strings.ToLower(r.name)]; ok {
			r.call.Over = copyWindow(w)
		}
	}
}

// resolveWindows ends the scope of the references made since mark: any
// left without a definition is an error (Spark: window w is not defined).
func (p *parser) resolveWindows(mark int) {
	if len(p.winRefs) <= mark {
		return
	}
	for _, r := range p.winRefs[mark:] {
		if r.call.Over == nil {
			p.fail(Errorf(r.pos, "window %s is not defined: add WINDOW %s AS (…) after the query's HAVING, or write OVER (…)", QuoteIdent(r.name), QuoteIdent(r.name)))
		}
	}
	p.winRefs = p.winRefs[:mark]
}

// copyWindow copies a definition for one OVER, so no two calls share a
// spec a rewrite might change.
func copyWindow(w *WindowSpec) *WindowSpec {
	c := *w
	c.PartitionBy = append([]Expr(nil), w.PartitionBy...)
	c.OrderBy = append([]OrderItem(nil), w.OrderBy...)
	if w.Frame != nil {
		f := *w.Frame
		c.Frame = &f
	}
	return &c
}
