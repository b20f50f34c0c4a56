package stream

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tbl "github.com/nectar-dev/nectar/table"
	"github.com/nectar-dev/nectar/types"
)

// ErrWidenRebuild is wrapped when a stream widened a column but cannot
// rebuild its state under the new schema, because a file an earlier batch
// read can no longer be read. The message names the batch and the error.
var ErrWidenRebuild = errors.New("cannot rebuild the stream's state under the widened schema")

// widening records a column whose kind the stream widened: its first files
// gave it From, and batch Batch met values that only fit To.
type widening struct {
	Column string `json:"column"`
	From   string `json:"from"`
	To     string `json:"to"`
	Batch  int64  `json:"batch"`
}

// kinds is the widened kind of each column, by lower-cased name.
func (m metadata) kinds() map[string]types.Kind {
	out := map[string]types.Kind{}
	for _, w := range m.Widened {
		if k, ok := types.ParseKind(w.To); ok {
			out[strings.ToLower(w.Column)] = k
		}
	}
	return out
}

// widen is schema drift handled the way the batch engine's inference would
// have handled it had it seen these files first: when the last run met
// values that did not fit their column, it infers the kinds of the batch's
// files from every line and widens each column the query reads with
// types.Widen (BIGINT and DOUBLE to DOUBLE, DATE and TIMESTAMP to
// TIMESTAMP, anything else to STRING). The widening is recorded in the
// metadata before the batch commits. A batch without such values pays
// nothing. It reports whether anything was widened; the caller then binds
// the query again and runs the batch again.
func (s *streamRun) widen(ctx context.Context, off *offsets) (bool, error) {
	var conflicts int64
	read := map[string]bool{}
	for _, sc := range s.src.scanners {
		conflicts += sc.Stats().Conflicts
		for _, c := range sc.Schema() {
			read[strings.ToLower(c.Name)] = true
		}
	}
	if conflicts == 0 {
		return false, nil
	}
	eo := s.o.Engine.Table()
	eo.SampleLines, eo.BadLines, eo.Live = tbl.InferAll, nil, true
	files, err := tbl.OpenJSONFiles(ctx, fmt.Sprintf("batch %d", off.Batch), off.readable(s.stores()), eo, nil)
	if err != nil {
		return false, fmt.Errorf("infer the schema of batch %d: %w", off.Batch, err)
	}
	now := map[string]types.Kind{}
	for _, c := range files.Columns() {
		now[strings.ToLower(c.Name)] = c.Kind
	}
	var added []widening
	for _, c := range s.src.base.Columns() {
		name := strings.ToLower(c.Name)
		k, ok := now[name]
		if c.Hidden || !read[name] || !ok {
			continue
		}
		if w := types.Merge(c.Kind, k); w != c.Kind {
			added = append(added, widening{Column: c.Name, From: c.Kind.String(), To: w.String(), Batch: off.Batch})
		}
	}
	if len(added) == 0 {
		return false, nil
	}
	s.meta.Widened = append(s.meta.Widened, added...)
	if err := s.ck.writeMeta(s.meta); err != nil {
		return false, err
	}
	for _, w := range added {
		s.log.Warn("stream: widened a column whose new values did not fit", "batch", off.Batch, "column", w.Column, "from", w.From, "to", w.To)
	}
	return true, nil
}

// rebind plans the query again under the widened schema, rebuilds the state
// and reopens the sink with the new result schema, as a restart would.
func (s *streamRun) rebind(ctx context.Context) error {
	if s.sinkOpen {
		s.sinkOpen = false
		if err := s.o.Sink.Close(); err != nil {
			return fmt.Errorf("close sink %s: %w", sinkName(s.o.Sink), err)
		}
	}
	return s.bind(ctx)
}

// rebuild recomputes the operator state of batches 0…last by running them
// again under the current plan: the saved state was computed under a
// narrower schema. Each batch runs with its recorded files, skip decisions
// and watermark, so late rows and closed windows come out as they did.
func (s *streamRun) rebuild(ctx context.Context, last int64) error {
	if s.inc.inc == nil && s.inc.dedup == nil && s.inc.distinct == nil {
		return nil // stateless: nothing to rebuild
	}
	s.log.Info("stream: rebuilding state under the widened schema", "batches", last+1)
	for id := int64(0); id <= last; id++ {
		off, err := s.ck.readOffsets(id)
		if err != nil {
			return fmt.Errorf("checkpoint %s: %w: %w", s.ck.dir, ErrWidenRebuild, err)
		}
		if _, err := s.inc.run(ctx, off.readable(s.stores()), off.Watermark); err != nil {
			return fmt.Errorf("checkpoint %s: %w (columns %s): batch %d: %w", s.ck.dir, ErrWidenRebuild, s.meta.widenedNames(), id, err)
		}
	}
	return nil
}

func (m metadata) widenedNames() string {
	names := make([]string, len(m.Widened))
	for i, w := range m.Widened {
		names[i] = w.Column + " " + w.From + "→" + w.To
	}
	return strings.Join(names, ", ")
}
