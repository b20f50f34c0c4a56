package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/parquetfile"
)

// post sends a query and returns the response and its body.
func post(t testing.TB, ts *testServer, path, contentType, accept, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+ts.httpAddr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
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
	return resp, b
}

// cliOutput renders script's result in format f as `nectar query
// --format f` does: the engine's batches through package output.
func (ts *testServer) cliOutput(t testing.TB, script string, f output.Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	ctx := context.Background()
	err := ts.direct.Run(ctx, script, func(r *engine.Result) error {
		w, err := output.New(f, &buf, r.Schema)
		if err != nil {
			return err
		}
		for {
			b, err := r.Rows.Next(ctx)
			if err != nil {
				return err
			}
			if b == nil || b.Len == 0 {
				return w.Close()
			}
			if err := w.Write(b); err != nil {
				return err
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The answers in every format are the CLI's, byte for byte for the text
// formats and row for row for Arrow and Parquet.
func TestHTTPQueryFormats(t *testing.T) {
	ts := start(t, nil)
	q := seedSQL
	cases := []struct {
		name, path, contentType, accept, body string
		format                                output.Format
		mediaType                             string
	}{
		{"text body, default JSON lines", "/v1/query", "text/plain", "", q, output.JSON, "application/x-ndjson"},
		{"JSON body", "/v1/query", "application/json", "", `{"sql": ` + jsonString(q) + `}`, output.JSON, "application/x-ndjson"},
		{"CSV by Accept", "/v1/query", "", "text/csv", q, output.CSV, "text/csv; charset=utf-8"},
		{"CSV by format", "/v1/query?format=csv", "", "application/json", q, output.CSV, "text/csv; charset=utf-8"},
		{"Accept with a list", "/v1/query", "", "text/html, text/csv;q=0.9", q, output.CSV, "text/csv; charset=utf-8"},
		{"table", "/v1/query?format=table", "", "", q, output.Table, "text/plain; charset=utf-8"},
		{"Arrow", "/v1/query?format=arrow", "", "", q, output.Arrow, "application/vnd.apache.arrow.stream"},
		{"Arrow by Accept", "/v1/query", "", "application/vnd.apache.arrow.stream", q, output.Arrow, "application/vnd.apache.arrow.stream"},
		{"Parquet", "/v1/query?format=parquet", "", "", q, output.Parquet, "application/vnd.apache.parquet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := post(t, ts, c.path, c.contentType, c.accept, c.body)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != c.mediaType {
				t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			want := ts.cliOutput(t, q, c.format)
			switch c.format {
			case output.Arrow:
				body, want = arrowAsJSON(t, body), arrowAsJSON(t, want)
			case output.Parquet:
				body, want = parquetAsJSON(t, body), parquetAsJSON(t, want)
			}
			if !bytes.Equal(body, want) || len(want) == 0 {
				t.Errorf("got:\n%s\nwant (the CLI's):\n%s", body, want)
			}
		})
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// arrowAsJSON reads an Arrow IPC stream and renders its rows as JSON lines.
func arrowAsJSON(t testing.TB, b []byte) []byte {
	t.Helper()
	r, err := ipc.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	var out bytes.Buffer
	for r.Next() {
		js, err := r.RecordBatch().MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		out.Write(js)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// parquetAsJSON reads a Parquet file's rows as JSON lines.
func parquetAsJSON(t testing.TB, b []byte) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.parquet")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := parquetfile.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []byte
	for {
		batch, err := r.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if batch == nil {
			return out
		}
		for i := 0; i < batch.Len; i++ {
			out = output.JSONRow(out, r.Schema(), batch.Row(nil, i))
			out = append(out, '\n')
		}
	}
}

func TestHTTPErrors(t *testing.T) {
	ts := start(t, nil)
	type errJSON struct {
		Error  apiError   `json:"error"`
		Errors []apiError `json:"errors"`
		Detail string     `json:"detail"`
	}
	cases := []struct {
		name, method, path, contentType, accept, body string
		code                                          int
		want                                          apiError // message fragment, position, hint fragment
	}{
		{"syntax error", "POST", "/v1/query", "", "", "SELECT event\nFRM events", 400, apiError{Message: "expected", Line: 2, Column: 1, Hint: "FROM"}},
		{"unknown column", "POST", "/v1/query", "", "", "SELECT properties.vertcal FROM events", 400, apiError{Message: "vertcal", Line: 1, Column: 8, Hint: "properties.vertical"}},
		{"unknown table", "POST", "/v1/query", "", "", "SELECT * FROM evnts", 400, apiError{Message: "evnts", Line: 1, Column: 15}},
		{"empty body", "POST", "/v1/query", "", "", "  ", 400, apiError{Message: "no query"}},
		{"bad JSON", "POST", "/v1/query", "application/json", "", `{"sql": `, 400, apiError{Message: "not JSON"}},
		{"JSON with a misspelt field", "POST", "/v1/query", "application/json", "", `{"query": "SELECT 1"}`, 400, apiError{Message: "unknown field"}},
		{"too big", "POST", "/v1/query", "", "", "SELECT 1 -- " + strings.Repeat("x", maxQueryBytes), 400, apiError{Message: "over 1 MiB"}},
		{"unknown format", "POST", "/v1/query?format=xml", "", "", "SELECT 1", 400, apiError{Message: "xml"}},
		{"unacceptable", "POST", "/v1/query", "", "image/png", "SELECT 1", 406, apiError{Message: "image/png"}},
		{"GET a query", "GET", "/v1/query", "", "", "", 405, apiError{Message: "use POST"}},
		{"POST the tables", "POST", "/v1/tables", "", "", "", 405, apiError{Message: "use GET"}},
		{"no such path", "GET", "/v1/anything", "", "", "", 404, apiError{Message: "no such endpoint"}},
		// The server reads the project's places only (#21): no path,
		// however written, leads elsewhere.
		{"file outside the project", "POST", "/v1/query", "", "", "SELECT * FROM read_json('/etc/passwd')", 400, apiError{Message: "outside the folders and buckets this server may read", Line: 1, Column: 15}},
		{"traversal", "POST", "/v1/query", "", "", "SELECT * FROM read_json('../../../../../../etc/hostname')", 400, apiError{Message: "outside the folders and buckets this server may read", Line: 1, Column: 15}},
		{"parquet outside", "POST", "/v1/query", "", "", "SELECT * FROM read_parquet('/etc')", 400, apiError{Message: "outside the folders and buckets this server may read", Line: 1, Column: 15}},
		{"bucket not named", "POST", "/v1/query", "", "", "SELECT * FROM read_json('s3://other-bucket/logs/')", 400, apiError{Message: "outside the folders and buckets this server may read", Line: 1, Column: 15}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, "http://"+ts.httpAddr+c.path, strings.NewReader(c.body))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got errJSON
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatalf("%d, not a JSON error: %v", resp.StatusCode, err)
			}
			e := got.Error
			if resp.StatusCode != c.code || !strings.Contains(e.Message, c.want.Message) || e.Line != c.want.Line || e.Column != c.want.Column || !strings.Contains(e.Hint, c.want.Hint) {
				t.Errorf("%d %+v, want %d %+v", resp.StatusCode, got, c.code, c.want)
			}
			if c.want.Line > 0 && !strings.Contains(got.Detail, "^") {
				t.Errorf("no caret in the detail: %q", got.Detail)
			}
		})
	}
	// Several syntax errors are all listed.
	resp, body := post(t, ts, "/v1/query", "", "", "SELECT FROM a; SELECT 1 +; SELECT 2")
	var got errJSON
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 400 || len(got.Errors) != 2 || got.Errors[1].Line != 1 || got.Errors[1].Column < 20 {
		t.Errorf("two syntax errors: %d %s", resp.StatusCode, body)
	}
}

// A query failing after rows went out breaks the response off: the
// client sees an error, not a complete-looking answer.
func TestHTTPErrorMidStream(t *testing.T) {
	ts := start(t, nil)
	resp, err := http.Post("http://"+ts.httpAddr+"/v1/query?format=csv", "text/plain",
		strings.NewReader("SELECT CAST(CASE WHEN _line > 3000 THEN 'x' ELSE '1' END AS INT) AS n FROM typed"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || err == nil {
		t.Errorf("%d, %d bytes, read error %v: want 200, some rows, then a broken body", resp.StatusCode, len(body), err)
	}
	if !bytes.HasPrefix(body, []byte("n\n1\n")) {
		t.Errorf("no rows before the error: %.100q", body)
	}
}

func TestHTTPViewsAndTables(t *testing.T) {
	ts := start(t, nil)
	resp, body := post(t, ts, "/v1/query", "", "", "CREATE VIEW carts AS SELECT event, userId, CAST(timestamp AS TIMESTAMP) AS ts FROM events WHERE event = 'Added to Cart'")
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
		t.Errorf("CREATE VIEW: %d %s", resp.StatusCode, body)
	}
	resp, err := http.Get("http://" + ts.httpAddr + "/v1/tables")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Tables []tableJSON `json:"tables"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	byName := map[string]tableJSON{}
	var names []string
	for _, tb := range got.Tables {
		byName[tb.Name] = tb
		names = append(names, tb.Name+" "+tb.Kind)
	}
	if strings.Join(names, ", ") != "carts VIEW, events TABLE, typed TABLE" {
		t.Errorf("tables: %v", names)
	}
	cols, _ := json.Marshal(byName["carts"].Schema)
	if string(cols) != `[{"name":"event","type":"STRING"},{"name":"userId","type":"STRING"},{"name":"ts","type":"TIMESTAMP"}]` {
		t.Errorf("carts: %s", cols)
	}
	if len(byName["events"].Schema) < 10 || byName["events"].Error != "" {
		t.Errorf("events: %+v", byName["events"])
	}
	// The view is there for the next query, over either protocol.
	rows, err := ts.db(t, "", "").Query("SELECT count(*) FROM carts")
	if err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, rows); len(got) != 1 || got[0] == "0" {
		t.Errorf("the view over Flight SQL: %v", got)
	}
}

// A client that goes away mid-answer stops its query.
func TestHTTPClientGoesAway(t *testing.T) {
	ts := start(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+ts.httpAddr+"/v1/query?format=csv",
		strings.NewReader("SELECT a.messageId, b.messageId FROM typed a CROSS JOIN typed b"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1024)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	resp.Body.Close()
	waitIdle(t, ts)
}
