package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/nectar-dev/nectar/experiment"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/server/dashboard"
)

// request sends method path with body and headers to the server.
func request(t testing.TB, ts *testServer, method, path, body string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+ts.httpAddr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// external finds what a page would fetch from elsewhere than the server.
var external = regexp.MustCompile(`(?i)(src|href|action)\s*=\s*["']?\s*(https?:|//|data:text)|@import|url\(\s*["']?(https?:|//)`)

func TestDashboardPages(t *testing.T) {
	dir := streamProject(t, "")
	arrive(t, dir, "1.json", "View", "Order")
	hs := startHosted(t, dir)
	eventually(t, "the first batch", func() bool { return streamStatus(t, hs, "data_stream").Batches == 1 })
	for _, c := range []struct{ path, want string }{
		{"/", `<textarea id="sql"`},
		{"/sources", "data_stream"},
		{"/sources/data_stream", "first 2 values"},
		{"/streams", `data-stream="data_stream"`},
		{"/streams/data_stream", `data-table-query="SELECT * FROM data_stream"`},
		{"/experiments", "No experiment specs found"},
		{"/static/app.js", "runQuery"},
		{"/static/chart.js", "fromResult"},
		{"/static/report.css", ".report table"},
	} {
		resp, body := request(t, hs.testServer, "GET", c.path, "")
		if resp.StatusCode != 200 || !strings.Contains(body, c.want) {
			t.Errorf("GET %s: %d, want %q in:\n%.600s", c.path, resp.StatusCode, c.want, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); csp != dashboard.ContentSecurityPolicy || !strings.HasPrefix(csp, "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", c.path, csp)
		}
		if m := external.FindString(body); m != "" {
			t.Errorf("GET %s fetches from elsewhere: %s", c.path, m)
		}
	}
	for _, path := range []string{"/nope", "/sources/nope", "/streams/nope", "/experiments/nope.yaml"} {
		if resp, body := request(t, hs.testServer, "GET", path, ""); resp.StatusCode != 404 || !strings.Contains(body, "<h1>") {
			t.Errorf("GET %s: %d %.200s", path, resp.StatusCode, body)
		}
	}
	// Inline script or style would be blocked by the policy: there is
	// none in the templates, and every static file is the server's own.
	err := fs.WalkDir(os.DirFS("dashboard"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := os.ReadFile(filepath.Join("dashboard", p))
		if err != nil {
			return err
		}
		s := string(b)
		if m := external.FindString(s); m != "" {
			t.Errorf("%s loads from elsewhere: %s", p, m)
		}
		if strings.HasSuffix(p, ".html") && (regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(s) || regexp.MustCompile(`\sstyle=|<style|\son[a-z]+=`).MatchString(s)) {
			t.Errorf("%s has inline script, style or handler", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Names come from users (a backquoted view name may be any text):
// every page escapes them.
func TestDashboardEscapes(t *testing.T) {
	ts := start(t, nil)
	evil := `<img src=x onerror=alert(1)>`
	if resp, body := post(t, ts, "/v1/query", "text/plain", "", "CREATE VIEW `"+evil+"` AS SELECT event FROM typed"); resp.StatusCode != 204 {
		t.Fatalf("CREATE VIEW: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/sources", "/sources/" + strings.ReplaceAll(evil, " ", "%20"), "/?sql=" + strings.ReplaceAll(evil, " ", "%20")} {
		resp, body := request(t, ts, "GET", path, "")
		if resp.StatusCode != 200 || strings.Contains(body, evil) || !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("GET %s: %d, the name unescaped or missing:\n%.2000s", path, resp.StatusCode, body)
		}
	}
}

func TestDashboardQueryEndpoint(t *testing.T) {
	ts := start(t, nil)
	const q = "SELECT event, count(*) AS n, CAST(min(timestamp) AS TIMESTAMP) AS first FROM events GROUP BY event ORDER BY event"
	resp, body := request(t, ts, "POST", "/ui/query", `{"sql": `+jsonString(q)+`}`, "Content-Type", "application/json")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if lines[0] != `{"columns":[{"name":"event","type":"STRING"},{"name":"n","type":"BIGINT"},{"name":"first","type":"TIMESTAMP"}]}` {
		t.Errorf("columns line %s", lines[0])
	}
	want := ts.engineRows(t, q)
	if len(lines) != len(want)+2 || !strings.HasPrefix(lines[len(lines)-1], `{"done":{`) {
		t.Fatalf("%d lines for %d rows:\n%s", len(lines), len(want), body)
	}
	for i, w := range want {
		var row []any
		if err := json.Unmarshal([]byte(lines[i+1]), &row); err != nil {
			t.Fatal(err)
		}
		cells := strings.Split(w, "|")
		if row[0] == nil {
			row[0] = "NULL"
		}
		if row[0] != cells[0] || jsonNumber(row[1]) != cells[1] || row[2] != cells[2] {
			t.Errorf("row %d: %v, want %s", i, row, w)
		}
	}
	// A limit stops the query and says so.
	_, body = request(t, ts, "POST", "/ui/query", `{"sql": "SELECT messageId FROM events", "limit": 5}`, "Content-Type", "application/json")
	lines = strings.Split(strings.TrimSpace(body), "\n")
	if len(lines) != 7 || !strings.Contains(lines[6], `"truncated":true`) {
		t.Errorf("limit 5: %s", body)
	}
	// A mistake comes back as the API's error, with the place and caret.
	resp, body = request(t, ts, "POST", "/ui/query", `{"sql": "SELECT event\nFRM events"}`, "Content-Type", "application/json")
	var e struct {
		Error struct {
			Message      string
			Line, Column int
		}
		Detail string
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != 400 || e.Error.Line != 2 || e.Error.Column != 1 || !strings.Contains(e.Detail, "^") {
		t.Errorf("syntax error: %d %s", resp.StatusCode, body)
	}
	if resp, body := request(t, ts, "POST", "/ui/query", `not json`, "Content-Type", "application/json"); resp.StatusCode != 400 {
		t.Errorf("bad body: %d %s", resp.StatusCode, body)
	}
	// Another site's page cannot make the browser run a query.
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "http://evil.example"}} {
		resp, _ := request(t, ts, "POST", "/ui/query", `{"sql": "SELECT 1"}`, "Content-Type", "application/json", h[0], h[1])
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s: %d, want 403", h[0], h[1], resp.StatusCode)
		}
	}
	if resp, _ := request(t, ts, "POST", "/ui/query", `{"sql": "SELECT 1 AS one"}`, "Content-Type", "application/json", "Origin", "http://"+ts.httpAddr, "Sec-Fetch-Site", "same-origin"); resp.StatusCode != 200 {
		t.Errorf("same origin refused: %d", resp.StatusCode)
	}
	if !strings.Contains(ts.log.String(), `"protocol":"dashboard"`) {
		t.Error("dashboard queries are not logged")
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The dashboard asks for the API's credentials, and takes them.
func TestDashboardAuthentication(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("Dash-Pw-1"), bcrypt.MinCost)
	users, err := ParseUsers(strings.NewReader("ana:" + string(hash) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	ts := start(t, users)
	for _, path := range []string{"/", "/sources", "/static/app.js", "/streams"} {
		resp, _ := request(t, ts, "GET", path, "")
		if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("GET %s without credentials: %d", path, resp.StatusCode)
		}
		req, _ := http.NewRequest("GET", "http://"+ts.httpAddr+path, nil)
		req.SetBasicAuth("ana", "Dash-Pw-1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.Contains(string(body), "Dash-Pw-1") {
			t.Errorf("GET %s as ana: %d", path, resp.StatusCode)
		}
		if path == "/" && !strings.Contains(string(body), `class="user"`) {
			t.Errorf("the page does not say who is signed in")
		}
	}
}

// An experiment spec in the project folder is listed and reported with
// the numbers nectar experiment gives.
func TestDashboardExperiment(t *testing.T) {
	ts := start(t, nil)
	dir := filepath.Dir(projectPath(t, ts))
	spec := strings.Replace(mustRead(t, "../experiment/testdata/food-recs.yaml"), "source: ./logs", "source: events", 1)
	if err := os.MkdirAll(filepath.Join(dir, "experiments"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "experiments", "food recs.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	// Not specs: ignored.
	os.WriteFile(filepath.Join(dir, "other.yaml"), []byte("a: 1\n"), 0o644)
	resp, body := request(t, ts, "GET", "/experiments", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `href="/experiments/experiments%2Ffood%20recs.yaml"`) || strings.Contains(body, "other.yaml") {
		t.Fatalf("GET /experiments: %d\n%s", resp.StatusCode, body)
	}
	resp, body = request(t, ts, "GET", "/experiments/experiments%2Ffood%20recs.yaml", "")
	if resp.StatusCode != 200 {
		t.Fatalf("report: %d %s", resp.StatusCode, body)
	}
	sp, err := experiment.ParseSpec([]byte(spec), dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := experiment.Run(context.Background(), ts.direct, sp)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := rep.WriteHTMLFragment(&want); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, want.String()) {
		t.Errorf("the page's report differs from nectar experiment's")
	}
	// A spec that does not fit the data says why.
	os.WriteFile(path, []byte(strings.Replace(spec, "experiment_id: food-recs-2019-02", "experiment_id: no-such-test", 1)), 0o644)
	_, body = request(t, ts, "GET", "/experiments/experiments%2Ffood%20recs.yaml?run=1", "")
	if !strings.Contains(body, `id="experiment-error"`) || !strings.Contains(body, "exposure") {
		t.Errorf("a spec that matches nothing:\n%.3000s", body)
	}
}

func mustRead(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// projectPath is the nectar.yaml ts serves.
func projectPath(t testing.TB, ts *testServer) string {
	t.Helper()
	var cfg *project.Config = ts.cfg.Project
	return filepath.Join(cfg.Dir(), "nectar.yaml")
}
