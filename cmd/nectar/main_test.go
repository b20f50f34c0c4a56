package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/gen"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// outcome is what one nectar command line did.
type outcome struct {
	code           int
	stdout, stderr string
}

// nectar runs one command line in-process, in the current directory.
func nectar(t *testing.T, args ...string) outcome {
	t.Helper()
	return nectarCtx(t, context.Background(), args...)
}

func nectarCtx(t *testing.T, ctx context.Context, args ...string) outcome {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return outcome{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// mustSucceed fails the test unless the command exited 0.
func (o outcome) mustSucceed(t *testing.T) outcome {
	t.Helper()
	if o.code != 0 {
		t.Fatalf("exit code %d, want 0\nstderr:\n%s", o.code, o.stderr)
	}
	return o
}

// inTempDir makes a fresh directory the working directory for the rest of
// the test, so relative paths (and the _file values printed) are short and
// stable. Tests that use it cannot run in parallel.
func inTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

// genLogs writes a small Segment data set under dir/logs (the S3 layout) and
// returns the glob that reads it, relative to dir.
func genLogs(t *testing.T, dir string, o gen.Options) string {
	t.Helper()
	o.Out = filepath.Join(dir, "logs")
	if o.Events == 0 {
		o.Events, o.Files, o.Days = 300, 3, 3
	}
	if o.Seed == 0 {
		o.Seed = 7
	}
	o.Workers = 1
	if _, err := gen.Generate(context.Background(), o); err != nil {
		t.Fatalf("generate logs: %v", err)
	}
	return "logs/segment-logs/**/*.gz"
}

// writeFiles creates files (relative path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// golden compares got with testdata/name.golden, or rewrites it under
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// testdataDir is absolute because tests change the working directory.
var testdataDir = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "testdata")
}()

// lines splits output into lines without the final newline's empty one.
func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// genOptions are generator options; zero fields take genLogs' small defaults.
type genOptions = gen.Options
