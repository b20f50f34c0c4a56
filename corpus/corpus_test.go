package corpus

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/types"
)

func TestParse(t *testing.T) {
	text := `# checks a thing
# over two lines

SELECT a,
  b FROM t;
--- input t
{"a":1}

{"a":2}
--- input
{"x":true}
--- schema
a BIGINT
b STRING
--- output ordered
{"a":1,"b":null}
`
	c, err := Parse("testdata/x/y.test", text)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "x/y" || c.Line != 4 || c.Comment != "checks a thing\nover two lines" {
		t.Errorf("name/line/comment = %q %d %q", c.Name(), c.Line, c.Comment)
	}
	if c.Query != "SELECT a,\n  b FROM t;" {
		t.Errorf("query = %q", c.Query)
	}
	want := []Input{{Name: "t", Data: "{\"a\":1}\n{\"a\":2}\n"}, {Name: "input", Data: "{\"x\":true}\n"}}
	if !slices.Equal(c.Inputs, want) {
		t.Errorf("inputs = %q", c.Inputs)
	}
	if !c.Ordered || !slices.Equal(c.Output, []string{`{"a":1,"b":null}`}) || !slices.Equal(c.Schema, []string{"a BIGINT", "b STRING"}) {
		t.Errorf("output/schema = %v %q %q", c.Ordered, c.Output, c.Schema)
	}

	c, err = Parse("e.test", "# e\nSELECT x\n--- error\nunknown column\n")
	if err != nil || c.Error != "unknown column" || c.Output != nil {
		t.Errorf("error case = %+v, %v", c, err)
	}
	c, err = Parse("e.test", "# empty result\nSELECT 1 WHERE false\n--- output\n")
	if err != nil || c.Output == nil || len(c.Output) != 0 {
		t.Errorf("empty output case = %+v, %v", c, err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, text, msg string
	}{
		{"no comment", "SELECT 1\n--- output\n{}\n", ":1: a case starts with # comment"},
		{"no query", "# c\n--- output\n{}\n", "no query"},
		{"no result", "# c\nSELECT 1\n", "no output or error"},
		{"both", "# c\nSELECT 1\n--- output\n--- error\nx\n", "either an output or an error"},
		{"unknown section", "# c\nSELECT 1\n--- outptu\n", ":3: unknown section"},
		{"header without name", "# c\nSELECT 1\n---\n", "without a name"},
		{"bad output row", "# c\nSELECT 1\n--- output\n{\"a\":1\n", ":4: output row"},
		{"output row not object", "# c\nSELECT 1\n--- output\n[1]\n", "not a JSON object"},
		{"bad input row", "# c\nSELECT 1\n--- input\nnope\n--- output\n", ":4: input line"},
		{"duplicate input", "# c\nSELECT 1\n--- input a\n--- input a\n--- output\n", "duplicate input"},
		{"bad input name", "# c\nSELECT 1\n--- input a-b\n--- output\n", "not an identifier"},
		{"two outputs", "# c\nSELECT 1\n--- output\n--- output ordered\n", "duplicate output"},
		{"schema after output", "# c\nSELECT 1\n--- output\n--- schema\n", "before output"},
		{"bad schema type", "# c\nSELECT 1\n--- schema\na INTEGER\n--- output\n", "schema line"},
		{"schema without output", "# c\nSELECT 1\n--- schema\na BIGINT\n--- error\nx\n", "schema needs an output"},
		{"two error lines", "# c\nSELECT 1\n--- error\na\nb\n", "exactly one line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.test", tt.text)
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("err = %v, want ErrFormat", err)
			}
			if !strings.Contains(err.Error(), "f.test") || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to name the file and contain %q", err, tt.msg)
			}
		})
	}
}

// TestCorpus checks the embedded corpus itself: it parses, it is large, and
// every topic the language needs has cases.
func TestCorpus(t *testing.T) {
	cases, err := Load(Files)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 170 {
		t.Errorf("corpus has %d cases, want at least 170", len(cases))
	}
	topics := map[string]int{}
	for i := range cases {
		c := &cases[i]
		topic, _, _ := strings.Cut(c.Name(), "/")
		topics[topic]++
		q := strings.ToUpper(c.Query)
		if len(c.Output) > 1 && strings.Contains(q, "LIMIT") && !strings.Contains(q, "ORDER BY") {
			t.Errorf("%s: LIMIT without ORDER BY has no defined result", c.Name())
		}
	}
	for _, topic := range []string{"select", "where", "null", "groupby", "having", "orderby", "limit", "distinct", "join", "union",
		"subquery", "with", "case", "cast", "in_like_between", "functions_string", "functions_math", "functions_time",
		"window", "aggregate", "json_paths", "widening", "pipe", "segment", "errors"} {
		if topics[topic] == 0 {
			t.Errorf("topic %s has no cases", topic)
		}
	}
	if err := CheckSkips(cases, map[string]string{"select/columns": "x"}); err != nil {
		t.Error(err)
	}
	if err := CheckSkips(cases, map[string]string{"no/such": "x"}); err == nil || !strings.Contains(err.Error(), "no/such") {
		t.Errorf("CheckSkips(stale) = %v", err)
	}
}

// tenth is a variable so that 0.1 + 0.2 is computed in float64 at run time,
// not folded exactly at compile time.
var tenth = 0.1

