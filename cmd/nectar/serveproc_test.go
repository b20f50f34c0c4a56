package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/stream"
)

// serveProc is the real nectar binary serving a project folder over HTTP
// only, for tests that signal or kill it.
type serveProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *lockedBuffer
	base   string        // http://127.0.0.1:port
	exited chan struct{} // closed once the process has ended
}

// startServeProc runs bin serve in dir and waits for its HTTP address.
func startServeProc(t *testing.T, bin, dir string) *serveProc {
	t.Helper()
	s := &serveProc{t: t, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve", "--flight-sql", "", "--spark-connect", "", "--http", "127.0.0.1:0")
	s.cmd.Dir, s.cmd.Stderr = dir, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() { s.cmd.Process.Kill(); <-s.exited })
	re := regexp.MustCompile(`msg="HTTP listening" addr=(127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := re.FindStringSubmatch(s.stderr.String()); m != nil {
			s.base = "http://" + m[1]
			return s
		}
		select {
		case <-s.exited:
			t.Fatalf("serve exited: %s", s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen: %s", s.stderr.String())
		}
	}
}

// status is GET /v1/streams/{name}.
func (s *serveProc) status(name string) stream.Status {
	s.t.Helper()
	resp, err := http.Get(s.base + "/v1/streams/" + name)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var st stream.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		s.t.Fatal(err)
	}
	return st
}

// query runs sql over HTTP and returns its CSV, or the status and error
// body when it fails.
func (s *serveProc) query(sql string) string {
	s.t.Helper()
	resp, err := http.Post(s.base+"/v1/query?format=csv", "text/plain", strings.NewReader(sql))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Sprintf("%d %s", resp.StatusCode, b)
	}
	return string(b)
}
