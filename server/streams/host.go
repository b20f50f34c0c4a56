package streams

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/sink"
	"github.com/nectar-dev/nectar/sink/file"
	"github.com/nectar-dev/nectar/sink/memory"
	"github.com/nectar-dev/nectar/sink/postgres"
	"github.com/nectar-dev/nectar/stream"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// KindStreamTable is the kind catalogs show for a memory sink's table.
const KindStreamTable = "STREAM TABLE"

// State is where a hosted stream is in its life.
type State string

const (
	// Starting: the server has not started the stream yet.
	Starting State = "starting"
	// Running: stream.Run is running (waiting for files or in a batch).
	Running State = "running"
	// Restarting: the last run failed with an error that may pass (a
	// sink that cannot be reached, a checkpoint another process holds,
	// a listing that failed); it runs again after a backoff.
	Restarting State = "restarting"
	// Failed: the last run failed with an error that another try cannot
	// mend (the query cannot stream, the checkpoint belongs to another
	// stream); it stays stopped until nectar.yaml is fixed and the server
	// restarted.
	Failed State = "failed"
	// Stopped: the server is stopping, or stopped the stream.
	Stopped State = "stopped"
)

// Backoff between the runs of a stream that failed: doubled after each
// failure from MinBackoff up to MaxBackoff, and back to MinBackoff once a
// run commits a batch. A stream that keeps failing retries every five
// minutes, often enough to recover soon after its sink does, seldom
// enough to keep the log readable.
const (
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 5 * time.Minute
)

// RecentBatches is how many batches a status lists, for the dashboard's
// charts of rates and durations.
const RecentBatches = 60

// Options configure a Host.
type Options struct {
	// Project is nectar.yaml; its Streams are run.
	Project *project.Config
	// Engine is how the streams read (stores, line limits, memory limit).
	// Relative read_json paths resolve against nectar.yaml's folder.
	Engine engine.Options
	// Session, if set, makes a session that knows nectar.yaml's sources,
	// for stream queries that name them (FROM events); nil: a plain
	// session with the project's sources applied.
	Session func() *engine.Session
	// Log receives the streams' progress and failures (nil: slog.Default()).
	Log *slog.Logger
	// MinBackoff and MaxBackoff bound the wait before a failed stream runs
	// again (0: DefaultMinBackoff, DefaultMaxBackoff).
	MinBackoff, MaxBackoff time.Duration
}

// Host runs the project's streams and answers for them.
type Host struct {
	o       Options
	log     *slog.Logger
	streams []*hosted          // sorted by name
	byName  map[string]*hosted // lower-case name
	tables  map[string]*hosted // lower-case memory table name
	wg      sync.WaitGroup
	started bool
}

// hosted is one stream and what the host knows of it.
type hosted struct {
	name    string
	cfg     project.StreamConfig
	sink    sink.Sink
	mem     *memory.Sink // the memory sink, if that is the sink
	secrets []string     // never shown: the PostgreSQL URL's password

	mu       sync.Mutex
	state    State
	err      string // the error that ended the last run, redacted
	errAt    time.Time
	restarts int
	next     time.Time // when a Restarting stream runs again
	commits  int64     // batches committed since the server started
	version  int64     // bumped on every change watchers hear of
	watchers map[chan struct{}]struct{}
	cached   *Status
	cachedAt time.Time
}

