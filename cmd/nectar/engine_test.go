package main

import (
	"os"
	"strings"
	"testing"
)

// TestEngineChoice checks where --engine, NECTAR_ENGINE and nectar.yaml's
// engine: send a query, without a Spark server: --explain prints the Spark
// SQL and sends nothing.
func TestEngineChoice(t *testing.T) {
	dir := inTempDir(t)
	writeFiles(t, dir, map[string]string{"e.jsonl": `{"event":"a","properties":{"price":2}}` + "\n"})
	const q = "SELECT event, count(*) AS n FROM read_json('e.jsonl') GROUP BY event"
	cases := []struct {
		name   string
		env    string
		yaml   string
		args   []string
		code   int
		stdout string // substring of stdout
		stderr string // substring of stderr
	}{
		{name: "flag", args: []string{"--engine", "sc://127.0.0.1:1", "--explain"}, stdout: "USING json OPTIONS (path '" + dir + "/e.jsonl'"},
		{name: "env", env: "sc://127.0.0.1:1", args: []string{"--explain"}, stdout: "GROUP BY k0"},
		{name: "yaml", yaml: "engine: sc://127.0.0.1:1\n", args: []string{"--explain"}, stdout: "CREATE OR REPLACE TEMPORARY VIEW"},
		{name: "flag beats env", env: "sc://127.0.0.1:1", args: []string{"--engine", "local"}, stdout: "a      1"},
		{name: "env beats yaml", env: "local", yaml: "engine: sc://127.0.0.1:1\n", stdout: "a      1"},
		{name: "explain needs Spark", args: []string{"--explain"}, code: 1, stderr: "--explain shows the Spark SQL"},
		{name: "bad engine", args: []string{"--engine", "spark://x"}, code: 1, stderr: "want local or sc://host:port"},
		{name: "bad yaml engine", yaml: "engine: yarn\n", code: 1, stderr: `engine "yarn"`},
		{name: "unreachable server", args: []string{"--engine", "sc://127.0.0.1:1"}, code: 1, stderr: "cannot reach Spark Connect"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(EngineEnv, c.env)
			os.Remove("nectar.yaml")
			if c.yaml != "" {
				writeFiles(t, dir, map[string]string{"nectar.yaml": c.yaml})
			}
			o := nectar(t, append(append([]string{"query"}, c.args...), q)...)
			if o.code != c.code {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", o.code, c.code, o.stdout, o.stderr)
			}
			if !strings.Contains(o.stdout, c.stdout) {
				t.Errorf("stdout lacks %q:\n%s", c.stdout, o.stdout)
			}
			if !strings.Contains(o.stderr, c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, o.stderr)
			}
		})
	}
}

// TestSparkExperiment reports an experiment on Spark: the report must be
// the local one, number for number.
func TestSparkExperiment(t *testing.T) {
	url := os.Getenv("NECTAR_SPARK")
	if url == "" {
		t.Skip("NECTAR_SPARK is not set: run scripts/spark-test.sh or set NECTAR_SPARK=sc://host:15002")
	}
	spec := "../../experiment/testdata/handmade.yaml"
	local := nectar(t, "experiment", "--spec", spec, "--format", "json").mustSucceed(t)
	remote := nectar(t, "experiment", "--spec", spec, "--format", "json", "--engine", url).mustSucceed(t)
	if local.stdout != remote.stdout {
		t.Errorf("reports differ\nlocal:\n%s\nSpark:\n%s", local.stdout, remote.stdout)
	}
	if !strings.Contains(local.stdout, `"metrics"`) {
		t.Errorf("no metrics in the report:\n%s", local.stdout)
	}
}

// TestSparkGlimpse glimpses logs on Spark: the same columns and count as
// locally (Spark infers its own types, so only the shape is compared).
func TestSparkGlimpse(t *testing.T) {
	url := os.Getenv("NECTAR_SPARK")
	if url == "" {
		t.Skip("NECTAR_SPARK is not set: run scripts/spark-test.sh or set NECTAR_SPARK=sc://host:15002")
	}
	dir := inTempDir(t)
	writeFiles(t, dir, map[string]string{"e.jsonl": `{"event":"a","userId":"u1"}` + "\n" + `{"event":"b","userId":"u2"}` + "\n"})
	o := nectar(t, "glimpse", "--engine", url, dir+"/e.jsonl").mustSucceed(t)
	if !strings.HasPrefix(o.stdout, "Rows: 2\nColumns: 2\n$ event") {
		t.Errorf("glimpse on Spark:\n%s", o.stdout)
	}
}

// TestGlimpseEngineFlag: glimpse takes --engine, and an unreachable
// server is reported as query reports it.
func TestGlimpseEngineFlag(t *testing.T) {
	dir := inTempDir(t)
	writeFiles(t, dir, map[string]string{"e.jsonl": `{"event":"a"}` + "\n"})
	o := nectar(t, "glimpse", "--engine", "sc://127.0.0.1:1", "e.jsonl")
	if o.code != exitError || !strings.Contains(o.stderr, "cannot reach Spark Connect") {
		t.Errorf("exit %d, stderr %q", o.code, o.stderr)
	}
}
