package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/source/s3test"
)

const testBucket = "segment-bucket"

// newS3 starts a fake S3 and a store pointed at it through S3Options.
// Backoff is short so that fault tests stay fast.
func newS3(t *testing.T, tweak func(*S3Options)) (*s3test.Server, *S3) {
	t.Helper()
	srv := s3test.New(t)
	srv.CreateBucket(t, testBucket)
	o := S3Options{
		Endpoint:    srv.URL,
		Region:      s3test.Region,
		Credentials: credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.Secret, ""),
		MaxBackoff:  10 * time.Millisecond,
	}
	if tweak != nil {
		tweak(&o)
	}
	st, err := NewS3(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return srv, st
}

func readClose(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return b
}

// randomBytes is incompressible test data, so a cut in the middle of a part
// cannot go unnoticed by the byte comparison.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestParseS3(t *testing.T) {
	tests := []struct {
		in          string
		bucket, key string
		err         error
	}{
		{"s3://b/k/x.gz", "b", "k/x.gz", nil},
		{"s3a://b/k/", "b", "k/", nil},
		{"S3A://b", "b", "", nil},
		{"s3:///k", "", "", ErrBadS3URL},
		{"gs://b/k", "", "", ErrBadS3URL},
		{"b/k", "", "", ErrBadS3URL},
	}
	for _, tt := range tests {
		u, err := parseS3(tt.in)
		if !errors.Is(err, tt.err) || u.bucket != tt.bucket || u.key != tt.key {
			t.Errorf("parseS3(%q) = %+v, %v; want %s/%s, %v", tt.in, u, err, tt.bucket, tt.key, tt.err)
		}
	}
}

// TestS3List rebuilds Segment's real key listing in the fake S3 and checks
// glob expansion, scheme preservation and that a glob naming one day folder
// lists nothing outside it.
func TestS3List(t *testing.T) {
	srv, st := newS3(t, nil)
	keys := realKeys(t)
	body := gzipBytes(t, events(2))
	for _, k := range keys {
		srv.Put(t, testBucket, k, body, "")
	}
	srv.Put(t, testBucket, "segment-logs/dummy-object.txt", []byte("dummy"), "")
	srv.Put(t, testBucket, "segment-logs/r9QxNCpUszLY641VRaszNv/1700870400000/", nil, "") // console folder marker
	srv.Put(t, testBucket, "other/_SUCCESS", nil, "")

	day1 := time.Date(2023, 11, 25, 0, 0, 0, 0, time.UTC)
	perDay := map[string]int{}
	for _, k := range keys {
		perDay[strings.Split(k, "/")[2]]++
	}
	tests := []struct {
		name      string
		pattern   string
		want      int
		scheme    string
		notListed string // a prefix that must not be listed
		err       error
	}{
		{"all gz", "s3://segment-bucket/segment-logs/**/*.gz", len(keys), "s3://", "", nil},
		{"one day via s3a", "s3a://segment-bucket/segment-logs/*/1700870400000/*.gz", perDay["1700870400000"], "s3a://",
			"segment-logs/r9QxNCpUszLY641VRaszNv/1701561600000/", nil},
		{"day folder named", "s3://segment-bucket/segment-logs/r9QxNCpUszLY641VRaszNv/1700870400000", perDay["1700870400000"], "s3://", "", nil},
		{"folder walks all", "s3://segment-bucket/segment-logs/", len(keys) + 1, "s3://", "", nil},
		{"bucket glob", "s3://segment-bucket/*/*.txt", 1, "s3://", "segment-logs/r9QxNCpUszLY641VRaszNv/", nil},
		{"one object", "s3://segment-bucket/" + keys[0], 1, "s3://", "", nil},
		{"missing prefix", "s3://segment-bucket/nope/**/*.gz", 0, "", "", ErrNoFiles},
		{"missing key", "s3://segment-bucket/segment-logs/x.gz", 0, "", "", ErrNoFiles},
		{"missing bucket", "s3://no-such-bucket/segment-logs/**", 0, "", "", ErrNoSuchBucket}, // not "no files match": the name is wrong
		{"hidden skipped", "s3://segment-bucket/other/**", 0, "", "", ErrNoFiles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetStats()
			files, err := ListStore(context.Background(), st, tt.pattern)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if len(files) != tt.want {
				t.Fatalf("got %d files, want %d", len(files), tt.want)
			}
			for _, f := range files {
				if !strings.HasPrefix(f.Path, tt.scheme+testBucket+"/") {
					t.Fatalf("path %q does not keep %s", f.Path, tt.scheme)
				}
				if strings.HasSuffix(f.Path, ".gz") && (f.Size != int64(len(body)) || f.ReceivedDay.IsZero() || f.ModTime.IsZero()) {
					t.Fatalf("file %+v: want size %d, a received day and a mod time", f, len(body))
				}
			}
			if tt.notListed != "" {
				for _, p := range srv.Stats().Lists {
					if strings.HasPrefix(p, tt.notListed) {
						t.Errorf("listed %q, outside the glob", p)
					}
				}
			}
		})
	}
	files, err := ListStore(context.Background(), st, "s3://segment-bucket/segment-logs/*/1700870400000/*.gz")
	if err != nil {
		t.Fatal(err)
	}
	if files[0].ReceivedDay != day1 {
		t.Errorf("ReceivedDay = %v, want %v", files[0].ReceivedDay, day1)
	}
}

