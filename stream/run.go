package stream

import (
	"bytes"
	"cmp"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"time"

	"slices"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/optimize"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/sink"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/syntax"
	tbl "github.com/nectar-dev/nectar/table"
	"github.com/nectar-dev/nectar/types"
)

// DefaultTrigger is the time between batches when Options.Trigger is 0.
const DefaultTrigger = 10 * time.Second

// streamState is what the stream saves after each batch besides the
// checkpoint's JSON records.
type streamState struct {
	Version int
	// SchemaGen is how many widenings the schema had when the state was
	// saved; state from an older schema is rebuilt, not loaded.
	SchemaGen int
	Watermark int64  // µs; math.MinInt64: none yet
	Agg       []byte // exec.IncrementalAggregate state, nil for stateless queries
	Dedup     *dedupState
	Distinct  *dedupState
}

const stateVersion = 1

// Run runs the stream until ctx is cancelled, an error stops it, or, with
// Options.Once, every file available has been processed. Each batch is
// recorded in the checkpoint before it runs and committed after the sink
// has it, so a Run started again after any crash resumes where the last
// one stopped and delivers each batch exactly once to an idempotent sink.
func Run(ctx context.Context, o Options) (err error) {
	s, err := newStreamRun(ctx, o)
	if err != nil {
		return err
	}
	defer func() {
		if s.sinkOpen {
			err = errors.Join(err, o.Sink.Close())
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			s.ck.recordError(err)
		}
		err = errors.Join(err, s.ck.close())
	}()
	return s.loop(ctx)
}

type streamRun struct {
	o        Options
	log      *slog.Logger
	ck       *checkpoint
	q        syntax.Query
	meta     metadata
	haveMeta bool
	rec      recovered
	tr       *tracker
	plan     plan.Node   // the bound, optimised query
	src      *fileSource // its streaming source
	inc      *incremental
	state    streamState
	sinkOpen bool
	next     int64
}

