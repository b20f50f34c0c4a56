package main

import (
	"strings"
	"testing"
)

const analysisScript = `-- Events by type, through a view.
CREATE VIEW events AS
SELECT event, properties.price AS price FROM read_json('logs/segment-logs/**/*.gz');

SELECT event, count(*) AS n FROM events GROUP BY event ORDER BY n DESC, event;

FROM events
|> WHERE price IS NOT NULL
|> AGGREGATE count(*) AS priced, round(sum(price), 2) AS revenue;
`

func TestScriptFile(t *testing.T) {
	dir := inTempDir(t)
	genLogs(t, dir, genOptions{})
	writeFiles(t, dir, map[string]string{"analysis.sql": analysisScript})
	got := nectar(t, "query", "-f", "analysis.sql").mustSucceed(t)
	if got.stderr != "" {
		t.Errorf("stderr %q, want nothing", got.stderr)
	}
	golden(t, "script", got.stdout)
}

func TestCreateView(t *testing.T) {
	inTempDir(t)
	tests := []struct {
		name, script   string
		code           int
		stdout, stderr string
	}{
		{
			name:   "new view",
			script: "CREATE VIEW v AS SELECT 1 AS x;\nSELECT x FROM v",
			stdout: "x\n1\n",
		},
		{
			name:   "existing name",
			script: "CREATE VIEW v AS SELECT 1 AS x;\nCREATE VIEW v AS SELECT 2 AS x;\nSELECT x FROM v",
			code:   exitError,
			stderr: "error at 2:1: view v already exists (use CREATE OR REPLACE VIEW)\n  CREATE VIEW v AS SELECT 2 AS x;\n  ^\n",
		},
		{
			name:   "existing name in another case",
			script: "CREATE VIEW v AS SELECT 1 AS x;\nCREATE VIEW V AS SELECT 2 AS x",
			code:   exitError,
			stderr: "error at 2:1: view V already exists (use CREATE OR REPLACE VIEW)\n  CREATE VIEW V AS SELECT 2 AS x\n  ^\n",
		},
		{
			name:   "or replace",
			script: "CREATE VIEW v AS SELECT 1 AS x;\nCREATE OR REPLACE VIEW v AS SELECT 2 AS x;\nSELECT x FROM v",
			stdout: "x\n2\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := nectar(t, "query", "--format", "csv", tc.script)
			if got.code != tc.code || got.stdout != tc.stdout || got.stderr != tc.stderr {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}

// TestQueryErrors checks that a query that cannot run says where and why,
// on stderr, with exit code 1.
func TestQueryErrors(t *testing.T) {
	dir := inTempDir(t)
	genLogs(t, dir, genOptions{})
	writeFiles(t, dir, map[string]string{
		"second.sql": "SELECT 1 AS a;\n\nSELECT a\nFORM t;\n",
		"bind.sql":   "SELECT 1 AS a;\nSELECT nope FROM (SELECT 1 AS a);\n",
	})
	tests := []struct {
		name   string
		args   []string
		stdout string
		stderr string
	}{
		{
			name: "unknown column",
			args: []string{"SELECT evnt FROM read_json('logs/segment-logs/**/*.gz')"},
			// Decided over every line: a sample cannot tell a typo from a
			// field that only late files have.
			stderr: "error at 1:8: [UNRESOLVED_COLUMN] unknown column evnt: no line of the 3 files of read_json('logs/segment-logs/**/*.gz') has it\n" +
				"  SELECT evnt FROM read_json('logs/segment-logs/**/*.gz')\n" +
				"         ^\n" +
				"  hint: did you mean event?\n",
		},
		{
			name: "misspelt field of a known object",
			args: []string{"SELECT count(*) FROM read_json('logs/segment-logs/**/*.gz') WHERE properties.vertcal = 'Food'"},
			stderr: "error at 1:67: [FIELD_NOT_FOUND] no such field `properties.vertcal`: no line of the 3 files of read_json('logs/segment-logs/**/*.gz') has it\n" +
				"  SELECT count(*) FROM read_json('logs/segment-logs/**/*.gz') WHERE properties.vertcal = 'Food'\n" +
				"                                                                    ^\n" +
				"  hint: did you mean `properties.vertical`?\n",
		},
		{
			name: "unknown nested column in pipe syntax",
			args: []string{"FROM read_json('logs/segment-logs/**/*.gz')\n|> WHERE contxt.ip IS NULL\n|> AGGREGATE count(*)"},
			stderr: "error at 2:10: [UNRESOLVED_COLUMN] unknown column `contxt.ip`: no line of the 3 files of read_json('logs/segment-logs/**/*.gz') has it\n" +
				"  |> WHERE contxt.ip IS NULL\n" +
				"           ^\n" +
				"  hint: did you mean `context.ip`?\n",
		},
		{
			// Nothing runs when the script does not parse.
			name: "syntax error in the second statement",
			args: []string{"-f", "second.sql"},
			stderr: "error at 4:1: syntax error: expected FROM or end of query, found 'FORM'\n" +
				"  FORM t;\n" +
				"  ^\n" +
				"  hint: did you mean FROM?\n",
		},
		{
			// Statements before the one that fails have run.
			name:   "bind error in the second statement",
			args:   []string{"--format", "csv", "-f", "bind.sql"},
			stdout: "a\n1\n",
			stderr: "error at 2:8: unknown column nope\n" +
				"  SELECT nope FROM (SELECT 1 AS a);\n" +
				"         ^\n",
		},
		{
			name: "unknown table",
			args: []string{"SELECT * FROM logs"},
			stderr: "error at 1:15: unknown table logs\n" +
				"  SELECT * FROM logs\n" +
				"                ^\n" +
				"  hint: read files with read_json('path/**/*.gz') or name a source in nectar.yaml\n",
		},
		{
			name: "no files",
			args: []string{"SELECT * FROM read_json('nothing/**/*.gz')"},
			stderr: "error at 1:15: list nothing/**/*.gz: no files match\n" +
				"  SELECT * FROM read_json('nothing/**/*.gz')\n" +
				"                ^\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := nectar(t, append([]string{"query"}, tc.args...)...)
			if got.code != exitError || got.stdout != tc.stdout || got.stderr != tc.stderr {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr, exitError, tc.stdout, tc.stderr)
			}
		})
	}
}

func TestDescribeExplain(t *testing.T) {
	dir := inTempDir(t)
	genLogs(t, dir, genOptions{})
	const q = `SELECT event, count(*) AS n, avg(properties.price) AS avg_price, min(_received_day) AS first_day
FROM read_json('logs/segment-logs/**/*.gz')
WHERE properties.price > 3
GROUP BY event ORDER BY n DESC LIMIT 3`
	t.Run("DESCRIBE", func(t *testing.T) {
		got := nectar(t, "query", "DESCRIBE "+q).mustSucceed(t)
		golden(t, "describe", got.stdout)
	})
	// EXPLAIN's details follow the planner's work, so only the tree's
	// shape and the scan's pushed-down columns are pinned here.
	t.Run("EXPLAIN", func(t *testing.T) {
		got := nectar(t, "query", "EXPLAIN "+q).mustSucceed(t)
		var shape []string
		for _, l := range lines(got.stdout) {
			indent := len(l) - len(strings.TrimLeft(l, " "))
			shape = append(shape, l[:indent]+strings.Fields(l)[0])
		}
		want := []string{"Limit", "  TopN", "    Project", "      Aggregate", "        Filter", "          Scan"}
		if strings.Join(shape, "\n") != strings.Join(want, "\n") {
			t.Errorf("plan shape:\n%s\nwant:\n%s\nplan:\n%s", strings.Join(shape, "\n"), strings.Join(want, "\n"), got.stdout)
		}
		if scan := "Scan read_json('logs/segment-logs/**/*.gz') [event, `properties.price`, _received_day]"; !strings.Contains(got.stdout, scan) {
			t.Errorf("plan lacks %q:\n%s", scan, got.stdout)
		}
	})
}