func TestS3OpenEncodings(t *testing.T) {
	srv, st := newS3(t, nil)
	want := events(500)
	tests := []struct {
		name     string
		body     []byte
		encoding string
	}{
		{"gzip", gzipBytes(t, want), ""},
		{"gzip with Content-Encoding", gzipBytes(t, want), "gzip"},
		{"zstd", zstdBytes(t, want), ""},
		{"plain", want, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "enc/" + strings.ReplaceAll(tt.name, " ", "-")
			srv.Put(t, testBucket, key, tt.body, tt.encoding)
			rc, err := OpenStore(context.Background(), st, File{Path: "s3://" + testBucket + "/" + key})
			if err != nil {
				t.Fatal(err)
			}
			if got := readClose(t, rc); !bytes.Equal(got, want) {
				t.Fatalf("decoded %d bytes, want %d identical", len(got), len(want))
			}
		})
	}
	srv.Put(t, testBucket, "enc/empty", nil, "")
	if _, err := OpenStore(context.Background(), st, File{Path: "s3://segment-bucket/enc/empty"}); !errors.Is(err, ErrNotLog) {
		t.Fatalf("empty object: %v, want ErrNotLog", err)
	}
	if _, err := OpenStore(context.Background(), st, File{Path: "s3://segment-bucket/enc/missing"}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing object: %v, want fs.ErrNotExist", err)
	}
}

// TestS3Ranges reads objects around the part size boundaries and checks the
// bytes and that large objects went out as ranged GETs.
func TestS3Ranges(t *testing.T) {
	const part = 64 << 10
	srv, st := newS3(t, func(o *S3Options) { o.PartSize = part; o.Concurrency = 3 })
	for _, n := range []int{1, part - 1, part, part + 1, 3*part + 7, 40 * part} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			want := randomBytes(n, uint64(n))
			key := fmt.Sprintf("big/%d", n)
			srv.Put(t, testBucket, key, want, "")
			srv.ResetStats()
			rc, err := st.Open(context.Background(), "s3://"+testBucket+"/"+key)
			if err != nil {
				t.Fatal(err)
			}
			if got := readClose(t, rc); !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes, want %d identical", len(got), len(want))
			}
			wantGets := (n + part - 1) / part
			if g := srv.Stats().ObjectGets; g != wantGets {
				t.Errorf("%d GETs, want %d (one per part)", g, wantGets)
			}
		})
	}
}

// TestS3Faults reads objects through a proxy that throttles and cuts
// bodies, and checks every byte arrives once and in order.
func TestS3Faults(t *testing.T) {
	const part = 64 << 10
	srv, st := newS3(t, func(o *S3Options) { o.PartSize = part; o.Concurrency = 4 })
	objects := map[string][]byte{}
	for i, n := range []int{100, part / 2, 5*part + 3, 20 * part} {
		key := fmt.Sprintf("faulty/%d", i)
		objects[key] = randomBytes(n, uint64(i))
		srv.Put(t, testBucket, key, objects[key], "")
	}
	srv.SetFaults(s3test.Faults{SlowDown: 0.25, Cut: 0.4, Seed: 7})
	for round := range 3 {
		for key, want := range objects {
			rc, err := st.Open(context.Background(), "s3://"+testBucket+"/"+key)
			if err != nil {
				t.Fatalf("round %d open %s: %v", round, key, err)
			}
			if got := readClose(t, rc); !bytes.Equal(got, want) {
				t.Fatalf("round %d %s: read %d bytes, want %d identical", round, key, len(got), len(want))
			}
		}
	}
	stats := srv.Stats()
	if stats.Cuts == 0 || stats.SlowDowns == 0 {
		t.Fatalf("faults not exercised: %+v", stats)
	}
	t.Logf("survived %d SlowDowns and %d cut bodies in %d requests", stats.SlowDowns, stats.Cuts, stats.Requests)
}

