package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/listen"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/server/dashboard"
	"github.com/nectar-dev/nectar/server/streams"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Config is what a server serves and how it is guarded.
type Config struct {
	// Engine is how sessions read: the options of the session
	// project.Open made (its object stores, backend, memory limit).
	Engine engine.Options
	// Project is nectar.yaml: its sources are tables of every session
	// (nil: none).
	Project *project.Config
	// Experiments are experiment spec files the dashboard reports on,
	// beside those it finds in the project folder.
	Experiments []string
	// Tables are extra tables beside the project's (nil: none).
	Tables Tables
	// Streams are the streams the server hosts (nil: none): their memory
	// tables join the catalog as STREAM TABLEs beside Tables, and
	// GET /v1/streams reports them. The caller starts them.
	Streams *streams.Host
	// Prepare, if set, readies each session a request gets, as the CLI
	// readies its own (the model graph's graph_walk).
	Prepare func(*engine.Session)
	// Handlers are further HTTP endpoints by path, which authenticate
	// their clients themselves (the model graph's OpenLineage endpoint,
	// /api/v1/lineage, where Airflow's provider posts with its own token).
	Handlers map[string]http.Handler
	// Users are the accounts requests must authenticate as (nil: no
	// authentication; then only loopback addresses are allowed).
	Users *Users
	// TLS encrypts both protocols (nil: plain).
	TLS *tls.Config
	// Limits bound the queries run at once, their time and their memory.
	Limits Limits
	// Logger receives one line per request and the server's events (nil:
	// slog.Default()). Credentials never reach it.
	Logger *slog.Logger
}

// Server answers Flight SQL and HTTP requests from the engine.
type Server struct {
	cfg       Config
	log       *slog.Logger
	auth      *authenticator // nil without users
	admission *admission
	mem       memory.Allocator
	// extra are Config.Tables and the streams' tables, joined.
	extra Tables
	dash  *dashboard.Dashboard

	// stopping is cancelled when Serve's context ends: every running
	// query's context is cancelled with it.
	stopping context.Context
	stop     context.CancelCauseFunc

	mu        sync.Mutex
	userState map[string]*engine.State
	running   map[string]*runningQuery
	finished  map[string]time.Time // ids of queries that ended, for CancelFlightInfo
	cancelled map[string]time.Time // ids cancelled before they started
	swept     time.Time            // when finished and cancelled last lost their old ids
	prepared  map[string]*prepared
}

// errStopping is the cause of queries cancelled because the server stops.
var errStopping = errors.New("the server is stopping")

