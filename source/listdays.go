package source

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ListDays is List for a query that only needs some received days: Segment
// day folders (segment-logs/<source>/<day_ms>/) whose day keep rejects are
// never entered, so on S3 a receivedAt range costs one ListObjectsV2 per
// kept day folder rather than a listing of the whole prefix. Files whose
// ReceivedDay keep rejects are dropped too. When every day is pruned the
// error wraps ErrNoFiles, as for a glob that matches nothing.
func ListDays(ctx context.Context, pattern string, keep func(day time.Time) bool) ([]File, error) {
	return Default.ListDays(ctx, pattern, keep)
}

// ListStoreDays is ListDays over an explicit Store.
func ListStoreDays(ctx context.Context, st Store, pattern string, keep func(day time.Time) bool) ([]File, error) {
	files, err := ListStore(ctx, dayPruned{Store: st, keep: keep}, pattern)
	if err != nil {
		return nil, err
	}
	kept := files[:0]
	for _, f := range files {
		if f.ReceivedDay.IsZero() || keep(f.ReceivedDay) {
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("list %s: every received day excluded: %w", pattern, ErrNoFiles)
	}
	return kept, nil
}

// dayPruned refuses to descend into day folders whose day is not kept.
type dayPruned struct {
	Store
	keep func(time.Time) bool
}

func (d dayPruned) Walk(ctx context.Context, dir string, descend func(string) bool, fn func(File) error) error {
	return d.Store.Walk(ctx, dir, func(sub string) bool {
		last := sub[strings.LastIndexByte(sub, '/')+1:]
		if _, ok := epochMillis13(last); ok {
			// DayFromPath applies the layout rules (segment-logs/<id>/<day>)
			// to the folder as if a file sat in it.
			if day := DayFromPath(sub + "/f"); !day.IsZero() && !d.keep(day) {
				return false
			}
		}
		return descend(sub)
	}, fn)
}
