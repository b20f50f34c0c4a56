package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/source/s3test"
)

// TestSecretsNeverWritten gives every credential nectar can hold a unique
// marker (AWS keys and session token, a Spark Connect token and an s3a secret given with --conf, PostgreSQL
// passwords of a sink and of the model graph), runs the commands that use
// them, through success and failure, and looks for the markers in
// everything written: standard output and error, and every file the
// commands left behind (outputs, checkpoints, bad-line files).
func TestSecretsNeverWritten(t *testing.T) {
	dir := inTempDir(t)
	srv := s3test.New(t)
	srv.Env(t)
	srv.CreateBucket(t, "logs")
	srv.Put(t, "logs", "segment-logs/src/1700000000000/a.json", []byte(`{"event":"View","userId":"u1","timestamp":"2023-11-14T22:13:20Z"}`+"\n"), "")
	markers := map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIAMARKERKEY0000001",
		"AWS_SECRET_ACCESS_KEY": "awsSecretMARKER0123456789",
		"AWS_SESSION_TOKEN":     "awsSessionMARKERtoken",
	}
	for k, v := range markers {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "2") // the refused run fails at once
	sparkToken, pgPassword, graphPassword, s3aSecret := "sparkMARKERtoken", "pgMARKERpassword", "graphMARKERpassword", "s3aMARKERsecret"
	markers["spark"], markers["postgres"], markers["graph"], markers["spark conf"] = sparkToken, pgPassword, graphPassword, s3aSecret
	os.WriteFile("nectar.yaml", []byte("graph: {url: 'postgres://nectar:"+graphPassword+"@127.0.0.1:1/graph?connect_timeout=1'}\n"), 0o644)

	s3 := "read_json('s3://logs/segment-logs/')"
	runs := []struct {
		name string
		args []string
		slow bool // with every S3 request refused
	}{
		{"S3 query", []string{"query", "--bad-lines", "bad.jsonl", "-o", "out.csv", "SELECT count(*) AS n FROM " + s3}, false},
		{"S3 EXPLAIN", []string{"query", "EXPLAIN SELECT event FROM " + s3}, false},
		{"S3 glimpse", []string{"glimpse", "s3://logs/segment-logs/"}, false},
		{"S3 refused", []string{"query", "SELECT count(*) FROM " + s3}, true},
		{"Spark engine down", []string{"query", "--engine", "sc://127.0.0.1:1/;token=" + sparkToken, "--conf", "spark.hadoop.fs.s3a.secret.key=" + s3aSecret, "SELECT 1 AS one"}, false},
		{"Spark explain", []string{"query", "--engine", "sc://127.0.0.1:1/;token=" + sparkToken, "--explain", "SELECT count(*) FROM " + s3}, false},
		{"PostgreSQL sink down", []string{"stream", "--once", "--checkpoint", "ck", "--postgres", "postgres://nectar:" + pgPassword + "@127.0.0.1:1/db?connect_timeout=1", "--table", "t",
			"SELECT event, count(*) AS n FROM " + s3 + " GROUP BY event"}, false},
		{"stream status", []string{"stream", "status", "ck"}, false},
		{"graph down", []string{"graph", "show", "model:recsys:food-recs"}, false},
		{"graph table down", []string{"query", "SELECT count(*) FROM graph_nodes"}, false},
	}
	var written strings.Builder
	for _, r := range runs {
		if r.slow {
			srv.SetFaults(s3test.Faults{SlowDown: 1})
		}
		got := nectar(t, r.args...)
		srv.SetFaults(s3test.Faults{})
		written.WriteString(got.stdout + got.stderr)
		for what, m := range markers {
			if strings.Contains(got.stdout+got.stderr, m) {
				t.Errorf("%s: the %s credential is in the output:\n%s%s", r.name, what, got.stdout, got.stderr)
			}
		}
	}
	// The commands did run: a test whose commands all failed early would
	// prove nothing.
	out, _ := os.ReadFile("out.csv")
	written.Write(out)
	for _, want := range []string{"n\n1\n", "Scan read_json('s3://logs/segment-logs/')", "SlowDown", "127.0.0.1:1"} {
		if !strings.Contains(written.String(), want) {
			t.Errorf("no %q in what the commands wrote:\n%s", want, written.String())
		}
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(path) == "nectar.yaml" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for what, m := range markers {
			if strings.Contains(string(data), m) {
				t.Errorf("%s holds the %s credential", path, what)
			}
		}
		return nil
	})
}
