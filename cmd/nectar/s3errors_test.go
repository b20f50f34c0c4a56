package main

import (
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/source/s3test"
)

// TestS3ErrorsSayWhatToDo: the S3 failures a new user meets first each
// say what went wrong and what to do, in one message without the SDK's
// layers, the wrong scheme or a WARN line, and an endpoint that is down
// fails at once instead of after 13 s of retries.
func TestS3ErrorsSayWhatToDo(t *testing.T) {
	inTempDir(t)
	srv := s3test.New(t)
	srv.Env(t)
	srv.CreateBucket(t, "logs")
	srv.Put(t, "logs", "segment-logs/src/1700000000000/a.json", []byte(`{"event":"View"}`+"\n"), "")
	srv.RequireKey()
	q := func(path string) []string {
		return []string{"query", "SELECT count(*) FROM read_json('" + path + "')"}
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"wrong key", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAWRONGWRONGWRONG0"}, q("s3://logs/segment-logs/"),
			[]string{"access denied (S3 said InvalidAccessKeyId, HTTP 403)", "check the access key and secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"}},
		{"missing bucket", nil, q("s3://no-such-bucket/segment-logs/"),
			[]string{"no such bucket (S3 said NoSuchBucket, HTTP 404)", "check the bucket's name"}},
		{"no credentials", map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, q("s3://logs/segment-logs/"),
			[]string{"no AWS credentials found", "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"}},
		{"endpoint down", map[string]string{"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1"}, q("s3://logs/segment-logs/"),
			[]string{"cannot reach the S3 endpoint: dial tcp 127.0.0.1:1", "check the endpoint"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			began := time.Now()
			got := nectar(t, tc.args...)
			took := time.Since(began)
			if got.code == 0 {
				t.Fatalf("succeeded: %s", got.stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, got.stderr)
				}
			}
			for _, bad := range []string{"https response error", "WARN", s3test.Secret, "IMDS"} {
				if strings.Contains(got.stderr, bad) {
					t.Errorf("stderr has %q:\n%s", bad, got.stderr)
				}
			}
			// Not a timing target: retries of a refused connection took
			// 13 s; none are made now.
			if took > 8*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}
