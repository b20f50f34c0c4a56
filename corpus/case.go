package corpus

import (
	"bufio"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/nectar-dev/nectar/types"
)

// Files is the corpus itself. Load(Files) yields every case.
//
//go:embed testdata
var Files embed.FS

// ErrFormat is wrapped by every error Load reports about a malformed .test
// file; the message names file:line.
var ErrFormat = errors.New("bad test file")

// Input is one `--- input NAME` section: NDJSON exposed to the query as the
// table NAME and as the file NAME.jsonl.
type Input struct {
	Name string
	Data string // NDJSON, one object a line, ending in a newline
}

// Case is one parsed .test file.
type Case struct {
	File    string // path inside the loaded fs.FS
	Line    int    // line of the first query line
	Comment string // the leading # lines, without "# "
	Query   string
	Inputs  []Input
	Ordered bool     // `--- output ordered`: compare rows in order
	Output  []string // expected rows, one canonical JSON object each
	Schema  []string // expected "name TYPE" lines; empty means not checked
	Error   string   // non-empty: the query must fail with this substring
}

// Name is the case's subtest name: its path without the "testdata/" prefix
// and the ".test" suffix, e.g. "groupby/ordinal". Skip maps are keyed by it.
func (c *Case) Name() string {
	return strings.TrimSuffix(strings.TrimPrefix(c.File, "testdata/"), ".test")
}

// Load parses every *.test file under fsys, in lexical path order.
func Load(fsys fs.FS) ([]Case, error) {
	var cases []Case
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".test" {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		c, err := Parse(p, string(data))
		if err != nil {
			return err
		}
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	return cases, nil
}

var inputName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// kindName reports whether s spells one of nectar's kinds exactly as
// Kind.String does: a scalar name (BIGINT) or a nested type
// (ARRAY<STRUCT<a: BIGINT>>).
func kindName(s string) bool {
	k, ok := types.ParseKind(s)
	return ok && k.String() == s
}

// Parse reads one .test file; file is used in error messages and Case.File.
func Parse(file, text string) (Case, error) {
	c := Case{File: file}
	bad := func(line int, format string, args ...any) error {
		return fmt.Errorf("%w: %s:%d: %s", ErrFormat, file, line, fmt.Sprintf(format, args...))
	}
	var (
		query    []string
		section  string // "" while reading comments and query
		sectLine int
		input    *Input
		seen     = map[string]bool{}
		errLines []string
		outSeen  bool
	)
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if rest, ok := strings.CutPrefix(line, "---"); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				return c, bad(n, "section header without a name")
			}
			section, sectLine = f[0], n
			switch {
			case f[0] == "input" && len(f) <= 2:
				name := "input"
				if len(f) == 2 {
					name = f[1]
				}
				if !inputName.MatchString(name) {
					return c, bad(n, "input name %q is not an identifier", name)
				}
				if seen["input "+name] {
					return c, bad(n, "duplicate input %q", name)
				}
				seen["input "+name] = true
				c.Inputs = append(c.Inputs, Input{Name: name})
				input = &c.Inputs[len(c.Inputs)-1]
			case f[0] == "output" && (len(f) == 1 || len(f) == 2 && f[1] == "ordered"):
				c.Ordered = len(f) == 2
				c.Output = []string{}
				outSeen = true
			case (f[0] == "error" || f[0] == "schema") && len(f) == 1:
				if f[0] == "schema" && outSeen {
					return c, bad(n, "schema must come before output")
				}
			default:
				return c, bad(n, "unknown section %q", strings.TrimSpace(rest))
			}
			if f[0] != "input" && seen[f[0]] {
				return c, bad(n, "duplicate %s section", f[0])
			}
			seen[f[0]] = true
			continue
		}
		switch section {
		case "":
			switch {
			case len(query) == 0 && strings.HasPrefix(line, "#"):
				c.Comment += strings.TrimSpace(strings.TrimPrefix(line, "#")) + "\n"
			case len(query) == 0 && line == "":
			default:
				if len(query) == 0 {
					c.Line = n
				}
				query = append(query, line)
			}
		case "input":
			if line == "" {
				continue
			}
			if !json.Valid([]byte(line)) {
				return c, bad(n, "input line is not valid JSON")
			}
			input = &c.Inputs[len(c.Inputs)-1]
			input.Data += line + "\n"
		case "output":
			if line == "" {
				continue
			}
			if !json.Valid([]byte(line)) || !strings.HasPrefix(line, "{") {
				return c, bad(n, "output row is not a JSON object")
			}
			c.Output = append(c.Output, line)
		case "schema":
			if line == "" {
				continue
			}
			name, kind, ok := strings.Cut(line, " ")
			if !ok || name == "" || !kindName(kind) {
				return c, bad(n, "schema line must be \"name TYPE\" with TYPE one of nectar's kinds, spelt as nectar prints it")
			}
			c.Schema = append(c.Schema, name+" "+kind)
		case "error":
			if line != "" {
				errLines = append(errLines, line)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return c, fmt.Errorf("read %s: %w", file, err)
	}
	_ = input
	c.Comment = strings.TrimSuffix(c.Comment, "\n")
	for len(query) > 0 && query[len(query)-1] == "" {
		query = query[:len(query)-1]
	}
	c.Query = strings.Join(query, "\n")
	switch {
	case c.Comment == "":
		return c, bad(1, "a case starts with # comment lines saying what it checks")
	case c.Query == "":
		return c, bad(n, "no query")
	case seen["error"] && seen["output"]:
		return c, bad(sectLine, "a case has either an output or an error section, not both")
	case !seen["error"] && !seen["output"]:
		return c, bad(n, "no output or error section")
	case seen["error"] && len(errLines) != 1:
		return c, bad(sectLine, "error section must hold exactly one line")
	case seen["schema"] && !seen["output"]:
		return c, bad(sectLine, "schema needs an output section")
	}
	if seen["error"] {
		c.Error = errLines[0]
	}
	return c, nil
}

// CheckSkips reports skip-map entries that name no case, so that a renamed
// or deleted case does not leave a stale entry behind.
func CheckSkips(cases []Case, skip map[string]string) error {
	names := make(map[string]bool, len(cases))
	for i := range cases {
		names[cases[i].Name()] = true
	}
	var stale []string
	for name := range skip {
		if !names[name] {
			stale = append(stale, name)
		}
	}
	if len(stale) > 0 {
		sort.Strings(stale)
		return fmt.Errorf("skip entries name no case: %s", strings.Join(stale, ", "))
	}
	return nil
}
