package output

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/nectar-dev/nectar/parquetfile"
	"github.com/nectar-dev/nectar/types"
)

// arrowWriter writes the Arrow IPC stream format (what pyarrow's
// ipc.open_stream and R's arrow::read_ipc_stream read): the schema first,
// then one record batch per batch, so a reader gets rows as they come.
// Columns have the Arrow types of parquetfile.Records, the mapping the
// Parquet writer and the Flight SQL server share.
type arrowWriter struct {
	recs *parquetfile.Records
	w    *ipc.Writer
}

func newArrowWriter(w io.Writer, schema types.Schema) *arrowWriter {
	recs := parquetfile.NewRecords(memory.DefaultAllocator, schema)
	return &arrowWriter{recs: recs, w: ipc.NewWriter(w, ipc.WithSchema(recs.Schema()))}
}

func (a *arrowWriter) Write(b *types.Batch) error {
	if err := checkBatch(b, a.recs.Columns()); err != nil {
		return err
	}
	if b.Len == 0 {
		return nil
	}
	rec, err := a.recs.Record(b)
	if err != nil {
		return fmt.Errorf("write arrow: %w", err)
	}
	defer rec.Release()
	if err := a.w.Write(rec); err != nil {
		return fmt.Errorf("write arrow: %w", err)
	}
	return nil
}

// Close writes the end-of-stream marker. A result with no rows is still a
// valid stream: the schema and the marker.
func (a *arrowWriter) Close() error {
	defer a.recs.Release()
	if err := a.w.Close(); err != nil {
		return fmt.Errorf("write arrow: %w", err)
	}
	return nil
}
