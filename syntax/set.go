package syntax

import (
	"regexp"
	"strings"

	"github.com/nectar-dev/nectar/sqlconf"
)

// SetStmt is Spark's SET: SET key = value changes a setting of the session,
// SET key shows one, SET alone shows those set. SET TIME ZONE 'zone' is
// SET spark.sql.session.timeZone = zone.
type SetStmt struct {
	At
	Key   string // "" for SET alone
	Value string // the text after '=', trimmed, as Spark keeps it
	// Assign is set for SET key = value (Value may then be "").
	Assign bool
}

// ResetStmt is RESET [key]: a setting, or every one, back to its default.
type ResetStmt struct {
	At
	Key string // "" resets every setting
}

func (*SetStmt) stmt()   {}
func (*ResetStmt) stmt() {}

func (s *SetStmt) String() string {
	switch {
	case s.Key == "":
		return "SET"
	case !s.Assign:
		return "SET " + s.Key
	case s.Value == "":
		return "SET " + s.Key + " ="
	}
	return "SET " + s.Key + " = " + s.Value
}

func (s *ResetStmt) String() string {
	if s.Key == "" {
		return "RESET"
	}
	return "RESET " + s.Key
}

// settingKey is what Spark accepts as a setting's name in SET and RESET.
var settingKey = regexp.MustCompile(`^[A-Za-z0-9_.:]+$`)

// parseSet reads SET or RESET. Spark takes the rest of the statement as
// raw text (a value is not an expression: SET a.b = x y is the value
// "x y"), so this reads the source between the keyword and the ';'.
func (p *parser) parseSet() Statement {
	t := p.next()
	if strings.EqualFold(t.text, "SET") && p.isKw("TIME") && isKw(p.peek(1), "ZONE") {
		p.next()
		p.next()
		z := p.tok()
		if z.kind != tString {
			e := p.expectedErr("a time zone in quotes, such as 'UTC'")
			e.Hint = "nectar computes in UTC: SET TIME ZONE 'UTC' is the only zone it takes"
			p.fail(e)
		}
		p.next()
		return &SetStmt{At: At{t.pos}, Key: "spark.sql.session.timeZone", Value: z.text, Assign: true}
	}
	start, end := p.tok().pos, p.tok().pos
	for p.tok().kind != tEOF && !p.isOp(";") {
		end = p.next().end
	}
	text := strings.TrimSpace(p.src[start:end])
	key, value, assign := strings.Cut(text, "=")
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if strings.EqualFold(t.text, "RESET") {
		assign = false
		if !settingKey.MatchString(text) && text != "" {
			p.fail(&Error{Pos: start, Msg: "expected a setting's name after RESET, found " + quoteText(text), Hint: "RESET spark.sql.ansi.doubleQuotedIdentifiers; RESET alone resets every setting"})
		}
		return &ResetStmt{At: At{t.pos}, Key: text}
	}
	if key == "" && assign || key != "" && !settingKey.MatchString(key) {
		e := &Error{Pos: start, Msg: "expected a setting's name after SET, found " + quoteText(key)}
		e.Hint = "SET key = value, such as SET spark.sql.ansi.doubleQuotedIdentifiers = true"
		if strings.HasPrefix(key, "-v") {
			e.Hint = "nectar has no SET -v; SET alone lists the settings made"
		}
		p.fail(e)
	}
	return &SetStmt{At: At{t.pos}, Key: key, Value: value, Assign: assign}
}

func quoteText(s string) string {
	if s == "" {
		return "nothing"
	}
	return "'" + s + "'"
}

// dialectAfter reads the SET or RESET st for how it changes the way the
// statements after it are lexed, reporting whether it does.
func dialectAfter(st Statement, dq bool) (bool, bool) {
	switch st := st.(type) {
	case *SetStmt:
		if st.Key == sqlconf.DoubleQuotedIdentifiers && st.Assign {
			if v, err := sqlconf.Bool(st.Value); err == nil {
				return v, v != dq
			}
		}
	case *ResetStmt:
		if st.Key == "" || st.Key == sqlconf.DoubleQuotedIdentifiers {
			return false, dq
		}
	}
	return dq, false
}
