package scan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/types"
)

func mustPaths(t testing.TB, ss ...string) []jsonpath.Path {
	t.Helper()
	ps := make([]jsonpath.Path, len(ss))
	for i, s := range ss {
		p, err := jsonpath.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		ps[i] = p
	}
	return ps
}

// want describes one expected result: the type and the raw token text.
type want struct {
	typ JSONType
	raw string
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		paths []string
		want  []want
	}{
		{
			name:  "top level scalars",
			line:  `{"a":1,"b":"x","c":true,"d":null,"e":false,"f":-1.5e3}`,
			paths: []string{"a", "b", "c", "d", "e", "f", "g"},
			want:  []want{{Number, "1"}, {String, `"x"`}, {Bool, "true"}, {Null, "null"}, {Bool, "false"}, {Number, "-1.5e3"}, {Missing, ""}},
		},
		{
			name:  "nested objects and prefix paths",
			line:  `{"context":{"page":{"url":"http://x/","path":"/"},"ip":"1.2.3.4"},"event":"E"}`,
			paths: []string{"context.page.url", "context.page", "event", "context.nope", "context.page.url.deeper"},
			// context.page.url is a string, so .deeper is missing and
			// says why: Bytes is the value that blocks it.
			want: []want{{String, `"http://x/"`}, {Object, `{"url":"http://x/","path":"/"}`}, {String, `"E"`}, {Missing, ""}, {Missing, `"http://x/"`}},
		},
		{
			name:  "arrays",
			line:  `{"p":{"products":[{"price":1},{"price":2.5,"tags":["a","b"]}]},"empty":[]}`,
			paths: []string{"p.products[1].price", "p.products[0]", "p.products[2].price", "p.products[1].tags[1]", "p.products", "empty", "empty[0]"},
			want:  []want{{Number, "2.5"}, {Object, `{"price":1}`}, {Missing, ""}, {String, `"b"`}, {Array, `[{"price":1},{"price":2.5,"tags":["a","b"]}]`}, {Array, "[]"}, {Missing, ""}},
		},
		{
			name:  "index into a non-array and key into a non-object",
			line:  `{"a":{"b":1},"s":"str","n":[1]}`,
			paths: []string{"a[0]", "s.x", "n.x", "a.b"},
			want:  []want{{Missing, ""}, {Missing, `"str"`}, {Missing, "[1]"}, {Number, "1"}},
		},
		{
			name:  "escaped keys and values",
			line:  `{"a\"b":1,"\u0063":2,"t":"line\nbreak \"q\" \u00e9 \ud83d\ude00","a.b":3}`,
			paths: []string{"`a\"b`", "c", "t", "`a.b`"},
			want:  []want{{Number, "1"}, {Number, "2"}, {String, `"line\nbreak \"q\" \u00e9 \ud83d\ude00"`}, {Number, "3"}},
		},
		{
			name:  "unicode",
			line:  `{"naïve":"日本語 🎉","k":"ü"}`,
			paths: []string{"naïve", "k"},
			want:  []want{{String, `"日本語 🎉"`}, {String, `"ü"`}},
		},
		{
			name:  "duplicate keys: last wins",
			line:  `{"a":1,"a":2,"o":{"x":1},"o":{"y":2}}`,
			paths: []string{"a", "o.x", "o.y"},
			want:  []want{{Number, "2"}, {Missing, ""}, {Number, "2"}},
		},
		{
			name:  "whitespace everywhere",
			line:  " \t{ \"a\" : [ 1 , { \"b\" : \"c\" } ] ,\r\n \"d\" : { } } \r",
			paths: []string{"a[1].b", "a", "d"},
			want:  []want{{String, `"c"`}, {Array, `[ 1 , { "b" : "c" } ]`}, {Object, "{ }"}},
		},
		{
			name:  "lone surrogate is accepted",
			line:  `{"s":"\ud800x"}`,
			paths: []string{"s"},
			want:  []want{{String, `"\ud800x"`}},
		},
		{
			name:  "same path twice",
			line:  `{"a":1}`,
			paths: []string{"a", "a"},
			want:  []want{{Number, "1"}, {Number, "1"}},
		},
		{
			name:  "many siblings use the key map",
			line:  `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9}`,
			paths: []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"},
			want:  []want{{Number, "0"}, {Number, "1"}, {Number, "2"}, {Number, "3"}, {Number, "4"}, {Number, "5"}, {Number, "6"}, {Number, "7"}, {Number, "8"}, {Number, "9"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewExtractor(mustPaths(t, tt.paths...))
			if err := e.Extract([]byte(tt.line)); err != nil {
				t.Fatalf("Extract: %v", err)
			}
			for i, w := range tt.want {
				got := e.Get(i)
				if got.Type != w.typ || string(got.Bytes) != w.raw {
					t.Errorf("path %s: got %v %q, want %v %q", tt.paths[i], got.Type, got.Bytes, w.typ, w.raw)
				}
			}
		})
	}
}

