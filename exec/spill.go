package exec

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"

	"github.com/nectar-dev/nectar/types"
)

// Hash aggregation and DISTINCT spill by partitioning their input (the
// Grace hash join's technique): once a new key no longer fits in the
// memory budget, keys already held keep being folded in memory, and rows
// of any other key go to one of spillFanout files chosen by a hash of
// the key. Every key then lies wholly in memory or wholly in one file, so
// the operator finishes the keys it holds, frees them, and does the same
// over each file in turn, with a new hash seed should a file not fit
// either. Nothing about an accumulator's state has to be written out.
const (
	spillFanout = 16
	// maxSpillDepth bounds the recursion: 16^4 partitions cut the keys
	// into 65,536 parts, and a query whose parts still do not fit fails
	// with ErrMemoryLimit as it did before spilling.
	maxSpillDepth = 4
)

// spillFile is a temporary file of batches, each framed by its length
// and then types.AppendBatch's bytes. It is written to the end, rewound,
// and read back as an Operator; Close removes it.
type spillFile struct {
	f       *os.File
	w       *bufio.Writer
	r       *bufio.Reader
	buf     []byte
	lenBuf  [binary.MaxVarintLen64]byte
	batches int   // written and not yet read
	size    int64 // bytes written: a Grace hash join builds the smaller side
	bufSize int
}

func newSpillFile(dir, pattern string, bufSize int) (*spillFile, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, fmt.Errorf("spill rows to disk: %w", err)
	}
	return &spillFile{f: f, w: bufio.NewWriterSize(f, bufSize), bufSize: bufSize}, nil
}

func (s *spillFile) write(b *types.Batch) error {
	s.buf = types.AppendBatch(s.buf[:0], b)
	n, _ := s.w.Write(binary.AppendUvarint(s.lenBuf[:0], uint64(len(s.buf))))
	if _, err := s.w.Write(s.buf); err != nil {
		return fmt.Errorf("spill rows to %s: %w", s.f.Name(), err)
	}
	s.batches++
	s.size += int64(n + len(s.buf))
	return nil
}

// rewind ends the writing: what follows reads the batches back.
func (s *spillFile) rewind() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("spill rows to %s: %w", s.f.Name(), err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("spill rows to %s: %w", s.f.Name(), err)
	}
	s.w, s.buf = nil, nil
	s.r = bufio.NewReaderSize(s.f, s.bufSize)
	return nil
}

func (s *spillFile) Next(ctx context.Context) (*types.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.batches == 0 {
		return nil, nil
	}
	n, err := binary.ReadUvarint(s.r)
	if err != nil {
		return nil, fmt.Errorf("read spilled rows from %s: %w", s.f.Name(), err)
	}
	// A fresh buffer each time: the batch's strings point into it.
	frame := make([]byte, n)
	if _, err := io.ReadFull(s.r, frame); err != nil {
		return nil, fmt.Errorf("read spilled rows from %s: %w", s.f.Name(), err)
	}
	b, _, err := types.DecodeBatch(frame)
	if err != nil {
		return nil, fmt.Errorf("read spilled rows from %s: %w", s.f.Name(), err)
	}
	s.batches--
	return b, nil
}

func (s *spillFile) Close() error {
	if s == nil || s.f == nil {
		return nil
	}
	name := s.f.Name()
	err := errors.Join(s.f.Close(), os.Remove(name))
	s.f = nil
	return err
}

// partitions routes rows to spillFanout files by a hash of their key.
type partitions struct {
	dir    string
	seed   maphash.Seed
	schema types.Schema
	files  [spillFanout]*spillFile
	bufs   [spillFanout]*types.Batch
}

// add routes row r of b, whose key is key.
func (p *partitions) add(ctx context.Context, b *types.Batch, r int, key []byte) error {
	return p.addTo(ctx, b, r, maphash.Bytes(p.seed, key)%spillFanout)
}

// addTo sends row r of b to partition i: for rows any partition may take
// (a join's NULL keys, which match nothing).
func (p *partitions) addTo(ctx context.Context, b *types.Batch, r int, i uint64) error {
	buf := p.bufs[i]
	if buf == nil {
		buf = types.NewBatch(p.schema, types.BatchSize)
		p.bufs[i] = buf
	}
	// Get and Append rather than AppendFrom: a batch's vector may be of
	// kind NULL where the schema has another.
	for j, c := range b.Cols {
		buf.Cols[j].Append(c.Get(r))
	}
	buf.Len++
	if buf.Len < types.BatchSize {
		return nil
	}
	return p.flush(ctx, i)
}

