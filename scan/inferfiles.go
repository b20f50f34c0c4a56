package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/source"
)

// DefaultSampleLines is how many lines InferFiles reads when given maxLines <= 0.
const DefaultSampleLines = 10000

// maxSampleFiles bounds how many files InferFiles opens: enough to catch
// schema drift across a date range without listing-sized latency.
const maxSampleFiles = 16

// InferFiles infers a schema from up to maxLines lines (DefaultSampleLines
// if maxLines <= 0) taken from the first lines of up to 16 files: the first,
// the last and evenly spaced ones between, so fields added over time are
// seen. Bad lines, truncated tails and non-log files are skipped; any other
// read error fails. Each file gets an equal share of what is left of the
// budget, so short files leave more for later ones.
func InferFiles(ctx context.Context, files []source.File, maxLines int) ([]InferredColumn, []jsonpath.Path, error) {
	return InferFilesCached(ctx, files, maxLines, nil)
}

// InferFilesCached is InferFiles through c (nil: none): the schema
// depends only on the sampled files' content, the number of files and
// maxLines, so while every sampled file is as it was, the schema inferred
// last time is the answer. Inference reads up to 16 files, which is most
// of what a query served from cached copies costs.
func InferFilesCached(ctx context.Context, files []source.File, maxLines int, c Cache) ([]InferredColumn, []jsonpath.Path, error) {
	if maxLines <= 0 {
		maxLines = DefaultSampleLines
	}
	picked := sampleFiles(len(files), maxSampleFiles)
	var key string
	if c != nil {
		key = schemaKey(files, picked, maxLines, c)
		if key != "" {
			if cols, empty, ok := c.LoadSchema(key); ok {
				return cols, empty, nil
			}
		}
	}
	cols, empty, err := inferPicked(ctx, files, picked, maxLines)
	if err == nil && key != "" {
		c.StoreSchema(key, cols, empty)
	}
	return cols, empty, err
}

// schemaKey names what InferFiles' answer depends on, or is "" when a
// sampled file is not read through c.
func schemaKey(files []source.File, picked []int, maxLines int, c Cache) string {
	var b strings.Builder
	fmt.Fprintf(&b, "infer v1 %d lines of %d files\n", maxLines, len(files))
	for _, i := range picked {
		f := files[i]
		if f.Err != nil || !c.Wants(f) {
			return ""
		}
		fmt.Fprintf(&b, "%q %d %q %d\n", f.Path, f.Size, f.ETag, f.ModTime.UnixNano())
	}
	return b.String()
}

func inferPicked(ctx context.Context, files []source.File, picked []int, maxLines int) ([]InferredColumn, []jsonpath.Path, error) {
	// Each file's share if every earlier file fills its own: what the
	// serial walk below gives unless a file runs short.
	shares := make([]int, len(picked))
	left := maxLines
	for k := range picked {
		shares[k] = max(1, left/(len(picked)-k))
		left -= shares[k]
	}
	// Inference runs before every query (and is all of a schema probe's
	// time): read and infer the files in parallel, then merge them in
	// file order, so the schema is the serial one (Inferrer.Merge).
	samples := make([]sample, len(picked))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(picked)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				samples[k] = readFileSample(ctx, files[picked[k]], shares[k])
			}
		}()
	}
	for k := range picked {
		next <- k
	}
	close(next)
	wg.Wait()

	var in Inferrer
	left = maxLines
	for k, idx := range picked {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("infer schema: %w", err)
		}
		budget := max(1, left/(len(picked)-k))
		sm := samples[k]
		if n := sm.inf.Lines(); sm.err == nil && (budget < n || !sm.short && budget > n) {
			// An earlier file ran short and left this one a larger share,
			// or (rarely) a smaller one: read its first budget lines again.
			sm = readFileSample(ctx, files[idx], budget)
		}
		if sm.err != nil {
			return nil, nil, fmt.Errorf("infer schema: %w", sm.err)
		}
		in.Merge(sm.inf)
		if left -= sm.inf.Lines(); left <= 0 {
			break
		}
	}
	return in.Schema(), in.EmptyObjects(), nil
}

// sample is what the first valid lines of one file, up to a budget, say.
type sample struct {
	inf   *Inferrer // fed every valid line read
	short bool      // the file ended before the budget was reached
	err   error
}

// readFileSample infers from the first budget valid lines of f, line by
// line as they are read: keeping the lines for later (10,000 by default,
// about 12 MB of Segment events) had the collector run through a schema
// probe's start. Bad lines, a truncated tail and a non-log file are
// skipped; any other read error is returned.
func readFileSample(ctx context.Context, f source.File, budget int) sample {
	sm := sample{inf: &Inferrer{}}
	if f.Err != nil {
		sm.short = true // the scan counts it
		return sm
	}
	rc, err := source.Open(ctx, f)
	if err != nil {
		if errors.Is(err, source.ErrNotLog) {
			sm.short = true
			return sm
		}
		sm.err = err
		return sm
	}
	defer rc.Close()
	lr := source.NewLineReader(rc, 0)
	for sm.inf.Lines() < budget {
		line, _, err := lr.Next()
		switch {
		case err == io.EOF, errors.Is(err, source.ErrTruncated):
			sm.short = true
			return sm
		case errors.Is(err, source.ErrLineTooLong):
			continue
		case err != nil:
			sm.err = err
			return sm
		}
		_ = sm.inf.Add(line) // a bad line is the scan's to report
	}
	return sm
}

// sampleFiles picks up to k of n file indexes, first and last included and
// the rest evenly spaced, in increasing order.
func sampleFiles(n, k int) []int {
	if n <= k {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i * (n - 1) / (k - 1)
	}
	return idx
}

// InferAllFiles infers a schema from every line of every file, reading
// files in parallel (one Inferrer each, merged in file order, so the
// schema is the serial one). Bad lines, truncated tails and non-log files
// are skipped here as the scan skips them (and counts them there, once);
// any other read error fails.
func InferAllFiles(ctx context.Context, files []source.File) ([]InferredColumn, []jsonpath.Path, error) {
	ins := make([]*Inferrer, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				ins[k], errs[k] = inferFile(ctx, files[k])
			}
		}()
	}
feed:
	for k := range files {
		select {
		case next <- k:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("infer schema: %w", err)
	}
	var all Inferrer
	for k, in := range ins {
		if errs[k] != nil {
			return nil, nil, errs[k]
		}
		all.Merge(in)
	}
	return all.Schema(), all.EmptyObjects(), nil
}

// inferFile feeds every line of f to a new Inferrer.
func inferFile(ctx context.Context, f source.File) (*Inferrer, error) {
	in := &Inferrer{}
	if f.Err != nil {
		return in, nil // the scan counts it
	}
	rc, err := source.Open(ctx, f)
	if errors.Is(err, source.ErrNotLog) {
		return in, nil
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	lr := source.NewLineReader(rc, 0)
	for {
		line, _, err := lr.Next()
		switch {
		case err == io.EOF, errors.Is(err, source.ErrTruncated):
			return in, nil
		case errors.Is(err, source.ErrLineTooLong):
			continue
		case err != nil:
			return nil, fmt.Errorf("read %s: %w", f.Path, err)
		}
		_ = in.Add(line) // a bad line is the scan's to report
	}
}
