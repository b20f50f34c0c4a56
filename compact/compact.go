package compact

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/parquetfile"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/table"
	"github.com/nectar-dev/nectar/table/manifest"
	"github.com/nectar-dev/nectar/types"
)

// DefaultBatchBytes is how many stored (compressed) bytes of source files
// one batch reads. A batch's rows are held in memory to be sorted, at
// roughly the size of their JSON text, so 32 MiB of gzip (~300 MB of JSON)
// keeps a run within a few hundred MB.
const DefaultBatchBytes = 32 << 20

// ErrLayoutMismatch means Options.PartitionByEvent differs from the
// layout the destination was started with.
var ErrLayoutMismatch = errors.New("destination was compacted with another partitioning")

// DefaultRowGroupRows is smaller than Parquet's usual 128k rows on
// purpose: rows are sorted by event and time within a file, so small row
// groups let min/max statistics skip most of a day for a query on one
// event. Measured on the seed query over 200k events (BenchmarkSeedQuery):
// 8k-row groups 42x faster than raw gzip, 128k-row groups 17x.
const DefaultRowGroupRows = 8 << 10

// Options configure Run.
type Options struct {
	Src string // raw logs: a file, directory or glob, local or s3://
	Dst string // output directory or s3:// prefix
	// PartitionByEvent adds an event=<name>/ level below day=<date>/.
	PartitionByEvent bool
	// BatchBytes bounds the stored bytes of source files read together
	// (default DefaultBatchBytes). A batch never spans two received days.
	BatchBytes int64
	// RowGroupRows is the Parquet row-group size (default
	// DefaultRowGroupRows).
	RowGroupRows int64
	// Read configures the JSON reading exactly as for queries (Strict,
	// BadLines, MaxLineBytes); SampleLines is ignored: a batch's schema is
	// inferred from all of its lines.
	Read table.Options
	// Progress, when set, is called after each batch is committed.
	Progress func(Progress)
	// Logger receives one line per batch (nil: none).
	Logger *slog.Logger
}

// Progress reports one committed batch.
type Progress struct {
	Batch, Batches int
	Files          int   // source files in the batch
	Rows           int64 // rows written by the batch
	Outputs        []string
}

// Summary reports a run.
type Summary struct {
	SourceFiles int // listed under Src
	UpToDate    int // already in the manifest and unchanged: not read
	New         int // not in the manifest before
	Changed     int // in the manifest with another size or modification time
	Redone      int // unchanged but sharing a batch with a changed file
	Batches     int
	OutputFiles int
	Rows        int64
	OutputBytes int64
	Dropped     int        // outputs of invalidated batches removed
	Scan        scan.Stats // bad input met, summed over batches
}

