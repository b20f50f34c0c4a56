package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/nectar-dev/nectar/source"
)

// FloorEngine names the inflate floor's row.
const FloorEngine = "inflate floor"

// Floor is the inflate floor (issue #18): the bench binary itself, as a
// child process ("inflate-worker"), inflating the data set's files with
// nectar's own reader (zlib-ng in this cgo build, the default nectar's)
// on Threads goroutines and discarding the bytes. No engine scans gzip
// logs faster than it can inflate them, so the seed query's time is quoted
// as a multiple of this row. It prints a byte count, not the query's rows,
// so its rows are not compared.
type Floor struct {
	Measurer
	Self    string // the bench binary
	Threads int
}

func (Floor) Name() string { return FloorEngine }

// Supports is the seed query only: the floor depends on the data set, not
// the query, and one row per data set says it.
func (Floor) Supports(q Query) bool { return q.Name == "seed" }

func (f Floor) Run(ctx context.Context, q Query, ds DataSet, _ string) (Measurement, error) {
	n := threads(q, f.Threads)
	env := append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(n))
	return f.Measurer.Run(ctx, env, f.Self, "inflate-worker", "--threads", strconv.Itoa(n), "--glob", ds.Glob)
}

// Inflate is the inflate-worker: it reads every file glob lists through
// source.Open on threads goroutines, a file each at a time as nectar's scan
// does, and writes the number of decoded bytes as CSV.
func Inflate(ctx context.Context, glob string, threads int, w io.Writer) error {
	files, err := source.List(ctx, glob)
	if err != nil {
		return err
	}
	jobs := make(chan source.File)
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, threads)
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 256<<10)
			for f := range jobs {
				rc, err := source.Open(ctx, f)
				if err != nil {
					errs <- err
					return
				}
				n, err := readAll(rc, buf)
				rc.Close()
				if err != nil {
					errs <- fmt.Errorf("inflate %s: %w", f.Path, err)
					return
				}
				total.Add(n)
			}
		}()
	}
send:
	for _, f := range files {
		select {
		case jobs <- f:
		case err = <-errs:
			break send
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil && len(errs) > 0 {
		err = <-errs
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "bytes\n%d\n", total.Load())
	return err
}

// readAll reads r to the end into buf, 256 KiB at a time as nectar's line
// reader does: io.Copy would go through the reader's 64 KiB buffer, and
// zlib-ng inflates markedly slower into small outputs.
func readAll(r io.Reader, buf []byte) (int64, error) {
	var total int64
	for {
		n, err := r.Read(buf)
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}
