package exec

import (
	"context"
	"errors"

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
			if s.file, err = newSpillFile(dir, "nectar-spool-*", 1<<20); err != nil {
				return nil, err
			}
		}
		if err := s.file.write(b); err != nil {
			return nil, err
		}
	}
	if s.file != nil {
		if err := s.file.rewind(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// spool replays rows held in memory, then those written to its file.
type spool struct {
	schema types.Schema
	mem    []*types.Batch
	file   *spillFile
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
	if s.file == nil {
		return nil, nil
	}
	return s.file.Next(ctx)
}

func (s *spool) Close() error {
	s.mem = nil
	err := s.file.Close()
	s.file = nil
	return err
}
