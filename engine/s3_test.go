package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/nectar-dev/nectar/corpus"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/source/s3test"
)

// s3Queries are run over the same files on local disk and in S3; %s is the
// read_json call. _file is left out on purpose: it names the path.
var s3Queries = []string{
	"SELECT count(*) AS n FROM %s",
	"SELECT event, count(*) AS n, min(receivedAt) AS lo, max(receivedAt) AS hi FROM %s GROUP BY event",
	"SELECT _received_day, count(*) AS n FROM %s GROUP BY _received_day",
	"SELECT messageId, event, properties.price AS price FROM %s WHERE event = 'Product Viewed' ORDER BY messageId LIMIT 50",
	"FROM %s |> WHERE _received_day = DATE '2019-02-02' |> AGGREGATE count(*) AS n, sum(properties.price) AS total GROUP BY event",
	"SELECT context.library.name AS lib, type, count(*) AS n FROM %s GROUP BY context.library.name, type",
}

// TestS3SameAnswers puts generated Segment logs into an in-process fake S3
// and checks that every query gives exactly the rows it gives over the same
// files on local disk, through s3:// and s3a:// URLs, with and without a
// proxy that throttles requests and cuts bodies half-way.
func TestS3SameAnswers(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{
		Out: dir, Events: 6000, Files: 12, Days: 4, Seed: 11, Malformed: 0.01, Duplicates: 0.02,
	}); err != nil {
		t.Fatal(err)
	}
	srv := s3test.New(t)
	srv.CreateBucket(t, "logs-bucket")
	// Half the objects carry Content-Encoding: gzip, as Segment's own
	// uploads may; the bytes decide either way.
	putTree(t, srv, "logs-bucket", dir, func(n int) string { return [2]string{"gzip", ""}[n%2] })

	stores := useFakeS3(t, srv, 32<<10) // several ranged GETs per generated file

	local := "read_json('" + filepath.ToSlash(dir) + "/segment-logs/**/*.gz')"
	remotes := []string{
		"read_json('s3://logs-bucket/segment-logs/**/*.gz')",
		"read_json('s3a://logs-bucket/segment-logs/*/*/*.gz')",
	}
	faults := []struct {
		name string
		f    s3test.Faults
	}{
		{"clean", s3test.Faults{}},
		{"faulty", s3test.Faults{SlowDown: 0.2, Cut: 0.3, Seed: 5}},
	}
	for _, q := range s3Queries {
		want := s3Rows(t, stores, fmt.Sprintf(q, local))
		if len(want) == 0 {
			t.Fatalf("%s: no rows over local files", q)
		}
		for _, fc := range faults {
			for _, remote := range remotes {
				t.Run(fc.name+"/"+fmt.Sprintf(q, remote), func(t *testing.T) {
					srv.SetFaults(fc.f)
					defer srv.SetFaults(s3test.Faults{})
					if got := s3Rows(t, stores, fmt.Sprintf(q, remote)); !maps.Equal(got, want) {
						t.Errorf("rows differ from local disk:\n got %v\nwant %v", got, want)
					}
				})
			}
		}
	}
	t.Run("retries exhausted", func(t *testing.T) {
		srv.SetFaults(s3test.Faults{SlowDown: 1})
		defer srv.SetFaults(s3test.Faults{})
		err := engine.New(engine.Options{Stores: stores}).Run(context.Background(), fmt.Sprintf(s3Queries[0], remotes[0]), func(*engine.Result) error { return nil })
		if err == nil {
			t.Fatal("query over an S3 that only throttles succeeded")
		}
		if msg := err.Error(); !strings.Contains(msg, "s3://logs-bucket/segment-logs/") || !strings.Contains(msg, "503") || strings.Contains(msg, s3test.Secret) {
			t.Errorf("error %q should name the bucket prefix and the 503, and never the secret", msg)
		}
	})
	if s := srv.Stats(); s.SlowDowns == 0 || s.Cuts == 0 || s.RangeGets == 0 {
		t.Errorf("faults or ranged reads not exercised: %d SlowDowns, %d cuts, %d ranged GETs", s.SlowDowns, s.Cuts, s.RangeGets)
	} else {
		t.Logf("survived %d SlowDowns and %d cut bodies in %d requests", s.SlowDowns, s.Cuts, s.Requests)
	}
}