// New makes a server; Serve starts it.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mem: memory.DefaultAllocator,
		userState: map[string]*engine.State{}, running: map[string]*runningQuery{},
		finished: map[string]time.Time{}, cancelled: map[string]time.Time{}, prepared: map[string]*prepared{}}
	s.admission = newAdmission(cfg.Limits.withDefaults(cfg.Users != nil))
	s.stopping, s.stop = context.WithCancelCause(context.Background())
	if cfg.Users != nil {
		s.auth = &authenticator{users: cfg.Users, tokens: newTokens()}
	}
	var extra joinedTables
	if cfg.Tables != nil {
		extra = append(extra, cfg.Tables)
	}
	if cfg.Streams != nil {
		extra = append(extra, streamTables{cfg.Streams})
	}
	if len(extra) > 0 {
		s.extra = extra
	}
	dir := "."
	if cfg.Project != nil {
		dir = cfg.Project.Dir()
	}
	var err error
	s.dash, err = dashboard.New(dashboard.Options{Backend: dashBackend{s}, Streams: cfg.Streams, ProjectDir: dir,
		Specs: cfg.Experiments, Log: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	return s, nil
}

// Listen opens a listener on addr, refusing (wrapping
// listen.ErrNotLoopback) an address beyond this machine unless the server
// has both TLS and users.
func (s *Server) Listen(addr string) (net.Listener, error) {
	if err := listen.Check(addr, listen.Protection{TLS: s.cfg.TLS != nil, Auth: s.cfg.Users != nil}); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// Serve answers Flight SQL on flightLn and HTTP on httpLn (either may be
// nil) until ctx ends, then cancels the running queries, stops both and
// returns nil; or returns the first error that stops a protocol.
func (s *Server) Serve(ctx context.Context, flightLn, httpLn net.Listener) error {
	var grpcServer flight.Server
	var httpServer *http.Server
	errs := make(chan error, 2)
	if flightLn != nil {
		grpcServer = s.flightServer()
		grpcServer.InitListener(flightLn)
		go func() { errs <- grpcServer.Serve() }()
		s.log.Info("Flight SQL listening", "addr", flightLn.Addr().String(), "tls", s.cfg.TLS != nil, "auth", s.auth != nil)
	}
	if httpLn != nil {
		httpServer = &http.Server{
			Handler:           s.httpHandler(),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			// Request contexts end with the server's, so that stopping
			// cancels the queries they run.
			BaseContext: func(net.Listener) context.Context { return s.stopping },
			ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		}
		if s.cfg.TLS != nil {
			httpServer.TLSConfig = s.cfg.TLS
			httpLn = tls.NewListener(httpLn, s.cfg.TLS)
		}
		go func() { errs <- httpServer.Serve(httpLn) }()
		s.log.Info("HTTP listening", "addr", httpLn.Addr().String(), "tls", s.cfg.TLS != nil, "auth", s.auth != nil)
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}
	s.log.Info("stopping: cancelling running queries", "running", s.runningCount())
	s.stop(errStopping)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if grpcServer != nil {
			grpcServer.Shutdown()
		}
	}()
	if httpServer != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if e := httpServer.Shutdown(sctx); e != nil {
			httpServer.Close()
		}
		cancel()
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		// Cancelled queries end at their next batch; a stream stuck on a
		// client that reads nothing must not hold the process.
		s.log.Warn("Flight SQL calls still open after 5s: closing them")
	}
	s.log.Info("stopped")
	return err
}

func (s *Server) flightServer() flight.Server {
	var mw []flight.ServerMiddleware
	if s.auth != nil {
		mw = append(mw, s.auth.grpcAuth())
	}
	var opts []grpc.ServerOption
	if s.cfg.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(s.cfg.TLS)))
	}
	srv := flight.NewServerWithMiddleware(mw, opts...)
	srv.RegisterFlightService(flightsql.NewFlightServerWithAllocator(newFlightSQL(s), s.mem))
	return srv
}

// runningQuery is a query the server is running, for cancellation.
type runningQuery struct {
	user   string
	cancel context.CancelCauseFunc
}

// errCancelled is the cause of a query cancelled by its client's request
// (Flight SQL CancelFlightInfo).
var errCancelled = errors.New("cancelled by the client")

// start registers a query under id and returns its context:
// cancelled when ctx is (the client went away), when the server stops,
// or by cancel(id). done unregisters it.
func (s *Server) start(ctx context.Context, id, user string) (qctx context.Context, done func()) {
	qctx, cancel := context.WithCancelCause(ctx)
	unhook := context.AfterFunc(s.stopping, func() { cancel(errStopping) })
	s.mu.Lock()
	if _, ok := s.cancelled[id]; ok {
		// CancelFlightInfo came before the query started.
		delete(s.cancelled, id)
		cancel(errCancelled)
	}
	s.running[id] = &runningQuery{user: user, cancel: cancel}
	s.mu.Unlock()
	return qctx, func() {
		unhook()
		cancel(nil)
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.running, id)
		s.remember(s.finished, id)
	}
}