// Run converts the raw logs of o.Src not yet in o.Dst's manifest to
// Parquet, batch by batch; after each batch the manifest is rewritten to
// name its outputs. See docs/COMPACTION.md.
func Run(ctx context.Context, o Options) (Summary, error) {
	var sum Summary
	if o.Src == "" || o.Dst == "" {
		return sum, errors.New("compact: source and destination are required")
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = DefaultBatchBytes
	}
	if o.Read.Stores == nil {
		o.Read.Stores = source.Default
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	files, err := o.Read.Stores.List(ctx, o.Src)
	if err != nil {
		return sum, fmt.Errorf("compact: %w", err)
	}
	sum.SourceFiles = len(files)
	m, err := manifest.Read(ctx, o.Read.Stores, o.Dst)
	switch {
	case errors.Is(err, manifest.ErrNoManifest):
		m = &manifest.Manifest{PartitionByEvent: o.PartitionByEvent}
	case err != nil:
		return sum, fmt.Errorf("compact: %w", err)
	case m.PartitionByEvent != o.PartitionByEvent:
		return sum, fmt.Errorf("compact %s: %w (partition_by_event is %v)", o.Dst, ErrLayoutMismatch, m.PartitionByEvent)
	}

	todo, dropped := planWork(files, m, &sum)
	batches := splitBatches(todo, o.BatchBytes)
	sum.Batches = len(batches)
	for i, b := range batches {
		mb, rows, stats, err := convert(ctx, o, b)
		if err != nil {
			return sum, err
		}
		addStats(&sum.Scan, stats)
		m.Batches = append(m.Batches, mb)
		m.Updated = time.Now().UTC()
		if err := manifest.Write(ctx, o.Read.Stores, o.Dst, m); err != nil {
			return sum, fmt.Errorf("compact: %w", err)
		}
		if i == 0 {
			// The manifest no longer names them: now they can go.
			removeOutputs(o.Dst, dropped)
			sum.Dropped = len(dropped)
		}
		var outs []string
		for _, out := range mb.Outputs {
			outs = append(outs, out.Path)
			sum.OutputBytes += out.Bytes
		}
		sum.OutputFiles += len(mb.Outputs)
		sum.Rows += rows
		log.Info("compacted batch", "batch", i+1, "of", len(batches), "files", len(b), "rows", rows, "outputs", len(outs))
		if o.Progress != nil {
			o.Progress(Progress{Batch: i + 1, Batches: len(batches), Files: len(b), Rows: rows, Outputs: outs})
		}
	}
	if len(batches) == 0 && len(dropped) > 0 {
		// Changed files that vanished: only the drop to record.
		m.Updated = time.Now().UTC()
		if err := manifest.Write(ctx, o.Read.Stores, o.Dst, m); err != nil {
			return sum, fmt.Errorf("compact: %w", err)
		}
		removeOutputs(o.Dst, dropped)
		sum.Dropped = len(dropped)
	}
	return sum, nil
}

// planWork decides what to convert: files the manifest lacks, files that
// changed, and the other files of any batch a changed file belonged to
// (its rows are mixed into that batch's outputs, which must go). It
// removes the invalidated batches from m and returns their outputs.
func planWork(files []source.File, m *manifest.Manifest, sum *Summary) (todo []source.File, dropped []manifest.Output) {
	batchOf := map[string]int{}
	for i, b := range m.Batches {
		for _, s := range b.Sources {
			batchOf[s.Key] = i
		}
	}
	invalid := map[int]bool{}
	for _, f := range files {
		i, ok := batchOf[manifest.Key(f.Path)]
		if !ok {
			sum.New++
			continue
		}
		for _, s := range m.Batches[i].Sources {
			if s.Key == manifest.Key(f.Path) && !s.Same(f) {
				invalid[i] = true
				sum.Changed++
			}
		}
	}
	for _, f := range files {
		i, ok := batchOf[manifest.Key(f.Path)]
		switch {
		case !ok:
			todo = append(todo, f)
		case invalid[i]:
			todo = append(todo, f)
		default:
			sum.UpToDate++
		}
	}
	sum.Redone = len(todo) - sum.New - sum.Changed
	kept := m.Batches[:0]
	for i, b := range m.Batches {
		if invalid[i] {
			dropped = append(dropped, b.Outputs...)
			continue
		}
		kept = append(kept, b)
	}
	m.Batches = kept
	return todo, dropped
}

// splitBatches groups files by received day, in path order, and cuts each
// day into runs of at most max stored bytes (at least one file each).
func splitBatches(files []source.File, max int64) [][]source.File {
	sorted := slices.Clone(files)
	slices.SortStableFunc(sorted, func(a, b source.File) int {
		if c := a.ReceivedDay.Compare(b.ReceivedDay); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	var out [][]source.File
	var cur []source.File
	var size int64
	for _, f := range sorted {
		if len(cur) > 0 && (size+f.Size > max || !cur[0].ReceivedDay.Equal(f.ReceivedDay)) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, f)
		size += f.Size
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// batchID names a batch by its sources, so a batch redone after a kill
// writes the same file names and replaces what the killed run left.
func batchID(files []source.File) string {
	h := sha256.New()
	for _, f := range files {
		s := manifest.SourceOf(f)
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", s.Key, s.Size, s.ModTime.UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// bucketKey is one output file's partition.
type bucketKey struct {
	day       int64 // days since the epoch; noDay when unknown
	event     string
	nullEvent bool
}

const noDay = int64(-1 << 62)

type bucket struct {
	key  bucketKey
	rows *types.Batch
}

// convert reads one batch of files with the engine's JSON reader and
// writes one Parquet file per partition.
func convert(ctx context.Context, o Options, files []source.File) (manifest.Batch, int64, scan.Stats, error) {
	id := batchID(files)
	mb := manifest.Batch{ID: id}
	for _, f := range files {
		mb.Sources = append(mb.Sources, manifest.SourceOf(f))
	}
	ropts := o.Read
	ropts.SampleLines = table.InferAll
	var sc *scan.Scanner
	src, err := table.OpenJSONFiles(ctx, "batch "+id, files, ropts, func(s *scan.Scanner) { sc = s })
	if errors.Is(err, source.ErrNoFiles) {
		return mb, 0, scan.Stats{}, nil
	}
	if err != nil {
		return mb, 0, scan.Stats{}, fmt.Errorf("compact: %w", err)
	}
	var cols []plan.SourceColumn
	var schema types.Schema
	for _, c := range src.Columns() {
		if !c.Hidden {
			cols = append(cols, c)
			schema = append(schema, types.Column{Name: c.Name, Kind: c.Kind})
		}
	}
	nData := len(cols)
	cols = append(cols, plan.SourceColumn{Name: "_received_day", Kind: types.Date, Hidden: true})
	evIdx, tsIdx, raIdx := schema.Index("event"), schema.Index("timestamp"), schema.Index("receivedAt")

	rd, err := src.Open(ctx, cols, nil)
	if err != nil {
		return mb, 0, scan.Stats{}, fmt.Errorf("compact: %w", err)
	}
	buckets := map[bucketKey]*bucket{}
	var last *bucket
	for {
		b, err := rd.Next(ctx)
		if err != nil {
			rd.Close()
			return mb, 0, scan.Stats{}, fmt.Errorf("compact: %w", err)
		}
		if b == nil || b.Len == 0 {
			break
		}
		for i := 0; i < b.Len; i++ {
			k := bucketKey{day: rowDay(b, nData, raIdx, i)}
			if o.PartitionByEvent {
				k.nullEvent = evIdx < 0 || b.Cols[evIdx].IsNull(i)
				if !k.nullEvent {
					k.event = b.Cols[evIdx].Get(i).String()
				}
			}
			bk := last
			if bk == nil || bk.key != k {
				bk = buckets[k]
				if bk == nil {
					bk = &bucket{key: k, rows: types.NewBatch(schema, types.BatchSize)}
					buckets[k] = bk
				}
				last = bk
			}
			for j := 0; j < nData; j++ {
				bk.rows.Cols[j].AppendFrom(b.Cols[j], i)
			}
			bk.rows.Len++
		}
	}
	if err := rd.Close(); err != nil {
		return mb, 0, scan.Stats{}, fmt.Errorf("compact: %w", err)
	}
	var stats scan.Stats
	if sc != nil {
		stats = sc.Stats()
	}
	keys := make([]bucketKey, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b bucketKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), boolOrder(b.nullEvent)-boolOrder(a.nullEvent), strings.Compare(a.event, b.event))
	})
	var rows int64
	for _, k := range keys {
		bk := buckets[k]
		out, err := writeBucket(ctx, o, id, schema, bk, evIdx, tsIdx)
		if err != nil {
			return mb, 0, stats, err
		}
		mb.Outputs = append(mb.Outputs, out)
		rows += out.Rows
		delete(buckets, k) // let the rows go before the next bucket is written
	}
	return mb, rows, stats, nil
}

// rowDay is the row's partition day: its file's Segment day folder (the
// UTC day of receivedAt), or else the UTC day of its receivedAt value.
func rowDay(b *types.Batch, dayCol, raIdx, i int) int64 {
	if v := b.Cols[dayCol]; !v.IsNull(i) {
		return v.I[i]
	}
	if raIdx < 0 || b.Cols[raIdx].IsNull(i) {
		return noDay
	}
	v := b.Cols[raIdx].Get(i)
	switch v.K {
	case types.String:
		t, ok := types.ParseTimestamp(v.S)
		if !ok {
			return noDay
		}
		return floorDiv(t.Unix(), 86400)
	case types.Timestamp:
		return floorDiv(v.I, 86400*1_000_000)
	case types.Date:
		return v.I
	}
	return noDay
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// relPath is a bucket's output file, relative to Dst.
func relPath(k bucketKey, byEvent bool, id string) string {
	var b strings.Builder
	b.WriteString("day=")
	if k.day == noDay {
		b.WriteString(manifest.NullPartition)
	} else {
		b.WriteString(time.Unix(k.day*86400, 0).UTC().Format(time.DateOnly))
	}
	b.WriteByte('/')
	if byEvent {
		b.WriteString("event=")
		if k.nullEvent {
			b.WriteString(manifest.NullPartition)
		} else {
			b.WriteString(manifest.EscapeValue(k.event))
		}
		b.WriteByte('/')
	}
	b.WriteString("part-" + id + ".parquet")
	return b.String()
}

// writeBucket sorts a bucket's rows by event, then timestamp, so that
// row-group statistics on both are narrow, and writes them as one file.
func writeBucket(ctx context.Context, o Options, id string, schema types.Schema, bk *bucket, evIdx, tsIdx int) (manifest.Output, error) {
	rows := bk.rows
	perm := make([]int32, rows.Len)
	for i := range perm {
		perm[i] = int32(i)
	}
	key := func(col int, i int32) types.Value {
		if col < 0 {
			return types.NullValue
		}
		return rows.Cols[col].Get(int(i))
	}
	slices.SortStableFunc(perm, func(a, b int32) int {
		if c := compareNullsFirst(key(evIdx, a), key(evIdx, b)); c != 0 {
			return c
		}
		return compareNullsFirst(key(tsIdx, a), key(tsIdx, b))
	})

	rel := relPath(bk.key, o.PartitionByEvent, id)
	out := manifest.Output{Path: rel, Rows: int64(rows.Len), NullEvent: o.PartitionByEvent && bk.key.nullEvent}
	for _, c := range schema {
		out.Columns = append(out.Columns, manifest.Column{Name: c.Name, Kind: c.Kind.String()})
	}
	if bk.key.day != noDay {
		out.Day = time.Unix(bk.key.day*86400, 0).UTC().Format(time.DateOnly)
	}
	if o.PartitionByEvent && !bk.key.nullEvent {
		ev := bk.key.event
		out.Event = &ev
	}
	full := manifest.Path(o.Dst, rel)
	if !strings.Contains(full, "://") {
		if err := os.MkdirAll(filepath.Dir(filepath.FromSlash(full)), 0o755); err != nil {
			return out, fmt.Errorf("compact: %w", err)
		}
	}
	w, err := o.Read.Stores.Create(ctx, full)
	if err != nil {
		return out, fmt.Errorf("compact: %w", err)
	}
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	rg := o.RowGroupRows
	if rg <= 0 {
		rg = DefaultRowGroupRows
	}
	pw, err := parquetfile.NewWriterOptions(bw, schema, parquetfile.Options{Compression: parquetfile.Zstd, RowGroupRows: rg})
	if err != nil {
		w.Abort()
		return out, fmt.Errorf("compact %s: %w", full, err)
	}
	chunk := types.NewBatch(schema, types.BatchSize)
	for start := 0; start < len(perm); start += types.BatchSize {
		chunk.Reset()
		for _, r := range perm[start:min(start+types.BatchSize, len(perm))] {
			for j, c := range chunk.Cols {
				c.AppendFrom(rows.Cols[j], int(r))
			}
			chunk.Len++
		}
		if err := pw.Write(chunk); err != nil {
			pw.Close()
			w.Abort()
			return out, fmt.Errorf("compact %s: %w", full, err)
		}
	}
	if err := pw.Close(); err != nil {
		w.Abort()
		return out, fmt.Errorf("compact %s: %w", full, err)
	}
	if err := bw.Flush(); err != nil {
		w.Abort()
		return out, fmt.Errorf("compact %s: %w", full, err)
	}
	if err := w.Close(); err != nil {
		return out, fmt.Errorf("compact: %w", err)
	}
	out.Bytes = cw.n
	return out, nil
}

func boolOrder(b bool) int {
	if b {
		return 1
	}
	return 0
}

func compareNullsFirst(a, b types.Value) int {
	switch {
	case a.IsNull() && b.IsNull():
		return 0
	case a.IsNull():
		return -1
	case b.IsNull():
		return 1
	}
	return types.Compare(a, b)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// removeOutputs deletes the files of dropped batches on the local disk.
// On S3 they stay (the manifest no longer names them, so no query reads
// them); see docs/COMPACTION.md.
func removeOutputs(dst string, outs []manifest.Output) {
	if strings.Contains(dst, "://") {
		return
	}
	for _, o := range outs {
		os.Remove(filepath.FromSlash(manifest.Path(dst, o.Path)))
	}
}

func addStats(dst *scan.Stats, s scan.Stats) {
	dst.FilesDone += s.FilesDone
	dst.FilesTotal += s.FilesTotal
	dst.BytesDone += s.BytesDone
	dst.BytesTotal += s.BytesTotal
	dst.Rows += s.Rows
	dst.MalformedLines += s.MalformedLines
	dst.MalformedFiles += s.MalformedFiles
	dst.InvalidUTF8Lines += s.InvalidUTF8Lines
	dst.InvalidUTF8Files += s.InvalidUTF8Files
	dst.TooLongLines += s.TooLongLines
	dst.TooLongFiles += s.TooLongFiles
	dst.TruncatedFiles += s.TruncatedFiles
	dst.Conflicts += s.Conflicts
	dst.ConflictFiles += s.ConflictFiles
	dst.NotLogFiles += s.NotLogFiles
}
