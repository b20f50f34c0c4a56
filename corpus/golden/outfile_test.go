package golden

import (
	"fmt"
	"regexp"
	"strings"
)

// entry is one statement of a .sql.out file: the text Spark ran, the schema
// it printed (struct<…>) and its output, either rows of tab-separated
// values or an error.
type entry struct {
	Num    int // 1-based position among the file's statements
	Query  string
	Schema string
	Output string
}

// columns splits Spark's schema string struct<name:type,…> into columns,
// minding nested angle brackets and backquoted names.
func (e entry) columns() []sparkColumn {
	s := strings.TrimSuffix(strings.TrimPrefix(e.Schema, "struct<"), ">")
	if s == "" {
		return nil
	}
	var cols []sparkColumn
	depth, start, quoted := 0, 0, false
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch c := s[i]; {
			case c == '`':
				quoted = !quoted
				continue
			case quoted:
				continue
			case c == '<' || c == '(':
				depth++
				continue
			case c == '>' || c == ')':
				depth--
				continue
			case c != ',' || depth > 0:
				continue
			}
		}
		part := s[start:i]
		start = i + 1
		// The name ends at the last colon outside brackets and quotes
		// before the type: names may hold colons (`a:b`), types hold none at
		// depth 0 except struct fields inside brackets.
		cut := lastTopColon(part)
		if cut < 0 {
			cols = append(cols, sparkColumn{Type: part})
			continue
		}
		name := strings.ReplaceAll(strings.Trim(part[:cut], "`"), "``", "`")
		cols = append(cols, sparkColumn{Name: name, Type: strings.ToLower(strings.TrimSpace(part[cut+1:]))})
	}
	return cols
}

func lastTopColon(s string) int {
	depth, quoted, at := 0, false, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '`':
			quoted = !quoted
		case quoted:
		case c == '<' || c == '(':
			depth++
		case c == '>' || c == ')':
			depth--
		case c == ':' && depth == 0:
			if at < 0 {
				at = i
			}
		}
	}
	return at
}

type sparkColumn struct{ Name, Type string }

// errorLine recognises the first output line of a failed statement: the
// exception's class name, as SQLQueryTestSuite prints it.
var errorLine = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[A-Za-z0-9_$]+)+(Exception|Error)\b`)

// isError reports whether Spark failed the statement.
func (e entry) isError() bool {
	return e.Schema == "struct<>" && errorLine.MatchString(e.Output)
}

// errorClass is Spark's error class ("DIVIDE_BY_ZERO") when the output names
// one, else the exception's class name.
func (e entry) errorClass() string {
	if m := regexp.MustCompile(`"errorClass" : "([A-Z_.0-9]+)"`).FindStringSubmatch(e.Output); m != nil {
		return m[1]
	}
	first, _, _ := strings.Cut(e.Output, "\n")
	return first
}

// isCommand reports a statement that succeeded without a result: CREATE,
// INSERT, SET, DROP and the like.
func (e entry) isCommand() bool { return e.Schema == "struct<>" && e.Output == "" }

// rows is the recorded output split into rows ("" is no row).
func (e entry) rows() []string {
	if e.Output == "" {
		return nil
	}
	return strings.Split(e.Output, "\n")
}

// parseOut reads a .sql.out file as SQLQueryTestSuite writes it: blocks
// "-- !query\n<sql>\n-- !query schema\n<schema>\n-- !query output\n<output>"
// joined by "\n\n\n".
func parseOut(name, text string) ([]entry, error) {
	const (
		q   = "-- !query\n"
		sch = "\n-- !query schema\n"
		out = "\n-- !query output\n"
	)
	var entries []entry
	i := strings.Index(text, q)
	if i < 0 {
		return nil, fmt.Errorf("%s: no -- !query block", name)
	}
	text = text[i:]
	for len(text) > 0 {
		if !strings.HasPrefix(text, q) {
			return nil, fmt.Errorf("%s: statement %d: expected -- !query", name, len(entries)+1)
		}
		text = text[len(q):]
		s := strings.Index(text, sch)
		if s < 0 {
			return nil, fmt.Errorf("%s: statement %d: no schema", name, len(entries)+1)
		}
		query := text[:s]
		text = text[s+len(sch):]
		o := strings.Index(text, out)
		if o < 0 {
			return nil, fmt.Errorf("%s: statement %d: no output", name, len(entries)+1)
		}
		schema := text[:o]
		text = text[o+len(out):]
		end := strings.Index(text, "\n\n\n"+q)
		var output string
		if end < 0 {
			output = strings.TrimRight(text, "\n")
			text = ""
		} else {
			output = text[:end]
			text = text[end+3:]
		}
		entries = append(entries, entry{Num: len(entries) + 1, Query: query, Schema: schema, Output: output})
	}
	return entries, nil
}