// TestS3ResumeCutHead cuts the first GET's body and checks the resume asks
// for exactly the missing bytes.
func TestS3ResumeCutHead(t *testing.T) {
	srv, st := newS3(t, nil)
	want := randomBytes(10_000, 1)
	srv.Put(t, testBucket, "cut", want, "")
	srv.SetFaults(s3test.Faults{Cut: 1})
	rc, err := st.Open(context.Background(), "s3://"+testBucket+"/cut")
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(s3test.Faults{})
	if got := readClose(t, rc); !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, want %d identical", len(got), len(want))
	}
	if s := srv.Stats(); s.Cuts != 1 || s.ObjectGets != 2 {
		t.Fatalf("stats %+v: want one cut and one resume", s)
	}
}

// TestS3Exhausted checks that once retries run out the error names the
// object and the cause, and never the secret key.
func TestS3Exhausted(t *testing.T) {
	srv, st := newS3(t, func(o *S3Options) { o.MaxAttempts = 3 })
	srv.Put(t, testBucket, "segment-logs/s/1700870400000/a.gz", gzipBytes(t, events(3)), "")
	path := "s3://" + testBucket + "/segment-logs/s/1700870400000/a.gz"
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: want an error", what)
		}
		msg := err.Error()
		if !strings.Contains(msg, path) || !strings.Contains(msg, "SlowDown") {
			t.Errorf("%s: %q should name %s and SlowDown", what, msg, path)
		}
		if strings.Contains(msg, s3test.Secret) {
			t.Errorf("%s: error leaks the secret key: %q", what, msg)
		}
	}

	srv.SetFaults(s3test.Faults{SlowDown: 1})
	_, err := OpenStore(context.Background(), st, File{Path: path})
	check("open", err)
	t.Logf("open error: %v", err)
	if got := srv.Stats().SlowDowns; got != 3 {
		t.Errorf("%d attempts, want MaxAttempts = 3", got)
	}

	// The first GET's body is cut, then every resume is throttled.
	srv.SetFaults(s3test.Faults{Cut: 1})
	rc, err := st.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(s3test.Faults{SlowDown: 1})
	_, err = io.ReadAll(rc)
	rc.Close()
	check("resume", err)
	t.Logf("resume error: %v", err)
}

// AWS_MAX_ATTEMPTS, the AWS tools' variable, sets the attempts when
// nothing else does: the SDK's own reading of it is lost under the
// retryer NewS3 installs.
func TestS3MaxAttemptsFromEnv(t *testing.T) {
	t.Setenv("AWS_MAX_ATTEMPTS", "2")
	srv, st := newS3(t, nil)
	srv.Put(t, testBucket, "a.gz", gzipBytes(t, events(3)), "")
	srv.SetFaults(s3test.Faults{SlowDown: 1})
	if _, err := OpenStore(context.Background(), st, File{Path: "s3://" + testBucket + "/a.gz"}); err == nil {
		t.Fatal("want an error")
	}
	if got := srv.Stats().SlowDowns; got != 2 {
		t.Errorf("%d attempts, want AWS_MAX_ATTEMPTS = 2", got)
	}
}

func TestS3CancelRead(t *testing.T) {
	const part = 64 << 10
	srv, st := newS3(t, func(o *S3Options) { o.PartSize = part })
	srv.Put(t, testBucket, "big", randomBytes(30*part, 3), "")
	ctx, cancel := context.WithCancel(context.Background())
	rc, err := st.Open(ctx, "s3://"+testBucket+"/big")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(rc, make([]byte, 2*part)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := io.ReadAll(rc); !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %v, want context.Canceled", err)
	}
	done := make(chan struct{})
	go func() { rc.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return after cancel")
	}
}

