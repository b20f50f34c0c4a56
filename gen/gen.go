package gen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"
)

// Options configures Generate. Zero values take the documented defaults.
type Options struct {
	Out        string    // root directory; files go to Out/segment-logs/<source_id>/<received_day_epoch_ms>/<ms>.events-archiver-<n>-<m>..<uuid>.gz
	Events     int64     // total lines written, duplicates and malformed lines included
	Files      int       // number of files, spread over the days in time order; at least one per day
	Seed       int64     // same seed → byte-identical output
	Start      time.Time // first event time (default 2019-02-01T00:00:00Z)
	Days       int       // span of calendar days (default 7; capped at Files)
	Users      int       // distinct users (default Events/40, at least 10)
	Malformed  float64   // share of lines replaced by malformed JSON (truncated objects, garbage)
	Duplicates float64   // share of lines that are a second delivery of an earlier event (same bytes)
	Compress   string    // "gzip" (default), "zstd" or "none" (plain .json files)
	// DriftFiles makes the last that many files drift, as logs do when a
	// client changes: properties.price is a string ("12.34") rather than
	// a number, a top-level writeKey appears, and context.campaign is the
	// campaign's name rather than an object. A schema sampled from the
	// early files then misjudges them.
	DriftFiles int
	Workers    int // files written in parallel (default GOMAXPROCS)
}

// Summary reports what Generate wrote.
type Summary struct {
	Files           int
	Events          int64 // lines written, duplicates and malformed lines included
	Malformed       int64
	Duplicates      int64
	Bytes           int64            // uncompressed NDJSON bytes
	CompressedBytes int64            // bytes on disk
	Variants        map[string]int64 // users seen in the output per experiment variant
}

// Experiment describes the built-in recommender experiment so tests and docs
// can refer to it. Model_B has a modestly higher click-through and order rate.
var Experiment = struct {
	ID       string
	Variants []string
	Weights  []float64
}{"food-recs-2019-02", []string{"Model_A", "Model_B"}, []float64{0.9, 0.1}}

// ErrInvalidOptions is returned (wrapped) when Options cannot be satisfied.
var ErrInvalidOptions = errors.New("gen: invalid options")

// DefaultStart is the first event time when Options.Start is zero.
var DefaultStart = time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC)

// Compression names accepted by Options.Compress.
const (
	CompressGzip = "gzip"
	CompressZstd = "zstd"
	CompressNone = "none"
)

func (o *Options) normalize() error {
	if o.Out == "" {
		return fmt.Errorf("%w: Out is empty", ErrInvalidOptions)
	}
	if o.Files <= 0 {
		return fmt.Errorf("%w: Files must be positive, got %d", ErrInvalidOptions, o.Files)
	}
	if o.Events < int64(o.Files) {
		return fmt.Errorf("%w: Events (%d) must be at least Files (%d)", ErrInvalidOptions, o.Events, o.Files)
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	o.Start = o.Start.UTC()
	if o.Days <= 0 {
		o.Days = 7
	}
	// A file holds one day folder, so there cannot be more days than files.
	o.Days = min(o.Days, o.Files)
	if o.Users <= 0 {
		o.Users = int(max(o.Events/40, 10))
	}
	if o.Users > math.MaxUint32 {
		return fmt.Errorf("%w: Users %d exceeds 2^32", ErrInvalidOptions, o.Users)
	}
	if o.Malformed < 0 || o.Malformed >= 1 || math.IsNaN(o.Malformed) {
		return fmt.Errorf("%w: Malformed %v not in [0, 1)", ErrInvalidOptions, o.Malformed)
	}
	// Each duplicate needs an original that is neither malformed nor itself
	// a duplicate.
	if o.Duplicates < 0 || math.IsNaN(o.Duplicates) || o.Malformed+2*o.Duplicates > 1 {
		return fmt.Errorf("%w: Duplicates %v with Malformed %v leaves too few originals", ErrInvalidOptions, o.Duplicates, o.Malformed)
	}
	if o.DriftFiles < 0 || o.DriftFiles > o.Files {
		return fmt.Errorf("%w: DriftFiles %d not in [0, Files]", ErrInvalidOptions, o.DriftFiles)
	}
	switch o.Compress {
	case "":
		o.Compress = CompressGzip
	case CompressGzip, CompressZstd, CompressNone:
	default:
		return fmt.Errorf("%w: Compress %q (want gzip, zstd or none)", ErrInvalidOptions, o.Compress)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	o.Workers = min(o.Workers, o.Files)
	return nil
}

// Generate writes o.Events events into o.Files files under o.Out and reports
// what it wrote. Output depends only on the options, not on Workers or timing.
// Files appear under their final name only once complete (they are written
// to a hidden .tmp name first). Cancelling ctx stops the work within a few
// thousand events and removes the unfinished files; finished ones stay.
func Generate(ctx context.Context, o Options) (Summary, error) {
	if err := o.normalize(); err != nil {
		return Summary{}, err
	}
	p := newPlan(&o)
	return p.run(ctx)
}