func (p *partitions) flush(ctx context.Context, i uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.files[i] == nil {
		f, err := newSpillFile(p.dir, "nectar-part-*", 64<<10)
		if err != nil {
			return err
		}
		p.files[i] = f
	}
	err := p.files[i].write(p.bufs[i])
	p.bufs[i].Reset()
	return err
}

// finish writes what is buffered and returns the files with rows in
// them, rewound; p holds none of them after.
func (p *partitions) finish(ctx context.Context) ([]*spillFile, error) {
	all, err := p.finishAll(ctx)
	if err != nil {
		return nil, err
	}
	var out []*spillFile
	for _, f := range all {
		if f != nil {
			out = append(out, f)
		}
	}
	return out, nil
}

// finishAll is finish with the files by partition number, nil where a
// partition has no rows: a join pairs its two sides' files by number.
func (p *partitions) finishAll(ctx context.Context) ([spillFanout]*spillFile, error) {
	var out [spillFanout]*spillFile
	for i := range p.files {
		if b := p.bufs[i]; b != nil && b.Len > 0 {
			if err := p.flush(ctx, uint64(i)); err != nil {
				return out, err
			}
		}
		if f := p.files[i]; f != nil {
			if err := f.rewind(); err != nil {
				return out, err
			}
		}
	}
	// The files go to the caller only once all are rewound: on an error
	// p still holds them, and its Close removes them.
	out, p.files = p.files, [spillFanout]*spillFile{}
	return out, nil
}

func (p *partitions) Close() error {
	var errs []error
	for i, f := range p.files {
		errs = append(errs, f.Close())
		p.files[i] = nil
	}
	return errors.Join(errs...)
}

// spiller is what an operator that spills by partitioning keeps: the
// partitions of the input it reads now, the files still to be read, and
// how deep it is in the recursion.
type spiller struct {
	schema  types.Schema // of the rows spilled: the operator's input
	part    *partitions  // where rows of keys not held go; nil while all fit
	pending []spilledPart
	cur     *spillFile // the partition being read; nil while reading the input
	depth   int        // of what is being read: 0 for the operator's input
}

type spilledPart struct {
	file  *spillFile
	depth int
}

// spill is called with reserve's error for a new key: it starts
// partitioning, so the caller sends the key's rows to part, or returns
// the error when it is not the memory limit or the recursion is as deep
// as it may go.
func (s *spiller) spill(ctx context.Context, err error) error {
	if !errors.Is(err, ErrMemoryLimit) {
		return err
	}
	if s.depth >= maxSpillDepth {
		return fmt.Errorf("%w (even after spilling to disk %d times over)", err, maxSpillDepth)
	}
	dir, derr := spillDir(ctx)
	if derr != nil {
		return errors.Join(err, derr)
	}
	s.part = &partitions{dir: dir, seed: maphash.MakeSeed(), schema: s.schema}
	return nil
}

// next is called when the input being read has ended: its partitions
// join those waiting, and the next waiting one is returned to be read,
// or nil when none is left.
func (s *spiller) next(ctx context.Context) (Operator, error) {
	if s.part != nil {
		files, err := s.part.finish(ctx)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			s.pending = append(s.pending, spilledPart{f, s.depth + 1})
		}
		s.part = nil
	}
	if err := s.cur.Close(); err != nil {
		return nil, err
	}
	s.cur = nil
	if len(s.pending) == 0 {
		return nil, nil
	}
	p := s.pending[len(s.pending)-1]
	s.pending = s.pending[:len(s.pending)-1]
	s.cur, s.depth = p.file, p.depth
	guard.collect()
	return s.cur, nil
}

func (s *spiller) Close() error {
	var errs []error
	if s.part != nil {
		errs = append(errs, s.part.Close())
	}
	errs = append(errs, s.cur.Close())
	for _, p := range s.pending {
		errs = append(errs, p.file.Close())
	}
	s.part, s.cur, s.pending = nil, nil, nil
	return errors.Join(errs...)
}
