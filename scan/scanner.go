package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// Hidden marks a column that comes from the file rather than the JSON.
type Hidden uint8

const (
	NotHidden         Hidden = iota
	FileColumn               // "_file": File.Path, STRING
	ReceivedDayColumn        // "_received_day": File.ReceivedDay as DATE, NULL when zero
	LineColumn               // "_line": the 1-based line number, BIGINT
)

// Column is one output column of a Scanner.
type Column struct {
	Name   string
	Path   jsonpath.Path // JSON path to extract; ignored for hidden columns
	Kind   types.Kind
	Hidden Hidden // its Kind is fixed (see HiddenColumn) whatever Kind says
	// Guess marks a kind inferred from a sample rather than declared: a
	// value that does not fit it is schema drift, not bad input, so strict
	// mode does not stop on it and it is not a bad line. The scan counts
	// it either way (Scanner.Seen), so the caller can widen the column.
	Guess bool
	// Observe asks the scan to work out the kind of every value of the
	// column (Seen.Kind), for a path the sample never saw: its Kind is only
	// a placeholder.
	Observe bool
}

// HiddenColumn returns the standard name and kind of a hidden column.
func HiddenColumn(h Hidden) Column {
	switch h {
	case FileColumn:
		return Column{Name: "_file", Kind: types.String, Hidden: h}
	case ReceivedDayColumn:
		return Column{Name: "_received_day", Kind: types.Date, Hidden: h}
	case LineColumn:
		return Column{Name: "_line", Kind: types.Int, Hidden: h}
	}
	return Column{}
}

// Column returns the scanner column that reads c.
func (c InferredColumn) Column() Column { return Column{Name: c.Name, Path: c.Path, Kind: c.Kind} }

// DefaultMaxLineBytes is the line limit when Options.MaxLineBytes is 0.
const DefaultMaxLineBytes = 16 << 20

// Options configures a Scanner.
type Options struct {
	Files        []source.File
	Columns      []Column
	MaxLineBytes int // default DefaultMaxLineBytes
	// Strict fails the scan at the first bad input with a *BadLineError:
	// malformed JSON, invalid UTF-8, a line too long, a truncated file, or a
	// value that does not convert to its column's kind.
	Strict bool
	// BadLines, when set, receives one JSON object per skipped line:
	// {"file":…,"line":…,"error":…,"text":…}, in scan order.
	BadLines io.Writer
	// Workers is how many files are decoded in parallel (default
	// runtime.GOMAXPROCS(0)). Output order is file order, then line order,
	// whatever the value.
	Workers int
	// BatchRows caps the rows of one batch (default and maximum
	// types.BatchSize).
	// Tests set it to 1, 2, 3… so that every operator meets rows split at
	// every possible batch boundary.
	BatchRows int
	// SplitBytes is the size of the newline-aligned byte ranges that an
	// uncompressed local file of at least SplitMinBytes is cut into, so
	// that several workers decode one large file (defaults
	// DefaultSplitBytes and DefaultSplitMinBytes; SplitBytes < 0 never
	// splits). Rows, _line, bad-line records and counts are the same as
	// for a whole-file read. Tests set both small to split everywhere.
	SplitBytes, SplitMinBytes int64
	// Live says the files may still be written to (a stream's): a file
	// that changed while it was read is then the caller's to judge (a
	// stream reads it again in a later batch), not a FileError.
	Live bool
	// NewKeys notes keys in the lines that no column names, in the line
	// itself and in every object a column's path leads through
	// (Extractor.WatchNewKeys): when the columns are all a sample found,
	// these are columns the sample missed (Scanner.NewKeys).
	NewKeys bool
	// EmptyObjects lists the objects the sample saw only empty, for
	// NewKeys (see Extractor.WatchNewKeys).
	EmptyObjects []jsonpath.Path
	// Require lists conditions every wanted line meets, from the query's
	// filter: the scanner drops a line as soon as one of them fails on the
	// raw bytes, without decoding or validating the rest of it (see
	// Extractor.Require). The caller still filters what is kept. Strict
	// and BadLines read every line in full, so they ignore it.
	Require []Require
	// Cache, when set, keeps columnar copies of the files read and reads
	// them instead where they hold what the scan needs (see Cache). A file
	// read through it is read in full: Require does not apply to it.
	Cache Cache
}