// New makes a host for the project's streams, building each one's sink;
// nothing runs until Start. A project without streams gives a host with
// none.
func New(o Options) (*Host, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Engine.Dir == "" && o.Project != nil {
		o.Engine.Dir = o.Project.Dir()
	}
	h := &Host{o: o, log: o.Log, byName: map[string]*hosted{}, tables: map[string]*hosted{}}
	if o.Project == nil {
		return h, nil
	}
	names := make([]string, 0, len(o.Project.Streams))
	for name := range o.Project.Streams {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		cfg := o.Project.Streams[name]
		s := &hosted{name: name, cfg: cfg, state: Starting, watchers: map[chan struct{}]struct{}{}}
		var err error
		switch cfg.Sink.Kind() {
		case "memory":
			s.mem = memory.New(cfg.Sink.Memory)
			s.sink = s.mem
			h.tables[strings.ToLower(cfg.Sink.Memory)] = s
		case "file":
			var f output.Format
			if f, err = output.ParseFormat(cfg.Sink.Format); err == nil {
				s.sink, err = file.New(cfg.Sink.File, f)
			}
		case "postgres":
			s.sink, err = postgres.New(cfg.Sink.Postgres, cfg.Sink.Table)
			if u, perr := url.Parse(cfg.Sink.Postgres); perr == nil && u.User != nil {
				if pw, ok := u.User.Password(); ok && pw != "" {
					s.secrets = append(s.secrets, pw)
				}
			}
		default:
			err = errors.New("no sink")
		}
		if err != nil {
			return nil, fmt.Errorf("stream %s: sink: %s", name, s.redact(err.Error()))
		}
		h.streams = append(h.streams, s)
		h.byName[strings.ToLower(name)] = s
	}
	return h, nil
}

// Names lists the streams, sorted.
func (h *Host) Names() []string {
	out := make([]string, len(h.streams))
	for i, s := range h.streams {
		out[i] = s.name
	}
	return out
}

// Start runs every stream in the background until ctx ends; Wait waits
// for them to stop. Each stops as a kill would stop it, without the
// kill: a batch in progress is abandoned before its commit (its offsets
// stay written ahead, and the next run replays it with the same files),
// a committed one stays committed, and the checkpoint's lock is released.
func (h *Host) Start(ctx context.Context) {
	if h.started {
		return
	}
	h.started = true
	for _, s := range h.streams {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			h.supervise(ctx, s)
		}()
	}
	if len(h.streams) > 0 {
		h.log.Info("streams started", "streams", strings.Join(h.Names(), ", "))
	}
}

// Wait returns when every stream Start started has stopped.
func (h *Host) Wait() { h.wg.Wait() }

// supervise runs s until ctx ends or it fails for good, restarting it with
// backoff after errors that may pass.
func (h *Host) supervise(ctx context.Context, s *hosted) {
	log := h.log.With("stream", s.name)
	backoff := h.o.MinBackoff
	for {
		committed := s.committedCount()
		s.set(func() { s.state, s.next = Running, time.Time{} })
		err := stream.Run(ctx, h.options(s, log))
		if ctx.Err() != nil {
			s.set(func() { s.state = Stopped })
			log.Info("stream stopped")
			return
		}
		if err == nil {
			// Run returns nil only with Once, which a hosted stream
			// does not set; treat it as a stop.
			s.set(func() { s.state = Stopped })
			return
		}
		msg := s.redact(err.Error())
		if permanent(err) {
			s.set(func() { s.state, s.err, s.errAt = Failed, msg, time.Now() })
			log.Error("stream failed; it will not run again until nectar.yaml is fixed and the server restarted", "error", msg)
			return
		}
		if s.committedCount() > committed {
			backoff = h.o.MinBackoff // it worked for a while: start over
		}
		next := time.Now().Add(backoff)
		s.set(func() {
			s.state, s.err, s.errAt, s.next = Restarting, msg, time.Now(), next
			s.restarts++
		})
		log.Warn("stream failed; running it again", "error", msg, "after", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			s.set(func() { s.state = Stopped })
			log.Info("stream stopped")
			return
		case <-t.C:
		}
		backoff = min(2*backoff, h.o.MaxBackoff)
	}
}

// options are the stream.Options of s, as `nectar stream` would build
// them from the same settings.
func (h *Host) options(s *hosted, log *slog.Logger) stream.Options {
	c := s.cfg
	o := stream.Options{
		Query: c.Query, Checkpoint: c.Checkpoint, Sink: s.sink, Mode: stream.OutputMode(c.OutputMode),
		Trigger: c.Trigger, Settle: c.Settle, Watermark: c.Watermark, WatermarkColumn: c.WatermarkColumn,
		DedupKey: c.Dedup, MaxFilesPerBatch: c.MaxFilesPerBatch, MaxBytesPerBatch: c.MaxBytesPerBatch,
		Engine: h.o.Engine, Log: log,
		Committed: func(stream.BatchStats) {
			s.set(func() { s.commits++ })
		},
	}
	if h.o.Session != nil {
		o.Catalog = h.o.Session()
	} else {
		e := engine.New(h.o.Engine)
		h.o.Project.Apply(e)
		o.Catalog = e
	}
	return o
}

