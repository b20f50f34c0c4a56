package server

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/server/streams"
)

// streamProject is a project folder whose nectar.yaml declares a memory
// stream over logs/*.json, taking files at once every 50 ms.
func streamProject(t testing.TB, extra string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	yaml := `streams:
  data_stream:
    query: SELECT event, count(*) AS n, sum(price) AS revenue FROM read_json('./logs/*.json') GROUP BY event
    trigger: 50ms
    settle: 0
    checkpoint: ./checkpoints/data_stream
    sink: memory
` + extra
	if err := os.WriteFile(filepath.Join(dir, "nectar.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// arrive publishes a log file as a careful writer does: written aside,
// renamed into place.
func arrive(t testing.TB, dir, name string, events ...string) {
	t.Helper()
	var b strings.Builder
	for i, e := range events {
		fmt.Fprintf(&b, `{"event":%q,"price":%d,"messageId":"%s-%d"}`+"\n", e, 10+i, name, i)
	}
	tmp := filepath.Join(dir, "logs", ".tmp-"+name)
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "logs", name)); err != nil {
		t.Fatal(err)
	}
}

// hostedServer is a server with the project's streams, started as nectar
// serve starts them; stop stops both as SIGTERM would.
type hostedServer struct {
	*testServer
	host *streams.Host
	stop func()
}

func startHosted(t testing.TB, dir string) *hostedServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	base, cfg, err := project.Open(ctx, project.Setup{Config: filepath.Join(dir, "nectar.yaml"), Confine: true})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	host, err := streams.New(streams.Options{Project: cfg, Engine: base.Opts, Log: logger,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Engine: base.Opts, Project: cfg, Streams: host, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	fl, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hl, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: s, flightAddr: fl.Addr().String(), httpAddr: hl.Addr().String(), log: logs,
		cancel: cancel, done: make(chan error, 1), direct: base}
	host.Start(ctx)
	go func() { ts.done <- s.Serve(ctx, fl, hl) }()
	stopped := false
	hs := &hostedServer{testServer: ts, host: host}
	hs.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-ts.done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		host.Wait()
	}
	t.Cleanup(hs.stop)
	return hs
}

// httpRows runs sql over the HTTP API and returns its JSON lines, sorted.
func (hs *hostedServer) httpRows(t testing.TB, sql string) ([]string, int) {
	t.Helper()
	resp, body := post(t, hs.testServer, "/v1/query", "text/plain", "", sql)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if resp.StatusCode != http.StatusOK {
		return lines, resp.StatusCode
	}
	slices.Sort(lines)
	return lines, resp.StatusCode
}

// eventually polls f until it is true or 20 s pass.
func eventually(t testing.TB, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// batchAnswer is what a batch query over every file gives: the stream's
// table must equal it, whatever restarts happened.
func batchAnswer(t testing.TB, dir string) []string {
	t.Helper()
	e := engine.New(engine.Options{Dir: dir})
	_, rows, err := engine.QueryRows(context.Background(), e, "SELECT event, count(*) AS n, sum(price) AS revenue FROM read_json('./logs/*.json') GROUP BY event")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf(`{"event":%q,"n":%d,"revenue":%d}`, r[0].S, r[1].I, r[2].I))
	}
	slices.Sort(out)
	return out
}

