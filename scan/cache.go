package scan

import (
	"context"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// Cache keeps, per source file, a columnar copy of the columns a scan
// decoded from it (package scancache keeps them on disk). The scanner asks
// it for every whole file it reads: a copy holding every column the scan
// needs is read instead of the file; otherwise the file is read for the
// union of what the scan needs and what the copy holds, and the copy is
// replaced. A Cache never fails a scan: a copy it cannot read is a miss.
type Cache interface {
	// Wants says whether f is read through the cache at all.
	Wants(f source.File) bool
	// Load returns the copy kept for f as it is now (same path, size and
	// version) read with the same line limit, or nil. cols are the columns
	// the scan needs: Load may leave the values of other columns out, and
	// the rows' line numbers unless lines.
	Load(ctx context.Context, f source.File, maxLine int, cols []CacheKey, lines bool) *Entry
	// Store keeps e as f's copy. Errors are the cache's to report.
	Store(ctx context.Context, f source.File, e *Entry)
	// LoadSchema and StoreSchema keep inferred schemas (InferFilesCached)
	// under a key naming the sampled files' versions.
	LoadSchema(key string) (cols []InferredColumn, empty []jsonpath.Path, ok bool)
	StoreSchema(key string, cols []InferredColumn, empty []jsonpath.Path)
}

// CacheKey names a JSON column as a scan decodes it: the same path read
// with another kind, or with other misfit handling, is another column.
type CacheKey struct {
	Path    string // jsonpath text
	Kind    types.Kind
	Guess   bool
	Observe bool
}

func (c Column) cacheKey() CacheKey {
	return CacheKey{Path: c.Path.String(), Kind: c.Kind, Guess: c.Guess, Observe: c.Observe}
}

// Entry is everything a scan of one whole file reports, for the columns it
// read: the rows, and the counts a raw read of the file would report, so
// that a scan served from it answers and reports exactly as the raw read.
// Lines a scan rules out by a Require are not in it: a scan through the
// cache reads every line in full.
type Entry struct {
	MaxLineBytes int     // the line limit the file was read with
	Lines        int64   // lines the file held (LineReader.Lines)
	NumRows      int     // rows: lines that were not bad
	Rows         []int64 // each row's line number (_line); nil when Load was not asked for them
	// Malformed, InvalidUTF8 and TooLong count the lines skipped as bad.
	Malformed, InvalidUTF8, TooLong int64
	// Truncated says the file's compressed stream was cut short; its last
	// partial line was skipped.
	Truncated bool
	// Repeated counts the lines that repeated a key some column's path
	// leads through. Fewer paths may count fewer, so an entry with
	// repeats serves only a scan of exactly its paths.
	Repeated int64
	Columns  []CacheColumn
	// NewKeys holds, by watchKey (the paths read and the objects seen
	// empty), the keys no column names that a scan asking for them
	// (Options.NewKeys) finds: they depend on every path read, so each
	// set of paths has its own.
	NewKeys map[string][]string
}

// CacheColumn is one column of an Entry.
type CacheColumn struct {
	CacheKey
	Seen   Seen          // what the file's lines showed of it (MisfitFiles and BlockedFiles 0)
	Values *types.Vector // one value a row; nil when Load left it out
}

// column returns the index of the column k in e, or -1.
func (e *Entry) column(k CacheKey) int {
	return slices.IndexFunc(e.Columns, func(c CacheColumn) bool { return c.CacheKey == k })
}

// serves reports whether e answers a scan of keys (its JSON columns)
// exactly as a raw read would; watch is the scan's watchKey.
func (e *Entry) serves(keys []CacheKey, watch string) bool {
	for _, k := range keys {
		if i := e.column(k); i < 0 || e.Columns[i].Values == nil {
			return false
		}
	}
	if _, ok := e.NewKeys[watch]; watch != "" && !ok {
		return false
	}
	if e.Repeated == 0 {
		return true
	}
	// Repeats are counted along the paths read: only the same set of
	// paths counts the same.
	paths := map[string]bool{}
	for _, k := range keys {
		paths[k.Path] = true
	}
	for _, c := range e.Columns {
		if !paths[c.Path] {
			return false
		}
	}
	return true
}

// watchKey names what the new keys a scan of keys asks for depend on: its
// paths and Options.EmptyObjects; "" when it does not ask.
func (s *Scanner) watchKey(keys []CacheKey) string {
	if !s.opts.NewKeys {
		return ""
	}
	var paths []string
	for _, k := range keys {
		paths = append(paths, k.Path)
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	var empty []string
	for _, p := range s.opts.EmptyObjects {
		empty = append(empty, p.String())
	}
	slices.Sort(empty)
	return "paths " + strings.Join(paths, "\n") + "\nempty " + strings.Join(empty, "\n")
}

// cacheable says whether the scan may go through Options.Cache: modes
// that report each line (Strict, BadLines) or follow files still written
// (Live) read the files.
func (s *Scanner) cacheable() bool {
	o := &s.opts
	return o.Cache != nil && !o.Strict && o.BadLines == nil && !o.Live
}

// maxCachedFile bounds the (stored, often compressed) size of the files
// read through the cache: a miss holds the whole file's columns in memory
// before handing them on, and gzip inflates about 7x. Segment's files are
// a few MB; larger ones are read as without a cache (and split between
// workers when uncompressed).
const maxCachedFile = 64 << 20

// cached says whether file i is read through the cache.
func (s *Scanner) cached(i int) bool {
	f := s.opts.Files[i]
	return s.cacheable() && f.Err == nil && f.Size <= maxCachedFile && s.opts.Cache.Wants(f)
}

// scanCached reads part p (a whole file) from its cached copy, or reads
// the file, keeps a copy and hands on the rows from it. It reports the
// same rows and counts as scanPart, with no Require applied.
func (w *worker) scanCached(ctx context.Context, p *part) {
	defer close(p.out)
	s := w.s
	f := s.opts.Files[p.idx]
	var keys []CacheKey
	for _, c := range s.opts.Columns {
		if c.Hidden == NotHidden {
			keys = append(keys, c.cacheKey())
		}
	}
	watch := s.watchKey(keys)
	// Line numbers are a sixth of a copy's bytes: read only for _line.
	lines := slices.ContainsFunc(s.opts.Columns, func(c Column) bool { return c.Hidden == LineColumn })
	e := s.opts.Cache.Load(ctx, f, s.maxLine, keys, lines)
	if e == nil || !e.serves(keys, watch) {
		var err error
		e, err = w.readForCache(ctx, f, keys, e, false, watch)
		if err == nil && !e.serves(keys, watch) {
			// Its repeated keys were counted over more paths than the
			// scan reads, which may count more lines: read the file again
			// for the scan's paths alone (rare: repeats are damage).
			e, err = w.readForCache(ctx, f, keys, e, true, watch)
		}
		if err != nil {
			if errors.Is(err, source.ErrNotLog) {
				w.fc.reset(len(s.opts.Columns))
				w.fc.notLog = true
				s.st.addFile(&w.fc, f.Size)
				return
			}
			s.send(ctx, p, chunk{err: fileError(f.Path, err)})
			return
		}
		s.opts.Cache.Store(ctx, f, e)
	}
	p.lines = e.Lines
	w.emitEntry(ctx, p, f, e, watch)
}

// emitEntry hands on e's rows for the scan's columns in batches and counts
// the file as a raw read would have.
func (w *worker) emitEntry(ctx context.Context, p *part, f source.File, e *Entry, watch string) {
	s := w.s
	fc := &w.fc
	fc.reset(len(s.opts.Columns))
	fc.lines[badMalformed] = e.Malformed
	fc.lines[badUTF8] = e.InvalidUTF8
	fc.lines[badTooLong] = e.TooLong
	if e.Truncated {
		fc.lines[badTruncated] = 1
		s.addTruncated(f.Path)
	}
	fc.repeated = e.Repeated
	if watch != "" {
		keys := make([]jsonpath.Path, 0, len(e.NewKeys[watch]))
		for _, k := range e.NewKeys[watch] {
			if p, err := jsonpath.Parse(k); err == nil {
				keys = append(keys, p)
			}
		}
		s.st.addNewKeys(keys)
	}
	src := make([]*types.Vector, len(s.opts.Columns))
	for j, c := range s.opts.Columns {
		if c.Hidden != NotHidden {
			continue
		}
		ec := &e.Columns[e.column(c.cacheKey())]
		src[j] = ec.Values
		fc.seen[j] = ec.Seen
		fc.conflicts += ec.Seen.Misfits // one misfit per conflict (see observe)
	}
	day := receivedDay(f)
	file := types.StringValue(f.Path)
	for off := 0; off < e.NumRows; {
		n := min(s.opts.BatchRows, e.NumRows-off)
		// The batch shows the entry's own slices, each capped at its rows:
		// a recycled batch's appends then reallocate or write over rows
		// already handed on, never over rows still to come. Copying them
		// instead was a fifth of a warm query's time, mostly write
		// barriers on string headers.
		b := &types.Batch{Len: n, Cols: make([]*types.Vector, len(s.opts.Columns))}
		end := off + n
		for j, c := range s.opts.Columns {
			switch c.Hidden {
			case NotHidden:
				v := src[j]
				out := &types.Vector{Kind: v.Kind, Nulls: v.Nulls[off:end:end]}
				switch v.Kind.Storage() {
				case types.Float:
					out.F = v.F[off:end:end]
				case types.String:
					out.S = v.S[off:end:end]
				default:
					out.I = v.I[off:end:end]
				}
				b.Cols[j] = out
			case FileColumn:
				b.Cols[j] = types.NewVector(types.String, n)
				for range n {
					b.Cols[j].Append(file)
				}
			case ReceivedDayColumn:
				b.Cols[j] = types.NewVector(types.Date, n)
				for range n {
					b.Cols[j].Append(day)
				}
			case LineColumn:
				b.Cols[j] = &types.Vector{Kind: types.Int, Nulls: make([]bool, n), I: e.Rows[off:end:end]}
			}
		}
		off = end
		if !s.send(ctx, p, chunk{b: b}) {
			return
		}
	}
	s.st.addFile(fc, f.Size)
}

// readForCache reads f in full for the columns keys names and those old
// (a copy that lacks some of them; nil if none) holds, only those of the
// keys' paths if ownPaths, and returns the new copy; with watch (the
// scan's watchKey) it also finds the new keys along the keys' paths. It is
// scanPart's loop without the modes cacheable rules out.
func (w *worker) readForCache(ctx context.Context, f source.File, keys []CacheKey, old *Entry, ownPaths bool, watch string) (*Entry, error) {
	e := &Entry{MaxLineBytes: w.s.maxLine, NewKeys: map[string][]string{}}
	add := func(k CacheKey) {
		if e.column(k) < 0 {
			e.Columns = append(e.Columns, CacheColumn{CacheKey: k})
		}
	}
	paths := map[string]bool{}
	var own []jsonpath.Path
	for _, k := range keys {
		add(k)
		if !paths[k.Path] {
			paths[k.Path] = true
			p, err := jsonpath.Parse(k.Path)
			if err != nil {
				return nil, err
			}
			own = append(own, p)
		}
	}
	if old != nil {
		for _, c := range old.Columns {
			if !ownPaths || paths[c.Path] {
				add(c.CacheKey)
			}
		}
		// Facts about this version of the file, whatever columns it holds.
		maps.Copy(e.NewKeys, old.NewKeys)
	}
	cols := make([]Column, len(e.Columns))
	for i, c := range e.Columns {
		p, err := jsonpath.Parse(c.Path)
		if err != nil {
			return nil, err
		}
		cols[i] = Column{Name: c.Path, Path: p, Kind: c.Kind, Guess: c.Guess, Observe: c.Observe}
		e.Columns[i].Values = types.NewVector(c.Kind, 0)
	}
	jpaths := make([]jsonpath.Path, len(cols))
	for i, c := range cols {
		jpaths[i] = c.Path
	}
	ex := NewExtractor(jpaths)
	// New keys along the scan's paths: found by the extractor when it
	// reads no others, else by one of the scan's paths alone, which reads
	// every line as the scan's own extractor would.
	var wx *Extractor
	if watch != "" {
		wx = ex
		if len(own) != len(jpaths) {
			wx = NewExtractor(own)
		}
		wx.WatchNewKeys(w.s.opts.EmptyObjects)
	}
	found := func() {
		if wx == nil {
			return
		}
		out := []string{}
		for _, p := range wx.NewKeys() {
			out = append(out, p.String())
		}
		slices.Sort(out)
		e.NewKeys[watch] = out
	}
	rc, err := source.OpenVersion(ctx, f)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lr := source.NewLineReader(rc, w.s.maxLine)
	for {
		line, lineNo, err := lr.Next()
		if err != nil {
			switch {
			case errors.Is(err, source.ErrLineTooLong):
				e.TooLong++
				continue
			case err == io.EOF, errors.Is(err, source.ErrTruncated):
				if err := source.CheckUnchanged(f); err != nil {
					return nil, err
				}
				e.Truncated = err != io.EOF
				e.Lines = lr.Lines()
				found()
				return e, nil
			}
			return nil, err
		}
		if wx != nil && wx != ex {
			_ = wx.Extract(line) // for its new keys; ex judges the line
		}
		if err := ex.Extract(line); err != nil {
			if errors.Is(err, ErrInvalidUTF8) {
				e.InvalidUTF8++
			} else {
				e.Malformed++
			}
			continue
		}
		if ex.Repeated() {
			e.Repeated++
		}
		for i := range cols {
			c := &e.Columns[i]
			observe(&cols[i], ex.Get(i), &c.Seen, c.Values, &w.arena)
		}
		e.Rows = append(e.Rows, lineNo)
		e.NumRows++
	}
}
