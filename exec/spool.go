package exec

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/nectar-dev/nectar/types"
)

// spoolMemory is how many bytes of rows a spool keeps in memory before it
// writes the rest to a temporary file.
var spoolMemory int64 = 64 << 20

// Spool reads op to its end (closing it) and returns an operator that
// replays the same rows. The engine holds a query's rows back this way
// until it knows that the schema they were read with was right: a result
// must not reach the user and then be taken back. Rows past spoolMemory
// bytes go to a temporary file in dir ("" is the system's), which Close
// removes.
func Spool(ctx context.Context, op Operator, schema types.Schema, dir string) (_ Operator, err error) {
	s := &spool{schema: schema}
	defer func() {
		err = errors.Join(err, op.Close())
		if err != nil {
			s.Close()
		}
	}()
	var held int64
	for {
		b, err := op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if b == nil || b.Len == 0 {
			break
		}
		if s.file == nil && held < spoolMemory {
			c := copyBatch(b)
			s.mem = append(s.mem, c)
			for _, v := range c.Cols {
				held += vectorBytes(v) + int64(len(v.I)+len(v.F))*8
			}
			continue
		}
		if s.file == nil {
			if s.file, err = os.CreateTemp(dir, "nectar-spool-*"); err != nil {
				return nil, fmt.Errorf("spool rows to disk: %w", err)
			}
			s.w = bufio.NewWriterSize(s.file, 1<<20)
		}
		// Each batch is a frame: its length, then types.AppendBatch's bytes.
		s.buf = types.AppendBatch(s.buf[:0], b)
		s.w.Write(binary.AppendUvarint(s.lenBuf[:0], uint64(len(s.buf))))
		if _, err := s.w.Write(s.buf); err != nil {
			return nil, fmt.Errorf("spool rows to %s: %w", s.file.Name(), err)
		}
		s.onDisk++
	}
	if s.file != nil {
		if err := s.w.Flush(); err != nil {
			return nil, fmt.Errorf("spool rows to %s: %w", s.file.Name(), err)
		}
		if _, err := s.file.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("spool rows to %s: %w", s.file.Name(), err)
		}
		s.r = bufio.NewReaderSize(s.file, 1<<20)
		s.buf = nil
	}
	return s, nil
}

// spool replays rows held in memory, then those written to its file.
type spool struct {
	schema types.Schema
	mem    []*types.Batch
	file   *os.File
	w      *bufio.Writer
	r      *bufio.Reader
	buf    []byte
	lenBuf [binary.MaxVarintLen64]byte
	onDisk int // batches in file not yet replayed
}

func (s *spool) Next(ctx context.Context) (*types.Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(s.mem) > 0 {
		b := s.mem[0]
		s.mem[0] = nil
		s.mem = s.mem[1:]
		return b, nil
	}
	if s.onDisk == 0 {
		return nil, nil
	}
	n, err := binary.ReadUvarint(s.r)
	if err != nil {
		return nil, fmt.Errorf("read spooled rows from %s: %w", s.file.Name(), err)
	}
	// A fresh buffer each time: the batch's strings point into it.
	frame := make([]byte, n)
	if _, err := io.ReadFull(s.r, frame); err != nil {
		return nil, fmt.Errorf("read spooled rows from %s: %w", s.file.Name(), err)
	}
	b, _, err := types.DecodeBatch(frame)
	if err != nil {
		return nil, fmt.Errorf("read spooled rows from %s: %w", s.file.Name(), err)
	}
	s.onDisk--
	return b, nil
}

func (s *spool) Close() error {
	s.mem = nil
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	err := errors.Join(s.file.Close(), os.Remove(name))
	s.file = nil
	return err
}
