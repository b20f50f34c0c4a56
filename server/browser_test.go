package server

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestBrowserGuard: another site's page cannot make a browser run a query
// through the API (as the dashboard's own endpoint refuses it), and a
// server on loopback without users answers only requests that name it as
// this machine, so that DNS rebinding does not make it another site's
// origin; curl and the drivers, which send neither header and name the
// address they reach, pass.
func TestBrowserGuard(t *testing.T) {
	ts := start(t, nil)
	port := ts.httpAddr[strings.LastIndex(ts.httpAddr, ":"):]
	const q = "SELECT 1 AS one"
	for _, c := range []struct {
		method, path string
		headers      []string
		want         int
	}{
		{"POST", "/v1/query", nil, 200},
		{"POST", "/v1/query", []string{"Sec-Fetch-Site", "same-origin"}, 200},
		{"POST", "/v1/query", []string{"Sec-Fetch-Site", "none"}, 200}, // typed into the address bar
		{"POST", "/v1/query", []string{"Origin", "http://" + ts.httpAddr}, 200},
		{"POST", "/v1/query", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"POST", "/v1/query", []string{"Sec-Fetch-Site", "same-site"}, 403},
		{"POST", "/v1/query", []string{"Origin", "http://evil.example"}, 403},
		{"POST", "/v1/query", []string{"Origin", "null"}, 403},
		{"GET", "/v1/tables", []string{"Sec-Fetch-Site", "cross-site"}, 200}, // a read its page cannot see (no CORS)
		{"GET", "/v1/tables", []string{"Host", "localhost" + port}, 200},
		{"GET", "/v1/tables", []string{"Host", "LOCALHOST."}, 200},
		{"GET", "/v1/tables", []string{"Host", "dash.localhost" + port}, 200},
		{"GET", "/v1/tables", []string{"Host", "127.0.0.2" + port}, 200},
		{"GET", "/v1/tables", []string{"Host", "[::1]" + port}, 200},
		{"GET", "/v1/tables", []string{"Host", "rebind.evil.example" + port}, 421},
		{"GET", "/", []string{"Host", "rebind.evil.example" + port}, 421},
		{"POST", "/v1/query", []string{"Host", "10.0.0.1" + port}, 421},
		{"GET", "/v1/tables", []string{"Host", "localhost.evil.example"}, 421},
	} {
		resp, body := request(t, ts, c.method, c.path, q, c.headers...)
		if resp.StatusCode != c.want {
			t.Errorf("%s %s %v: %d %s, want %d", c.method, c.path, c.headers, resp.StatusCode, body, c.want)
		}
		if c.want != 200 && !strings.Contains(body, `"message":"refused: `) {
			t.Errorf("%s %s %v: %s", c.method, c.path, c.headers, body)
		}
	}

	// With users, a rebound name meets the password prompt of its own
	// origin instead: the Host is left alone (a proxy may name the server
	// as its users know it).
	h, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	users, err := ParseUsers(strings.NewReader("alice:" + string(h) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	tu := start(t, users)
	if resp, _ := request(t, tu, "GET", "/v1/tables", "", "Host", "nectar.example.com"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("with users, another Host: %d, want 401", resp.StatusCode)
	}
	if resp, _ := request(t, tu, "POST", "/v1/query", q, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("with users, cross-site: %d, want 403", resp.StatusCode)
	}
}