// permanent reports whether err is one that running the stream again
// cannot mend.
func permanent(err error) bool {
	var se *syntax.Error
	var list syntax.ErrorList
	return errors.Is(err, stream.ErrUnsupported) || errors.Is(err, stream.ErrIncompatibleCheckpoint) ||
		errors.Is(err, stream.ErrCheckpointVersion) || errors.Is(err, stream.ErrWidenRebuild) ||
		errors.As(err, &se) || errors.As(err, &list)
}

// redact removes the stream's secrets from a message.
func (s *hosted) redact(msg string) string {
	for _, sec := range s.secrets {
		msg = strings.ReplaceAll(msg, sec, "xxxxx")
	}
	return msg
}

// set changes s under its lock and tells its watchers.
func (s *hosted) set(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
	s.version++
	s.cached = nil
	for ch := range s.watchers {
		select {
		case ch <- struct{}{}:
		default: // a signal is pending already: the watcher reads the latest
		}
	}
}

// committedCount counts the batches s committed since the server started.
func (s *hosted) committedCount() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commits
}

// Status is what GET /v1/streams/{name} answers: the fields of `nectar
// stream status` (stream.Status, read from the checkpoint) and how the
// server hosts the stream.
type Status struct {
	Name  string `json:"name"`
	State State  `json:"state"`
	// Error is the error that ended the stream's last run, and ErrorAt
	// when; Restarts counts the runs after failures; NextAttempt is when
	// a Restarting stream runs again.
	Error       string     `json:"error,omitempty"`
	ErrorAt     *time.Time `json:"error_at,omitempty"`
	Restarts    int        `json:"restarts"`
	NextAttempt *time.Time `json:"next_attempt,omitempty"`
	// Trigger is the time between batches; Target describes the sink
	// without secrets; Table is the memory table's name, TableReady
	// whether it has a result to read yet (its first batch delivered) and
	// TableRows its rows now.
	Trigger    string `json:"trigger"`
	Target     string `json:"target"`
	Table      string `json:"table,omitempty"`
	TableReady bool   `json:"table_ready"`
	TableRows  int    `json:"table_rows"`
	Checkpoint string `json:"checkpoint"`
	// Started says whether the checkpoint has a batch yet; before that
	// the fields below are zero.
	Started bool `json:"started"`
	stream.Status
}

// ErrNoStream is wrapped when a host has no stream of the asked name.
var ErrNoStream = errors.New("no such stream")

// Status reports the stream name (any case). A status is read from the
// checkpoint at most once a second per stream, and again after each
// change, so that many watchers cost one read.
func (h *Host) Status(ctx context.Context, name string) (Status, error) {
	s, ok := h.byName[strings.ToLower(name)]
	if !ok {
		return Status{}, fmt.Errorf("%w: %s", ErrNoStream, name)
	}
	return s.status(ctx)
}

// Statuses reports every stream, sorted by name.
func (h *Host) Statuses(ctx context.Context) []Status {
	out := make([]Status, 0, len(h.streams))
	for _, s := range h.streams {
		st, _ := s.status(ctx)
		out = append(out, st)
	}
	return out
}

