package stream

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// dedupState drops rows whose key was seen before: Options.DedupKey over
// the rows the source reads, or whole output rows for SELECT DISTINCT.
//
// With a watermark it follows Spark's dropDuplicatesWithinWatermark: the
// first row of a key is kept and its key is remembered until the
// watermark passes the row's event time plus the delay; rows older than
// the watermark in force are late and dropped (and counted). Without a
// watermark every key is remembered for the stream's life, like Spark's
// dropDuplicates.
type dedupState struct {
	Seen     map[string]int64 // key → expiry (µs); math.MaxInt64: never
	MaxEvent int64            // latest event time seen, µs; math.MinInt64: none

	delay int64 // µs; 0: no watermark
	wm    int64 // watermark in force for the running batch
	late  int64
	buf   []byte
}

func newDedupState(delay int64) *dedupState {
	return &dedupState{Seen: map[string]int64{}, MaxEvent: math.MinInt64, delay: delay, wm: math.MinInt64}
}

// keep reports whether the row with key and event time ts (µs; ignored
// without a watermark) is the first of its key, remembering it if so.
func (d *dedupState) keep(key []byte, ts types.Value) bool {
	exp := int64(math.MaxInt64)
	if d.delay > 0 {
		if ts.K == types.Null {
			return false // no event time: Spark drops these too, as late
		}
		if d.wm != math.MinInt64 && ts.I < d.wm {
			d.late++
			return false
		}
		d.MaxEvent = max(d.MaxEvent, ts.I)
		exp = ts.I + d.delay
	}
	if _, ok := d.Seen[string(key)]; ok { // no allocation for the lookup
		return false
	}
	d.Seen[string(key)] = exp
	return true
}

// advance moves the watermark after a batch and forgets expired keys.
func (d *dedupState) advance(wm int64) int64 {
	if d.delay <= 0 {
		return wm
	}
	if d.MaxEvent != math.MinInt64 {
		wm = max(wm, d.MaxEvent-d.delay)
	}
	for k, exp := range d.Seen {
		if exp < wm {
			delete(d.Seen, k)
		}
	}
	return wm
}

// dedupReader wraps a source reader: it keeps the first row of each key
// and hides the columns it had to add to see the key and event time.
type dedupReader struct {
	in      plan.BatchReader
	d       *dedupState
	keyCol  int
	timeCol int // -1 without a watermark
	width   int // columns the caller asked for
	out     *types.Batch
}

func (r *dedupReader) Next(ctx context.Context) (*types.Batch, error) {
	for {
		b, err := r.in.Next(ctx)
		if err != nil || b == nil || b.Len == 0 {
			return b, err
		}
		if r.out == nil {
			r.out = &types.Batch{Cols: make([]*types.Vector, r.width)}
			for i := range r.width {
				r.out.Cols[i] = types.NewVector(b.Cols[i].Kind, types.BatchSize)
			}
		}
		r.out.Reset()
		for i := 0; i < b.Len; i++ {
			r.d.buf = types.AppendKey(r.d.buf[:0], b.Cols[r.keyCol].Get(i))
			var ts types.Value
			if r.timeCol >= 0 {
				ts = b.Cols[r.timeCol].Get(i)
				if ts.K == types.String {
					// Inferred from text the way to_timestamp reads it;
					// unparsable times count as missing.
					if ts, err = types.Cast(ts, types.Timestamp); err != nil {
						ts = types.NullValue
					}
				}
			}
			if !r.d.keep(r.d.buf, ts) {
				continue
			}
			for c := 0; c < r.width; c++ {
				r.out.Cols[c].AppendFrom(b.Cols[c], i)
			}
			r.out.Len++
		}
		if r.out.Len > 0 {
			return r.out, nil
		}
	}
}

func (r *dedupReader) Close() error { return r.in.Close() }

// openDedup opens the source with the key (and event-time) columns added
// when the plan pruned them, and wraps the reader.
func (s *fileSource) openDedup(ctx context.Context, cols []plan.SourceColumn, filters []plan.Expr) (plan.BatchReader, error) {
	width := len(cols)
	find := func(name string) (int, error) {
		for i, c := range cols {
			if strings.EqualFold(c.Name, name) {
				return i, nil
			}
		}
		for _, c := range s.base.Columns() {
			if strings.EqualFold(c.Name, name) {
				c.Hidden = true
				cols = append(cols, c)
				return len(cols) - 1, nil
			}
		}
		k, ok := s.base.Resolve(name)
		if !ok {
			return -1, fmt.Errorf("%w: dedup column %s is not in the files", ErrUnsupported, name)
		}
		cols = append(cols, plan.SourceColumn{Name: name, Kind: k, Hidden: true})
		return len(cols) - 1, nil
	}
	cols = append([]plan.SourceColumn{}, cols...)
	keyCol, err := find(s.dedupKey)
	if err != nil {
		return nil, err
	}
	timeCol := -1
	if s.dedup.delay > 0 {
		if timeCol, err = find(s.dedupTime); err != nil {
			return nil, err
		}
		if k := cols[timeCol].Kind; k != types.Timestamp && k != types.String {
			return nil, fmt.Errorf("%w: the watermark column %s is %s, not TIMESTAMP", ErrUnsupported, s.dedupTime, k)
		}
	}
	in, err := s.base.WithFiles(s.cur).Open(ctx, cols, filters)
	if err != nil {
		return nil, err
	}
	return &dedupReader{in: in, d: s.dedup, keyCol: keyCol, timeCol: timeCol, width: width}, nil
}

// distinctRows keeps the rows of a SELECT DISTINCT stream not seen in an
// earlier batch (or earlier in this one).
func distinctRows(d *dedupState, rows [][]types.Value) [][]types.Value {
	out := rows[:0]
	for _, r := range rows {
		d.buf = d.buf[:0]
		for _, v := range r {
			d.buf = types.AppendKey(d.buf, v)
		}
		if d.keep(d.buf, types.Value{}) {
			out = append(out, r)
		}
	}
	return out
}