func TestExtractResetsBetweenLines(t *testing.T) {
	e := NewExtractor(mustPaths(t, "a", "b"))
	if err := e.Extract([]byte(`{"a":1,"b":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := e.Extract([]byte(`{"a":3}`)); err != nil {
		t.Fatal(err)
	}
	if got := e.Get(1); got.Type != Missing {
		t.Fatalf("b after second line = %v, want missing", got.Type)
	}
	// A malformed line leaves nothing behind either.
	if err := e.Extract([]byte(`{"a":4,"b":`)); err == nil {
		t.Fatal("want error")
	}
	if got := e.Get(0); got.Type != Missing {
		t.Fatalf("a after bad line = %v, want missing", got.Type)
	}
}

func TestExtractMalformed(t *testing.T) {
	tests := []struct {
		name string
		line string
		err  error
	}{
		{"empty", ``, ErrMalformed},
		{"blank", "  \t", ErrMalformed},
		{"not an object: array", `[1]`, ErrMalformed},
		{"not an object: string", `"x"`, ErrMalformed},
		{"not an object: number", `1`, ErrMalformed},
		{"truncated after brace", `{`, ErrMalformed},
		{"truncated in key", `{"ab`, ErrMalformed},
		{"truncated after key", `{"a"`, ErrMalformed},
		{"truncated after colon", `{"a":`, ErrMalformed},
		{"truncated in string", `{"a":"xyz`, ErrMalformed},
		{"truncated in nested", `{"a":{"b":[1,2`, ErrMalformed},
		{"truncated escape", `{"a":"x\`, ErrMalformed},
		{"truncated literal", `{"a":tru`, ErrMalformed},
		{"trailing garbage", `{"a":1}x`, ErrMalformed},
		{"two objects", `{"a":1}{"b":2}`, ErrMalformed},
		{"trailing comma object", `{"a":1,}`, ErrMalformed},
		{"trailing comma array", `{"a":[1,]}`, ErrMalformed},
		{"missing comma", `{"a":1 "b":2}`, ErrMalformed},
		{"missing colon", `{"a" 1}`, ErrMalformed},
		{"unquoted key", `{a:1}`, ErrMalformed},
		{"single quotes", `{'a':1}`, ErrMalformed},
		{"bad escape", `{"a":"\x"}`, ErrMalformed},
		{"short unicode escape", `{"a":"\u12"}`, ErrMalformed},
		{"non-hex unicode escape", `{"a":"\u12g4"}`, ErrMalformed},
		{"bad escape in key", `{"\q":1}`, ErrMalformed},
		{"bad escape in skipped value", `{"skip":{"x":"\a"},"a":1}`, ErrMalformed},
		{"control char", "{\"a\":\"x\ty\"}", ErrMalformed},
		{"leading zero", `{"a":01}`, ErrMalformed},
		{"plus sign", `{"a":+1}`, ErrMalformed},
		{"bare minus", `{"a":-}`, ErrMalformed},
		{"dot without digits", `{"a":1.}`, ErrMalformed},
		{"leading dot", `{"a":.5}`, ErrMalformed},
		{"empty exponent", `{"a":1e}`, ErrMalformed},
		{"signed empty exponent", `{"a":1e+}`, ErrMalformed},
		{"NaN", `{"a":NaN}`, ErrMalformed},
		{"hex number", `{"a":0x10}`, ErrMalformed},
		{"bad literal", `{"a":nul}`, ErrMalformed},
		{"capital literal", `{"a":True}`, ErrMalformed},
		{"number then letters", `{"a":1true}`, ErrMalformed},
		{"unbalanced", `{"a":[1}`, ErrMalformed},
		{"invalid UTF-8 in value", "{\"a\":\"\xff\"}", ErrInvalidUTF8},
		{"invalid UTF-8 in key", "{\"\xc3\":1}", ErrInvalidUTF8},
		{"invalid UTF-8 in skipped value", "{\"s\":[\"ok\",\"\xe2\x82\"],\"a\":1}", ErrInvalidUTF8},
		{"UTF-8 encoded surrogate", "{\"a\":\"\xed\xa0\x80\"}", ErrInvalidUTF8},
		{"invalid UTF-8 outside string", "{\"a\":\xff}", ErrMalformed},
		{"too deep", `{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, paths := range [][]string{{"a"}, {"a[0]", "skip.x", "s[1]"}, nil} {
				e := NewExtractor(mustPaths(t, paths...))
				err := e.Extract([]byte(tt.line))
				if !errors.Is(err, tt.err) {
					t.Fatalf("paths %v: Extract(%q) = %v, want %v", paths, tt.line, err, tt.err)
				}
			}
			if err := Valid([]byte(tt.line)); !errors.Is(err, tt.err) {
				t.Fatalf("Valid = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestExtractAcceptsDeepNesting(t *testing.T) {
	// 10000 levels including the outer object is encoding/json's limit too.
	line := `{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`
	if err := NewExtractor(mustPaths(t, "a")).Extract([]byte(line)); err != nil {
		t.Fatal(err)
	}
	if !json.Valid([]byte(line)) {
		t.Fatal("encoding/json disagrees")
	}
}

func TestRawText(t *testing.T) {
	e := NewExtractor(mustPaths(t, "s", "n", "o"))
	if err := e.Extract([]byte(`{"s":"a\"b\u00e9","n":12,"o":{"x":[1]}}`)); err != nil {
		t.Fatal(err)
	}
	for i, w := range []string{`a"bé`, "12", `{"x":[1]}`} {
		if got := e.Get(i).Text(); got != w {
			t.Errorf("Text(%d) = %q, want %q", i, got, w)
		}
	}
}

const samplePath = "/work/shared/samples/segment/real-events.jsonl"

func readSample(t testing.TB) [][]byte {
	t.Helper()
	f, err := os.Open(samplePath)
	if err != nil {
		t.Skipf("samples not available: %v", err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func TestExtractRealSamples(t *testing.T) {
	lines := readSample(t)
	paths := []string{"messageId", "_metadata.bundled", "_metadata.bundled[0]", "context.page.path", "properties.lead_count", "version", "receivedAt"}
	e := NewExtractor(mustPaths(t, paths...))
	for n, line := range lines {
		if err := e.Extract(line); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		// Cross-check every path against encoding/json.
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatal(err)
		}
		for i, p := range mustPaths(t, paths...) {
			wantV, ok := lookup(m, p)
			got := e.Get(i)
			if !ok {
				if got.Type != Missing {
					t.Fatalf("line %d %s: got %v, want missing", n+1, p, got.Type)
				}
				continue
			}
			var gotV any
			if err := json.Unmarshal(got.Bytes, &gotV); err != nil {
				t.Fatalf("line %d %s: raw %q: %v", n+1, p, got.Bytes, err)
			}
			a, _ := json.Marshal(gotV)
			b, _ := json.Marshal(wantV)
			if !bytes.Equal(a, b) {
				t.Fatalf("line %d %s: got %s, want %s", n+1, p, a, b)
			}
		}
	}
	if len(lines) != 719 {
		t.Errorf("read %d sample lines, want 719", len(lines))
	}
}

// lookup follows p through values decoded by encoding/json.
func lookup(v any, p jsonpath.Path) (any, bool) {
	for _, st := range p {
		if st.IsIndex {
			a, ok := v.([]any)
			if !ok || st.Index >= len(a) {
				return nil, false
			}
			v = a[st.Index]
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[st.Key]; !ok {
			return nil, false
		}
	}
	return v, true
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		`{"a":1}`, `{"a":{"b":[1,2,{"c":"d"}]},"e":null}`, `{"a":"\u00e9\ud83d\ude00\n"}`,
		`{"a":-0.5e+10,"b":true,"c":false}`, `{"a":1,"a":2}`, ` { } `, `{"a":"\ud800"}`,
		`{"a":1}x`, `{"a":01}`, "{\"a\":\"\xff\"}", `[1]`, `{"a":1e400,"e":-2e999}`,
	} {
		f.Add([]byte(s))
	}
	if lines := readSample(f); len(lines) > 0 {
		f.Add(lines[0])
	}
	paths := []jsonpath.Path{{{Key: "a"}}, {{Key: "a"}, {Key: "b"}}, {{Key: "a"}, {Key: "b"}, {Index: 2, IsIndex: true}, {Key: "c"}}, {{Key: "e"}}}
	f.Fuzz(func(t *testing.T, line []byte) {
		e := NewExtractor(paths)
		err := e.Extract(line)
		var in Inferrer
		if ierr := in.Add(line); (ierr == nil) != (err == nil) {
			t.Fatalf("Inferrer.Add = %v but Extract = %v", ierr, err)
		}
		in.Schema()
		for i := range paths {
			for _, k := range []types.Kind{types.Null, types.Bool, types.Int, types.Float, types.String, types.Timestamp, types.Date} {
				AppendRaw(types.NewVector(k, 1), e.Get(i))
			}
		}
		if errors.Is(err, ErrInvalidUTF8) {
			return // encoding/json does not check UTF-8
		}
		trimmed := bytes.TrimLeft(line, " \t\r\n")
		isObject := len(trimmed) > 0 && trimmed[0] == '{'
		if want := json.Valid(line) && isObject; (err == nil) != want {
			t.Fatalf("Extract(%q) = %v, encoding/json says valid object = %v", line, err, want)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v wraps neither sentinel", err)
			}
			return
		}
		// UseNumber: a valid number past DOUBLE's range (1e400) is still
		// JSON, though it does not fit a float64.
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if jerr := dec.Decode(&m); jerr != nil {
			if !bytes.Contains(line, []byte(`\u`)) { // lone surrogates are fine for both
				t.Fatalf("Unmarshal: %v", jerr)
			}
			return
		}
		for i, p := range paths {
			got := e.Get(i)
			_, present := lookup(m, p)
			if present != (got.Type != Missing) {
				t.Fatalf("path %s: extracted %v, encoding/json present = %v", p, got.Type, present)
			}
			if got.Type == Missing {
				continue
			}
			if !json.Valid(got.Bytes) {
				t.Fatalf("path %s: raw %q is not valid JSON", p, got.Bytes)
			}
		}
	})
}

func TestExtractDoesNotAllocate(t *testing.T) {
	line := []byte(`{"a\u0062":{"c":[1,{"d":"x\"y"}]},"e":"é","f":2}`)
	e := NewExtractor(mustPaths(t, "ab.c[1].d", "e", "f", "ab"))
	if err := e.Extract(line); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = e.Extract(line) }); n != 0 {
		t.Fatalf("Extract allocates %v times per line", n)
	}
	if got := e.Get(0); string(got.Bytes) != `"x\"y"` {
		t.Fatalf("escaped key path: got %q", got.Bytes)
	}
}

func TestExtractRequire(t *testing.T) {
	tests := []struct {
		name string
		line string
		err  error  // nil, ErrRejected or ErrMalformed
		want string // Text of event when not rejected
	}{
		{"wanted", `{"event":"Added to Cart","x":1,"properties":{"vertical":"Food"}}`, nil, "Added to Cart"},
		{"other value stops early", `{"event":"Viewed","x":[1,{"y":2}]}`, ErrRejected, ""},
		{"null", `{"event":null,"x":1}`, ErrRejected, ""},
		// A path that is missing is NULL, which the filter rejects.
		{"missing", `{"x":1}`, ErrRejected, ""},
		{"one of two missing", `{"event":"Added to Cart","x":1}`, ErrRejected, ""},
		{"missing, with an escape that cannot spell it", `{"x":"a\"b"}`, ErrRejected, ""},
		{"missing, with a \\u escape that may spell it", `{"x":"\u0041"}`, nil, ""},
		{"a number is left to the filter", `{"event":5,"properties":{"vertical":"Food"}}`, nil, "5"},
		{"an escaped value is left to the filter", `{"event":"Added\u0020to Cart"}`, nil, "Added to Cart"},
		{"a repeated key wins", `{"event":"Viewed","event":"Added to Cart","properties":{"vertical":"Food"}}`, nil, "Added to Cart"},
		{"a repeated key spelt with an escape wins", `{"event":"Viewed","\u0065vent":"Added to Cart"}`, nil, "Added to Cart"},
		{"a repeated key that also fails", `{"event":"Viewed","event":"Other"}`, ErrRejected, ""},
		{"a line cut short is still read in full", `{"event":"Viewed","x":{"y":`, ErrMalformed, ""},
		// A line ruled out is not validated: damage in a line that still
		// ends its object goes unnoticed, which cannot change the query's
		// answer (Strict and BadLines read every line in full).
		{"the rest is not validated", `{"event":"Viewed","x":tru}`, ErrRejected, ""},
		{"nor what comes before", `{"x":tru,"event":"Viewed"}`, ErrRejected, ""},
		{"a key elsewhere stands for a missing path", `{"x":{"event":"Viewed"}}`, ErrRejected, ""},
		{"a quoted key inside a string is no key", `{"a":"x\"event\":\"Viewed","event":"Added to Cart","properties":{"vertical":"Food"}}`, nil, "Added to Cart"},
		{"a key ending in the key", `{"a\"event":"Viewed","event":"Added to Cart","properties":{"vertical":"Food"}}`, nil, "Added to Cart"},
		{"a key ending in the key, alone", `{"a\"event":"Viewed","properties":{"vertical":"Food"}}`, nil, ""},
		{"nested", `{"properties":{"vertical":"Toys","a":1},"event":"Added to Cart"}`, ErrRejected, ""},
		{"nested wanted", `{"properties":{"vertical":"Food"},"event":"Added to Cart"}`, nil, "Added to Cart"},
		// A repeated parent without the key leaves the path missing (NULL),
		// which the filter rejects too.
		{"repeated parent without the key", `{"properties":{"vertical":"Toys"},"properties":{},"event":"Added to Cart"}`, ErrRejected, ""},
		{"repeated parent with the key", `{"properties":{"vertical":"Toys"},"properties":{"vertical":"Food"},"event":"Added to Cart"}`, nil, "Added to Cart"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewExtractor(mustPaths(t, "event", "properties.vertical"))
			e.Require(0, []string{"Added to Cart", "Order Completed"})
			e.Require(1, []string{"Food"})
			err := e.Extract([]byte(tc.line))
			switch {
			case tc.err == nil && err != nil, tc.err != nil && !errors.Is(err, tc.err):
				t.Fatalf("Extract = %v, want %v", err, tc.err)
			}
			if err == nil {
				if got := e.Get(0).Text(); got != tc.want {
					t.Fatalf("event = %q, want %q", got, tc.want)
				}
			}
			// A second run must not be affected by the first's early stop.
			if err := e.Extract([]byte(`{"event":"Order Completed","properties":{"vertical":"Food"}}`)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestExtractRequireIntersects(t *testing.T) {
	e := NewExtractor(mustPaths(t, "event"))
	e.Require(0, []string{"a", "b"})
	e.Require(0, []string{"b", "c"})
	for line, want := range map[string]error{`{"event":"a"}`: ErrRejected, `{"event":"b"}`: nil, `{"event":"c"}`: ErrRejected} {
		if err := e.Extract([]byte(line)); err != want {
			t.Errorf("%s: %v, want %v", line, err, want)
		}
	}
}

// FuzzExtractRequire checks that an early stop never drops a line the full
// read would keep: whenever Extract with requirements says ErrRejected, the
// same line read in full is malformed or fails a requirement (its last
// occurrence of the path is missing, null or another plain string: all
// values the filter rejects). Otherwise both
// reads agree.
func FuzzExtractRequire(f *testing.F) {
	for _, s := range []string{
		`{"e":"x"}`, `{"e":"q","e":"x"}`, `{"e":"q","\u0065":"x"}`, `{"a":{"b":"z"},"a":{}}`,
		`{"a":{"b":"q"},"a":{"b":"z"},"e":"y"}`, `{"e":null}`, `{"e":"q","x":tru}`, `{"e":"x\u0079"}`,
		`{"e":"q","x":{"e":"x"}}`, `{"e":"q"` + "\n",
	} {
		f.Add([]byte(s))
	}
	paths := []jsonpath.Path{{{Key: "e"}}, {{Key: "a"}, {Key: "b"}}}
	sets := [][]string{{"x", "y"}, {"z"}}
	f.Fuzz(func(t *testing.T, line []byte) {
		full := NewExtractor(paths)
		ferr := full.Extract(line)
		early := NewExtractor(paths)
		for i, s := range sets {
			early.Require(i, s)
		}
		err := early.Extract(line)
		if err == ErrRejected {
			if ferr != nil {
				return
			}
			for i, s := range sets {
				r := full.Get(i)
				if r.Type == Missing || r.Type == Null || r.Type == String && !bytes.Contains(r.Bytes, []byte{'\\'}) && !slices.Contains(s, r.Text()) {
					return
				}
			}
			t.Fatalf("%q rejected early, but read in full it is wanted: %q %q", line, full.Get(0).Bytes, full.Get(1).Bytes)
		}
		if (err == nil) != (ferr == nil) {
			t.Fatalf("%q: early %v, full %v", line, err, ferr)
		}
		if err == nil {
			for i := range paths {
				if a, b := early.Get(i), full.Get(i); a.Type != b.Type || !bytes.Equal(a.Bytes, b.Bytes) {
					t.Fatalf("%q path %d: early %q, full %q", line, i, a.Bytes, b.Bytes)
				}
			}
		}
	})
}
