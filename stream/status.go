package stream

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/nectar-dev/nectar/source"
)

// Status is what `nectar stream status DIR` reports, as text or JSON.
type Status struct {
	Query         string     `json:"query"`
	Mode          OutputMode `json:"mode"`
	Sink          string     `json:"sink"`
	Batches       int        `json:"batches"`
	Rows          int64      `json:"rows_out"`
	Bytes         int64      `json:"bytes"`
	RowsPerSecond float64    `json:"rows_per_second"` // output rows over batch time
	RowsIn        int64      `json:"rows_in"`
	// InputRowsPerSecond and ProcessedRowsPerSecond are Spark's two rates
	// over the recent batches: rows read per second of wall time from the
	// first recent batch's start to the last one's commit (how fast data
	// arrives), and per second spent in batches (how fast the stream can
	// go). Processed well above input means the stream keeps up.
	InputRowsPerSecond     float64       `json:"input_rows_per_second"`
	ProcessedRowsPerSecond float64       `json:"processed_rows_per_second"`
	Watermark              *time.Time    `json:"watermark,omitempty"` // after the last batch, with event-time windows or dedup
	LateRows               int64         `json:"late_rows"`
	Uncommitted            bool          `json:"uncommitted_batch"` // a batch will be replayed on restart
	FilesPending           int           `json:"files_pending"`
	OldestPending          time.Duration `json:"oldest_pending_ns,omitempty"`
	LastError              string        `json:"last_error,omitempty"`
	// SkippedFiles and PartialFiles count the files committed batches
	// skipped or read only up to a cut; Problems are the last few of them.
	SkippedFiles int           `json:"skipped_files"`
	PartialFiles int           `json:"partial_files"`
	Problems     []FileProblem `json:"problems,omitempty"`
	Recent       []BatchStats  `json:"recent"` // the last batches, oldest first
}

// FileProblem is a file a batch could not read as listed.
type FileProblem struct {
	Batch    int64  `json:"batch"`
	Path     string `json:"path"`
	Outcome  string `json:"outcome"` // "skipped" or "read-partially"
	Reason   string `json:"reason"`
	Attempts int    `json:"attempts"`
}

// maxProblems is how many recent file problems Status lists.
const maxProblems = 5

// BatchStats describes one committed batch.
type BatchStats struct {
	Batch      int64     `json:"batch"`
	Files      int       `json:"files"`
	Bytes      int64     `json:"bytes"`
	RowsIn     int64     `json:"rows_in"`
	Rows       int64     `json:"rows_out"`
	Late       int64     `json:"late_rows"`
	DurationMS int64     `json:"duration_ms"`
	Committed  time.Time `json:"committed"`
	// ProcessedRowsPerSecond is RowsIn over the batch's duration.
	ProcessedRowsPerSecond float64 `json:"processed_rows_per_second"`
}

func (c commit) stats() BatchStats {
	b := BatchStats{Batch: c.Batch, Files: c.Files, Bytes: c.Bytes, RowsIn: c.RowsIn, Rows: c.RowsOut, Late: c.Late,
		DurationMS: c.DurationMS, Committed: c.Committed}
	if c.DurationMS > 0 {
		b.ProcessedRowsPerSecond = float64(c.RowsIn) / (float64(c.DurationMS) / 1000)
	}
	return b
}

// DefaultRecentBatches is how many batches Status.Recent lists.
const DefaultRecentBatches = 10

// ReadStatus summarises a checkpoint directory, listing the sources to
// count files not yet taken. It only reads, so it is safe while the
// stream runs.
func ReadStatus(ctx context.Context, dir string) (Status, error) {
	return ReadStatusRecent(ctx, dir, DefaultRecentBatches)
}

// ReadStatusRecent is ReadStatus listing the last recent batches (at least
// one), for a page that charts them.
func ReadStatusRecent(ctx context.Context, dir string, recent int) (Status, error) {
	recent = max(recent, 1)
	ck := &checkpoint{dir: dir}
	m, ok, err := ck.readMeta()
	if err != nil {
		return Status{}, err
	}
	if !ok {
		return Status{}, fmt.Errorf("stream status %s: %w (no batch has started yet, or not a checkpoint)", dir, fs.ErrNotExist)
	}
	st := Status{Query: m.Query, Mode: m.Mode, Sink: m.Sink}
	rec, err := ck.recover()
	if err != nil {
		return st, err
	}
	st.Uncommitted = rec.pending != nil
	ids, err := ck.ids("commits", ".json")
	if err != nil {
		return st, err
	}
	var ms int64
	for i, id := range ids {
		c, err := ck.readCommit(id)
		if err != nil {
			return st, err
		}
		st.Batches++
		st.Rows += c.RowsOut
		st.RowsIn += c.RowsIn
		st.Bytes += c.Bytes
		st.LateRows += c.Late
		ms += c.DurationMS
		for _, p := range c.Problems {
			if p.Outcome == outcomeSkipped {
				st.SkippedFiles++
			} else {
				st.PartialFiles++
			}
			st.Problems = append(st.Problems, FileProblem{Batch: c.Batch, Path: p.Path, Outcome: p.Outcome, Reason: p.Reason, Attempts: p.Attempts})
		}
		if len(st.Problems) > maxProblems {
			st.Problems = st.Problems[len(st.Problems)-maxProblems:]
		}
		if i >= len(ids)-recent {
			st.Recent = append(st.Recent, c.stats())
		}
		if i == len(ids)-1 && c.Watermark != 0 {
			wm := time.UnixMicro(c.Watermark).UTC()
			st.Watermark = &wm
		}
	}
	if ms > 0 {
		st.RowsPerSecond = float64(st.Rows) / (float64(ms) / 1000)
	}
	st.InputRowsPerSecond, st.ProcessedRowsPerSecond = rates(st.Recent)
	if rec.pending != nil {
		for _, f := range rec.pending.Files {
			rec.taken[f.Path] = struct{}{}
		}
	}
	now := time.Now()
	l, err := newTracker(source.Default, m.Patterns, 0, rec.taken, rec.skipped).list(ctx, now)
	if err != nil {
		return st, err
	}
	st.FilesPending = len(l.ready) + l.pending
	if !l.oldest.IsZero() {
		st.OldestPending = now.Sub(l.oldest)
	}
	var e struct {
		Error string `json:"error"`
	}
	if err := readJSON(filepath.Join(dir, "error.json"), &e); err == nil {
		st.LastError = e.Error
	} else if !errors.Is(err, fs.ErrNotExist) {
		return st, err
	}
	return st, nil
}

// rates are Spark's input and processing rates over batches: rows read
// over the wall time they span (from the first one's start to the last
// one's commit), and over the time spent in them.
func rates(batches []BatchStats) (input, processed float64) {
	if len(batches) == 0 {
		return 0, 0
	}
	var rows, ms int64
	for _, b := range batches {
		rows += b.RowsIn
		ms += b.DurationMS
	}
	first := batches[0].Committed.Add(-time.Duration(batches[0].DurationMS) * time.Millisecond)
	if span := batches[len(batches)-1].Committed.Sub(first); span > 0 {
		input = float64(rows) / span.Seconds()
	}
	if ms > 0 {
		processed = float64(rows) / (float64(ms) / 1000)
	}
	return input, processed
}
