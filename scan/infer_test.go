package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

func TestInferrer(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []InferredColumn // Path is checked through Name
	}{
		{
			name:  "kinds",
			lines: []string{`{"b":true,"i":1,"f":1.5,"e":1e2,"s":"2023-11-25T00:30:05Z","n":null,"a":[1,2],"big":12345678901234567890}`},
			want: []InferredColumn{
				{Name: "b", Kind: types.Bool}, {Name: "i", Kind: types.Int}, {Name: "f", Kind: types.Float},
				{Name: "e", Kind: types.Float}, {Name: "s", Kind: types.String}, {Name: "n", Kind: types.Null},
				{Name: "a", Kind: types.ArrayOf(types.Int)}, {Name: "big", Kind: types.Float},
			},
		},
		{
			// Spark's JSON inference: elements widen together, objects in
			// arrays are structs with their keys in name order, merged
			// over every element and line; null-only and empty parts are
			// STRING; an array against a scalar is STRING.
			name: "arrays",
			lines: []string{
				`{"p":[{"sku":"a","price":1},{"price":2.5,"tags":["x"]}],"n":[1,null],"e":[],"z":[null],"m":[[1],[2.5]],"c":[1]}`,
				`{"p":[{"qty":3}],"n":[2],"e":[],"z":null,"m":[],"c":"one"}`,
			},
			want: []InferredColumn{
				{Name: "p", Kind: types.MustParseKind("ARRAY<STRUCT<price: DOUBLE, qty: BIGINT, sku: STRING, tags: ARRAY<STRING>>>")},
				{Name: "n", Kind: types.ArrayOf(types.Int)},
				{Name: "e", Kind: types.ArrayOf(types.String)},
				{Name: "z", Kind: types.ArrayOf(types.String)},
				{Name: "m", Kind: types.ArrayOf(types.ArrayOf(types.Float))},
				{Name: "c", Kind: types.String},
			},
		},
		{
			name:  "flattening keeps objects together in first-seen order",
			lines: []string{`{"context":{"page":{"url":"u"},"ip":"x"},"event":"e"}`, `{"context":{"page":{"path":"/"}},"userId":"u"}`},
			want: []InferredColumn{
				{Name: "context.page.url", Kind: types.String}, {Name: "context.page.path", Kind: types.String},
				{Name: "context.ip", Kind: types.String}, {Name: "event", Kind: types.String}, {Name: "userId", Kind: types.String},
			},
		},
		{
			name:  "widening",
			lines: []string{`{"a":1,"b":1,"c":null,"d":true,"e":"x","f":null}`, `{"a":2.5,"b":"s","c":3,"d":1,"e":[1],"f":null}`},
			want: []InferredColumn{
				{Name: "a", Kind: types.Float}, {Name: "b", Kind: types.String}, {Name: "c", Kind: types.Int},
				{Name: "d", Kind: types.String}, {Name: "e", Kind: types.String}, {Name: "f", Kind: types.Null},
			},
		},
		{
			name:  "object against scalar widens to one string column",
			lines: []string{`{"p":{"x":1},"q":null}`, `{"p":"flat","q":{"y":true}}`},
			want:  []InferredColumn{{Name: "p", Kind: types.String}, {Name: "q.y", Kind: types.Bool}},
		},
		{
			name:  "empty objects give no column",
			lines: []string{`{"integrations":{},"x":1}`},
			want:  []InferredColumn{{Name: "x", Kind: types.Int}},
		},
		{
			name:  "odd keys are backquoted",
			lines: []string{`{"a.b":1,"o":{"c[0]":2},"\u0041":3}`},
			want:  []InferredColumn{{Name: "`a.b`", Kind: types.Int}, {Name: "o.`c[0]`", Kind: types.Int}, {Name: "A", Kind: types.Int}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in Inferrer
			for _, l := range tt.lines {
				if err := in.Add([]byte(l)); err != nil {
					t.Fatalf("Add(%s): %v", l, err)
				}
			}
			got := in.Schema()
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i, w := range tt.want {
				if got[i].Name != w.Name || got[i].Kind != w.Kind {
					t.Errorf("column %d = %s %s, want %s %s", i, got[i].Name, got[i].Kind, w.Name, w.Kind)
				}
				if p, err := jsonpath.Parse(got[i].Name); err != nil || !p.Equal(got[i].Path) {
					t.Errorf("column %d: Name %q does not parse to Path %v (%v)", i, got[i].Name, got[i].Path, err)
				}
			}
		})
	}
}

