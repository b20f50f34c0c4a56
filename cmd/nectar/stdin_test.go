package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestQueryFromStdin runs the binary with SQL on standard input, as
// `nectar query < script.sql`, `… | nectar query -f -` and the shell's
// script mode read it.
func TestQueryFromStdin(t *testing.T) {
	bin := buildNectar(t)
	cases := []struct {
		name  string
		args  []string
		stdin string
		code  int
		out   string
		err   string
	}{
		{"piped", []string{"query"}, "SELECT 1 AS a;\nSELECT 2 AS b", 0, "a\n-\n1\n(1 row)\n\nb\n-\n2\n(1 row)\n", ""},
		{"-f -", []string{"query", "-f", "-", "--format", "csv"}, "SELECT 'x' AS s", 0, "s\nx\n", ""},
		{"empty", []string{"query"}, "", 1, "", "error: give a query as the argument, a script with -f FILE, or the script on standard input (-f -, or a pipe)\n"},
		{"error at the script's line", []string{"query"}, "SELECT 1;\nSELECT nope;", 1, "", "error at 2:8"},
		{"shell script", []string{"shell"}, ".mode csv\nSELECT 1 AS a;\n", 0, "a\n1\n", ""},
		{"shell script that fails", []string{"shell"}, "SELECT nope;\nSELECT 2 AS b;\n", 1, "b\n-\n2\n", "1 of the script's statements failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, c.args...)
			cmd.Dir = t.TempDir()
			cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(c.stdin), &stdout, &stderr
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != c.code {
				t.Errorf("exit %d, want %d; stderr %q", code, c.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), c.out) {
				t.Errorf("stdout %q, want %q", stdout.String(), c.out)
			}
			if !strings.Contains(stderr.String(), c.err) {
				t.Errorf("stderr %q, want %q", stderr.String(), c.err)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v1.2.3"
	var out bytes.Buffer
	if code := run(t.Context(), []string{"--version"}, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "nectar version v1.2.3 (") {
		t.Errorf("--version: exit %d, %q", code, out.String())
	}
	version = ""
	if v := versionString(); !strings.HasPrefix(v, "devel (") && !strings.HasPrefix(v, "v") {
		t.Errorf("version without -ldflags: %q", v)
	}
}
