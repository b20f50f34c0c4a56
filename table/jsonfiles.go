package table

import (
	"context"
	"fmt"

	"github.com/nectar-dev/nectar/jsonpath"
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
func OpenJSONFiles(ctx context.Context, name string, files []source.File, opts Options, onOpen func(*scan.Scanner)) (*JSON, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("read_json %s: %w", name, source.ErrNoFiles)
	}
	var inferred []scan.InferredColumn
	var empty []jsonpath.Path
	var err error
	if opts.SampleLines == InferAll {
		inferred, empty, err = scan.InferAllFiles(ctx, files)
	} else {
		inferred, empty, err = scan.InferFiles(ctx, files, opts.SampleLines)
	}
	if err != nil {
		return nil, fmt.Errorf("infer schema of %s: %w", name, err)
	}
	return newJSONSource(name, files, inferred, empty, opts, onOpen), nil
}
