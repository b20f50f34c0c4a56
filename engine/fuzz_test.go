package engine_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/corpus"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
)

// FuzzQuery mutates the corpus queries and runs them over the corpus
// inputs: whatever the text, the engine must answer with rows or an
// error, never a panic. The seeds are every corpus case (its index picks
// the inputs); crashers found are kept under testdata/fuzz/FuzzQuery.
func FuzzQuery(f *testing.F) {
	cases, err := corpus.Load(corpus.Files)
	if err != nil {
		f.Fatal(err)
	}
	for i := range cases {
		f.Add(uint16(i), cases[i].Query)
	}
	root := f.TempDir()
	var mu sync.Mutex
	written := map[int]map[string]string{}
	inputsOf := func(i int) (map[string]string, string, error) {
		mu.Lock()
		defer mu.Unlock()
		dir := filepath.Join(root, fmt.Sprint(i))
		if in, ok := written[i]; ok {
			return in, dir, nil
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, "", err
		}
		in := map[string]string{}
		for _, input := range cases[i].Inputs {
			p := filepath.Join(dir, input.Name+".jsonl")
			if err := os.WriteFile(p, []byte(input.Data), 0o644); err != nil {
				return nil, "", err
			}
			in[input.Name] = p
		}
		written[i] = in
		return in, dir, nil
	}
	f.Fuzz(func(t *testing.T, idx uint16, query string) {
		// Table functions would let the fuzzer read anything on disk.
		if strings.Contains(strings.ToLower(query), "read_") && (strings.Contains(query, "/") || strings.Contains(query, "..")) {
			t.Skip()
		}
		if len(query) > 4096 {
			t.Skip()
		}
		i := int(idx) % len(cases)
		inputs, dir, err := inputsOf(i)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e := engine.New(engine.Options{Dir: dir, BatchRows: 1 + i%3})
		for name, path := range inputs {
			e.DefineSource(name, "read_json", path)
		}
		_ = e.Run(ctx, query, func(r *engine.Result) error {
			if r.Kind != engine.Rows {
				return nil
			}
			_, err := exec.Collect(ctx, r.Rows)
			return err
		})
	})
}

// TestFuzzTargetsListed keeps scripts/fuzz.sh's list of targets complete:
// a fuzz function it does not name would never run in CI.
func TestFuzzTargetsListed(t *testing.T) {
	script, err := os.ReadFile("../scripts/fuzz.sh")
	if err != nil {
		t.Fatal(err)
	}
	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "oracle" || d.Name() == "bench" || strings.HasPrefix(d.Name(), ".")) && p != ".." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		pkg := "./" + filepath.ToSlash(filepath.Dir(strings.TrimPrefix(p, "../")))
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(data), -1) {
			if !strings.Contains(string(script), `"`+pkg+" "+m[1]+" ") {
				t.Errorf("scripts/fuzz.sh does not run %s %s", pkg, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
