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

// columns splits Spark's schema string struct<name:type,…> into columns.
// A name runs to the first colon outside parentheses and backquotes (names
// hold expressions such as (a > 1) or 'x:y'); its type then runs to the
// first comma outside angle brackets and parentheses.
// typeStart matches text that starts with a Spark type's name.
var typeStart = regexp.MustCompile(`^(tinyint|smallint|int|bigint|float|double|decimal|string|varchar|char|boolean|date|timestamp|timestamp_ntz|timestamp_ltz|interval|array|map|struct|void|binary|variant|time)\b`)

func (e entry) columns() []sparkColumn {
	s := strings.TrimSuffix(strings.TrimPrefix(e.Schema, "struct<"), ">")
	var cols []sparkColumn
	for i := 0; i < len(s); {
		depth, quoted, j := 0, false, i
		for ; j < len(s); j++ {
			c := s[j]
			if c == '`' {
				quoted = !quoted
			}
			if quoted {
				continue
			}
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			} else if c == ':' && depth == 0 && typeStart.MatchString(s[j+1:]) {
				// A literal in the name (INTERVAL '1 02:03' DAY TO
				// MINUTE) has colons too; the separator is the one a
				// type follows.
				break
			}
		}
		name := strings.ReplaceAll(strings.Trim(s[i:min(j, len(s))], "`"), "``", "`")
		k := j + 1
		depth = 0
		for ; k < len(s); k++ {
			c := s[k]
			if c == '<' || c == '(' {
				depth++
			} else if c == '>' || c == ')' {
				depth--
			} else if c == ',' && depth == 0 {
				break
			}
		}
		typ := ""
		if j+1 <= len(s) {
			typ = strings.ToLower(strings.TrimSpace(s[min(j+1, len(s)):min(k, len(s))]))
		}
		cols = append(cols, sparkColumn{Name: name, Type: typ})
		i = k + 1
	}
	return cols
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
