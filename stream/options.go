package stream

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/sink"
)

// OutputMode says which rows a sink receives after each batch, with
// Spark's meanings (see package sink, which defines it for the sinks).
type OutputMode = sink.Mode

// The output modes.
const (
	Append   = sink.Append
	Update   = sink.Update
	Complete = sink.Complete
)

// ParseMode reads an --output-mode value; "" is the default (Spark's and
// sparklyr's: complete for aggregations, append otherwise).
func ParseMode(s string) (OutputMode, error) {
	switch m := OutputMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", Append, Update, Complete:
		return m, nil
	}
	return "", fmt.Errorf("%w: output mode %q (append, update or complete)", ErrUnsupported, s)
}

var (
	// ErrUnsupported is wrapped when a query or option combination cannot
	// run as a stream; the message names the construct.
	ErrUnsupported = errors.New("not supported on a stream")
	// ErrIncompatibleCheckpoint is wrapped when a checkpoint directory was
	// written by a different query, output mode or sink.
	ErrIncompatibleCheckpoint = errors.New("checkpoint belongs to a different stream")
	// ErrCheckpointVersion is wrapped when a checkpoint was written by an
	// incompatible version of nectar.
	ErrCheckpointVersion = errors.New("unsupported checkpoint version")
)

// Options configure Run.
type Options struct {
	// Query is one query, in SQL or pipe syntax. Its read_json sources
	// become streaming file sources.
	Query string
	// Checkpoint is the directory holding offsets, commits and state.
	Checkpoint string
	// Sink receives each batch's result.
	Sink Sink
	// Mode is the output mode ("" = complete for aggregations, else append).
	Mode OutputMode
	// Trigger is the time between the starts of two batches (0: 10s).
	Trigger time.Duration
	// Once processes every file available now, in as many batches as the
	// limits need, then returns (Spark's Trigger.AvailableNow).
	Once bool
	// MaxFilesPerBatch and MaxBytesPerBatch cap one batch (0: no cap). A
	// batch always takes at least one file.
	MaxFilesPerBatch int
	MaxBytesPerBatch int64
	// Settle is how old a file's modification time must be for it to be
	// taken at first sight. A younger file is taken once a later listing
	// sees it with the same size and mtime. 0 takes every visible file at
	// once, which is right when writers rename finished files into place.
	Settle time.Duration
	// Watermark is how far event time may lag behind the latest event time
	// seen before a window closes and later rows for it count as late
	// (0: no watermark). It needs an event-time window in the GROUP BY.
	Watermark time.Duration
	// WatermarkColumn, when set, must name the window's time column, as
	// Spark's withWatermark(column, delay) does.
	WatermarkColumn string
	// DedupKey, when set, keeps only the first row read for each value of
	// this column (e.g. messageId: Segment delivers at least once). With a
	// watermark, keys are forgotten once the watermark passes their event
	// time (WatermarkColumn, default timestamp) plus the delay, as Spark's
	// dropDuplicatesWithinWatermark does; without one they are kept for the
	// stream's life.
	DedupKey string
	// ReadRetries is how many times a batch reads a file again after the
	// file failed (vanished, unreadable, corrupt, or cut short while it
	// changed) before skipping it (0: DefaultReadRetries; -1: none).
	// RetryBackoff is the wait before the first retry, doubled for each
	// later one (0: DefaultRetryBackoff).
	ReadRetries  int
	RetryBackoff time.Duration
	// Engine holds the read options (bad-line file, line limits, Dir).
	Engine engine.Options
	// Catalog resolves views and sources named in nectar.yaml (nil: none).
	Catalog *engine.Session
	// Log receives progress (nil: slog.Default()).
	Log *slog.Logger
	// Committed, if set, is called after each batch's commit is written,
	// with the batch's statistics: a host that shows the stream (nectar
	// serve's dashboard) learns of new results without polling. It runs
	// on the stream's goroutine and must not block.
	Committed func(BatchStats)

	// now and failAt let tests control time and inject a crash between
	// the steps of a batch.
	now    func() time.Time
	failAt func(step Step, batch int64) error
	// beforeRetry runs before a failed file is read again (n counts from 1).
	beforeRetry func(path string, n int)
}

// Defaults for Options.ReadRetries and Options.RetryBackoff: three retries
// over 0.7 s ride out a writer replacing a file or a brief network fault,
// and cost one short pause per batch when a file is really gone.
const (
	DefaultReadRetries  = 3
	DefaultRetryBackoff = 100 * time.Millisecond
)

// Step names a point in a batch where a crash is survivable; tests inject
// failures at each.
type Step string

const (
	StepListed      Step = "listed"       // files chosen, offsets not yet written
	StepOffsets     Step = "offsets"      // offsets written, nothing processed
	StepProcessed   Step = "processed"    // result computed, sink not written
	StepSinkWritten Step = "sink-written" // sink has the batch, state not saved
	StepStateSaved  Step = "state-saved"  // state saved, commit not written
	StepCommitted   Step = "committed"    // batch committed
)

// Sink receives the rows of each batch; the implementations live under
// package sink (file, memory, postgres, console).
type Sink = sink.Sink

// SinkInfo is what Sink.Open learns.
type SinkInfo = sink.Info
