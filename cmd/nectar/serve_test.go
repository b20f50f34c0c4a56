package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/driver"
	"golang.org/x/crypto/bcrypt"

	"github.com/nectar-dev/nectar/gen"
	"path/filepath"
)

func TestServeRefuses(t *testing.T) {
	dir := inTempDir(t)
	plain := filepath.Join(dir, "plain-users.txt")
	os.WriteFile(plain, []byte("alice:Plain-Text-Secret\n"), 0o600)
	hashed := filepath.Join(dir, "users.txt")
	h, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	os.WriteFile(hashed, []byte("alice:"+string(h)+"\n"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--flight-sql", "0.0.0.0:0", "--http", ""}, "--flight-sql: \"0.0.0.0:0\" listens beyond this machine"},
		{[]string{"--flight-sql", "", "--http", ":0"}, "no TLS and no authentication (or give --tls-cert, --tls-key and --users)"},
		{[]string{"--flight-sql", "", "--http", "0.0.0.0:0", "--users", hashed}, "has no TLS (or give"},
		{[]string{"--tls-cert", "cert.pem"}, "give --tls-cert and --tls-key together"},
		{[]string{"--tls-cert", "missing.pem", "--tls-key", "missing.key"}, "--tls-cert/--tls-key"},
		{[]string{"--bad-lines", "bad.json"}, "--bad-lines is for one run"},
		{[]string{"--flight-sql", "", "--http", "", "--spark-connect", ""}, "nothing to serve"},
		{[]string{"--users", "missing.txt"}, "users file"},
		{[]string{"--users", plain}, `user "alice" has no bcrypt hash`},
		{[]string{"--flight-sql", "127.0.0.1:80:80", "--http", ""}, "--flight-sql"},
		{[]string{"--flight-sql", "", "--http", "", "--spark-connect", "0.0.0.0:0"}, "--spark-connect: \"0.0.0.0:0\" listens beyond this machine"},
		{[]string{"--flight-sql", "", "--http", "", "--spark-connect", "0.0.0.0:0", "--users", hashed}, "has no TLS (or give"},
	} {
		o := nectar(t, append([]string{"serve"}, c.args...)...)
		if o.code != exitError || !strings.Contains(o.stderr, c.want) {
			t.Errorf("serve %v: exit %d, stderr %q; want exit 1 and %q", c.args, o.code, o.stderr, c.want)
		}
		if strings.Contains(o.stderr, "Plain-Text-Secret") {
			t.Errorf("serve %v shows the users file's secret: %s", c.args, o.stderr)
		}
	}
}

func TestHashPassword(t *testing.T) {
	for _, c := range []struct {
		args  []string
		in    string
		match string // regexp of stdout; "" for a failure
	}{
		{[]string{"--user", "alice"}, "S3cret pass\n", `^alice:\$2a\$12\$[./A-Za-z0-9]{53}\n$`},
		{nil, "S3cret pass", `^\$2a\$12\$[./A-Za-z0-9]{53}\n$`},
		{nil, "\n", ""},
		{[]string{"--user", "al:ice"}, "S3cret pass\n", ""},
	} {
		root := newRoot()
		var stdout, stderr bytes.Buffer
		root.SetArgs(append([]string{"serve", "hash-password"}, c.args...))
		root.SetIn(strings.NewReader(c.in))
		root.SetOut(&stdout)
		root.SetErr(&stderr)
		err := root.Execute()
		if c.match == "" {
			if err == nil {
				t.Errorf("%v %q: no error", c.args, c.in)
			}
			continue
		}
		if err != nil || !regexp.MustCompile(c.match).MatchString(stdout.String()) {
			t.Fatalf("%v: %v, %q", c.args, err, stdout.String())
		}
		hash := strings.TrimSpace(stdout.String())
		if _, h, ok := strings.Cut(hash, ":"); ok {
			hash = h
		}
		if bcrypt.CompareHashAndPassword([]byte(hash), []byte(strings.TrimRight(c.in, "\n"))) != nil {
			t.Errorf("the hash does not check the password")
		}
		if strings.Contains(stdout.String()+stderr.String(), "S3cret") {
			t.Error("the password was printed")
		}
	}
}

