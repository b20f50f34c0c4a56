package server

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/apache/arrow-go/v18/arrow/flight/flightsql/driver"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/types"
)

// dataDir holds the logs every test reads: 20,000 generated events in 4
// files, made once per test binary.
var dataDir string

// testEvents is how many lines the data set has.
const testEvents = 20000

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nectar-server-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: testEvents, Files: 4, Seed: 7}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dataDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testProject writes a nectar.yaml naming the data set as events, and as
// typed with a declared schema (nothing inferred, so its rows stream
// without the sampled schema's check holding them back).
func testProject(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	logs := filepath.Join(dataDir, "segment-logs", "**", "*.gz")
	yaml := fmt.Sprintf(`sources:
  events: {path: %q}
  typed: {path: %q, schema: 'event STRING, messageId STRING, userId STRING'}
`, logs, logs)
	path := filepath.Join(dir, "nectar.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// syncBuffer is a log destination tests read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is a server the test started on loopback.
type testServer struct {
	*Server
	flightAddr, httpAddr string
	log                  *syncBuffer
	cancel               context.CancelFunc
	done                 chan error
	direct               *engine.Session // the project opened as the CLI opens it
}

// start runs a server over the test project on 127.0.0.1 ports of the
// system's choosing, with users if given, and stops it when the test ends.
func start(t testing.TB, users *Users) *testServer {
	t.Helper()
	return startWith(t, users, Limits{})
}

// startWith is start with limits.
func startWith(t testing.TB, users *Users, limits Limits) *testServer {
	t.Helper()
	return startConfig(t, func(c *Config) { c.Users, c.Limits = users, limits })
}

// startConfig is start with the Config as set changes it.
func startConfig(t testing.TB, set func(*Config)) *testServer {
	t.Helper()
	ctx := context.Background()
	// Confined as nectar serve opens it: the project folder and the
	// sources' own.
	base, cfg, err := project.Open(ctx, project.Setup{Config: testProject(t), Confine: true})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	c := Config{Engine: base.Opts, Project: cfg, Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	set(&c)
	s, err := New(c)
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
	sctx, cancel := context.WithCancel(ctx)
	ts := &testServer{Server: s, flightAddr: fl.Addr().String(), httpAddr: hl.Addr().String(),
		log: logs, cancel: cancel, done: make(chan error, 1), direct: base}
	go func() { ts.done <- s.Serve(sctx, fl, hl) }()
	t.Cleanup(func() {
		cancel()
		if err := <-ts.done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ts
}

// db opens database/sql over Go's Flight SQL driver, as user with
// password if user is not "".
func (ts *testServer) db(t testing.TB, user, password string) *sql.DB {
	t.Helper()
	dsn := "flightsql://" + ts.flightAddr + "?timeout=60s"
	if user != "" {
		dsn = "flightsql://" + user + ":" + password + "@" + ts.flightAddr + "?timeout=60s"
	}
	db, err := sql.Open("flightsql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// engineRows runs script directly on a session of the project, as the
// CLI would, and renders its rows as the driver's values would render.
func (ts *testServer) engineRows(t testing.TB, script string) []string {
	t.Helper()
	_, rows, err := engine.QueryRows(context.Background(), ts.direct, script)
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, v := range r {
			cells[j] = valueText(v)
		}
		out[i] = strings.Join(cells, "|")
	}
	return out
}

// valueText renders a value as goText renders what the driver returns.
func valueText(v types.Value) string {
	switch v.K {
	case types.Null:
		return "NULL"
	case types.Timestamp, types.Date:
		return v.Time().UTC().Format(time.RFC3339Nano)
	case types.Float:
		return fmt.Sprint(v.F)
	}
	return v.String()
}

func goText(x any) string {
	switch x := x.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case bool:
		return fmt.Sprint(x)
	case []byte:
		return string(x)
	}
	return fmt.Sprint(x)
}

// sqlRows reads every row of rows as goText renders them.
func sqlRows(t testing.TB, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = goText(v)
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
