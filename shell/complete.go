package shell

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
)

// Candidate is one completion: the text that replaces the word before the
// cursor, what it is (the menu's heading) and a note shown beside it.
type Candidate struct {
	Value string
	Kind  string // keyword, function, table, column, command, file, value
	Note  string // a column's type, a table's kind, a function's summary
}

// column is one column path of a table, as DESCRIBE lists it.
type column struct{ name, kind string }

// catalog is what completion needs from the session.
type catalog interface {
	tables() []engine.TableInfo
	// columns lists the column paths of a table: a name, or a table
	// function call as written (read_json('logs/**/*.gz')). nil when it
	// cannot be planned.
	columns(ref string) []column
}

// statementKeywords start a statement.
var statementKeywords = []string{"SELECT", "FROM", "WITH", "CREATE", "DESCRIBE", "EXPLAIN", "SHOW"}

// keywords are offered in expressions and clauses: the reserved words and
// the others the grammar knows (docs/LANGUAGE.md).
var keywords = func() []string {
	ks := append(syntax.ReservedWords(),
		"ASC", "DESC", "NULLS", "FIRST", "LAST", "OVER", "PARTITION", "ROWS", "RANGE",
		"PRECEDING", "FOLLOWING", "UNBOUNDED", "CURRENT", "ROW", "INTERVAL", "CREATE",
		"REPLACE", "TEMPORARY", "VIEW", "DESCRIBE", "EXPLAIN", "SHOW", "TABLES",
		"EXTEND", "AGGREGATE", "SET", "DROP")
	sort.Strings(ks)
	return slices.Compact(ks)
}()

// tableFunctions are offered where a table goes.
var tableFunctions = []Candidate{
	{Value: "read_json('", Kind: "function", Note: "JSON lines files: a path, directory or glob"},
	{Value: "read_parquet('", Kind: "function", Note: "Parquet files: a path, directory or glob"},
}

// completions returns what may replace the word before byte offset pos of
// src (the input so far, possibly several lines), and that word. The word
// is a dotted name (properties.recommender.va), a dot command or its
// argument, or a path inside read_json('…').
func completions(src string, pos int, cat catalog) (word string, cands []Candidate) {
	before := src[:pos]
	if first := strings.TrimLeft(before, " \t"); strings.HasPrefix(first, ".") && !strings.Contains(before, "\n") {
		return dotCompletions(first, cat)
	}
	toks := tokenize(before)
	var last *token
	if len(toks) > 0 {
		last = &toks[len(toks)-1]
	}
	if last != nil && last.end == len(before) && (last.kind == tComment || last.open) {
		// Inside a comment, a name or a string: only a path, where a table
		// function reads one.
		if last.kind == tString && last.open && pathArgument(toks[:len(toks)-1], before) {
			w := last.value(before)
			return w, fileCandidates(w, false)
		}
		return "", nil
	}

	// The word: contiguous names and dots ending at the cursor.
	j := len(toks)
	for last != nil && last.end == pos && j > 0 {
		t := toks[j-1]
		if t.kind != tWord && t.kind != tQuoted && !t.isOp(before, ".") || j < len(toks) && t.end != toks[j].start {
			break
		}
		j--
	}
	wordStart := pos
	if j < len(toks) {
		wordStart = toks[j].start
	}
	word = before[wordStart:]
	var prev []token // the statement's tokens before the word, comments dropped
	for _, t := range toks[:j] {
		switch {
		case t.isOp(before, ";"):
			prev = prev[:0]
		case t.kind != tComment:
			prev = append(prev, t)
		}
	}
	stmt := statementAt(tokenize(src), src, pos)
	refs := tableRefs(stmt, src, cat)
	if len(refs) == 0 {
		// SELECT before its FROM: any table's columns, as DuckDB offers.
		for _, t := range cat.tables() {
			refs = append(refs, tableRef{ref: t.Name, alias: t.Name})
		}
	}

	// Keywords in the case the user writes them: the word's, or before a
	// word is begun, the last keyword's.
	upper := !hasLower(word)
	if word == "" && len(prev) > 0 && prev[len(prev)-1].kind == tWord {
		upper = !hasLower(prev[len(prev)-1].text(before))
	}
	kw := func(words []string) {
		for _, k := range words {
			if !upper {
				k = strings.ToLower(k)
			}
			cands = append(cands, Candidate{Value: k, Kind: "keyword"})
		}
	}
	switch {
	case len(prev) == 0:
		kw(statementKeywords)
	case tableContext(prev, before):
		for _, t := range cat.tables() {
			cands = append(cands, Candidate{Value: syntax.QuoteIdent(t.Name), Kind: "table", Note: string(t.Kind)})
		}
		cands = append(cands, tableFunctions...)
	case prev[len(prev)-1].isOp(before, "|>"):
		kw(syntax.PipeOperators())
	case prev[len(prev)-1].is(before, "SHOW"):
		kw([]string{"TABLES"})
	default:
		if strings.Contains(word, ".") {
			cands = append(cands, qualifiedColumns(word, refs, cat)...)
			break
		}
		for _, r := range uniqueRefs(refs) {
			cands = append(cands, columnSteps("", r, word, cat)...)
		}
		for _, f := range functions.Names() {
			cands = append(cands, Candidate{Value: f + "(", Kind: "function"})
		}
		kw(keywords)
	}
	return word, filterPrefix(cands, word)
}

