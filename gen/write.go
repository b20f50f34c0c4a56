package gen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// maxChunk bounds the events held as descriptors at once, so memory stays
// flat (~6 MB per worker) however large a file is. Sessions never span
// chunks, so the only effect is that arrival order is sorted per chunk.
const maxChunk = 1 << 16

// flushAt is the size at which a worker hands its line buffer to the
// compressor; large enough to amortise the call, small enough for L2.
const flushAt = 256 << 10

// fileSpec is one output file, fixed before any work starts so that the
// output cannot depend on scheduling.
type fileSpec struct {
	index     int
	midnight  int64 // UTC midnight of the day folder (ms)
	dayStart  int64 // earliest receivedAt: max(midnight, Start)
	dayEnd    int64
	qlo, qhi  float64 // share of the day's traffic this file covers
	lines     int64
	malformed int64
	dups      int64
	late      bool // first file of a later day: may hold queued pre-midnight events
	drift     bool // see Options.DriftFiles
}

type plan struct {
	o         *Options
	cat       *catalog
	projectID string
	archiver  int
	files     []fileSpec
}

func newPlan(o *Options) *plan {
	p := &plan{o: o, cat: newCatalog(o.Seed), projectID: sourceID(o.Seed), archiver: 100 + int(hashOf(o.Seed, 0, 7)%900)}
	start := toMS(o.Start)
	mid0 := floorDiv(start, msPerDay) * msPerDay
	type day struct {
		midnight, lo int64
		qlo          float64
	}
	days := make([]day, o.Days)
	weights := make([]float64, o.Days)
	for d := range days {
		m := mid0 + int64(d)*msPerDay
		lo := max(m, start)
		qlo := quantileAt(lo - m)
		wd := time.UnixMilli(m).UTC().Weekday()
		days[d] = day{midnight: m, lo: lo, qlo: qlo}
		weights[d] = weekdayWeight[wd] * (1 - qlo)
	}
	eventsPerDay := splitWeighted(o.Events, weights)
	// One file per day first, the rest by traffic, so files are similar in size.
	filesPerDay := splitWeighted(int64(o.Files-o.Days), weights)
	idx := 0
	total := 0
	for d := range days {
		total += int(filesPerDay[d]) + 1
	}
	for d, dy := range days {
		nf := int(filesPerDay[d]) + 1
		perFile := splitWeighted(eventsPerDay[d], uniform(nf))
		for j := 0; j < nf; j++ {
			n := perFile[j]
			p.files = append(p.files, fileSpec{
				index:     idx,
				midnight:  dy.midnight,
				dayStart:  dy.lo,
				dayEnd:    dy.midnight + msPerDay,
				qlo:       dy.qlo + (1-dy.qlo)*float64(j)/float64(nf),
				qhi:       dy.qlo + (1-dy.qlo)*float64(j+1)/float64(nf),
				lines:     n,
				malformed: int64(float64(n)*o.Malformed + 0.5),
				dups:      int64(float64(n)*o.Duplicates + 0.5),
				late:      j == 0 && d > 0,
				drift:     idx >= total-o.DriftFiles,
			})
			idx++
		}
	}
	return p
}

func uniform(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// splitWeighted splits total into len(w) integer parts proportional to w by
// largest remainder, so the parts always add up to total exactly.
func splitWeighted(total int64, w []float64) []int64 {
	var sum float64
	for _, x := range w {
		sum += x
	}
	out := make([]int64, len(w))
	if total == 0 || sum == 0 {
		return out
	}
	type rem struct {
		i int
		f float64
	}
	rems := make([]rem, len(w))
	var used int64
	for i, x := range w {
		exact := float64(total) * x / sum
		out[i] = int64(exact)
		used += out[i]
		rems[i] = rem{i, exact - float64(out[i])}
	}
	for left := total - used; left > 0; left-- {
		best := -1
		for j, r := range rems {
			if best < 0 || r.f > rems[best].f {
				best = j
			}
		}
		out[rems[best].i]++
		rems[best].f = -1
	}
	return out
}

// sourceID is a Segment-style 22-character base62 source (project) id.
func sourceID(seed int64) string {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [22]byte
	for i := range b {
		b[i] = alnum[hashOf(seed, uint64(i), 8)%62]
	}
	return string(b[:])
}

type fileResult struct {
	lines, malformed, dups, bytes, compressed int64
}

func (p *plan) run(ctx context.Context) (Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]fileResult, len(p.files))
	userSets := make([][]uint64, p.o.Workers)
	next := make(chan int)
	var wg sync.WaitGroup
	var errOnce sync.Once
	var firstErr error
	for w := 0; w < p.o.Workers; w++ {
		wk := newWorker(p)
		userSets[w] = wk.seen
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer wk.close()
			for i := range next {
				res, err := wk.writeFile(ctx, &p.files[i])
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					continue
				}
				results[i] = res
			}
		}()
	}
