package main

import (
	"os"
	"strings"
	"testing"
)

// formatQuery has a string, an integer, a double, a timestamp, a date and a
// NULL, in a stable order.
const formatQuery = `SELECT event, hour(cast(timestamp AS timestamp)) AS hour,
       properties.price AS price, cast(timestamp AS timestamp) AS ts, _received_day AS day
FROM read_json('logs/segment-logs/**/*.gz')
ORDER BY ts, messageId
LIMIT 6`

func TestOutputFormats(t *testing.T) {
	dir := inTempDir(t)
	genLogs(t, dir, genOptions{})
	tests := []struct {
		name string
		args []string
	}{
		{"table", nil},
		{"csv", []string{"--format", "csv"}},
		{"json", []string{"--format", "json"}},
		{"jsonl alias", []string{"--format", "jsonl"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := nectar(t, append(append([]string{"query"}, tc.args...), formatQuery)...).mustSucceed(t)
			if got.stderr != "" {
				t.Errorf("stderr %q, want nothing", got.stderr)
			}
			golden(t, "format-"+strings.ReplaceAll(tc.name, " ", "-"), got.stdout)
		})
	}
}

// TestOutputFile writes results with -o: the format follows the extension
// unless --format says otherwise, and nothing goes to stdout.
func TestOutputFile(t *testing.T) {
	dir := inTempDir(t)
	genLogs(t, dir, genOptions{})
	asJSON := nectar(t, "query", "--format", "json", formatQuery).mustSucceed(t).stdout
	asCSV := nectar(t, "query", "--format", "csv", formatQuery).mustSucceed(t).stdout

	tests := []struct {
		name, file string
		args       []string
		want       string
	}{
		{"csv from extension", "out.csv", nil, asCSV},
		{"json from extension", "out.jsonl", nil, asJSON},
		{"format flag wins", "out.txt", []string{"--format", "csv"}, asCSV},
		{"unknown extension is a table", "out.txt", nil, nectar(t, "query", formatQuery).stdout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"query", "-o", tc.file}, tc.args...), formatQuery)
			got := nectar(t, args...).mustSucceed(t)
			if got.stdout != "" || got.stderr != "" {
				t.Errorf("stdout %q, stderr %q; want both empty", got.stdout, got.stderr)
			}
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tc.want {
				t.Errorf("%s holds:\n%s\nwant:\n%s", tc.file, data, tc.want)
			}
		})
	}

	t.Run("parquet round trip", func(t *testing.T) {
		nectar(t, "query", "-o", "out.parquet", formatQuery).mustSucceed(t)
		back := nectar(t, "query", "--format", "json", "SELECT * FROM read_parquet('out.parquet')").mustSucceed(t)
		if back.stdout != asJSON {
			t.Errorf("read back:\n%s\nwrote:\n%s", back.stdout, asJSON)
		}
		kinds := nectar(t, "query", "--format", "csv", "DESCRIBE SELECT * FROM read_parquet('out.parquet')").mustSucceed(t)
		want := nectar(t, "query", "--format", "csv", "DESCRIBE "+formatQuery).mustSucceed(t)
		if kinds.stdout != want.stdout {
			t.Errorf("parquet schema:\n%s\nwant:\n%s", kinds.stdout, want.stdout)
		}
	})
}

func TestOutputErrors(t *testing.T) {
	inTempDir(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"query", "--format", "xml", "SELECT 1"}, `error: unknown output format "xml": want table, line, csv, json, parquet or arrow` + "\n"},
		{"output in a missing directory", []string{"query", "-o", "no/such/out.csv", "SELECT 1"}, "error: output: create no/such/out.csv: no such file or directory\n"},
		{"no query", []string{"query"}, "error: give a query as the argument, a script with -f FILE, or the script on standard input (-f -, or a pipe)\n"},
		{"query and script", []string{"query", "-f", "a.sql", "SELECT 1"}, "error: give a query as the argument, a script with -f FILE, or the script on standard input (-f -, or a pipe)\n"},
		{"missing script", []string{"query", "-f", "a.sql"}, "error: read script: open a.sql: no such file or directory\n"},
		{"unknown -o extension", []string{"query", "-o", "x.xlsx", "SELECT 1"}, "error: -o x.xlsx: unknown output format: no format is named by the extension .xlsx (want .csv, .json, .jsonl, .ndjson, .parquet, .pq, .arrow, or .txt for a table); or choose one with --format\n"},
		{"unknown command", []string{"frobnicate"}, `error: unknown command "frobnicate" for "nectar"` + "\n"},
		{"unknown flag", []string{"query", "--nope", "SELECT 1"}, "error: unknown flag: --nope\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := nectar(t, tc.args...)
			if got.code != exitError || got.stdout != "" || got.stderr != tc.want {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant exit %d, no stdout, stderr %q", got.code, got.stdout, got.stderr, exitError, tc.want)
			}
		})
	}
}