func hasLower(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' })
}

// filterPrefix keeps the candidates that start with word, ignoring case
// and backquotes, each value once.
func filterPrefix(cands []Candidate, word string) []Candidate {
	w := strings.ToLower(strings.ReplaceAll(word, "`", ""))
	seen := map[string]bool{}
	out := cands[:0]
	for _, c := range cands {
		if seen[c.Value] || !strings.HasPrefix(strings.ToLower(strings.ReplaceAll(c.Value, "`", "")), w) {
			continue
		}
		seen[c.Value] = true
		out = append(out, c)
	}
	return out
}

// tableContext reports whether a table goes after prev: after FROM, JOIN,
// DESCRIBE [TABLE], or a comma in a FROM list.
func tableContext(prev []token, src string) bool {
	p := prev[len(prev)-1]
	if p.is(src, "FROM") || p.is(src, "JOIN") || p.is(src, "DESCRIBE") || p.is(src, "DESC") ||
		p.is(src, "TABLE") && len(prev) > 1 && (prev[len(prev)-2].is(src, "DESCRIBE") || prev[len(prev)-2].is(src, "DESC")) {
		// DESC after ORDER BY x is a direction, not DESCRIBE.
		return !(p.is(src, "DESC") && len(prev) > 1)
	}
	if !p.isOp(src, ",") {
		return false
	}
	// A comma: in a FROM list if FROM is the nearest clause word at this
	// depth of parentheses.
	depth := 0
	for i := len(prev) - 2; i >= 0; i-- {
		t := prev[i]
		switch {
		case t.isOp(src, ")"):
			depth++
		case t.isOp(src, "("):
			if depth == 0 {
				return false
			}
			depth--
		case depth == 0 && t.kind == tWord:
			switch strings.ToUpper(t.text(src)) {
			case "FROM":
				return true
			case "SELECT", "WHERE", "GROUP", "ORDER", "HAVING", "BY", "ON", "USING":
				return false
			}
		}
	}
	return false
}

// pathArgument reports whether the string the text ends in is the first
// argument of read_json or read_parquet: toks end with `read_json (`.
func pathArgument(toks []token, src string) bool {
	n := len(toks)
	return n >= 2 && toks[n-1].isOp(src, "(") && (toks[n-2].is(src, "read_json") || toks[n-2].is(src, "read_parquet"))
}

// tableRef is a table a statement reads, with the alias it goes by.
type tableRef struct {
	ref   string // a catalog name, or a table function call as written
	alias string // the name columns may be qualified with
}