// TestS3EnvConfig checks the store finds the endpoint, keys and region the
// way the AWS CLI does, and switches to path-style for the custom endpoint.
func TestS3EnvConfig(t *testing.T) {
	srv := s3test.New(t)
	srv.CreateBucket(t, testBucket)
	srv.Put(t, testBucket, "segment-logs/s/1700870400000/a.gz", gzipBytes(t, events(3)), "gzip")
	srv.Env(t)
	st, err := NewS3(context.Background(), S3Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Endpoint() != srv.URL || !st.Client().Options().UsePathStyle {
		t.Fatalf("endpoint %q path-style %v, want %s and true", st.Endpoint(), st.Client().Options().UsePathStyle, srv.URL)
	}
	stores := NewStores(S3Options{}) // from the environment, on first use
	files, err := stores.List(context.Background(), "s3a://segment-bucket/segment-logs/**/*.gz")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := Open(context.Background(), files[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := readClose(t, rc); !bytes.Equal(got, events(3)) {
		t.Fatalf("read %q", got)
	}
}

func TestS3Create(t *testing.T) {
	srv, st := newS3(t, func(o *S3Options) { o.PartSize = minUploadPart; o.Concurrency = 2 })
	tests := []struct {
		name   string
		size   int
		faults s3test.Faults
	}{
		{"single put", 1000, s3test.Faults{}},
		{"empty", 0, s3test.Faults{}},
		{"multipart", 2*minUploadPart + 12345, s3test.Faults{}},
		{"multipart throttled", 2*minUploadPart + 1, s3test.Faults{SlowDown: 0.3, Seed: 3}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetFaults(tt.faults)
			defer srv.SetFaults(s3test.Faults{})
			want := randomBytes(tt.size, uint64(i))
			path := fmt.Sprintf("s3://%s/out/%d.bin", testBucket, i)
			w, err := st.Create(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			// Odd-sized writes straddle part boundaries.
			for rest := want; len(rest) > 0; {
				n := min(len(rest), 777_777)
				if _, err := w.Write(rest[:n]); err != nil {
					t.Fatal(err)
				}
				rest = rest[n:]
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			srv.SetFaults(s3test.Faults{})
			rc, err := st.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if got := readClose(t, rc); !bytes.Equal(got, want) {
				t.Fatalf("read back %d bytes, want %d identical", len(got), len(want))
			}
		})
	}
}

// TestS3CreateAbort checks that neither Abort nor a cancelled context
// leaves an object or an open multipart upload behind.
func TestS3CreateAbort(t *testing.T) {
	srv, st := newS3(t, func(o *S3Options) { o.PartSize = minUploadPart })
	tests := []struct {
		name string
		stop func(w Writer, cancel context.CancelFunc) error
	}{
		{"abort", func(w Writer, _ context.CancelFunc) error { return w.Abort() }},
		{"cancel then close", func(w Writer, cancel context.CancelFunc) error {
			cancel()
			if err := w.Close(); !errors.Is(err, ErrAborted) || !errors.Is(err, context.Canceled) {
				return fmt.Errorf("Close after cancel = %v, want ErrAborted and context.Canceled", err)
			}
			return nil
		}},
		{"cancel then write", func(w Writer, cancel context.CancelFunc) error {
			cancel()
			if _, err := w.Write([]byte("x")); !errors.Is(err, ErrAborted) {
				return fmt.Errorf("Write after cancel = %v, want ErrAborted", err)
			}
			if err := w.Close(); err == nil {
				return errors.New("Close after a failed write succeeded")
			}
			return nil
		}},
	}
	for i, tt := range tests {
		for _, size := range []int{100, minUploadPart + 100} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, size), func(t *testing.T) {
				key := fmt.Sprintf("aborted/%d-%d", i, size)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				w, err := st.Create(ctx, "s3://"+testBucket+"/"+key)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.Write(randomBytes(size, 1)); err != nil {
					t.Fatal(err)
				}
				if size > minUploadPart && openUploads(t, st) != 1 {
					t.Fatal("a full part written, but no multipart upload open")
				}
				if err := tt.stop(w, cancel); err != nil {
					t.Fatal(err)
				}
				if slices.Contains(srv.Keys(t, testBucket), key) {
					t.Fatalf("%s is visible after %s", key, tt.name)
				}
				if n := openUploads(t, st); n != 0 {
					t.Fatalf("%d multipart uploads left open", n)
				}
			})
		}
	}
}

func openUploads(t *testing.T, st *S3) int {
	t.Helper()
	ups, err := st.Client().ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(testBucket)})
	if errorCode(err) == "NoSuchUpload" {
		return 0 // gofakes3's answer when a bucket has no uploads at all
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(ups.Uploads)
}

