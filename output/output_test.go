package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nectar-dev/nectar/parquetfile"
	"github.com/nectar-dev/nectar/types"
)

var testSchema = types.Schema{
	{Name: "event", Kind: types.String},
	{Name: "n", Kind: types.Int},
	{Name: "x", Kind: types.Float},
	{Name: "ok", Kind: types.Bool},
	{Name: "ts", Kind: types.Timestamp},
	{Name: "day", Kind: types.Date},
	{Name: "v", Kind: types.Null},
}

func ts(s string) types.Value {
	t, ok := types.ParseTimestamp(s)
	if !ok {
		panic(s)
	}
	return types.TimestampValue(t)
}

var testRows = [][]types.Value{
	{types.StringValue("Order Completed"), types.IntValue(42), types.FloatValue(2), types.BoolValue(true),
		ts("2024-01-02T03:04:05.123456Z"), types.DateValue(19724), types.NullValue},
	{types.NullValue, types.IntValue(-7), types.NullValue, types.BoolValue(false),
		types.NullValue, types.NullValue, types.NullValue},
	{types.StringValue("café, \"quoted\"\nline"), types.NullValue, types.FloatValue(math.NaN()), types.NullValue,
		ts("2024-01-02T00:00:00Z"), types.DateValue(-1), types.NullValue},
	{types.StringValue(strings.Repeat("ü", 70)), types.IntValue(1234567), types.FloatValue(math.Inf(-1)), types.BoolValue(true),
		ts("1969-12-31T23:59:59.5Z"), types.DateValue(0), types.NullValue},
}

// batchesOf splits rows into batches of size n, as an executor would.
func batchesOf(schema types.Schema, rows [][]types.Value, n int) []*types.Batch {
	var out []*types.Batch
	for len(rows) > 0 {
		k := min(n, len(rows))
		b := types.NewBatch(schema, k)
		for _, r := range rows[:k] {
			b.AppendRow(r)
		}
		out = append(out, b)
		rows = rows[k:]
	}
	return out
}