feed:
	for i := range p.files {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = fmt.Errorf("gen: %w", ctx.Err())
	}
	if firstErr != nil {
		return Summary{}, firstErr
	}
	s := Summary{Files: len(p.files), Variants: map[string]int64{}}
	for _, r := range results {
		s.Events += r.lines
		s.Malformed += r.malformed
		s.Duplicates += r.dups
		s.Bytes += r.bytes
		s.CompressedBytes += r.compressed
	}
	for _, name := range Experiment.Variants {
		s.Variants[name] = 0
	}
	for i := 0; i < p.o.Users; i++ {
		for _, set := range userSets {
			if set[i>>6]&(1<<(i&63)) != 0 {
				s.Variants[Experiment.Variants[variantOf(p.o.Seed, uint32(i))]]++
				break
			}
		}
	}
	return s, nil
}

// worker owns all scratch state for writing files one after another.
type worker struct {
	p        *plan
	gen      chunkGen
	rd       renderer
	rng      rng
	buf      []byte
	pendBuf  []byte
	pending  []pending
	gz       *gzip.Writer
	zw       *zstd.Encoder
	seen     []uint64 // bitset of users that appear in this worker's files
	lineNo   int64
	out      io.Writer
	counter  countingWriter
	res      fileResult
	maxRecv  int64
	writeErr error
}

// pending is a duplicate delivery waiting to be written a few lines after
// its original, as a retried batch would arrive.
type pending struct {
	start, end int
	due        int64
}

func newWorker(p *plan) *worker {
	w := &worker{p: p, seen: make([]uint64, (p.o.Users+63)/64)}
	w.gen = chunkGen{r: &w.rng, seed: p.o.Seed, users: p.o.Users, cat: p.cat,
		events: make([]event, 0, maxChunk), sessions: make([]session, 0, maxChunk/4)}
	w.rd = renderer{cat: p.cat, projectID: p.projectID}
	w.buf = make([]byte, 0, flushAt+64<<10)
	return w
}

func (w *worker) close() {
	if w.zw != nil {
		w.zw.Close()
	}
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

func (w *worker) dir(f *fileSpec) string {
	return filepath.Join(w.p.o.Out, "segment-logs", w.p.projectID, strconv.FormatInt(f.midnight, 10))
}

func (w *worker) writeFile(ctx context.Context, f *fileSpec) (res fileResult, err error) {
	dir := w.dir(f)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, fmt.Errorf("gen: create %s: %w", dir, err)
	}
	tmp := filepath.Join(dir, ".nectar-gen-"+strconv.Itoa(f.index)+".tmp")
	fh, err := os.Create(tmp)
	if err != nil {
		return res, fmt.Errorf("gen: create %s: %w", tmp, err)
	}
	defer func() {
		if err != nil {
			fh.Close()
			os.Remove(tmp)
		}
	}()
	w.counter = countingWriter{w: fh}
	switch w.p.o.Compress {
	case CompressGzip:
		if w.gz == nil {
			// BestSpeed: the generator must outrun the engine it feeds; the
			// files are ~15% larger than at the default level.
			w.gz, _ = gzip.NewWriterLevel(&w.counter, gzip.BestSpeed)
		} else {
			w.gz.Reset(&w.counter)
		}
		w.out = w.gz
	case CompressZstd:
		if w.zw == nil {
			w.zw, err = zstd.NewWriter(&w.counter, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
			if err != nil {
				return res, fmt.Errorf("gen: zstd writer: %w", err)
			}
		} else {
			w.zw.Reset(&w.counter)
		}
		w.out = w.zw
	default:
		w.out = &w.counter
	}
	if err := w.fill(ctx, f); err != nil {
		return res, err
	}
	switch w.out {
	case w.gz:
		err = w.gz.Close()
	case w.zw:
		err = w.zw.Close()
	}
	if err != nil {
		return res, fmt.Errorf("gen: compress %s: %w", tmp, err)
	}
	if err = fh.Close(); err != nil {
		return res, fmt.Errorf("gen: close %s: %w", tmp, err)
	}
	final := filepath.Join(dir, w.fileName(f))
	if err = os.Rename(tmp, final); err != nil {
		return res, fmt.Errorf("gen: rename %s: %w", tmp, err)
	}
	w.res.compressed = w.counter.n
	return w.res, nil
}

// fileName follows the archiver: <flush ms>.events-archiver-<n>-<m>..<uuid>.gz,
// where the flush time comes shortly after the last event arrived.
func (w *worker) fileName(f *fileSpec) string {
	r := &w.rng
	ms := min(w.maxRecv+r.between(500, 90_000), f.dayEnd-1)
	b := make([]byte, 0, 96)
	b = strconv.AppendInt(b, ms, 10)
	b = append(b, ".events-archiver-"...)
	b = strconv.AppendInt(b, int64(w.p.archiver), 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(r.intn(60)), 10)
	b = append(b, ".."...)
	b = appendUUID(b, r.next(), r.next())
	switch w.p.o.Compress {
	case CompressGzip:
		b = append(b, ".gz"...)
	case CompressZstd:
		b = append(b, ".zst"...)
	default:
		b = append(b, ".json"...)
	}
	return string(b)
}

// fill generates and writes all lines of one file. Which events become
// malformed or duplicated is chosen by selection sampling (Knuth's
// Algorithm S), which hits the exact per-file counts in one pass.
func (w *worker) fill(ctx context.Context, f *fileSpec) error {
	w.rng = newRNG(w.p.o.Seed, uint64(f.index))
	w.res = fileResult{}
	w.buf = w.buf[:0]
	w.pendBuf = w.pendBuf[:0]
	w.pending = w.pending[:0]
	w.lineNo = 0
	w.maxRecv = f.dayStart
	w.writeErr = nil
	g := &w.gen
	g.dayStart, g.dayEnd, g.midnight = f.dayStart, f.dayEnd, f.midnight
	w.rd.drift = f.drift
	logical := f.lines - f.dups
	malLeft, dupLeft := f.malformed, f.dups
	logicalLeft, goodLeft := logical, logical-f.malformed
	nChunks := (logical + maxChunk - 1) / maxChunk
	parts := splitWeighted(logical, uniform(int(nChunks)))
	for c, n := range parts {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("gen: file %d: %w", f.index, err)
		}
		g.qlo = f.qlo + (f.qhi-f.qlo)*float64(c)/float64(nChunks)
		g.qhi = f.qlo + (f.qhi-f.qlo)*float64(c+1)/float64(nChunks)
		g.late = f.late && c == 0
		g.run(int(n))
		w.rd.sessions = g.sessions
		for i := range g.events {
			if i&4095 == 4095 && ctx.Err() != nil {
				return fmt.Errorf("gen: file %d: %w", f.index, ctx.Err())
			}
			e := &g.events[i]
			uidx := g.sessions[e.sess].user.idx
			w.seen[uidx>>6] |= 1 << (uidx & 63)
			w.maxRecv = max(w.maxRecv, e.recv)
			start := len(w.buf)
			w.buf = w.rd.render(w.buf, e)
			switch {
			case malLeft > 0 && w.rng.intn(int(logicalLeft)) < int(malLeft):
				w.buf = w.corrupt(w.buf, start)
				malLeft--
			case dupLeft > 0 && w.rng.intn(int(goodLeft)) < int(dupLeft):
				ps := len(w.pendBuf)
				w.pendBuf = append(w.pendBuf, w.buf[start:]...)
				w.pendBuf = append(w.pendBuf, '\n')
				w.pending = append(w.pending, pending{ps, len(w.pendBuf), w.lineNo + w.rng.between(1, 40)})
				dupLeft--
				goodLeft--
			default:
				goodLeft--
			}
			logicalLeft--
			w.buf = append(w.buf, '\n')
			w.lineNo++
			w.res.lines++
			w.flushPending(false)
			if len(w.buf) >= flushAt {
				w.flush()
			}
		}
		if w.writeErr != nil {
			return fmt.Errorf("gen: write file %d: %w", f.index, w.writeErr)
		}
	}
	w.flushPending(true)
	w.flush()
	if w.writeErr != nil {
		return fmt.Errorf("gen: write file %d: %w", f.index, w.writeErr)
	}
	w.res.malformed = f.malformed - malLeft
	w.res.dups = f.dups - dupLeft
	if w.res.lines != f.lines {
		return fmt.Errorf("gen: file %d: wrote %d lines, planned %d: %w", f.index, w.res.lines, f.lines, errShortDay)
	}
	return nil
}

