package table

import (
	"io"
	"time"

	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
)

// Options control how sources read their files.
type Options struct {
	Dir          string    // relative paths resolve against it ("" = working directory)
	Strict       bool      // fail on the first bad input line
	BadLines     io.Writer // receives every skipped line as JSON (nil: not kept)
	MaxLineBytes int       // longest accepted line (0: the scanner's default)
	SampleLines  int       // lines sampled for schema inference (0: the default; InferAll: every line)
	BatchRows    int       // rows per scan batch (0: types.BatchSize); tests shrink it to exercise batch boundaries
	// LateArrivals lets an upper bound on timestamp skip Segment day
	// folders received more than this after it: events delivered later
	// than that after their timestamp are then not read (0: such bounds
	// skip nothing). See pruneDays.
	LateArrivals time.Duration
	// Live says the files may still be written to (a stream's), so a file
	// that changes while read is not an error (scan.Options.Live).
	Live bool
	// Cache keeps columnar copies of the raw files JSON sources read
	// (scan.Options.Cache; nil: none).
	Cache scan.Cache
	// Stores serve the paths (nil: source.Default).
	Stores *source.Stores
}

// stores returns the stores that serve o's paths.
func (o Options) stores() *source.Stores {
	if o.Stores == nil {
		return source.Default
	}
	return o.Stores
}
