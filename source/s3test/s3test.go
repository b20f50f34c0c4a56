package s3test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Static test credentials. Secret is deliberately recognisable so tests can
// assert that it never shows up in errors or logs.
const (
	AccessKey = "AKIANECTARTEST000000"
	Secret    = "nectar-test-secret-DO-NOT-PRINT-0123456789"
	Region    = "us-east-1"
)

// Faults sets what share of requests the proxy breaks. Shares are
// probabilities in [0, 1], drawn from a generator seeded with Seed.
type Faults struct {
	SlowDown float64 // answered 503 SlowDown without reaching the store
	Cut      float64 // object GETs whose body is cut half-way (connection closed)
	Seed     uint64
	// Latency delays every answer, as a distant store does; loopback has
	// none, so without it nothing measures how reads hide round trips.
	Latency time.Duration
}

// Stats counts what the proxy saw and did.
type Stats struct {
	Requests   int // all requests, faulted ones included
	SlowDowns  int
	Cuts       int
	ObjectGets int      // GETs of an object, ranged or not
	RangeGets  int      // of which carried a Range header
	Lists      []string // prefix of every ListObjects request, in order
}

// Server is gofakes3 behind a fault-injecting proxy, both on 127.0.0.1.
type Server struct {
	URL     string // the proxy: use it as the S3 endpoint
	Backend *s3mem.Backend

	mu     sync.Mutex
	faults Faults
	rng    *rand.Rand
	stats  Stats
	region string
	keyed  bool // requests must be signed with AccessKey
	down   http.Handler
}

// RequireKey makes the server refuse, as S3 does with 403
// InvalidAccessKeyId, a request not signed with AccessKey. (The
// signature itself is not checked: a wrong secret is S3's
// SignatureDoesNotMatch, the same 403 to nectar.)
func (s *Server) RequireKey() {
	s.mu.Lock()
	s.keyed = true
	s.mu.Unlock()
}

// SetBucketRegion makes every answer carry X-Amz-Bucket-Region, as AWS
// does, so that tests can exercise region discovery.
func (s *Server) SetBucketRegion(region string) {
	s.mu.Lock()
	s.region = region
	s.mu.Unlock()
}

// New starts a server; it stops when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{Backend: s3mem.New()}
	fake := gofakes3.New(s.Backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	s.down = fake.Server()
	s.rng = rand.New(rand.NewPCG(0, 0))
	proxy := httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(proxy.Close)
	s.URL = proxy.URL
	return s
}

// SetFaults changes the injected faults from now on; the zero Faults turns
// them off.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Lists = append([]string(nil), s.stats.Lists...)
	return st
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.mu.Lock()
	s.stats = Stats{}
	s.mu.Unlock()
}

// CreateBucket makes a bucket directly in the backend, bypassing faults.
func (s *Server) CreateBucket(tb testing.TB, name string) {
	tb.Helper()
	if err := s.Backend.CreateBucket(name); err != nil {
		tb.Fatalf("create bucket %s: %v", name, err)
	}
}

// Put stores an object directly in the backend, bypassing faults. A non-empty
// contentEncoding is stored as the object's Content-Encoding header.
func (s *Server) Put(tb testing.TB, bucket, key string, body []byte, contentEncoding string) {
	tb.Helper()
	meta := map[string]string{"Last-Modified": time.Now().UTC().Format(http.TimeFormat)}
	if contentEncoding != "" {
		meta["Content-Encoding"] = contentEncoding
	}
	if _, err := s.Backend.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		tb.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
}

// Keys lists every key of bucket straight from the backend.
func (s *Server) Keys(tb testing.TB, bucket string) []string {
	tb.Helper()
	list, err := s.Backend.ListBucket(bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		tb.Fatalf("list %s: %v", bucket, err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, o.Key)
	}
	return keys
}

// Env points the AWS SDK's default chain at this server, as a user would
// with environment variables, and hides any real AWS configuration of the
// machine so that tests can never reach AWS.
func (s *Server) Env(tb testing.TB) {
	tb.Helper()
	dir := tb.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_S3":         s.URL,
		"AWS_ENDPOINT_URL":            "",
		"AWS_ACCESS_KEY_ID":           AccessKey,
		"AWS_SECRET_ACCESS_KEY":       Secret,
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  Region,
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		tb.Setenv(k, v)
	}
}

// isObjectGet reports whether r reads an object (path-style /bucket/key),
// as opposed to listing a bucket.
func isObjectGet(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	_, key, _ := strings.Cut(p, "/")
	return key != ""
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Requests++
	slow := s.faults.SlowDown > 0 && s.rng.Float64() < s.faults.SlowDown
	objGet := isObjectGet(r)
	cut := objGet && !slow && s.faults.Cut > 0 && s.rng.Float64() < s.faults.Cut
	if objGet {
		s.stats.ObjectGets++
		if r.Header.Get("Range") != "" {
			s.stats.RangeGets++
		}
	} else if q := r.URL.Query(); r.Method == http.MethodGet && q.Get("list-type") == "2" {
		s.stats.Lists = append(s.stats.Lists, q.Get("prefix"))
	}
	if slow {
		s.stats.SlowDowns++
	}
	if s.region != "" {
		w.Header().Set("X-Amz-Bucket-Region", s.region)
	}
	latency := s.faults.Latency
	keyed := s.keyed
	s.mu.Unlock()
	time.Sleep(latency)

	if keyed && !strings.Contains(r.Header.Get("Authorization"), "Credential="+AccessKey+"/") {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`)
		return
	}

	if slow {
		// The body S3 sends when it throttles a prefix.
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>fault</RequestId></Error>`)
		return
	}
	if objGet && !s.ifMatch(w, r) {
		return
	}
	if !cut {
		s.down.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	s.down.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Code/100 != 2 || len(body) < 2 {
		copyResponse(w, rec)
		return
	}
	s.mu.Lock()
	s.stats.Cuts++
	s.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(body[:len(body)/2])
	w.(http.Flusher).Flush()
	// ErrAbortHandler makes net/http drop the connection without
	// finishing the body: the client sees a read error after half the
	// bytes, as with a reset connection.
	panic(http.ErrAbortHandler)
}

// ifMatch answers 412 PreconditionFailed, as S3 does, when a GET's
// If-Match names another version than the object's current ETag (gofakes3
// ignores the header). It reports whether the request may go on.
func (s *Server) ifMatch(w http.ResponseWriter, r *http.Request) bool {
	want := r.Header.Get("If-Match")
	if want == "" {
		return true
	}
	head := httptest.NewRecorder()
	s.down.ServeHTTP(head, httptest.NewRequest(http.MethodHead, r.URL.String(), nil))
	if head.Code/100 != 2 || head.Header().Get("ETag") == want {
		return true
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusPreconditionFailed)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><RequestId>fault</RequestId></Error>`)
	return false
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}
