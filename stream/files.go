package stream

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/source"
)

// tracker finds the files a stream has not taken yet and decides which of
// them are finished.
type tracker struct {
	stores   *source.Stores
	patterns []string
	settle   time.Duration
	taken    map[string]struct{}
	// skipped are files an earlier batch skipped, as listed then: they are
	// taken again only once their size or mtime changes.
	skipped map[string]fileRec
	// seen is the previous listing's size and mtime of each untaken file:
	// a file unchanged between two listings is finished.
	seen map[string]fileRec
	// settling is how many files the last listing saw but did not take
	// yet because they were still young.
	settling int
}

func newTracker(stores *source.Stores, patterns []string, settle time.Duration, taken map[string]struct{}, skipped map[string]fileRec) *tracker {
	return &tracker{stores: stores, patterns: patterns, settle: settle, taken: taken, skipped: skipped, seen: map[string]fileRec{}}
}

// listing is one trigger's view of the sources.
type listing struct {
	ready   []source.File // stable and not taken, oldest first
	pending int           // visible but not yet stable
	oldest  time.Time     // mtime of the oldest untaken file
}

// list lists every pattern. Files and folders whose names begin with '.'
// or '_' are skipped by source.List (temp files of writers that rename
// into place, _SUCCESS markers); a missing directory counts as empty
// because the first files may not have arrived.
func (t *tracker) list(ctx context.Context, now time.Time) (listing, error) {
	var l listing
	next := map[string]fileRec{}
	for _, p := range t.patterns {
		files, err := t.stores.List(ctx, p)
		if errors.Is(err, source.ErrNoFiles) || errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return l, err
		}
		for _, f := range files {
			if _, ok := t.taken[f.Path]; ok || hiddenPath(f.Path) {
				continue
			}
			if _, dup := next[f.Path]; dup {
				continue // two patterns matched it
			}
			rec := recOf(f)
			if sk, ok := t.skipped[f.Path]; ok && sk.Size == rec.Size && sk.ModTime.Equal(rec.ModTime) {
				continue
			}
			next[f.Path] = rec
			if l.oldest.IsZero() || f.ModTime.Before(l.oldest) {
				l.oldest = f.ModTime
			}
			prev, seenBefore := t.seen[f.Path]
			stable := (seenBefore && prev.Size == rec.Size && prev.ModTime.Equal(rec.ModTime)) ||
				!f.ModTime.After(now.Add(-t.settle))
			if !stable {
				l.pending++
				continue
			}
			l.ready = append(l.ready, f)
		}
	}
	t.seen = next
	t.settling = l.pending
	// Oldest first, as Spark's file source does; the path breaks ties so
	// that the choice is deterministic.
	sort.Slice(l.ready, func(i, j int) bool {
		a, b := l.ready[i], l.ready[j]
		if !a.ModTime.Equal(b.ModTime) {
			return a.ModTime.Before(b.ModTime)
		}
		return a.Path < b.Path
	})
	return l, nil
}

// hiddenPath reports whether the file's own name marks it as in progress
// or bookkeeping; source.List already skips such directories when walking.
func hiddenPath(p string) bool {
	base := path.Base(strings.ReplaceAll(p, "\\", "/"))
	return strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_")
}

// take picks the next batch from ready, honouring the caps; it always
// takes at least one file so that one large file cannot stall the stream.
func take(ready []source.File, maxFiles int, maxBytes int64) []source.File {
	var out []source.File
	var bytes int64
	for _, f := range ready {
		if len(out) > 0 && ((maxFiles > 0 && len(out) >= maxFiles) || (maxBytes > 0 && bytes+f.Size > maxBytes)) {
			break
		}
		out = append(out, f)
		bytes += f.Size
	}
	return out
}

// markTaken records files as belonging to a batch.
func (t *tracker) markTaken(files []source.File) {
	for _, f := range files {
		t.taken[f.Path] = struct{}{}
		delete(t.seen, f.Path)
		delete(t.skipped, f.Path)
	}
}

// markSkipped returns a batch's skipped file to the untaken set, remembered
// as it was listed so that only a changed file is taken again.
func (t *tracker) markSkipped(p problem) {
	delete(t.taken, p.Path)
	t.skipped[p.Path] = p.fileRec
}