// TestS3HeavyFaults raises throttling and cut bodies to 25%, 50% and 75%
// of requests: each query then gives exactly the rows it gives over local
// files, or fails with an error that names the object or prefix and the
// cause, and never gives other rows. With 10 attempts a request, 25%
// comes through (a request fails only if all 10 do: 1 in a million), 50%
// nearly always (1 in a thousand); at 75% queries give up (S3.md gives
// the figures).
func TestS3HeavyFaults(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{
		Out: dir, Events: 3000, Files: 8, Days: 2, Seed: 12, Malformed: 0.01,
	}); err != nil {
		t.Fatal(err)
	}
	srv := s3test.New(t)
	srv.CreateBucket(t, "logs-bucket")
	putTree(t, srv, "logs-bucket", dir, func(int) string { return "" })
	stores := useFakeS3(t, srv, 16<<10)
	local := "read_json('" + filepath.ToSlash(dir) + "/segment-logs/**/*.gz')"
	remote := "read_json('s3://logs-bucket/segment-logs/**/*.gz')"
	for _, rate := range []float64{0.25, 0.5, 0.75} {
		same, failed := 0, 0
		for i, q := range s3Queries {
			want := s3Rows(t, stores, fmt.Sprintf(q, local))
			srv.SetFaults(s3test.Faults{SlowDown: rate, Cut: rate, Seed: uint64(100*rate) + uint64(i)})
			schema, got, err := engine.QueryRows(context.Background(), engine.New(engine.Options{Stores: stores}), fmt.Sprintf(q, remote))
			srv.SetFaults(s3test.Faults{})
			if err != nil {
				failed++
				msg := err.Error()
				if !strings.Contains(msg, "s3://logs-bucket/segment-logs/") || !(strings.Contains(msg, "SlowDown") || strings.Contains(msg, "resumes without progress")) {
					t.Errorf("%.0f%%: %s: the error does not name the object and the cause: %v", 100*rate, q, err)
				}
				// At 25% a request fails one time in a million; at 50%
				// one in a thousand, which a query of a few hundred
				// requests can meet: then it must fail clearly (above).
				if rate < 0.5 {
					t.Errorf("%.0f%%: %s: %v", 100*rate, q, err)
				}
				continue
			}
			rows := map[string]int{}
			for _, r := range got {
				rows[string(output.JSONRow(nil, schema, r))]++
			}
			if !maps.Equal(rows, want) {
				t.Errorf("%.0f%%: %s: a different answer from local files:\n got %v\nwant %v", 100*rate, q, rows, want)
			}
			same++
		}
		t.Logf("%.0f%% throttled and %.0f%% cut: %d queries answered as over local files, %d failed with a clear error", 100*rate, 100*rate, same, failed)
	}
}

// TestS3FromEnvironment reads S3 with nothing but the variables a user of
// the AWS CLI would set.
func TestS3FromEnvironment(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: 300, Files: 2, Days: 2, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	srv := s3test.New(t)
	srv.CreateBucket(t, "b")
	putTree(t, srv, "b", dir, nil)
	srv.Env(t)
	stores := source.NewStores(source.S3Options{}) // from the environment, on first use
	q := "SELECT event, count(*) AS n FROM %s GROUP BY event"
	want := s3Rows(t, stores, fmt.Sprintf(q, "read_json('"+filepath.ToSlash(dir)+"/segment-logs/**/*.gz')"))
	if got := s3Rows(t, stores, fmt.Sprintf(q, "read_json('s3a://b/segment-logs/**')")); !maps.Equal(got, want) {
		t.Errorf("rows differ from local disk:\n got %v\nwant %v", got, want)
	}
}

// useFakeS3 returns stores that serve s3:// paths from srv, with short
// backoffs; partSize 0 keeps the default part size.
func useFakeS3(t *testing.T, srv *s3test.Server, partSize int64) *source.Stores {
	t.Helper()
	st, err := source.NewS3(context.Background(), source.S3Options{
		Endpoint:    srv.URL,
		Region:      s3test.Region,
		Credentials: credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.Secret, ""),
		PartSize:    partSize,
		MaxBackoff:  5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return source.StoresFor(st)
}

// s3Rows runs q and returns its rows as JSON text with their counts, so
// that order-free results compare as multisets.
func s3Rows(t *testing.T, stores *source.Stores, q string) map[string]int {
	t.Helper()
	rows, _ := runRowsWith(t, q, engine.Options{Stores: stores})
	return rows
}

// s3Harness runs corpus cases with every input read from the fake S3
// through an s3a:// URL, behind the fault-injecting proxy.
type s3Harness struct {
	srv    *s3test.Server
	stores *source.Stores
	seq    atomic.Int64
}

func (h *s3Harness) Query(ctx context.Context, script string, inputs map[string]string, dir string) (*corpus.Result, error) {
	e := engine.New(engine.Options{Dir: dir, Strict: true, Stores: h.stores})
	prefix := fmt.Sprintf("case%d", h.seq.Add(1))
	for name, path := range inputs {
		body, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		key := prefix + "/" + name + ".jsonl"
		meta := map[string]string{"Last-Modified": time.Now().UTC().Format(http.TimeFormat)}
		if _, err := h.srv.Backend.PutObject("corpus", key, meta, bytes.NewReader(body), int64(len(body)), nil); err != nil {
			return nil, fmt.Errorf("put %s: %w", key, err)
		}
		e.DefineSource(name, "read_json", "s3a://corpus/"+key)
	}
	return collectLast(ctx, e, script)
}

// TestCorpusOverS3 runs the whole conformance corpus with its inputs in S3,
// while the proxy throttles a fifth of the requests and cuts a fifth of the
// bodies: every case must give the answer it gives over local files.
func TestCorpusOverS3(t *testing.T) {
	if testing.Short() {
		t.Skip("the corpus over S3 is skipped under -short")
	}
	cases, err := corpus.Load(corpus.Files)
	if err != nil {
		t.Fatal(err)
	}
	srv := s3test.New(t)
	srv.CreateBucket(t, "corpus")
	stores := useFakeS3(t, srv, 0)
	srv.SetFaults(s3test.Faults{SlowDown: 0.2, Cut: 0.2, Seed: 3})
	corpus.Run(t, &s3Harness{srv: srv, stores: stores}, cases, localSkips)
	if s := srv.Stats(); s.SlowDowns == 0 || s.Cuts == 0 {
		t.Errorf("faults not exercised: %d SlowDowns, %d cuts", s.SlowDowns, s.Cuts)
	} else {
		t.Logf("corpus over S3 survived %d SlowDowns and %d cut bodies in %d requests", s.SlowDowns, s.Cuts, s.Requests)
	}
}