// tableRefs finds the tables stmt reads: names after FROM, JOIN or a
// comma of a FROM list that the catalog knows, and table function calls,
// each with its alias (AS x, or a bare word after it).
func tableRefs(stmt []token, src string, cat catalog) []tableRef {
	known := map[string]bool{}
	for _, t := range cat.tables() {
		known[strings.ToLower(t.Name)] = true
	}
	var refs []tableRef
	for i := 0; i < len(stmt); i++ {
		if !(stmt[i].is(src, "FROM") || stmt[i].is(src, "JOIN") || stmt[i].isOp(src, ",") && tableContext(stmt[:i+1], src)) {
			continue
		}
		k := i + 1
		if k >= len(stmt) {
			break
		}
		var r tableRef
		switch t := stmt[k]; {
		case (t.kind == tWord) && k+1 < len(stmt) && stmt[k+1].isOp(src, "("):
			// A table function call: its text to the matching parenthesis.
			depth, end := 0, -1
			for m := k + 1; m < len(stmt) && end < 0; m++ {
				switch {
				case stmt[m].isOp(src, "("):
					depth++
				case stmt[m].isOp(src, ")"):
					depth--
					if depth == 0 {
						end = m
					}
				}
			}
			if end < 0 {
				continue
			}
			r = tableRef{ref: src[t.start:stmt[end].end], alias: t.text(src)}
			k = end
		case t.kind == tWord || t.kind == tQuoted:
			name := t.value(src)
			if !known[strings.ToLower(name)] {
				continue
			}
			r = tableRef{ref: name, alias: name}
		default:
			continue
		}
		if k+1 < len(stmt) && stmt[k+1].is(src, "AS") {
			k++
		}
		if k+1 < len(stmt) && (stmt[k+1].kind == tQuoted || stmt[k+1].kind == tWord && !syntax.IsReserved(stmt[k+1].text(src))) {
			r.alias = stmt[k+1].value(src)
		}
		refs = append(refs, r)
	}
	return refs
}

func uniqueRefs(refs []tableRef) []string {
	var out []string
	for _, r := range refs {
		if !slices.Contains(out, r.ref) {
			out = append(out, r.ref)
		}
	}
	return out
}

// qualifiedColumns completes a dotted word: alias.column when its first
// part names a table of the statement, else a path of any of its tables'
// columns (properties.recommender.va).
func qualifiedColumns(word string, refs []tableRef, cat catalog) []Candidate {
	first, rest, _ := strings.Cut(word, ".")
	first = strings.Trim(first, "`")
	var out []Candidate
	for _, r := range refs {
		if strings.EqualFold(r.alias, first) {
			out = append(out, columnSteps(syntax.QuoteIdent(r.alias)+".", r.ref, rest, cat)...)
		}
	}
	for _, r := range uniqueRefs(refs) {
		out = append(out, columnSteps("", r, word, cat)...)
	}
	return out
}

// columnSteps offers the columns of ref that start with word, one step
// of their path at a time: properties. for "prop", then
// properties.recommender. and properties.referrer for "properties.re",
// as a shell completes directories. qualifier is put before each value.
func columnSteps(qualifier, ref, word string, cat catalog) []Candidate {
	w := strings.ToLower(strings.ReplaceAll(word, "`", ""))
	var out []Candidate
	for _, c := range cat.columns(ref) {
		if !strings.HasPrefix(strings.ToLower(c.name), w) {
			continue
		}
		if dot := strings.IndexByte(c.name[len(w):], '.'); dot >= 0 {
			step := c.name[:len(w)+dot+1]
			out = append(out, Candidate{Value: qualifier + quotePath(step), Kind: "column", Note: "struct"})
			continue
		}
		out = append(out, Candidate{Value: qualifier + quotePath(c.name), Kind: "column", Note: c.kind})
	}
	return out
}

// quotePath quotes the parts of a column path that need it. Parts after a
// dot may be reserved words (nothing else can follow a dot), so only names
// that are not plain identifiers are quoted there.
func quotePath(path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		switch {
		case p == "" && i == len(parts)-1:
			// The trailing dot of a step.
		case i == 0:
			parts[i] = syntax.QuoteIdent(p)
		case syntax.QuoteIdent(p) != p && !syntax.IsReserved(p):
			parts[i] = syntax.QuoteIdent(p)
		}
	}
	return strings.Join(parts, ".")
}

// fileCandidates lists the files and directories that start with the
// path prefix; directories end with '/'. onlyYAML keeps only YAML files
// (for .open).
func fileCandidates(prefix string, onlyYAML bool) []Candidate {
	dir, base := filepath.Split(prefix)
	list := dir
	if list == "" {
		list = "."
	}
	entries, err := os.ReadDir(list)
	if err != nil {
		return nil
	}
	var out []Candidate
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		if e.IsDir() {
			out = append(out, Candidate{Value: dir + name + "/", Kind: "file", Note: "directory"})
			continue
		}
		if onlyYAML && !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".yml") {
			continue
		}
		out = append(out, Candidate{Value: dir + name, Kind: "file"})
	}
	return out
}
