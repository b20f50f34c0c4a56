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
	Query         string        `json:"query"`
	Mode          OutputMode    `json:"mode"`
	Sink          string        `json:"sink"`
	Batches       int           `json:"batches"`
	Rows          int64         `json:"rows_out"`
	Bytes         int64         `json:"bytes"`
	RowsPerSecond float64       `json:"rows_per_second"` // output rows over batch time
	LateRows      int64         `json:"late_rows"`
	Uncommitted   bool          `json:"uncommitted_batch"` // a batch will be replayed on restart
	FilesPending  int           `json:"files_pending"`
	OldestPending time.Duration `json:"oldest_pending_ns,omitempty"`
	LastError     string        `json:"last_error,omitempty"`
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
	Rows       int64     `json:"rows_out"`
	Late       int64     `json:"late_rows"`
	DurationMS int64     `json:"duration_ms"`
	Committed  time.Time `json:"committed"`
}

// ReadStatus summarises a checkpoint directory, listing the sources to
// count files not yet taken. It only reads, so it is safe while the
// stream runs.
func ReadStatus(ctx context.Context, dir string) (Status, error) {
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
		if i >= len(ids)-10 {
			st.Recent = append(st.Recent, BatchStats{Batch: c.Batch, Files: c.Files, Bytes: c.Bytes, Rows: c.RowsOut, Late: c.Late, DurationMS: c.DurationMS, Committed: c.Committed})
		}
	}
	if ms > 0 {
		st.RowsPerSecond = float64(st.Rows) / (float64(ms) / 1000)
	}
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