// Require is a condition on one STRING column: its value is one of Values
// (col = 'v' or col IN ('v', …)). Lines where it is NULL or another string
// are not wanted.
type Require struct {
	Column int // index into Options.Columns; must not be hidden
	Values []string
}

const (
	// DefaultSplitBytes is small enough that two workers share a file of
	// twice the minimum evenly, and large enough that opening a range
	// and finding its first newline cost nothing next to decoding it.
	DefaultSplitBytes = 8 << 20
	// DefaultSplitMinBytes keeps typical Segment files (a few MB of JSON)
	// whole: they are already spread over workers one file each.
	DefaultSplitMinBytes = 16 << 20
)

var (
	// ErrTypeConflict is the Reason of a strict-mode *BadLineError for a
	// value that does not convert to its column's kind.
	ErrTypeConflict = errors.New("type conflict")
)

// BadLineError is a strict-mode failure: which line of which file, and why.
// Reason wraps ErrMalformed, ErrInvalidUTF8, source.ErrLineTooLong,
// source.ErrTruncated or ErrTypeConflict.
type BadLineError struct {
	File   string
	Line   int64
	Reason error
}

func (e *BadLineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Reason) }
func (e *BadLineError) Unwrap() error { return e.Reason }

// FileError is a failure of one whole file rather than of a line: it could
// not be opened, its compressed data is corrupt, or reading it failed. A
// batch query stops on it; a stream retries the file and then skips it, so
// it needs to know which file.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// fileError wraps err as the failure of file, except for cancellation,
// which is the caller's doing and not the file's.
func fileError(file string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &FileError{File: file, Err: err}
}

// Scanner reads log files and emits batches of up to Options.BatchRows rows in
// file order. Files are decoded by Workers goroutines, each writing into its
// own batches, and the consumer hands them out in order; small files are
// coalesced into fuller batches.
//
// Ownership: a batch returned by Next is valid until the next call to Next
// or Close, when its vectors are reused. Strings in it are never overwritten
// and may be retained.
type Scanner struct {
	opts    Options
	schema  types.Schema
	paths   []jsonpath.Path
	pathOf  []int // column → extractor path index; -1 for hidden columns
	maxLine int

	started bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	order   chan *part // one per file or range of a split file, in file order
	ahead   aheadBudget
	free    chan *types.Batch
	lineCol []int // columns holding _line, rebased for ranges of split files

	file     *part // the part being consumed
	lineBase int64 // lines of file.idx before file's range
	badBuf   bytes.Buffer
	badEnc   *json.Encoder
	cur      *types.Batch
	curOff   int
	acc      *types.Batch
	lastOut  *types.Batch // handed out by the last Next; recycled by the next
	err      error        // sticky
	closed   bool
	finished bool // Next reached the end of the last file

	st counters

	truncMu   sync.Mutex
	truncated []string
}

func (s *Scanner) addTruncated(path string) {
	s.truncMu.Lock()
	s.truncated = append(s.truncated, path)
	s.truncMu.Unlock()
}

// Seen returns, by column, what the scan has learnt of each JSON column so
// far (see Seen); hidden columns' entries are zero. Safe to call while the
// scan runs.
func (s *Scanner) Seen() []Seen {
	s.st.seenMu.Lock()
	defer s.st.seenMu.Unlock()
	return slices.Clone(s.st.seen)
}