// lockedBuffer is stderr for a server running in the test's process.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths and the pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "nectar test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	parsed, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(parsed)
	return cert, key, pool
}

// TestServe runs nectar serve with TLS and users on loopback ports the
// system picks, queries it over HTTPS and Flight SQL, and stops it with a
// query running: the query is cancelled and the command returns.
func TestServe(t *testing.T) {
	dir := inTempDir(t)
	logs := genLogs(t, dir, gen.Options{Events: 20000, Files: 4})
	os.WriteFile("nectar.yaml", []byte("sources:\n  events: {path: '"+logs+"'}\n"), 0o644)
	h, _ := bcrypt.GenerateFromPassword([]byte("alice-pw"), bcrypt.MinCost)
	os.WriteFile("users.txt", []byte("alice:"+string(h)+"\n"), 0o600)
	cert, key, pool := selfSigned(t, dir)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sv := startServe(t, ctx, "--flight-sql", "127.0.0.1:0", "--http", "127.0.0.1:0",
		"--users", "users.txt", "--tls-cert", cert, "--tls-key", key)
	stderr, exited := sv.stderr, sv.exited
	httpAddr, flightAddr := sv.addr("HTTP"), sv.addr("Flight SQL")

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest(http.MethodPost, "https://"+httpAddr+"/v1/query?format=csv", strings.NewReader("SELECT count(*) AS n FROM events"))
	req.SetBasicAuth("alice", "alice-pw")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "n\n20000\n" {
		t.Errorf("HTTPS: %d %q", resp.StatusCode, body)
	}

	if err := driver.RegisterTLSConfig("nectar-test", &tls.Config{RootCAs: pool}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("flightsql", "flightsql://alice:alice-pw@"+flightAddr+"?tls=nectar-test&timeout=30s")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM events WHERE event = ?", "Added to Cart").Scan(&n); err != nil || n == 0 {
		t.Errorf("Flight SQL over TLS: %d, %v", n, err)
	}

	// A long query is running when the server is told to stop.
	rows, err := db.Query("SELECT a.messageId, b.messageId FROM events a CROSS JOIN events b")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatalf("no first row: %v", rows.Err())
	}
	cancel()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop:\n%s", stderr.String())
	}
	// (Go's driver may report the end of a failed stream as io.EOF, so
	// the server's log says how the query ended.)
	for rows.Next() {
	}
	rows.Close()
	log := stderr.String()
	for _, want := range []string{"stopping: cancelling running queries", "running=1", `msg="query failed" error="the server is stopping"`, "stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "alice-pw") {
		t.Error("the log holds the password")
	}
}

// served is a nectar serve command running in the test.
type served struct {
	t      *testing.T
	stderr *lockedBuffer
	exited chan int
}

// startServe runs nectar serve with args until ctx ends.
func startServe(t *testing.T, ctx context.Context, args ...string) *served {
	sv := &served{t: t, stderr: &lockedBuffer{}, exited: make(chan int, 1)}
	go func() {
		var stdout bytes.Buffer
		sv.exited <- run(ctx, append([]string{"serve"}, args...), &stdout, sv.stderr)
	}()
	return sv
}