// errShortDay means a day window could not hold the planned events; it
// would take absurd options (billions of events in minutes) to trigger.
var errShortDay = errors.New("gen: day window too short for the planned events")

func (w *worker) flushPending(all bool) {
	if len(w.pending) == 0 {
		return
	}
	kept := w.pending[:0]
	for _, pd := range w.pending {
		if all || pd.due <= w.lineNo {
			w.buf = append(w.buf, w.pendBuf[pd.start:pd.end]...)
			w.lineNo++
			w.res.lines++
			continue
		}
		kept = append(kept, pd)
	}
	w.pending = kept
	if len(kept) == 0 {
		w.pendBuf = w.pendBuf[:0]
	}
}

func (w *worker) flush() {
	if len(w.buf) == 0 || w.writeErr != nil {
		w.buf = w.buf[:0]
		return
	}
	w.res.bytes += int64(len(w.buf))
	_, w.writeErr = w.out.Write(w.buf)
	w.buf = w.buf[:0]
}

// garbage lines seen in real pipelines: proxy error pages, NUL padding,
// non-JSON numbers, doubled closing braces.
var garbage = []string{
	"<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>",
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	`{"type":"track","event":"Product Viewed","properties":{"price":NaN}}`,
	`{"type":"track","event":"Order Completed"}}`,
	`{"type":"page",'name':'Home'}`,
}

// corrupt replaces the line starting at start with a malformed one: mostly a
// truncated object (a strict prefix of an object is never valid JSON),
// sometimes garbage.
func (w *worker) corrupt(b []byte, start int) []byte {
	n := len(b) - start
	if w.rng.chance(0.7) && n > 2 {
		return b[:start+1+w.rng.intn(n-2)]
	}
	return append(b[:start], garbage[w.rng.intn(len(garbage))]...)
}
