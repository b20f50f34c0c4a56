package engine

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
)

// InferAll, as JSONFilesOptions.SampleLines, infers the schema from every
// line of every file rather than from a sample.
const InferAll = -1

// OpenJSONFiles is read_json over an explicit file list instead of a
// pattern: the compactor reads one batch of files at a time with it, and
// the compacted-source union reads the raw files a compacted copy does not
// cover yet. name is what String shows. With opts.SampleLines == InferAll
// every line is used for inference (one extra pass), so that no column of
// the files is missed; otherwise the sampling is read_json's.
func OpenJSONFiles(ctx context.Context, name string, files []source.File, opts Options, onOpen func(*scan.Scanner)) (*JSONSource, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("read_json %s: %w", name, source.ErrNoFiles)
	}
	var inferred []scan.InferredColumn
	var err error
	if opts.SampleLines == InferAll {
		inferred, err = inferAll(ctx, files)
	} else {
		inferred, err = scan.InferFiles(ctx, files, opts.SampleLines)
	}
	if err != nil {
		return nil, fmt.Errorf("infer schema of %s: %w", name, err)
	}
	return newJSONSource(name, files, inferred, opts, onOpen), nil
}

// inferAll feeds every line of files to one Inferrer. Unreadable lines and
// files are skipped here exactly as the scan will skip them (and count
// them there, once).
func inferAll(ctx context.Context, files []source.File) ([]scan.InferredColumn, error) {
	var in scan.Inferrer
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rc, err := source.Open(ctx, f)
		if errors.Is(err, source.ErrNotLog) {
			continue
		}
		if err != nil {
			return nil, err
		}
		lr := source.NewLineReader(rc, 0)
		for {
			line, _, err := lr.Next()
			if err == io.EOF || errors.Is(err, source.ErrTruncated) {
				break
			}
			if errors.Is(err, source.ErrLineTooLong) {
				continue
			}
			if err != nil {
				rc.Close()
				return nil, fmt.Errorf("read %s: %w", f.Path, err)
			}
			_ = in.Add(line) // a bad line is the scan's to report
		}
		rc.Close()
	}
	return in.Schema(), nil
}
