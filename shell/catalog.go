package shell

import (
	"context"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/syntax"
)

// columnTimeout bounds how long completion waits for a table's columns
// (a source's schema is inferred from a sample on first use, which on S3
// takes a few requests).
const columnTimeout = 10 * time.Second

// shellCatalog is the session as completion sees it.
type shellCatalog struct{ sh *Shell }

func (c shellCatalog) tables() []engine.TableInfo { return c.sh.sess.Tables() }

// columns plans SELECT * FROM ref and lists its columns, remembered until
// the next statement (which may replace a view).
func (c shellCatalog) columns(ref string) []column {
	sh := c.sh
	key := strings.ToLower(ref)
	if cols, ok := sh.cols[key]; ok {
		return cols
	}
	if sh.cols == nil {
		sh.cols = map[string][]column{}
	}
	var cols []column
	q, err := syntax.ParseQuery("SELECT * FROM " + ref)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), columnTimeout)
		defer cancel()
		if n, err := sh.sess.Plan(ctx, q); err == nil {
			for _, col := range n.Schema() {
				cols = append(cols, column{name: col.Name, kind: strings.ToLower(col.Kind.String())})
			}
		}
	}
	sh.cols[key] = cols
	return cols
}

// dotCompletions completes a dot command's name or first argument.
func dotCompletions(line string, cat catalog) (string, []Candidate) {
	fields := strings.Fields(line)
	if len(fields) <= 1 && !strings.HasSuffix(line, " ") {
		return line, filterPrefix(commandCandidates(), line)
	}
	c, ok := lookupCommand(fields[0])
	if !ok || c.values == nil || len(fields) > 2 || len(fields) == 2 && strings.HasSuffix(line, " ") {
		return "", nil
	}
	arg := ""
	if len(fields) == 2 {
		arg = fields[1]
	}
	cands := c.values(cat, arg)
	if len(cands) > 0 && cands[0].Kind == "file" {
		// Paths were listed from the argument; filterPrefix agrees.
		return arg, cands
	}
	return arg, filterPrefix(cands, arg)
}

func commandCandidates() []Candidate {
	var out []Candidate
	for _, c := range commands {
		out = append(out, Candidate{Value: c.name, Kind: "command", Note: c.help})
	}
	return out
}

func valueCandidates(values ...string) []Candidate {
	var out []Candidate
	for _, v := range values {
		out = append(out, Candidate{Value: v, Kind: "value"})
	}
	return out
}

func tableCandidates(cat catalog) []Candidate {
	var out []Candidate
	for _, t := range cat.tables() {
		out = append(out, Candidate{Value: syntax.QuoteIdent(t.Name), Kind: "table", Note: string(t.Kind)})
	}
	return out
}