// remember adds id to a set of recent ids. Ids over an hour old are
// dropped, in one sweep a minute at most, so that the set stays small
// and a busy server does not walk it for every query; s.mu is held.
func (s *Server) remember(set map[string]time.Time, id string) {
	now := time.Now()
	if now.Sub(s.swept) > time.Minute {
		s.swept = now
		for _, m := range []map[string]time.Time{s.finished, s.cancelled} {
			for k, t := range m {
				if now.Sub(t) > time.Hour {
					delete(m, k)
				}
			}
		}
	}
	set[id] = now
}

// cancelQuery cancels the query id of user. It reports whether the query
// was running, and false for ok when it has ended or is another user's.
// A query that has not started yet is cancelled when it starts.
func (s *Server) cancelQuery(id, user string) (running, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, found := s.running[id]; found {
		if q.user != user {
			return false, false
		}
		q.cancel(errCancelled)
		return true, true
	}
	if _, done := s.finished[id]; done {
		return false, false
	}
	s.remember(s.cancelled, id)
	return false, true
}

func (s *Server) runningCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.running)
}

// onlySettings reports whether script is made of SET and RESET
// statements only, as user's session reads it.
func (s *Server) onlySettings(user, script string, params []types.Value) bool {
	stmts, err := s.session(user).Parse(script, syntax.Options{Params: params, Bind: true})
	if err != nil || len(stmts) == 0 {
		return false
	}
	for _, st := range stmts {
		switch st.(type) {
		case *syntax.SetStmt, *syntax.ResetStmt:
		default:
			return false
		}
	}
	return true
}

// run runs script for user and hands the rows of its last statement that
// gives rows to rows (EXPLAIN's text as one row of engine.TextSchema). The
// statements before it run (views are created) and their rows are
// dropped. rows is not called when no statement gives rows.
func (s *Server) run(ctx context.Context, user, script string, params []types.Value, rows func(*engine.Result) error) error {
	e := s.session(user)
	stmts, err := e.Parse(script, syntax.Options{Params: params, Bind: true})
	if err != nil {
		return err
	}
	results := 0
	for _, st := range stmts {
		switch st.(type) {
		case *syntax.CreateView, *syntax.DropView, *syntax.ResetStmt:
		default:
			results++
		}
	}
	ctx, done, err := s.admit(ctx, user)
	if err != nil {
		return err
	}
	defer done()
	n := 0
	err = e.RunParams(ctx, script, params, func(r *engine.Result) error {
		if n++; n < results {
			return nil
		}
		if r.Kind == engine.Text {
			r = &engine.Result{Kind: engine.Rows, Schema: engine.TextSchema,
				Rows: exec.Rows(engine.TextSchema, [][]types.Value{{types.StringValue(r.Text)}})}
		}
		// The caller pulls the rows with its own context: this one has
		// the time limit and the shared memory budget.
		rr := *r
		rr.Rows = pullWith{r.Rows, ctx}
		return rows(&rr)
	})
	// Say why: the time limit, the server stopping, the client's cancel
	// (the caller's context has none of these causes).
	err = withCause(ctx, err)
	for _, line := range e.Summary() {
		s.log.Warn("data", "user", user, "note", line)
	}
	return err
}

// withCause replaces a context's cancellation error with why it was
// cancelled (the time limit, the server stopping, the client's request).
func withCause(ctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if cause := context.Cause(ctx); cause != nil {
			return cause
		}
	}
	return err
}

// pullWith reads its rows under ctx, whatever context its reader passes.
type pullWith struct {
	plan.BatchReader
	ctx context.Context
}

func (p pullWith) Next(context.Context) (*types.Batch, error) { return p.BatchReader.Next(p.ctx) }

// Version is nectar's version as the build recorded it: the module
// version, or the VCS revision of a development build.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	if v != "" && v != "(devel)" {
		return v
	}
	for _, st := range bi.Settings {
		if st.Key == "vcs.revision" && len(st.Value) >= 12 {
			return "devel-" + st.Value[:12]
		}
	}
	return "devel"
}
