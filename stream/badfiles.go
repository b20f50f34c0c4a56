package stream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
)

// process runs one batch's files through the plan, so that bad input never
// stops a stream:
//
//   - a file that fails as a whole (vanished, unreadable, corrupt gzip) is
//     read again after a backoff, up to Options.ReadRetries times, and then
//     skipped;
//   - a file whose compressed stream ends early keeps its whole lines, as a
//     batch query over it would, unless the file changed while it was read:
//     then it is read again like a failed one.
//
// A failed run may have updated the operator state halfway, so every retry
// starts again from the last committed state. Each decision is written
// into the batch's offsets before the caller hands the rows to the sink,
// so a replay after a crash takes the same decisions instead of new ones.
func (s *streamRun) process(ctx context.Context, off *offsets) (batchResult, error) {
	retries := s.o.ReadRetries
	switch {
	case retries == 0:
		retries = DefaultReadRetries
	case retries < 0:
		retries = 0
	}
	backoff := s.o.RetryBackoff
	if backoff <= 0 {
		backoff = DefaultRetryBackoff
	}
	attempts := map[string]int{}
	for {
		res, err := s.inc.run(ctx, off.readable(s.stores()), off.Watermark)
		var bad *fileRec
		var reason string
		if err != nil {
			var fe *scan.FileError
			if ctx.Err() != nil || !errors.As(err, &fe) {
				return res, err
			}
			if bad = off.file(fe.File); bad == nil {
				return res, err
			}
			reason = fe.Err.Error()
		} else {
			if bad, reason, err = s.checkCut(ctx, off); err != nil {
				return res, err
			}
			if bad == nil {
				widened, err := s.widen(ctx, off)
				if err != nil || !widened {
					return res, err
				}
				if err := s.rebind(ctx); err != nil {
					if errors.Is(err, ErrWidenRebuild) {
						return res, err
					}
					return res, fmt.Errorf("%w: %w", ErrWidenRebuild, err)
				}
				continue
			}
		}
		if err := s.reset(ctx, s.next-1); err != nil {
			return res, err
		}
		attempts[bad.Path]++
		n := attempts[bad.Path]
		if n <= retries {
			wait := backoff << (n - 1)
			s.log.Warn("stream: reading a file again", "batch", off.Batch, "file", bad.Path, "retry", n, "of", retries, "after", wait, "error", reason)
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return res, ctx.Err()
			case <-t.C:
			}
			if s.o.beforeRetry != nil {
				s.o.beforeRetry(bad.Path, n)
			}
			continue
		}
		p := problem{fileRec: *bad, Outcome: outcomeSkipped, Reason: reason, Attempts: n}
		off.Problems = append(off.Problems, p)
		if err := s.ck.writeOffsets(*off); err != nil {
			return res, err
		}
		s.tr.markSkipped(p)
		s.log.Error("stream: skipped a file it could not read", "batch", off.Batch, "file", p.Path, "attempts", n, "reason", p.Reason)
	}
}

// checkCut records the files of the last run whose compressed stream ended
// early as read partially, and returns the first one that changed since it
// was listed: its cut may be a writer's, and it is worth reading again.
func (s *streamRun) checkCut(ctx context.Context, off *offsets) (changed *fileRec, reason string, err error) {
	recorded := false
	for _, path := range s.src.truncated() {
		f := off.file(path)
		if f == nil || off.decided(path) {
			continue
		}
		now, err := statFile(ctx, s.stores(), path)
		if err != nil || now.Size != f.Size || !now.ModTime.Equal(f.ModTime) {
			return f, fmt.Sprintf("read %s: %v, and the file changed while it was read", path, source.ErrTruncated), nil
		}
		off.Problems = append(off.Problems, problem{fileRec: *f, Outcome: outcomePartial,
			Reason: "compressed stream ends early; read up to the cut", Attempts: 1})
		recorded = true
		s.log.Warn("stream: file ends early; its whole lines are read", "batch", off.Batch, "file", path)
	}
	if recorded {
		return nil, "", s.ck.writeOffsets(*off)
	}
	return nil, "", nil
}

// statFile reads a file's size and mtime as a listing would.
func statFile(ctx context.Context, stores *source.Stores, path string) (source.File, error) {
	files, err := stores.List(ctx, path)
	if err != nil {
		return source.File{}, err
	}
	for _, f := range files {
		if f.Path == path {
			return f, nil
		}
	}
	return source.File{}, fmt.Errorf("stat %s: %w", path, source.ErrNoFiles)
}

// readable lists the batch's files that are not recorded as skipped.
func (o *offsets) readable(stores *source.Stores) []source.File {
	out := make([]source.File, 0, len(o.Files))
	for _, f := range o.Files {
		if !o.skipped(f.Path) {
			out = append(out, f.file(stores))
		}
	}
	return out
}

func (o *offsets) file(path string) *fileRec {
	for i := range o.Files {
		if o.Files[i].Path == path {
			return &o.Files[i]
		}
	}
	return nil
}

func (o *offsets) decided(path string) bool {
	for _, p := range o.Problems {
		if p.Path == path {
			return true
		}
	}
	return false
}

func (o *offsets) skipped(path string) bool {
	for _, p := range o.Problems {
		if p.Path == path && p.Outcome == outcomeSkipped {
			return true
		}
	}
	return false
}