func TestRender(t *testing.T) {
	ts := time.Date(2019, 2, 1, 13, 45, 10, 123_000_000, time.UTC)
	tests := []struct {
		name string
		v    types.Value
		want string
	}{
		{"null", types.NullValue, `null`},
		{"true", types.BoolValue(true), `true`},
		{"int", types.IntValue(-42), `-42`},
		{"integral double", types.FloatValue(2), `2.0`},
		{"fraction", types.FloatValue(tenth + 0.2), `0.30000000000000004`},
		{"huge double", types.FloatValue(1e21), `1.0E21`},
		{"tiny double", types.FloatValue(1e-5), `1.0E-5`},
		{"nan", types.FloatValue(math.NaN()), `"NaN"`},
		{"inf", types.FloatValue(math.Inf(-1)), `"-Infinity"`},
		{"string", types.StringValue("a\"b\\c\n\t<&>é"), `"a\"b\\c\n\t<&>é"`},
		{"control", types.StringValue("\x01"), `"\u0001"`},
		{"invalid utf8", types.StringValue("\xff"), `"\ufffd"`},
		{"timestamp", types.TimestampValue(ts), `"2019-02-01T13:45:10.123Z"`},
		{"whole second", types.TimestampValue(ts.Truncate(time.Hour)), `"2019-02-01T13:00:00Z"`},
		{"date", types.DateValue(17928), `"2019-02-01"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Result{Schema: types.Schema{{Name: "v", Kind: tt.v.K}}, Rows: [][]types.Value{{tt.v}}}
			if got, want := Render(r)[0], `{"v":`+tt.want+`}`; got != want {
				t.Errorf("Render = %s, want %s", got, want)
			}
		})
	}
	r := &Result{
		Schema: types.Schema{{Name: "event", Kind: types.String}, {Name: "count(1)", Kind: types.Int}},
		Rows:   [][]types.Value{{types.StringValue("a"), types.IntValue(1)}, {types.NullValue, types.IntValue(2)}},
	}
	got := Render(r)
	want := []string{`{"event":"a","count(1)":1}`, `{"event":null,"count(1)":2}`}
	if !slices.Equal(got, want) {
		t.Errorf("Render = %q, want %q", got, want)
	}
}

// fakeHarness returns a fixed result or error and records what it was given.
type fakeHarness struct {
	res    *Result
	err    error
	inputs map[string]string
	dir    string
}

func (f *fakeHarness) Query(_ context.Context, _ string, inputs map[string]string, dir string) (*Result, error) {
	f.inputs, f.dir = inputs, dir
	return f.res, f.err
}

func TestCheck(t *testing.T) {
	two := &Result{
		Schema: types.Schema{{Name: "x", Kind: types.Int}},
		Rows:   [][]types.Value{{types.IntValue(2)}, {types.IntValue(1)}},
	}
	tests := []struct {
		name    string
		text    string
		h       *fakeHarness
		wantMsg string // "" means the case passes
	}{
		{"multiset ignores order", "# c\nq\n--- output\n{\"x\":1}\n{\"x\":2}\n", &fakeHarness{res: two}, ""},
		{"ordered checks order", "# c\nq\n--- output ordered\n{\"x\":1}\n{\"x\":2}\n", &fakeHarness{res: two}, "-{\"x\":2}"},
		{"missing row", "# c\nq\n--- output\n{\"x\":1}\n{\"x\":2}\n{\"x\":3}\n", &fakeHarness{res: two}, "-{\"x\":3}"},
		{"extra row", "# c\nq\n--- output\n{\"x\":1}\n", &fakeHarness{res: two}, "+{\"x\":2}"},
		{"schema", "# c\nq\n--- schema\nx DOUBLE\n--- output\n{\"x\":1}\n{\"x\":2}\n", &fakeHarness{res: two}, "schema mismatch"},
		{"unexpected error", "# c\nq\n--- output\n", &fakeHarness{err: errors.New("boom")}, "unexpected error: boom"},
		{"error matches case-insensitively", "# c\nq\n--- error\nUnknown Column\n", &fakeHarness{err: errors.New("unknown column x")}, ""},
		{"wrong error", "# c\nq\n--- error\nunknown column\n", &fakeHarness{err: errors.New("boom")}, `expected error containing "unknown column"`},
		{"error expected, rows came", "# c\nq\n--- error\nboom\n", &fakeHarness{res: two}, "got rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("f.test", tt.text)
			if err != nil {
				t.Fatal(err)
			}
			msg := Check(context.Background(), tt.h, &c, t.TempDir())
			if (msg == "") != (tt.wantMsg == "") || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("Check = %q, want it to contain %q", msg, tt.wantMsg)
			}
			if msg != "" && !strings.Contains(msg, "query:") {
				t.Errorf("failure report does not show the query: %q", msg)
			}
		})
	}
}

func TestCheckWritesInputs(t *testing.T) {
	c, err := Parse("f.test", "# c\nq\n--- input events\n{\"a\":1}\n--- output\n")
	if err != nil {
		t.Fatal(err)
	}
	h := &fakeHarness{res: &Result{}}
	dir := t.TempDir()
	if msg := Check(context.Background(), h, &c, dir); msg != "" {
		t.Fatal(msg)
	}
	if h.dir != dir || h.inputs["events"] != dir+"/events.jsonl" {
		t.Errorf("harness got dir %q inputs %v", h.dir, h.inputs)
	}
}

func TestDiff(t *testing.T) {
	got := Diff([]string{"a", "b", "c"}, []string{"a", "c", "d"})
	want := "     a\n    -b\n     c\n    +d\n"
	if got != want {
		t.Errorf("Diff =\n%s\nwant\n%s", got, want)
	}
}