func render(t *testing.T, f Format, schema types.Schema, rows [][]types.Value) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := New(f, &buf, schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batchesOf(schema, rows, 3) {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		// The writer must not keep the batch: scribble over it.
		for _, c := range b.Cols {
			for i := range c.S {
				c.S[i] = "clobbered"
			}
			for i := range c.I {
				c.I[i] = 99
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestGolden(t *testing.T) {
	long := strings.Repeat("ü", 59) + "…"
	tests := []struct {
		name   string
		format Format
		schema types.Schema
		rows   [][]types.Value
		want   string
	}{
		{"table", Table, testSchema, testRows, "" +
			"event" + strings.Repeat(" ", 55) + "        n          x  ok     ts                           day         v\n" +
			strings.Repeat("-", 60) + "  -------  ---------  -----  ---------------------------  ----------  ----\n" +
			"Order Completed" + strings.Repeat(" ", 45) + "       42        2.0  true   2024-01-02T03:04:05.123456Z  2024-01-02  NULL\n" +
			"NULL" + strings.Repeat(" ", 56) + "       -7       NULL  false  NULL                         NULL        NULL\n" +
			`café, "quoted"\nline` + strings.Repeat(" ", 40) + "     NULL        NaN  NULL   2024-01-02T00:00:00Z         1969-12-31  NULL\n" +
			long + "  1234567  -Infinity  true   1969-12-31T23:59:59.5Z       1970-01-01  NULL\n" +
			"(4 rows)\n"},
		{"table one row", Table, testSchema[:2], testRows[:1], "" +
			"event             n\n" +
			"---------------  --\n" +
			"Order Completed  42\n" +
			"(1 row)\n"},
		{"table empty", Table, testSchema[:3], nil, "" +
			"event  n  x\n" +
			"-----  -  -\n" +
			"(0 rows)\n"},
		{"table no columns", Table, nil, nil, "(0 rows)\n"},
		{"csv", CSV, testSchema, testRows, "" +
			"event,n,x,ok,ts,day,v\n" +
			"Order Completed,42,2.0,true,2024-01-02T03:04:05.123456Z,2024-01-02,\n" +
			",-7,,false,,,\n" +
			"\"café, \"\"quoted\"\"\nline\",,NaN,,2024-01-02T00:00:00Z,1969-12-31,\n" +
			strings.Repeat("ü", 70) + ",1234567,-Infinity,true,1969-12-31T23:59:59.5Z,1970-01-01,\n"},
		{"csv empty", CSV, testSchema[:2], nil, "event,n\n"},
		{"json", JSON, testSchema, testRows, "" +
			`{"event":"Order Completed","n":42,"x":2.0,"ok":true,"ts":"2024-01-02T03:04:05.123456Z","day":"2024-01-02","v":null}` + "\n" +
			`{"event":null,"n":-7,"x":null,"ok":false,"ts":null,"day":null,"v":null}` + "\n" +
			`{"event":"café, \"quoted\"\nline","n":null,"x":"NaN","ok":null,"ts":"2024-01-02T00:00:00Z","day":"1969-12-31","v":null}` + "\n" +
			`{"event":"` + strings.Repeat("ü", 70) + `","n":1234567,"x":"-Infinity","ok":true,"ts":"1969-12-31T23:59:59.5Z","day":"1970-01-01","v":null}` + "\n"},
		{"json empty", JSON, testSchema, nil, ""},
		{"line", Line, testSchema[:3], testRows[:3], "" +
			"event = Order Completed\n" +
			"    n = 42\n" +
			"    x = 2.0\n" +
			"\n" +
			"event = NULL\n" +
			"    n = -7\n" +
			"    x = NULL\n" +
			"\n" +
			`event = café, "quoted"\nline` + "\n" +
			"    n = NULL\n" +
			"    x = NaN\n" +
			"\n" +
			"(3 rows)\n"},
		{"line long value kept whole", Line, testSchema[:1], testRows[3:], "event = " + strings.Repeat("ü", 70) + "\n\n(1 row)\n"},
		{"line empty", Line, testSchema, nil, "(0 rows)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(t, tc.format, tc.schema, tc.rows); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestJSONRowEscaping(t *testing.T) {
	sch := types.Schema{{Name: "k\"\n", Kind: types.String}}
	tests := []struct {
		in, want string
	}{
		{"plain", `"plain"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"tab\tcr\rnl\n", `"tab\tcr\rnl\n"`},
		{`back\slash "q"`, `"back\\slash \"q\""`},
		{"<a&b>", `"<a&b>"`},
		{"日本語 emoji 🎉 é", `"日本語 emoji 🎉 é"`},
		{"line\u2028sep\u2029", `"line\u2028sep\u2029"`},
		{"bad\xffutf8", `"bad\ufffdutf8"`},
	}
	for _, tc := range tests {
		got := string(JSONRow(nil, sch, []types.Value{types.StringValue(tc.in)}))
		want := `{"k\"\n":` + tc.want + `}`
		if got != want {
			t.Errorf("JSONRow(%q) = %s, want %s", tc.in, got, want)
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(got), &m); err != nil {
			t.Errorf("JSONRow(%q) is not JSON: %v", tc.in, err)
		}
	}
}

func TestJSONRowNumbers(t *testing.T) {
	sch := types.Schema{{Name: "x", Kind: types.Float}}
	tests := []struct {
		v    types.Value
		want string
	}{
		{types.FloatValue(2), `2.0`},
		{types.FloatValue(0.1), `0.1`},
		{types.FloatValue(-0.5), `-0.5`},
		{types.FloatValue(1e300), `1.0E300`},
		{types.FloatValue(math.Copysign(0, -1)), `-0.0`},
		{types.FloatValue(123.25), `123.25`},
		{types.FloatValue(math.Inf(1)), `"Infinity"`},
		{types.FloatValue(math.NaN()), `"NaN"`},
		{types.IntValue(math.MinInt64), `-9223372036854775808`},
	}
	for _, tc := range tests {
		got := string(JSONRow(nil, sch, []types.Value{tc.v}))
		if want := `{"x":` + tc.want + `}`; got != want {
			t.Errorf("JSONRow(%v) = %s, want %s", tc.v, got, want)
		}
	}
}

func TestCSVQuoting(t *testing.T) {
	sch := types.Schema{{Name: "a,b", Kind: types.String}, {Name: "n", Kind: types.Int}}
	rows := [][]types.Value{
		{types.StringValue(`say "hi"`), types.IntValue(1)},
		{types.StringValue("a,b"), types.NullValue},
		{types.StringValue("two\nlines"), types.IntValue(3)},
		{types.StringValue(" lead"), types.IntValue(4)},
		{types.StringValue(""), types.IntValue(5)},
	}
	want := "\"a,b\",n\n" +
		"\"say \"\"hi\"\"\",1\n" +
		"\"a,b\",\n" +
		"\"two\nlines\",3\n" +
		"\" lead\",4\n" +
		",5\n"
	if got := render(t, CSV, sch, rows); got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestRowCount(t *testing.T) {
	for n, want := range map[int64]string{0: "(0 rows)", 1: "(1 row)", 2: "(2 rows)", 1500: "(1500 rows)"} {
		if got := RowCount(n); got != want {
			t.Errorf("RowCount(%d) = %q, want %q", n, got, want)
		}
	}
	// The footer counts rows across batches.
	rows := make([][]types.Value, 2500)
	for i := range rows {
		rows[i] = []types.Value{types.IntValue(int64(i))}
	}
	out := render(t, Table, types.Schema{{Name: "i", Kind: types.Int}}, rows)
	if !strings.HasSuffix(out, "\n2499\n(2500 rows)\n") {
		t.Errorf("table ends %q", out[len(out)-30:])
	}
}

func TestGlimpse(t *testing.T) {
	var buf bytes.Buffer
	if err := GlimpseWidth(&buf, testSchema, testRows, 1234567, 60); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"Rows: 1,234,567\n" +
		"Columns: 7\n" +
		`$ event <chr> "Order Completed", NA, "café, \"quoted\"\nlin…` + "\n" +
		"$ n     <int> 42, -7, NA, 1234567\n" +
		"$ x     <dbl> 2.0, NA, NaN, -Infinity\n" +
		"$ ok    <lgl> true, false, NA, true\n" +
		"$ ts    <dttm> 2024-01-02T03:04:05.123456Z, NA, 2024-01-02T…\n" +
		"$ day   <date> 2024-01-02, NA, 1969-12-31, 1970-01-01\n" +
		"$ v     <void> NA, NA, NA, NA\n"
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if n := len([]rune(line)); n > 60 {
			t.Errorf("line of %d runes: %q", n, line)
		}
	}
}

func TestGlimpseEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Glimpse(&buf, testSchema[:2], nil, 0); err != nil {
		t.Fatal(err)
	}
	want := "Rows: 0\nColumns: 2\n$ event <chr>\n$ n     <int>\n"
	if got := buf.String(); got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
		err  error
	}{
		{"table", Table, nil},
		{"CSV", CSV, nil},
		{"json", JSON, nil},
		{"ndjson", JSON, nil},
		{"jsonl", JSON, nil},
		{"parquet", Parquet, nil},
		{"arrow", Arrow, nil},
		{"line", Line, nil},
		{"vertical", Line, nil},
		{"xml", "", ErrFormat},
		{"", "", ErrFormat},
	}
	for _, tc := range tests {
		got, err := ParseFormat(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if _, err := New("xml", &bytes.Buffer{}, nil); !errors.Is(err, ErrFormat) {
		t.Errorf("New(xml): %v, want ErrFormat", err)
	}
}

func TestFormatFor(t *testing.T) {
	tests := []struct {
		path string
		want Format
	}{
		{"out.csv", CSV},
		{"OUT.CSV", CSV},
		{"dir.v2/out.json", JSON},
		{"out.jsonl", JSON},
		{"out.ndjson", JSON},
		{"s3://b/k/out.parquet", Parquet},
		{"out.arrow", Arrow},
		{"out.txt", Table},
		{"out", Table},
		{"", Table},
		{"out.xlsx", ""},
		{"out.csv.gz", ""},
	}
	for _, tc := range tests {
		got, err := FormatFor(tc.path)
		if got != tc.want || (tc.want == "") != errors.Is(err, ErrFormat) {
			t.Errorf("FormatFor(%q) = %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
	if _, err := FormatFor("x.xlsx"); err == nil || !strings.Contains(err.Error(), ".xlsx") || !strings.Contains(err.Error(), ".parquet") {
		t.Errorf("FormatFor(x.xlsx): %v, want the extension and the list", err)
	}
}

func TestParquetOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(Parquet, f, testSchema)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batchesOf(testSchema, testRows, 3) {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := parquetfile.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []byte
	for {
		b, err := r.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		for i := 0; i < b.Len; i++ {
			got = JSONRow(got, r.Schema(), b.Row(nil, i))
			got = append(got, '\n')
		}
	}
	if want := render(t, JSON, testSchema, testRows); string(got) != want {
		t.Errorf("parquet read back:\n%s\nwant:\n%s", got, want)
	}
}

func TestBatchMismatch(t *testing.T) {
	for _, f := range []Format{Table, CSV, JSON, Arrow} {
		w, err := New(f, &bytes.Buffer{}, testSchema)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(types.NewBatch(testSchema[:2], 0)); err == nil {
			t.Errorf("%s: no error for a batch with too few columns", f)
		}
	}
}

func TestTableFitsWidth(t *testing.T) {
	schema := types.Schema{}
	row := []types.Value{}
	for i := range 8 {
		schema = append(schema, types.Column{Name: fmt.Sprintf("col%d", i), Kind: types.String})
		row = append(row, types.StringValue(fmt.Sprintf("value%d", i)))
	}
	render := func(width int) string {
		var buf bytes.Buffer
		w := NewTable(&buf, schema, width, "--format line shows every column")
		if err := w.Write(batchesOf(schema, [][]types.Value{row}, 1)[0]); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	// Each column is 6 wide, 2 between: all 8 need 62.
	if got := render(62); strings.Contains(got, "…") || !strings.HasSuffix(got, "(1 row)\n") {
		t.Errorf("width 62 fits every column:\n%s", got)
	}
	if got := render(0); strings.Contains(got, "…") {
		t.Errorf("width 0 is no limit:\n%s", got)
	}
	want := "" +
		"col0    col1    …  col6    col7\n" +
		"------  ------  -  ------  ------\n" +
		"value0  value1  …  value6  value7\n" +
		"(1 row; 4 of 8 columns not shown to fit the terminal: --format line shows every column)\n"
	if got := render(40); got != want {
		t.Errorf("width 40:\n%s\nwant:\n%s", got, want)
	}
	for _, width := range []int{40, 33, 20, 9, 4, 1} {
		for _, line := range strings.Split(strings.TrimSuffix(render(width), "\n"), "\n") {
			if !strings.HasPrefix(line, "(") && utf8.RuneCountInString(line) > max(width, 4) {
				t.Errorf("width %d: line %q is %d wide", width, line, utf8.RuneCountInString(line))
			}
		}
	}
	// The first column alone is wider than the terminal: it is cut.
	if got := render(5); !strings.HasPrefix(got, "c…  …\n--  -\nv…  …\n") {
		t.Errorf("width 5:\n%s", got)
	}
}
