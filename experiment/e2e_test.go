package experiment

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
)

// genData writes a small gen data set once per test binary.
func genData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: 40000, Files: 4, Seed: 7, Days: 4})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEndToEndGen(t *testing.T) {
	dir := genData(t)
	data, err := os.ReadFile("testdata/food-recs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := ParseSpec(data, dir)
	if err != nil {
		t.Fatal(err)
	}
	spec.Source = filepath.Join(dir, "segment-logs")
	rep, err := Run(context.Background(), engine.New(engine.Options{}), spec)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	rep.WriteTable(&buf)
	t.Log("\n" + buf.String())
}