func TestInferrerRejectsBadLinesWhole(t *testing.T) {
	var in Inferrer
	for _, l := range []string{`{"a":1,"b":`, "{\"c\":\"\xff\"}", `[1]`} {
		if err := in.Add([]byte(l)); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrInvalidUTF8) {
			t.Fatalf("Add(%q) = %v", l, err)
		}
	}
	if s := in.Schema(); len(s) != 0 || in.Lines() != 0 {
		t.Fatalf("bad lines leaked into the schema: %v", s)
	}
}

func TestInferRealSamples(t *testing.T) {
	var in Inferrer
	for i, l := range readSample(t) {
		if err := in.Add(l); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
	}
	got := map[string]types.Kind{}
	for _, c := range in.Schema() {
		got[c.Name] = c.Kind
	}
	for name, kind := range map[string]types.Kind{
		"_metadata.bundled":     types.ArrayOf(types.String),
		"context.page.path":     types.String,
		"properties.lead_count": types.String, // Segment sent "1", a string
		"version":               types.Int,
		"receivedAt":            types.String, // never inferred as a timestamp
		"messageId":             types.String,
	} {
		if k, ok := got[name]; !ok || k != kind {
			t.Errorf("%s: got %v (present %v), want %v", name, k, ok, kind)
		}
	}
	if _, ok := got["integrations"]; ok {
		t.Error("empty object integrations should give no column")
	}
}

// TestInferFilesMatchesSerial checks the parallel sampling against the
// serial walk it replaces: files of different lengths (so short files hand
// their share on), fields that first appear in later files, bad lines, a
// cut gzip and a non-log file, at several budgets.
func TestInferFilesMatchesSerial(t *testing.T) {
	dir := t.TempDir()
	var files []source.File
	for f := range 20 {
		n := []int{3, 200, 0, 57, 1000}[f%5]
		lines := make([]string, 0, n+1)
		for i := range n {
			num := fmt.Sprint(i)
			if i == 180 {
				num = "180.5" // widens n only when a file's share reaches it
			}
			lines = append(lines, fmt.Sprintf(`{"event":"e%d","n":%s,"f%d":{"x":%d}}`, i%3, num, f, i))
			if i%17 == 5 {
				lines = append(lines, `{"broken":`)
			}
		}
		if n == 0 {
			files = append(files, writeFile(t, dir, fmt.Sprintf("%02d-dummy.txt", f), []byte("not a log")))
			continue
		}
		files = append(files, writeGz(t, dir, fmt.Sprintf("%02d.gz", f), lines))
	}
	cut := files[len(files)-1]
	data, err := os.ReadFile(cut.Path)
	if err != nil {
		t.Fatal(err)
	}
	files[len(files)-1] = writeFile(t, dir, "cut.gz", data[:len(data)/2])
	for _, maxLines := range []int{1, 7, 100, 2000, 100000} {
		want := serialInfer(t, files, maxLines)
		got, _, err := InferFiles(context.Background(), files, maxLines)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("maxLines %d:\n got %v\nwant %v", maxLines, got, want)
		}
	}
}

// serialInfer is the serial sampling InferFiles must reproduce.
func serialInfer(t *testing.T, files []source.File, maxLines int) []InferredColumn {
	picked := sampleFiles(len(files), maxSampleFiles)
	var in Inferrer
	left := maxLines
	for k, idx := range picked {
		budget := max(1, left/(len(picked)-k))
		rc, err := source.Open(context.Background(), files[idx])
		if errors.Is(err, source.ErrNotLog) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		lr := source.NewLineReader(rc, 0)
		added := 0
		for added < budget {
			line, _, err := lr.Next()
			if err != nil {
				break
			}
			if in.Add(line) == nil {
				added++
			}
		}
		rc.Close()
		if left -= added; left <= 0 {
			break
		}
	}
	return in.Schema()
}

// TestInferrerMerge: inferring files apart and merging them in order gives
// the schema one Inferrer fed every line gives.
func TestInferrerMerge(t *testing.T) {
	files := [][]string{
		{`{"a":1,"o":{"x":1}}`, `{"a":null,"n":null}`},
		{`{"b":"s","o":{"y":true},"a":2.5}`, `{"o":"flat"}`},
		{`{"n":3,"z":{}}`, `{"arr":[1],"b":1}`},
	}
	var serial Inferrer
	var merged Inferrer
	for _, lines := range files {
		var part Inferrer
		for _, l := range lines {
			if err := serial.Add([]byte(l)); err != nil {
				t.Fatal(err)
			}
			if err := part.Add([]byte(l)); err != nil {
				t.Fatal(err)
			}
		}
		merged.Merge(&part)
	}
	want, got := fmt.Sprint(serial.Schema()), fmt.Sprint(merged.Schema())
	if got != want || merged.Lines() != serial.Lines() {
		t.Errorf("merged %s (%d lines)\nserial %s (%d lines)", got, merged.Lines(), want, serial.Lines())
	}
}