func (s *hosted) status(ctx context.Context) (Status, error) {
	s.mu.Lock()
	if s.cached != nil && time.Since(s.cachedAt) < time.Second {
		st := *s.cached
		s.mu.Unlock()
		return st, nil
	}
	st := Status{Name: s.name, State: s.state, Error: s.err, Restarts: s.restarts,
		Trigger: trigger(s.cfg.Trigger).String(), Target: s.cfg.Sink.String(), Checkpoint: s.cfg.Checkpoint}
	if !s.errAt.IsZero() {
		at := s.errAt.UTC()
		st.ErrorAt = &at
	}
	if !s.next.IsZero() {
		next := s.next.UTC()
		st.NextAttempt = &next
	}
	version := s.version
	s.mu.Unlock()
	if s.mem != nil {
		schema, rows, _ := s.mem.Table()
		st.Table, st.TableReady, st.TableRows = s.cfg.Sink.Memory, schema != nil, len(rows)
	}
	ps, err := stream.ReadStatusRecent(ctx, s.cfg.Checkpoint, RecentBatches)
	switch {
	case err == nil:
		st.Started = true
	case errors.Is(err, fs.ErrNotExist):
		err = nil // no batch yet
	default:
		err = fmt.Errorf("stream %s: status: %s", s.name, s.redact(err.Error()))
		if st.Error == "" {
			st.Error = err.Error()
		}
	}
	st.Status = ps
	if st.Recent == nil {
		st.Recent = []stream.BatchStats{}
	}
	if st.Query == "" {
		st.Query = s.cfg.Query
	}
	if st.Mode == "" {
		st.Mode = stream.OutputMode(s.cfg.OutputMode)
	}
	st.LastError = s.redact(st.LastError)
	for i := range st.Problems {
		st.Problems[i].Reason = s.redact(st.Problems[i].Reason)
	}
	s.mu.Lock()
	if s.version == version {
		c := st
		s.cached, s.cachedAt = &c, time.Now()
	}
	s.mu.Unlock()
	return st, err
}

func trigger(d time.Duration) time.Duration {
	if d <= 0 {
		return stream.DefaultTrigger
	}
	return d
}

// Watch returns a channel that receives a signal whenever the stream
// changes (a batch commits, its state changes); stop ends the watch. A
// slow watcher misses no change: the signal stays pending until read,
// and the status it then reads is the latest.
func (h *Host) Watch(name string) (changed <-chan struct{}, stop func(), err error) {
	s, ok := h.byName[strings.ToLower(name)]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s", ErrNoStream, name)
	}
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.watchers[ch] = struct{}{}
	s.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.watchers, ch)
			s.mu.Unlock()
		})
	}, nil
}

// Watchers counts the watches open on name: an event stream whose client
// went away must have ended its own.
func (h *Host) Watchers(name string) int {
	s, ok := h.byName[strings.ToLower(name)]
	if !ok {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.watchers)
}

// Table is a memory table of the host.
type Table struct {
	Name   string
	Stream string
}

// Tables lists the memory tables, sorted by name.
func (h *Host) Tables() []Table {
	var out []Table
	for _, s := range h.streams {
		if s.mem != nil {
			out = append(out, Table{Name: s.cfg.Sink.Memory, Stream: s.name})
		}
	}
	return out
}

// Lookup finds a memory table by name, case-insensitively: its rows as
// the last batch delivered left them (a delivery is seen whole or not at
// all; a batch delivered but not committed when the server stops is
// delivered again by the next run, as in Spark's memory sink). Before the stream's first batch the table has no
// columns, and reading it says so.
func (h *Host) Lookup(name string) (plan.Source, bool) {
	s, ok := h.tables[strings.ToLower(name)]
	if !ok {
		return nil, false
	}
	return liveTable{s}, true
}

// ErrNoResultYet is wrapped when a memory table is read before its
// stream has delivered a batch.
var ErrNoResultYet = errors.New("the stream has no result yet")

// liveTable is a memory table read at the moment a query opens it.
type liveTable struct{ s *hosted }

func (t liveTable) source() (plan.Source, error) {
	schema, _, _ := t.s.mem.Table()
	if schema == nil {
		return nil, fmt.Errorf("%w: stream %s is waiting for its first files, or has not started", ErrNoResultYet, t.s.name)
	}
	return t.s.mem.Source(), nil
}

func (t liveTable) Columns() []plan.SourceColumn {
	if src, err := t.source(); err == nil {
		return src.Columns()
	}
	return nil
}
func (t liveTable) Resolve(string) (types.Kind, bool) { return 0, false }
func (t liveTable) String() string                    { return "stream table " + t.s.cfg.Sink.Memory }
func (t liveTable) Open(ctx context.Context, cols []plan.SourceColumn, filters []plan.Expr) (plan.BatchReader, error) {
	src, err := t.source()
	if err != nil {
		return nil, err
	}
	return src.Open(ctx, cols, filters)
}