func TestHostedStreamTableGrowsAndSurvivesRestart(t *testing.T) {
	dir := streamProject(t, "")
	hs := startHosted(t, dir)

	// Before the first batch the table is listed, and reading it says why
	// it has no rows: unavailable for now (503; Unavailable over Flight
	// SQL), not a failure of the server; the status says it is not ready.
	lines, code := hs.httpRows(t, "SELECT * FROM data_stream")
	if code != http.StatusServiceUnavailable || !strings.Contains(strings.Join(lines, ""), "no result yet") {
		t.Errorf("before any file: %d %s", code, lines)
	}
	rows, err := hs.db(t, "", "").Query("SELECT * FROM data_stream")
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if status.Code(err) != codes.Unavailable || !strings.Contains(fmt.Sprint(err), "no result yet") {
		t.Errorf("before any file, over Flight SQL: %v", err)
	}
	if st := streamStatus(t, hs, "data_stream"); st.TableReady || st.Table != "data_stream" {
		t.Errorf("before any file: table %q ready %v", st.Table, st.TableReady)
	}
	resp, body := get(t, hs.testServer, "/v1/tables")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"name":"data_stream","kind":"STREAM TABLE"`) {
		t.Errorf("GET /v1/tables: %s", body)
	}

	arrive(t, dir, "1.json", "View", "View", "Order")
	want := batchAnswer(t, dir)
	eventually(t, "the first file in the table", func() bool {
		got, code := hs.httpRows(t, "SELECT * FROM data_stream")
		return code == 200 && slices.Equal(got, want)
	})
	arrive(t, dir, "2.json", "Order", "Click")
	want = batchAnswer(t, dir)
	eventually(t, "the second file in the table", func() bool {
		got, _ := hs.httpRows(t, "SELECT * FROM data_stream")
		return slices.Equal(got, want)
	})
	// Over Flight SQL too, as ADBC and JDBC read it.
	got := sqlRows(t, mustQuery(t, hs.db(t, "", ""), "SELECT event, n, revenue FROM data_stream ORDER BY event"))
	if strings.Join(got, ";") != "Click|1|11;Order|2|22;View|2|21" {
		t.Errorf("Flight SQL: %v", got)
	}

	// The table shows a batch as the sink gets it; the status counts it
	// once committed, a moment later.
	eventually(t, "the second batch's commit", func() bool { return streamStatus(t, hs, "data_stream").Batches == 2 })
	st := streamStatus(t, hs, "data_stream")
	if st.State != streams.Running || st.RowsIn != 5 || st.TableRows != 3 || !st.TableReady || !st.Started || st.Target != "memory table data_stream" || st.Uncommitted {
		t.Errorf("status %+v", st)
	}

	// Stop as SIGTERM would, and start a new server on the same project:
	// the table is back before any new file, and the next file is added
	// once.
	hs.stop()
	if _, err := os.Stat(filepath.Join(dir, "checkpoints", "data_stream", "commits")); err != nil {
		t.Fatal(err)
	}
	hs2 := startHosted(t, dir)
	eventually(t, "the table restored from the checkpoint", func() bool {
		got, _ := hs2.httpRows(t, "SELECT * FROM data_stream")
		return slices.Equal(got, want)
	})
	arrive(t, dir, "3.json", "View")
	want = batchAnswer(t, dir)
	eventually(t, "the third file in the table after the restart", func() bool {
		got, _ := hs2.httpRows(t, "SELECT * FROM data_stream")
		return slices.Equal(got, want)
	})
	eventually(t, "the third batch's commit", func() bool { return streamStatus(t, hs2, "data_stream").Batches == 3 })
	if st := streamStatus(t, hs2, "data_stream"); st.RowsIn != 6 {
		t.Errorf("after the restart the checkpoint counts %d rows read, want 6 (nothing read twice)", st.RowsIn)
	}
}

func get(t testing.TB, ts *testServer, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get("http://" + ts.httpAddr + path)
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

func streamStatus(t testing.TB, hs *hostedServer, name string) streams.Status {
	t.Helper()
	resp, body := get(t, hs.testServer, "/v1/streams/"+name)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /v1/streams/%s: %d %s", name, resp.StatusCode, body)
	}
	var st streams.Status
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestStreamStatusAPI(t *testing.T) {
	dir := streamProject(t, `  broken:
    query: SELECT a.event, count(*) AS n FROM read_json('./logs/*.json') a JOIN read_json('./logs/*.json') b ON a.event = b.event GROUP BY a.event
    trigger: 50ms
    settle: 0
    checkpoint: ./checkpoints/broken
    sink: {memory: broken_table}
`)
	hs := startHosted(t, dir)
	arrive(t, dir, "1.json", "View")
	// The stream whose query cannot stream fails, is reported, and takes
	// neither the server nor the other stream down.
	eventually(t, "the broken stream reported as failed", func() bool {
		return streamStatus(t, hs, "broken").State == streams.Failed
	})
	br := streamStatus(t, hs, "broken")
	if !strings.Contains(br.Error, "JOIN") || br.Restarts != 0 {
		t.Errorf("broken: %+v", br)
	}
	eventually(t, "the good stream's first batch", func() bool { return streamStatus(t, hs, "data_stream").Batches == 1 })

	resp, body := get(t, hs.testServer, "/v1/streams")
	var list struct {
		Streams []streams.Status `json:"streams"`
	}
	if err := json.Unmarshal(body, &list); err != nil || resp.StatusCode != 200 || len(list.Streams) != 2 || list.Streams[0].Name != "broken" {
		t.Errorf("GET /v1/streams: %d %s", resp.StatusCode, body)
	}
	// The same fields as nectar stream status.
	for _, field := range []string{`"batches":`, `"rows_out":`, `"late_rows":`, `"files_pending":`, `"skipped_files":`, `"partial_files":`, `"recent":[`, `"input_rows_per_second":`} {
		if !strings.Contains(string(body), field) {
			t.Errorf("GET /v1/streams lacks %s", field)
		}
	}
	if resp, body := get(t, hs.testServer, "/v1/streams/nope"); resp.StatusCode != 404 || !strings.Contains(string(body), "no such stream") {
		t.Errorf("GET /v1/streams/nope: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(hs.log.String(), `"msg":"stream failed; it will not run again`) {
		t.Errorf("the failure is not logged:\n%s", hs.log.String())
	}
}

