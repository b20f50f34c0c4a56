package scan

import (
	"context"
	"errors"
	"fmt"
	"io"

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
func InferFiles(ctx context.Context, files []source.File, maxLines int) ([]InferredColumn, error) {
	if maxLines <= 0 {
		maxLines = DefaultSampleLines
	}
	picked := sampleFiles(len(files), maxSampleFiles)
	var in Inferrer
	left := maxLines
	for k, idx := range picked {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("infer schema: %w", err)
		}
		budget := max(1, left/(len(picked)-k))
		n, err := sampleFile(ctx, files[idx], budget, &in)
		if err != nil {
			return nil, fmt.Errorf("infer schema: %w", err)
		}
		if left -= n; left <= 0 {
			break
		}
	}
	return in.Schema(), nil
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

// sampleFile adds up to budget good lines of f to in and returns how many it
// added.
func sampleFile(ctx context.Context, f source.File, budget int, in *Inferrer) (int, error) {
	rc, err := source.Open(ctx, f)
	if err != nil {
		if errors.Is(err, source.ErrNotLog) {
			return 0, nil
		}
		return 0, err
	}
	defer rc.Close()
	lr := source.NewLineReader(rc, 0)
	added := 0
	for added < budget {
		line, _, err := lr.Next()
		switch {
		case err == io.EOF, errors.Is(err, source.ErrTruncated):
			return added, nil
		case errors.Is(err, source.ErrLineTooLong):
			continue
		case err != nil:
			return added, err
		}
		if in.Add(line) == nil {
			added++
		}
	}
	return added, nil
}