func newStreamRun(ctx context.Context, o Options) (_ *streamRun, err error) {
	if o.Sink == nil {
		return nil, errors.New("stream: no sink")
	}
	if o.Trigger <= 0 {
		o.Trigger = DefaultTrigger
	}
	if o.now == nil {
		o.now = time.Now
	}
	s := &streamRun{o: o, log: o.Log, state: streamState{Version: stateVersion, Watermark: math.MinInt64}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.q, err = syntax.ParseQuery(o.Query); err != nil {
		return nil, err
	}
	patterns := s.patterns()
	switch {
	case len(patterns) == 0:
		return nil, s.noSource()
	case len(patterns) > 1:
		return nil, fmt.Errorf("%w: more than one read_json source (%s); a stream reads one", ErrUnsupported, strings.Join(patterns, ", "))
	}
	if s.ck, err = openCheckpoint(o.Checkpoint); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.ck.close() // the run will not start: let another take it
		}
	}()
	if s.meta, s.haveMeta, err = s.ck.readMeta(); err != nil {
		return nil, err
	}
	want := metadata{Version: checkpointVersion, Query: strings.TrimSpace(o.Query), Mode: o.Mode, Sink: sinkName(o.Sink), Dedup: o.DedupKey}
	if s.haveMeta {
		// The watermark is checked once the plan is bound: the query's
		// WATERMARK clause may give it.
		for _, d := range []struct{ what, have, want string }{
			{"query", s.meta.Query, want.Query},
			// No --mode takes the mode the query implies, which the
			// metadata records: the same query implies the same one.
			{"output mode", string(cmp.Or(s.meta.Mode, want.Mode)), string(cmp.Or(want.Mode, s.meta.Mode))},
			{"sink", s.meta.Sink, want.Sink},
			{"dedup key", s.meta.Dedup, want.Dedup},
		} {
			if d.have != d.want {
				return nil, s.incompatible(d.what, d.have, d.want)
			}
		}
	} else {
		s.meta = want
		s.meta.Patterns = patterns
	}
	if s.rec, err = s.ck.recover(); err != nil {
		return nil, err
	}
	s.next = s.rec.lastCommitted + 1
	s.tr = newTracker(s.stores(), patterns, o.Settle, s.rec.taken, s.rec.skipped)
	if s.haveMeta && len(s.meta.SchemaFiles) > 0 {
		if err := s.bind(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// patterns lists the read_json paths the query reads, directly or
// through views.
func (s *streamRun) patterns() []string {
	var out []string
	cat := plan.Catalog(&streamCatalog{base: s.o.Catalog})
	for _, call := range plan.TableCalls(s.q, cat) {
		if call.Name == "read_json" && len(call.Args) == 1 && call.Args[0].K == types.String {
			p := tbl.ResolvePath(s.o.Engine.Dir, call.Args[0].S)
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// noSource explains a query with nothing to stream from; a source with a
// compacted copy is the one users meet: the copy is rewritten, not
// appended to, so the stream must follow the raw logs.
func (s *streamRun) noSource() error {
	var err error
	syntax.Inspect(s.q, func(n syntax.Node) bool {
		t, ok := n.(*syntax.TableName)
		if !ok || err != nil || s.o.Catalog == nil {
			return err == nil
		}
		if _, src, found := s.o.Catalog.Table(t.Name); found {
			if c, ok := src.(*tbl.Compacted); ok {
				err = fmt.Errorf("%w: source %s reads its compacted copy, which is rewritten rather than appended to; stream its raw logs instead: FROM read_json('%s')", ErrUnsupported, t.Name, c.RawPattern())
			}
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: the query reads no read_json source to stream from", ErrUnsupported)
}

func (s *streamRun) incompatible(what, have, want string) error {
	return fmt.Errorf("checkpoint %s: %w: its %s is %q, not %q (use a new --checkpoint directory)", s.o.Checkpoint, ErrIncompatibleCheckpoint, what, have, want)
}

// applyWatermark makes the plan's WATERMARK clause the stream's
// watermark (--watermark may repeat it but not contradict it) and checks
// it against the checkpoint's.
func (s *streamRun) applyWatermark(n plan.Node) error {
	var ws []*plan.Watermark
	plan.Inspect(n, func(x plan.Node) bool {
		if w, ok := x.(*plan.Watermark); ok {
			ws = append(ws, w)
		}
		return true
	})
	if len(ws) > 1 {
		return fmt.Errorf("%w: more than one WATERMARK clause", ErrUnsupported)
	}
	o := &s.o
	if len(ws) == 1 {
		w := ws[0]
		if w.Named != "" {
			return fmt.Errorf("%w: naming the watermark's time expression (WATERMARK … AS %s); watermark the window's column itself", ErrUnsupported, w.Named)
		}
		col := eventColumn(w.Time)
		if o.Watermark != 0 && (o.Watermark != w.Delay || (o.WatermarkColumn != "" && !strings.EqualFold(o.WatermarkColumn, col))) {
			return fmt.Errorf("%w: --watermark %s %s contradicts the query's WATERMARK %s DELAY OF %s", ErrUnsupported, o.WatermarkColumn, o.Watermark, col, w.Delay)
		}
		o.Watermark, o.WatermarkColumn = w.Delay, col
	}
	if s.meta.Watermark != watermarkOption(*o) {
		if s.haveMeta {
			return s.incompatible("watermark", s.meta.Watermark, watermarkOption(*o))
		}
		s.meta.Watermark = watermarkOption(*o)
	}
	return nil
}

func watermarkOption(o Options) string {
	if o.Watermark == 0 {
		return ""
	}
	return strings.TrimSpace(o.WatermarkColumn + " " + o.Watermark.String())
}

func sinkName(s Sink) string {
	if n, ok := s.(sink.Named); ok {
		return n.Name()
	}
	return fmt.Sprintf("%T", s)
}

// bind plans the query once, with the schema inferred from the files in
// the metadata, restores the last committed state and opens the sink.
func (s *streamRun) bind(ctx context.Context) error {
	files := make([]source.File, len(s.meta.SchemaFiles))
	for i, f := range s.meta.SchemaFiles {
		files[i] = f.file(s.stores())
	}
	cat := &streamCatalog{base: s.o.Catalog, opts: s.o.Engine, schemaFiles: files, kinds: s.meta.kinds(), sources: map[string]*fileSource{}}
	n, err := plan.Bind(ctx, cat, s.q)
	if err != nil {
		return err
	}
	n = optimize.Optimize(n)
	if err := s.applyWatermark(n); err != nil {
		return err
	}
	if len(cat.sources) != 1 {
		return fmt.Errorf("%w: the query must read exactly one read_json source", ErrUnsupported)
	}
	for _, v := range cat.sources {
		s.src = v
	}
	s.plan = n
	if err := s.reset(ctx, s.next-1); err != nil {
		return err
	}
	if err := s.o.Sink.Open(ctx, SinkInfo{
		Schema: s.inc.schema, Mode: s.inc.mode, Dir: filepath.Join(s.ck.dir, "sink"),
		LastCommitted: s.next - 1, Keys: s.inc.keys,
	}); err != nil {
		return fmt.Errorf("open sink %s: %w", sinkName(s.o.Sink), err)
	}
	s.sinkOpen = true
	return nil
}

// reset makes the operator state that of batch last as committed (-1:
// none): at start, and after a batch failed halfway through updating it.
func (s *streamRun) reset(ctx context.Context, last int64) error {
	var err error
	if s.inc, err = newIncremental(s.plan, s.src, &s.o); err != nil {
		return err
	}
	s.state = streamState{Version: stateVersion, Watermark: math.MinInt64}
	data, err := s.ck.readState(last)
	if err != nil || data == nil {
		if err == nil && last >= 0 {
			return fmt.Errorf("checkpoint %s: no state for committed batch %d", s.ck.dir, last)
		}
		return err
	}
	var st streamState
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		return fmt.Errorf("checkpoint %s: state of batch %d: %w", s.ck.dir, last, err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("checkpoint %s: %w: state version %d", s.ck.dir, ErrCheckpointVersion, st.Version)
	}
	s.state = st
	if st.SchemaGen != len(s.meta.Widened) {
		return s.rebuild(ctx, last)
	}
	for _, d := range []struct{ live, saved *dedupState }{{s.inc.dedup, st.Dedup}, {s.inc.distinct, st.Distinct}} {
		if d.live != nil && d.saved != nil {
			d.live.MaxEvent = d.saved.MaxEvent
			if d.saved.Seen != nil {
				d.live.Seen = d.saved.Seen
			}
		}
	}
	if s.inc.inc != nil && st.Agg != nil {
		if err := s.inc.inc.UnmarshalBinary(st.Agg); err != nil {
			return fmt.Errorf("checkpoint %s: %w: %w", s.ck.dir, ErrIncompatibleCheckpoint, err)
		}
	}
	return nil
}

// stores serve the stream's paths.
func (s *streamRun) stores() *source.Stores {
	if st := s.o.Engine.Stores; st != nil {
		return st
	}
	return source.Default
}

func (s *streamRun) fail(step Step) error {
	if s.o.failAt == nil {
		return nil
	}
	return s.o.failAt(step, s.next)
}

func (s *streamRun) loop(ctx context.Context) error {
	if s.rec.pending != nil {
		s.log.Info("stream: replaying uncommitted batch", "batch", s.rec.pending.Batch, "files", len(s.rec.pending.Files))
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := s.o.now()
		off, more, err := s.nextFiles(ctx)
		if err != nil {
			return err
		}
		if off != nil {
			if err := s.batch(ctx, off, start); err != nil {
				return err
			}
			s.ck.clearError()
			if s.o.Once {
				continue // AvailableNow: keep going without waiting
			}
		} else if s.o.Once && !more {
			return nil
		}
		wait := s.o.Trigger - s.o.now().Sub(start)
		switch {
		case s.o.Once:
			// Files still settling: look again soon.
			wait = min(s.o.Trigger, time.Second)
		case s.tr.settling > 0:
			// A young file is confirmed by a second listing that sees it
			// unchanged. Waiting a whole trigger for that listing made a
			// file renamed into place take up to two triggers to show;
			// a quarter of one confirms it sooner at little cost.
			wait = min(wait, max(min(s.o.Trigger/4, s.o.Settle), 10*time.Millisecond))
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
	}
}

// nextFiles returns the write-ahead record of the next batch: the
// uncommitted batch's, or a new one written first; nil when no file is
// ready. more reports files that exist but are still settling.
func (s *streamRun) nextFiles(ctx context.Context) (off *offsets, more bool, err error) {
	if p := s.rec.pending; p != nil {
		s.rec.pending = nil
		files := make([]source.File, len(p.Files))
		for i, f := range p.Files {
			files[i] = f.file(s.stores())
		}
		s.tr.markTaken(files)
		for _, pr := range p.Problems {
			if pr.Outcome == outcomeSkipped {
				s.tr.markSkipped(pr)
			}
		}
		if s.inc == nil {
			if err := s.bind(ctx); err != nil {
				return nil, false, err
			}
		}
		return p, false, nil
	}
	l, err := s.tr.list(ctx, s.o.now())
	if err != nil {
		return nil, false, fmt.Errorf("list: %w", err)
	}
	files := take(l.ready, s.o.MaxFilesPerBatch, s.o.MaxBytesPerBatch)
	if len(files) == 0 {
		return nil, l.pending > 0, nil
	}
	if err := s.fail(StepListed); err != nil {
		return nil, false, err
	}
	if s.inc == nil {
		// The first batch's files fix the schema for the stream's life; the
		// metadata names them so a restart infers the same one.
		s.meta.SchemaFiles = make([]fileRec, len(files))
		for i, f := range files {
			s.meta.SchemaFiles[i] = recOf(f)
		}
		s.meta.Created = s.o.now().UTC()
		// Bound first: the plan completes the metadata (the watermark a
		// WATERMARK clause gives).
		if err := s.bind(ctx); err != nil {
			return nil, false, err
		}
		s.meta.Mode = s.inc.mode // what ran, for stream status
		if err := s.ck.writeMeta(s.meta); err != nil {
			return nil, false, err
		}
	}
	o := &offsets{Batch: s.next, Watermark: s.state.Watermark, Created: s.o.now().UTC()}
	for _, f := range files {
		o.Files = append(o.Files, recOf(f))
	}
	if err := s.ck.writeOffsets(*o); err != nil {
		return nil, false, err
	}
	s.tr.markTaken(files)
	return o, len(l.ready) > len(files) || l.pending > 0, nil
}

// batch runs one micro-batch through the plan, the sink and the commit.
func (s *streamRun) batch(ctx context.Context, off *offsets, start time.Time) error {
	id := s.next
	if err := s.fail(StepOffsets); err != nil {
		return err
	}
	// One micro-batch reads one instant, as in Spark, however many plans
	// it runs: the clock functions report the batch's start.
	res, err := s.process(exec.WithInstant(ctx, start), off)
	if err != nil {
		return fmt.Errorf("batch %d: %w", id, err)
	}
	if err := s.fail(StepProcessed); err != nil {
		return err
	}
	if err := s.o.Sink.Write(ctx, id, res.rows); err != nil {
		return fmt.Errorf("batch %d: sink %s: %w", id, sinkName(s.o.Sink), err)
	}
	if err := s.fail(StepSinkWritten); err != nil {
		return err
	}
	st := streamState{Version: stateVersion, SchemaGen: len(s.meta.Widened), Watermark: res.watermark, Dedup: s.inc.dedup, Distinct: s.inc.distinct}
	if s.inc.inc != nil {
		if st.Agg, err = s.inc.inc.MarshalBinary(); err != nil {
			return fmt.Errorf("batch %d: %w", id, err)
		}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&st); err != nil {
		return fmt.Errorf("batch %d: encode state: %w", id, err)
	}
	if err := s.ck.writeState(id, buf.Bytes()); err != nil {
		return err
	}
	if err := s.fail(StepStateSaved); err != nil {
		return err
	}
	c := commit{Batch: id, Files: len(off.Files), RowsIn: s.src.rowsRead(), RowsOut: int64(len(res.rows)), Late: res.late, Committed: s.o.now().UTC(),
		DurationMS: s.o.now().Sub(start).Milliseconds(), Problems: off.Problems}
	if res.watermark != math.MinInt64 {
		c.Watermark = res.watermark
	}
	for _, f := range off.Files {
		c.Bytes += f.Size
	}
	if err := s.ck.writeCommit(c); err != nil {
		return err
	}
	s.state = st
	s.ck.prune(id)
	if err := s.fail(StepCommitted); err != nil {
		s.next++
		return err
	}
	s.next++
	if s.o.Committed != nil {
		s.o.Committed(c.stats())
	}
	s.log.Info("stream: batch committed", "batch", id, "files", c.Files, "bytes", c.Bytes, "rows_in", c.RowsIn, "rows_out", c.RowsOut,
		"watermark", watermarkString(res.watermark), "ms", c.DurationMS)
	if res.late > 0 {
		s.log.Warn("stream: late rows dropped (event time before the watermark)", "batch", id, "rows", res.late,
			"watermark", watermarkString(off.Watermark))
	}
	return nil
}