// addr waits for the address the server logs it listens on for what
// ("HTTP", "Flight SQL").
func (sv *served) addr(what string) string {
	t := sv.t
	t.Helper()
	re := regexp.MustCompile(`msg="` + what + ` listening" addr=(127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(sv.stderr.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-sv.exited:
			t.Fatalf("serve exited %d: %s", code, sv.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no %s address in the log: %s", what, sv.stderr.String())
	return ""
}

// TestServeGraph: with a model graph in the project, nectar serve takes
// OpenLineage events at /api/v1/lineage (as Marquez does) and every
// session sees the graph's tables and graph_walk.
func TestServeGraph(t *testing.T) {
	events, err := os.ReadFile(filepath.Join("..", "..", "graph", "testdata", "openlineage-spec-examples.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	inTempDir(t)
	os.WriteFile("nectar.yaml", []byte("graph: {path: g.db}\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sv := startServe(t, ctx, "--flight-sql", "", "--http", "127.0.0.1:0")
	base := "http://" + sv.addr("HTTP")
	for _, line := range strings.Split(strings.TrimSpace(string(events)), "\n") {
		resp, err := http.Post(base+"/api/v1/lineage", "application/json", strings.NewReader(line))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("POST /api/v1/lineage: %d %s", resp.StatusCode, body)
		}
	}
	query := func(q string) string {
		resp, err := http.Post(base+"/v1/query?format=csv", "text/plain", strings.NewReader(q))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", q, resp.StatusCode, body)
		}
		return string(body)
	}
	if got := query("SELECT count(*) AS n FROM graph_nodes WHERE id = 'job:workshop:process_taxes'"); got != "n\n1\n" {
		t.Errorf("graph_nodes: %q", got)
	}
	if got := query("SELECT count(*) > 0 AS reached FROM graph_walk('job:workshop:process_taxes', direction => 'both', depth => 2)"); got != "reached\ntrue\n" {
		t.Errorf("graph_walk: %q", got)
	}
	resp, err := http.Get(base + "/v1/tables")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"graph_nodes", "graph_edges", "graph_scores"} {
		if !strings.Contains(string(body), `"name":"`+name+`"`) {
			t.Errorf("GET /v1/tables lacks %s: %s", name, body)
		}
	}
}

// TestServeSparkConnectDefaultPortTaken: Spark Connect is served on
// Spark's own port by default; when a Spark server already holds it,
// nectar says so and serves the rest.
func TestServeSparkConnectDefaultPortTaken(t *testing.T) {
	inTempDir(t)
	ln, err := net.Listen("tcp", "127.0.0.1:15002")
	if err != nil {
		t.Skipf("127.0.0.1:15002 is taken already (%v): the case needs to hold it", err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sv := startServe(t, ctx, "--flight-sql", "", "--http", "127.0.0.1:0")
	sv.addr("HTTP")
	if log := sv.stderr.String(); !strings.Contains(log, "Spark Connect not served: its default address is in use") {
		t.Errorf("no warning about the taken port:\n%s", log)
	}
	cancel()
	if code := <-sv.exited; code != 130 { // stopped as by Ctrl-C
		t.Errorf("exit %d: %s", code, sv.stderr.String())
	}
	// Asked for by name, the same address is an error.
	code := run(context.Background(), []string{"serve", "--flight-sql", "", "--http", "", "--spark-connect", "127.0.0.1:15002"}, io.Discard, io.Discard)
	if code == 0 {
		t.Error("--spark-connect on a taken address succeeded")
	}
}

// TestServeUsersFromProject: nectar.yaml's serve: {users: FILE} turns
// authentication on, as --users does.
func TestServeUsersFromProject(t *testing.T) {
	inTempDir(t)
	h, _ := bcrypt.GenerateFromPassword([]byte("alice-pw"), bcrypt.MinCost)
	os.MkdirAll("conf", 0o755)
	os.WriteFile("conf/users.txt", []byte("alice:"+string(h)+"\n"), 0o600)
	os.WriteFile("nectar.yaml", []byte("serve: {users: conf/users.txt}\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sv := startServe(t, ctx, "--flight-sql", "", "--spark-connect", "", "--http", "127.0.0.1:0")
	addr := sv.addr("HTTP")
	for _, c := range []struct {
		user, pw string
		code     int
	}{{"", "", http.StatusUnauthorized}, {"alice", "wrong", http.StatusUnauthorized}, {"alice", "alice-pw", http.StatusOK}} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/query?format=csv", strings.NewReader("SELECT 1 AS one"))
		if c.user != "" {
			req.SetBasicAuth(c.user, c.pw)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.code {
			t.Errorf("%q/%q: %d, want %d", c.user, c.pw, resp.StatusCode, c.code)
		}
	}
}