func TestCreateLocal(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		stop    func(w Writer, cancel context.CancelFunc) error
		written bool
	}{
		{"close", func(w Writer, _ context.CancelFunc) error { return w.Close() }, true},
		{"abort", func(w Writer, _ context.CancelFunc) error { return w.Abort() }, false},
		{"cancel", func(w Writer, cancel context.CancelFunc) error {
			cancel()
			if err := w.Close(); !errors.Is(err, context.Canceled) {
				return fmt.Errorf("Close after cancel = %v, want context.Canceled", err)
			}
			return nil
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.ToSlash(filepath.Join(dir, tt.name+".json"))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w, err := Create(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write([]byte("{}\n")); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("%s visible before Close: %v", path, err)
			}
			if err := tt.stop(w, cancel); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if tt.written != (err == nil) || (tt.written && string(got) != "{}\n") {
				t.Fatalf("after %s: %q, %v", tt.name, got, err)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temp file %s left behind", e.Name())
		}
	}
}

// BenchmarkRead compares reading one object from the loopback fake S3 with
// reading it from local disk: raw (64 MiB of incompressible bytes, so
// several ranged GETs in parallel) and decoded (one gen.Generate file of
// Segment events, gzip-compressed, as a query reads it).
func BenchmarkRead(b *testing.B) {
	dir := b.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: 100_000, Files: 1, Days: 1, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	gzPaths, err := filepath.Glob(filepath.Join(dir, "segment-logs", "*", "*", "*.gz"))
	if err != nil || len(gzPaths) != 1 {
		b.Fatalf("generated: %v %v", gzPaths, err)
	}
	gz, err := os.ReadFile(gzPaths[0])
	if err != nil {
		b.Fatal(err)
	}
	rc, err := OpenStore(context.Background(), Local{}, File{Path: filepath.ToSlash(gzPaths[0])})
	if err != nil {
		b.Fatal(err)
	}
	plain, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		b.Fatal(err)
	}
	raw := randomBytes(64<<20, 9)
	rawPath := filepath.Join(dir, "raw.bin")
	if err := os.WriteFile(rawPath, raw, 0o644); err != nil {
		b.Fatal(err)
	}

	srv := s3test.New(b)
	srv.CreateBucket(b, testBucket)
	srv.Put(b, testBucket, "events.gz", gz, "")
	srv.Put(b, testBucket, "raw.bin", raw, "")
	st, err := NewS3(context.Background(), S3Options{
		Endpoint: srv.URL, Region: s3test.Region,
		Credentials: credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.Secret, ""),
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		store  Store
		path   string
		decode bool
		bytes  int
	}{
		{"raw/local", Local{}, filepath.ToSlash(rawPath), false, len(raw)},
		{"raw/s3", st, "s3://" + testBucket + "/raw.bin", false, len(raw)},
		{"decoded/local", Local{}, filepath.ToSlash(gzPaths[0]), true, len(plain)},
		{"decoded/s3", st, "s3://" + testBucket + "/events.gz", true, len(plain)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(bc.bytes))
			b.ReportAllocs()
			for b.Loop() {
				var rc io.ReadCloser
				var err error
				if bc.decode {
					rc, err = OpenStore(context.Background(), bc.store, File{Path: bc.path})
				} else {
					rc, err = bc.store.Open(context.Background(), bc.path)
				}
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, rc)
				if err != nil || n != int64(bc.bytes) {
					b.Fatalf("read %d bytes, %v; want %d", n, err, bc.bytes)
				}
				rc.Close()
			}
		})
	}
}