// NewKeys returns the keys that no column names, found where
// Options.NewKeys looks, by path text; nil unless Options.NewKeys.
func (s *Scanner) NewKeys() []jsonpath.Path {
	s.st.seenMu.Lock()
	defer s.st.seenMu.Unlock()
	out := make([]jsonpath.Path, 0, len(s.st.newKeys))
	for _, p := range s.st.newKeys {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b jsonpath.Path) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// Finished reports whether Next reached the end of the last file, so that
// Seen covers every line of every file (but those a Require ruled out,
// which Stats counts as RejectedLines).
func (s *Scanner) Finished() bool { return s.finished }

// Truncated lists the files that ended in a cut compressed stream, in the
// order they were met; their whole lines were read. Safe to call while the
// scan runs.
func (s *Scanner) Truncated() []string {
	s.truncMu.Lock()
	defer s.truncMu.Unlock()
	return slices.Clone(s.truncated)
}

// chunk is what a worker sends for one part: full batches, then a final
// partial one, each with the bad-line records met while filling it. Line
// numbers in it (the _line column, bad, a *BadLineError) count from the
// start of the part; the consumer rebases them.
type chunk struct {
	b     *types.Batch
	bad   []badRecord
	err   error
	token bool // counted against the chunk budget (see aheadBudget)
}

// part is one job: a whole file, or one range of a file cut by source.Split.
// The consumer reads parts in order, so when it starts a range it has seen
// every line before it and knows the range's first line number.
type part struct {
	idx   int
	seq   int // position in the consumer's order
	rg    source.Range
	split bool       // rg applies; otherwise the whole file through source.Open
	first bool       // line numbers restart here
	tally *fileTally // shared by the ranges of one file; nil for a whole file
	out   chan chunk
	// lines is how many lines the part held; the worker sets it before
	// closing out, which orders the write before the consumer's read.
	lines int64
}

// fileTally gathers the counts of a split file's ranges so that the file
// is counted once, as if one worker had read it, when its last range ends.
type fileTally struct {
	mu   sync.Mutex
	fc   fileCounts
	left int
}

func (t *fileTally) add(fc *fileCounts) (all fileCounts, done bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, n := range fc.lines {
		t.fc.lines[k] += n
	}
	t.fc.conflicts += fc.conflicts
	t.fc.rejected += fc.rejected
	if t.fc.seen == nil {
		t.fc.seen = make([]Seen, len(fc.seen))
	}
	t.fc.addSeen(fc)
	t.left--
	return t.fc, t.left == 0
}

// NewScanner prepares a scan; nothing is read until the first Next.
func NewScanner(opts Options) *Scanner {
	if opts.MaxLineBytes <= 0 {
		opts.MaxLineBytes = DefaultMaxLineBytes
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.BatchRows <= 0 || opts.BatchRows > types.BatchSize {
		opts.BatchRows = types.BatchSize
	}
	if opts.SplitBytes == 0 {
		opts.SplitBytes = DefaultSplitBytes
	}
	if opts.SplitMinBytes <= 0 {
		opts.SplitMinBytes = DefaultSplitMinBytes
	}
	// Copy the columns: hidden ones get their fixed kind (the worker appends
	// values of that kind), and a name if the caller left it empty.
	opts.Columns = append([]Column(nil), opts.Columns...)
	for i, c := range opts.Columns {
		if c.Hidden != NotHidden {
			std := HiddenColumn(c.Hidden)
			opts.Columns[i].Kind = std.Kind
			if c.Name == "" {
				opts.Columns[i].Name = std.Name
			}
		}
	}
	s := &Scanner{opts: opts, maxLine: opts.MaxLineBytes}
	for i, c := range opts.Columns {
		s.schema = append(s.schema, types.Column{Name: c.Name, Kind: c.Kind})
		if c.Hidden == LineColumn {
			s.lineCol = append(s.lineCol, i)
		}
		if c.Hidden != NotHidden {
			s.pathOf = append(s.pathOf, -1)
			continue
		}
		s.pathOf = append(s.pathOf, len(s.paths))
		s.paths = append(s.paths, c.Path)
	}
	s.st.seen = make([]Seen, len(opts.Columns))
	for j, c := range opts.Columns {
		if !c.Observe {
			s.st.seen[j].Kind = c.Kind
		}
	}
	s.st.filesTotal.Store(int64(len(opts.Files)))
	var total int64
	for _, f := range opts.Files {
		total += f.Size
	}
	s.st.bytesTotal.Store(total)
	return s
}

// Schema is the output schema: one column per Options.Columns entry.
func (s *Scanner) Schema() types.Schema { return s.schema }

// fileBuffer is how many chunks a worker may decode ahead of the consumer
// within one file: 32 batches of at most types.BatchSize rows of the
// columns the query reads.
const fileBuffer = 32

// aheadPerWorker is the chunk budget per worker (a variable for tests,
// which shrink it to 1): what fileBuffer allowed each of the two or so
// parts that used to be in flight per worker.
var aheadPerWorker = fileBuffer

// partsAhead bounds how many parts the dispatcher hands out past the one
// the consumer reads. Parts cost nothing until decoded; what they hold
// once decoded is bounded by the scan's chunk budget (ahead).
const partsAhead = 1024

func (s *Scanner) start(ctx context.Context) {
	s.started = true
	ctx, s.cancel = context.WithCancel(ctx)
	w := s.opts.Workers
	s.order = make(chan *part, partsAhead)
	s.free = make(chan *types.Batch, 2*w+4)
	s.acc = types.NewBatch(s.schema, types.BatchSize)
	s.ahead.init(ctx, aheadPerWorker*w)
	jobs := make(chan *part)
	s.wg.Add(1 + w)
	go func() { // dispatcher: hands out parts in order so the consumer never waits on an unassigned one
		defer s.wg.Done()
		defer close(jobs)
		defer close(s.order)
		seq := 0
		for i := range s.opts.Files {
			parts, err := s.parts(ctx, i)
			if err != nil {
				return // cancelled
			}
			for _, p := range parts {
				// Output keeps file order, so the consumer drains one
				// part's channel while the other workers fill theirs, and
				// go on to later parts while the chunk budget lasts: with
				// files of uneven size, a worker that could be only one
				// part ahead waited for the consumer to reach its part,
				// a core idle (two 30 MB files, then eight of 6 MB: the
				// seed query from 0.95 s to 0.88 s).
				p.seq = seq
				seq++
				p.out = make(chan chunk, fileBuffer)
				select {
				case s.order <- p:
				case <-ctx.Done():
					return
				}
				select {
				case jobs <- p:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	for range w {
		go func() {
			defer s.wg.Done()
			wk := &worker{s: s, ex: NewExtractor(s.paths)}
			if s.opts.NewKeys {
				wk.ex.WatchNewKeys(s.opts.EmptyObjects)
			}
			if !s.opts.Strict && s.opts.BadLines == nil {
				for _, r := range s.opts.Require {
					if p := s.pathOf[r.Column]; p >= 0 {
						wk.ex.Require(p, r.Values)
					}
				}
			}
			for p := range jobs {
				if !p.split && s.cached(p.idx) {
					wk.scanCached(ctx, p)
					continue
				}
				wk.scanPart(ctx, p)
			}
		}()
	}
}

// parts plans file i: one part for the whole file, or one per range when
// it is large, uncompressed and local and there is more than one worker to
// share it. Only cancellation is an error; a file that cannot be examined
// is read whole, and reading reports the problem.
func (s *Scanner) parts(ctx context.Context, i int) ([]*part, error) {
	whole := []*part{{idx: i, first: true}}
	if s.opts.Workers < 2 || s.opts.SplitBytes < 0 || s.cached(i) {
		return whole, nil
	}
	ranges, err := source.Split(ctx, s.opts.Files[i], s.opts.SplitBytes, s.opts.SplitMinBytes)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil || len(ranges) == 0 {
		return whole, nil
	}
	t := &fileTally{left: len(ranges)}
	ps := make([]*part, len(ranges))
	for k, rg := range ranges {
		ps[k] = &part{idx: i, rg: rg, split: true, first: k == 0, tally: t}
	}
	return ps, nil
}

// Next returns the next batch; a batch with Len 0 means the scan is over.
func (s *Scanner) Next(ctx context.Context) (*types.Batch, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.closed {
		return nil, errors.New("scan: Next after Close")
	}
	if !s.started {
		s.start(ctx)
	}
	if s.lastOut != nil && s.lastOut != s.acc {
		s.recycle(s.lastOut)
	}
	s.lastOut = nil
	s.acc.Reset()
	for {
		if s.cur == nil {
			b, err := s.nextChunk(ctx)
			if err != nil {
				s.err = err
				s.stop()
				return nil, err
			}
			if b == nil {
				s.finished = true
				s.lastOut = s.acc
				s.st.rows.Add(int64(s.acc.Len))
				return s.acc, nil
			}
			s.cur, s.curOff = b, 0
		}
		if s.curOff == 0 && s.cur.Len == s.opts.BatchRows {
			if s.acc.Len > 0 {
				// Flush what was coalesced rather than split a full batch.
				break
			}
			out := s.cur
			s.cur = nil
			s.lastOut = out
			s.st.rows.Add(int64(out.Len))
			return out, nil
		}
		n := min(s.opts.BatchRows-s.acc.Len, s.cur.Len-s.curOff)
		for j, v := range s.acc.Cols {
			v.AppendRange(s.cur.Cols[j], s.curOff, n)
		}
		s.acc.Len += n
		if s.curOff += n; s.curOff == s.cur.Len {
			s.recycle(s.cur)
			s.cur = nil
		}
		if s.acc.Len == s.opts.BatchRows {
			break
		}
	}
	s.lastOut = s.acc
	s.st.rows.Add(int64(s.acc.Len))
	return s.acc, nil
}

// nextChunk returns the next non-empty batch in file order, or nil at the end.
func (s *Scanner) nextChunk(ctx context.Context) (*types.Batch, error) {
	for {
		if s.file == nil {
			select {
			case p, ok := <-s.order:
				if !ok {
					return nil, nil
				}
				s.file = p
				s.ahead.advance(p.seq)
				if p.first {
					s.lineBase = 0
				}
			case <-ctx.Done():
				return nil, fmt.Errorf("scan: %w", ctx.Err())
			}
		}
		select {
		case c, ok := <-s.file.out:
			if !ok {
				s.lineBase += s.file.lines
				s.file = nil
				continue
			}
			if c.token {
				s.ahead.release()
			}
			if len(c.bad) > 0 {
				if err := s.writeBad(c.bad); err != nil {
					return nil, err
				}
			}
			if c.err != nil {
				var ble *BadLineError
				if errors.As(c.err, &ble) {
					ble.Line += s.lineBase
				}
				return nil, c.err
			}
			if c.b == nil || c.b.Len == 0 {
				if c.b != nil {
					s.recycle(c.b)
				}
				continue
			}
			if s.lineBase != 0 {
				for _, j := range s.lineCol {
					for r := range c.b.Len {
						c.b.Cols[j].I[r] += s.lineBase
					}
				}
			}
			return c.b, nil
		case <-ctx.Done():
			return nil, fmt.Errorf("scan: %w", ctx.Err())
		}
	}
}

// writeBad writes a chunk's bad-line records to Options.BadLines, with
// line numbers counted from the start of the file.
func (s *Scanner) writeBad(recs []badRecord) error {
	if s.opts.BadLines == nil {
		return nil
	}
	if s.badEnc == nil {
		s.badEnc = json.NewEncoder(&s.badBuf)
		s.badEnc.SetEscapeHTML(false)
	}
	s.badBuf.Reset()
	for _, r := range recs {
		r.Line += s.lineBase
		// Encoding a struct of plain strings cannot fail.
		_ = s.badEnc.Encode(r)
	}
	if _, err := s.opts.BadLines.Write(s.badBuf.Bytes()); err != nil {
		return fmt.Errorf("write bad lines: %w", err)
	}
	return nil
}

// send hands chunk c of part p to the consumer, once the chunk budget
// allows; it reports false if ctx ended first.
func (s *Scanner) send(ctx context.Context, p *part, c chunk) bool {
	token, ok := s.ahead.acquire(ctx, p.seq)
	if !ok {
		return false
	}
	c.token = token
	select {
	case p.out <- c:
		return true
	case <-ctx.Done():
		return false
	}
}

// aheadBudget bounds the chunks decoded ahead of the consumer in parts
// after the one it reads, so that workers may run several files ahead
// (see start) while memory stays what two files' buffers took. The part
// the consumer reads needs no token: it is being drained, and making it
// wait for chunks of later parts would deadlock.
type aheadBudget struct {
	mu   sync.Mutex
	cond sync.Cond
	head int // seq of the part the consumer reads
	used int
	max  int
}

func (b *aheadBudget) init(ctx context.Context, max int) {
	b.cond.L = &b.mu
	b.max = max
	// Waiters wait on a condition, not on ctx: wake them when it ends.
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
}

// acquire waits until part seq may hand on a chunk and reports whether
// that took a token; ok is false if the scan ended first.
func (b *aheadBudget) acquire(ctx context.Context, seq int) (token, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		if ctx.Err() != nil {
			return false, false
		}
		if seq == b.head {
			return false, true
		}
		if b.used < b.max {
			b.used++
			return true, true
		}
		b.cond.Wait()
	}
}

func (b *aheadBudget) release() {
	b.mu.Lock()
	b.used--
	b.mu.Unlock()
	b.cond.Broadcast()
}

// advance records that the consumer now reads part seq.
func (b *aheadBudget) advance(seq int) {
	b.mu.Lock()
	b.head = seq
	b.mu.Unlock()
	b.cond.Broadcast()
}

func (s *Scanner) getBatch() *types.Batch {
	select {
	case b := <-s.free:
		b.Reset()
		return b
	default:
		return types.NewBatch(s.schema, types.BatchSize)
	}
}

func (s *Scanner) recycle(b *types.Batch) {
	select {
	case s.free <- b:
	default: // pool full: let the GC have it
	}
}

func (s *Scanner) stop() {
	if s.cancel != nil {
		s.cancel()
		s.wg.Wait()
	}
}

// Close stops the workers and waits for them. It is safe to call more than
// once and before any Next.
func (s *Scanner) Close() error {
	if !s.closed {
		s.closed = true
		s.stop()
	}
	return nil
}

// worker decodes whole files or ranges of them; each owns its extractor
// and string arena.
type worker struct {
	s     *Scanner
	ex    *Extractor
	arena arena
	bad   []badRecord
	fc    fileCounts
}

// badRecord is one line of the BadLines output.
type badRecord struct {
	File  string `json:"file"`
	Line  int64  `json:"line"`
	Error string `json:"error"`
	Text  string `json:"text,omitempty"`
}

func (w *worker) scanPart(ctx context.Context, p *part) {
	defer close(p.out)
	s := w.s
	f := s.opts.Files[p.idx]
	w.fc.reset(len(s.opts.Columns))
	var lr *source.LineReader
	defer func() {
		if lr != nil {
			p.lines = lr.Lines()
		}
		if s.opts.NewKeys {
			s.st.addNewKeys(w.ex.NewKeys())
		}
		if p.tally == nil {
			s.st.addFile(&w.fc, f.Size)
		} else if all, done := p.tally.add(&w.fc); done {
			s.st.addFile(&all, f.Size)
		}
	}()
	send := func(c chunk) bool { return s.send(ctx, p, c) }
	if f.Err != nil {
		w.fc.unreadable = true
		return
	}
	var rc io.ReadCloser
	var err error
	if p.split {
		rc, err = source.OpenRange(ctx, f, p.rg)
	} else {
		octx := ctx
		if len(s.opts.Files) < s.opts.Workers {
			// Fewer files than workers, which would leave some idle:
			// inflate ahead, so that a file keeps two cores busy.
			octx = source.WithReadAhead(ctx)
		}
		rc, err = source.Open(octx, f)
	}
	if err != nil {
		if errors.Is(err, source.ErrNotLog) {
			w.fc.notLog = true
			return
		}
		send(chunk{err: fileError(f.Path, err)})
		return
	}
	defer rc.Close()
	lr = source.NewLineReader(rc, s.maxLine)
	w.bad = nil
	b := s.getBatch()
	day := receivedDay(f)
	// flush hands the batch and the bad-line records met so far to the consumer.
	flush := func(err error) bool {
		bad := w.bad
		w.bad = nil
		ok := send(chunk{b: b, bad: bad, err: err})
		b = nil
		return ok
	}
	for {
		line, lineNo, err := lr.Next()
		if err != nil {
			var kind badKind
			switch {
			case err == io.EOF:
				// A file rewritten or cut while it was read gave lines that
				// are not the file's: fail rather than answer from part.
				if cerr := s.checkUnchanged(f); cerr != nil {
					flush(fileError(f.Path, cerr))
					return
				}
				flush(nil)
				return
			case errors.Is(err, source.ErrLineTooLong):
				kind = badTooLong
			case errors.Is(err, source.ErrTruncated):
				if cerr := s.checkUnchanged(f); cerr != nil {
					flush(fileError(f.Path, cerr))
					return
				}
				kind = badTruncated
			default:
				flush(fileError(f.Path, err))
				return
			}
			if berr := w.badLine(f.Path, lineNo, kind, err, line); berr != nil {
				flush(berr)
				return
			}
			if kind == badTruncated {
				s.addTruncated(f.Path)
				flush(nil)
				return
			}
			continue
		}
		if err := w.ex.Extract(line); err != nil {
			if err == ErrRejected {
				w.fc.rejected++
				continue
			}
			kind := badMalformed
			if errors.Is(err, ErrInvalidUTF8) {
				kind = badUTF8
			}
			if berr := w.badLine(f.Path, lineNo, kind, err, line); berr != nil {
				flush(berr)
				return
			}
			continue
		}
		if w.ex.Repeated() {
			w.fc.repeated++
		}
		for j, v := range b.Cols {
			c := &s.opts.Columns[j]
			switch c.Hidden {
			case NotHidden:
				r := w.ex.Get(s.pathOf[j])
				if observe(c, r, &w.fc.seen[j], v, &w.arena) {
					w.fc.conflicts++
					if !c.Guess {
						// A declared kind: the value is bad input.
						if s.opts.Strict {
							// Undo the partial row so the batch stays rectangular.
							for _, u := range b.Cols[:j+1] {
								truncateVector(u, b.Len)
							}
							flush(&BadLineError{File: f.Path, Line: lineNo, Reason: conflictErr(c, r)})
							return
						}
						if s.opts.BadLines != nil {
							w.bad = append(w.bad, badRecord{File: f.Path, Line: lineNo, Error: conflictErr(c, r).Error() + "; read as NULL", Text: string(line)})
						}
					}
				}
			case FileColumn:
				v.Append(types.StringValue(f.Path))
			case ReceivedDayColumn:
				v.Append(day)
			case LineColumn:
				v.Append(types.IntValue(lineNo))
			}
		}
		b.Len++
		if b.Len == s.opts.BatchRows {
			if !flush(nil) {
				return
			}
			b = s.getBatch()
		}
	}
}

// receivedDay is the _received_day of f's rows: the day its listing
// dates it by, NULL when it has none.
func receivedDay(f source.File) types.Value {
	if f.ReceivedDay.IsZero() {
		return types.NullValue
	}
	return types.DateValue(floorDiv(f.ReceivedDay.Unix(), 86400))
}

// observe appends r, the value of column c in one line, to v and notes
// it in seen; it reports whether the value did not fit c's kind (a
// conflict, noted in seen as one misfit).
func observe(c *Column, r Raw, seen *Seen, v *types.Vector, a *arena) (conflict bool) {
	switch {
	case r.Type == Missing:
		if t, ok := r.Blocked(); ok {
			seen.block(t)
		}
	case c.Observe:
		seen.see(r)
	default:
		seen.Present = true
	}
	if v.Kind == types.Float && r.Type == Number && len(r.Bytes) > 18 && bigInteger(r.Bytes) {
		seen.Inexact++
	}
	if appendRaw(v, r, a, c.Guess) {
		seen.misfit(r)
		return true
	}
	return false
}

// checkUnchanged is source.CheckUnchanged, but for Live files.
func (s *Scanner) checkUnchanged(f source.File) error {
	if s.opts.Live {
		return nil
	}
	return source.CheckUnchanged(f)
}

func truncateVector(v *types.Vector, n int) {
	if v.Len() <= n {
		return
	}
	v.Nulls = v.Nulls[:n]
	switch v.Kind.Storage() {
	case types.Float:
		v.F = v.F[:n]
	case types.String:
		v.S = v.S[:n]
	default:
		v.I = v.I[:n]
	}
}

func conflictErr(c *Column, r Raw) error {
	text := r.Text()
	if len(text) > 40 {
		text = text[:37] + "..."
	}
	return fmt.Errorf("%w: column %s: %s %q does not convert to %s", ErrTypeConflict, c.Name, r.Type, text, c.Kind)
}

// badLine counts a skipped line and records it for BadLines; in strict mode
// it returns the error that ends the scan instead.
func (w *worker) badLine(file string, lineNo int64, kind badKind, reason error, text []byte) error {
	w.fc.lines[kind]++
	if w.s.opts.Strict {
		return &BadLineError{File: file, Line: lineNo, Reason: reason}
	}
	if w.s.opts.BadLines == nil {
		return nil
	}
	w.bad = append(w.bad, badRecord{File: file, Line: lineNo, Error: reason.Error(), Text: string(text)})
	return nil
}