func TestStreamEventsFollowCommitsAndEndWithTheClient(t *testing.T) {
	dir := streamProject(t, "")
	hs := startHosted(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+hs.httpAddr+"/v1/streams/data_stream/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %s", ct)
	}
	events := make(chan streams.Status, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var st streams.Status
				if json.Unmarshal([]byte(data), &st) == nil {
					events <- st
				}
			}
		}
	}()
	next := func(what string, ok func(streams.Status) bool) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case st, open := <-events:
				if !open {
					t.Fatalf("the event stream ended before %s", what)
				}
				if ok(st) {
					return
				}
			case <-timeout:
				t.Fatalf("no event for %s", what)
			}
		}
	}
	next("the first status", func(st streams.Status) bool { return st.Name == "data_stream" })
	arrive(t, dir, "1.json", "View")
	next("batch 0's commit", func(st streams.Status) bool { return st.Batches == 1 && st.TableRows == 1 })
	arrive(t, dir, "2.json", "Order")
	next("batch 1's commit", func(st streams.Status) bool { return st.Batches == 2 && st.TableRows == 2 })
	if n := hs.host.Watchers("data_stream"); n != 1 {
		t.Errorf("%d watches while one client follows", n)
	}
	// The browser goes away: its watch ends with it.
	cancel()
	resp.Body.Close()
	eventually(t, "the watch to end", func() bool { return hs.host.Watchers("data_stream") == 0 })
	if resp, _ := get(t, hs.testServer, "/v1/streams/nope/events"); resp.StatusCode != 404 {
		t.Errorf("events of no stream: %d", resp.StatusCode)
	}
}

func mustQuery(t testing.TB, db interface {
	Query(string, ...any) (*sql.Rows, error)
}, q string) *sql.Rows {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rows
}

// TestDocumentedStreams runs the streams sections docs/SERVE.md and the
// README show, on generated logs (a PostgreSQL sink made a file sink: the
// test reaches no other host): every stream commits a batch, and the
// memory table data_stream equals its query run as a batch query.
func TestDocumentedStreams(t *testing.T) {
	for _, c := range []struct {
		file, after string
		streams     []string
	}{
		{filepath.Join("..", "docs", "SERVE.md"), "## Streams in the server", []string{"by_hour", "data_stream", "orders"}},
		{filepath.Join("..", "README.md"), "## From R, Python and BI tools: nectar serve", []string{"data_stream"}},
	} {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			doc, err := os.ReadFile(c.file)
			if err != nil {
				t.Fatal(err)
			}
			_, after, ok := strings.Cut(string(doc), c.after)
			_, block, ok2 := strings.Cut(after, "```yaml\n")
			block, _, ok3 := strings.Cut(block, "```")
			if !ok || !ok2 || !ok3 || !strings.Contains(block, "streams:") {
				t.Fatalf("%s has no yaml block with streams under %q", c.file, c.after)
			}
			yaml := regexp.MustCompile(`sink: \{postgres: [^}]*\}`).ReplaceAllString(block, "sink: {file: ./out/pg, format: csv}")
			dir := t.TempDir()
			if _, err := gen.Generate(context.Background(), gen.Options{Out: filepath.Join(dir, "logs"), Events: 3000, Files: 3, Seed: 5, Workers: 1}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "nectar.yaml"), []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := project.LoadConfig(filepath.Join(dir, "nectar.yaml"), true)
			if err != nil {
				t.Fatal(err)
			}
			hs := startHosted(t, dir)
			names := hs.host.Names()
			if !slices.Equal(names, c.streams) {
				t.Fatalf("streams %v, want %v", names, c.streams)
			}
			for _, name := range names {
				eventually(t, name+"'s first batch", func() bool {
					st := streamStatus(t, hs, name)
					switch st.State {
					case streams.Starting:
						return false // the host has not run it yet (CI's run met this once)
					case streams.Running:
						return st.Batches >= 1
					}
					t.Fatalf("%s: %s %s", name, st.State, st.Error)
					return false
				})
			}
			// (The test's working directory is not the project's, as nectar
			// serve's is: the batch query names the folder in full.)
			batch := strings.ReplaceAll(cfg.Streams["data_stream"].Query, "'./logs/", "'"+filepath.Join(dir, "logs")+"/")
			want, code := hs.httpRows(t, batch)
			if code != 200 || len(want) == 0 {
				t.Fatalf("the batch query: %d %v", code, want)
			}
			got, code := hs.httpRows(t, "SELECT * FROM data_stream")
			if code != 200 || !slices.Equal(got, want) {
				t.Errorf("data_stream: %d %v, want %v", code, got, want)
			}
		})
	}
}