// TestListDays checks that a day filter keeps ListObjectsV2 out of the
// excluded day folders, on S3 and on local disk alike.
func TestListDays(t *testing.T) {
	srv, st := newS3(t, nil)
	keys := realKeys(t)
	for _, k := range keys {
		srv.Put(t, testBucket, k, []byte("{}\n"), "")
	}
	tree := map[string][]byte{}
	for _, k := range keys {
		tree[k] = []byte("{}\n")
	}
	local := filepath.ToSlash(writeTree(t, t.TempDir(), tree))
	day1 := time.Date(2023, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		keep func(time.Time) bool
		want int
		err  error
	}{
		{"first day", func(d time.Time) bool { return d.Equal(day1) }, 59, nil},
		{"second day", func(d time.Time) bool { return d.After(day1) }, 77, nil},
		{"no day", func(time.Time) bool { return false }, 0, ErrNoFiles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, root := range []struct {
				store Store
				path  string
			}{{st, "s3://" + testBucket}, {Local{}, local}} {
				srv.ResetStats()
				files, err := ListStoreDays(context.Background(), root.store, root.path+"/segment-logs/**/*.gz", tt.keep)
				if !errors.Is(err, tt.err) || len(files) != tt.want {
					t.Fatalf("%s: %d files, %v; want %d, %v", root.path, len(files), err, tt.want, tt.err)
				}
				for _, f := range files {
					if !tt.keep(f.ReceivedDay) {
						t.Fatalf("kept %s of an excluded day", f.Path)
					}
				}
				if root.store != Store(Local{}) {
					for _, p := range srv.Stats().Lists {
						if day := DayFromPath(p + "f"); !day.IsZero() && !tt.keep(day) {
							t.Errorf("listed excluded day folder %s", p)
						}
					}
				}
			}
		})
	}
}

// TestS3BucketRegion checks that with no region configured the store asks
// for the bucket's region once and signs for it from then on.
func TestS3BucketRegion(t *testing.T) {
	srv, st := newS3(t, nil)
	srv.Put(t, testBucket, "a/x.gz", gzipBytes(t, events(1)), "")
	srv.SetBucketRegion("eu-west-1")
	st.regionAuto = true // a custom endpoint turns discovery off; force it
	for range 2 {
		if _, err := ListStore(context.Background(), st, "s3://"+testBucket+"/a/*.gz"); err != nil {
			t.Fatal(err)
		}
	}
	if got := st.bucketClient(context.Background(), testBucket).Options().Region; got != "eu-west-1" {
		t.Fatalf("region %q, want eu-west-1", got)
	}
	if got := st.bucketClient(context.Background(), "other").Options().Region; got != "eu-west-1" {
		t.Fatalf("a bucket whose HeadBucket fails but names its region: %q, want eu-west-1", got)
	}
	st2, err := NewS3(context.Background(), S3Options{Region: "ap-south-1", Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if st2.regionAuto {
		t.Fatal("an explicit region must turn discovery off")
	}
}

// TestS3CloseAfterFailedPart pins the race TestS3CreateAbort can lose: a
// part upload fails on the cancelled context before Close runs, and Close
// must still report ErrAborted (with the part's cause) and leave no upload.
func TestS3CloseAfterFailedPart(t *testing.T) {
	_, st := newS3(t, func(o *S3Options) { o.PartSize = minUploadPart })
	w, err := st.Create(context.Background(), "s3://"+testBucket+"/failed-part")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(minUploadPart+100, 2)); err != nil {
		t.Fatal(err)
	}
	sw := w.(*s3Writer)
	sw.wg.Wait()
	sw.setErr(fmt.Errorf("write %s: part 1: %w", sw.u, context.Canceled))
	if err := w.Close(); !errors.Is(err, ErrAborted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Close = %v, want ErrAborted and context.Canceled", err)
	}
	if n := openUploads(t, st); n != 0 {
		t.Fatalf("%d multipart uploads left open", n)
	}
}

// TestS3StatAgreesWithListing: an object found by its own name looks as it
// does in a listing (size and time to the millisecond), so that a stream
// that checks whether a file changed since it was listed does not see a
// change that is only HEAD's whole-second Last-Modified.
func TestS3StatAgreesWithListing(t *testing.T) {
	srv, st := newS3(t, nil)
	key := "segment-logs/src/1700870400000/1700871234567.events-archiver-440-43..2f22.gz"
	srv.Put(t, testBucket, key, gzipBytes(t, events(3)), "")
	srv.Put(t, testBucket, key+".more", []byte("x"), "") // a longer key the name prefixes
	path := "s3://" + testBucket + "/" + key
	got, dir, err := st.Stat(context.Background(), path)
	if err != nil || dir {
		t.Fatalf("Stat: %v, %v", err, dir)
	}
	var listed File
	if err := st.Walk(context.Background(), "s3://"+testBucket+"/segment-logs/src/1700870400000", func(string) bool { return true }, func(f File) error {
		if f.Path == path {
			listed = f
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got.Size != listed.Size || !got.ModTime.Equal(listed.ModTime) {
		t.Errorf("Stat %+v, listing %+v", got, listed)
	}
}
