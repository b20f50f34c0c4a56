package output

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/nectar-dev/nectar/types"
)

// csvWriter writes RFC 4180 CSV with a header row; NULL is an empty field,
// which is how Spark and DuckDB write it by default.
type csvWriter struct {
	w      *csv.Writer
	schema types.Schema
	rec    []string
}

func newCSVWriter(w io.Writer, schema types.Schema) (*csvWriter, error) {
	c := &csvWriter{w: csv.NewWriter(w), schema: schema, rec: make([]string, len(schema))}
	for j, col := range schema {
		c.rec[j] = col.Name
	}
	if err := c.w.Write(c.rec); err != nil {
		return nil, fmt.Errorf("write csv header: %w", err)
	}
	return c, nil
}

func (c *csvWriter) Write(b *types.Batch) error {
	if err := checkBatch(b, c.schema); err != nil {
		return err
	}
	for i := 0; i < b.Len; i++ {
		for j, v := range b.Cols {
			if v.IsNull(i) {
				c.rec[j] = ""
				continue
			}
			c.rec[j] = cellText(v, i)
		}
		if err := c.w.Write(c.rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	return nil
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// cellText is row i of v as text; strings are returned without copying.
// An ARRAY, MAP or STRUCT value is written as its JSON text, which a CSV
// reader can parse back (Spark's CSV writer refuses these types; a
// cell of JSON keeps SELECT * to CSV working over logs with arrays).
func cellText(v *types.Vector, i int) string {
	if v.Kind == types.String {
		return v.S[i]
	}
	if v.Kind.IsNested() && !v.Nulls[i] {
		return string(types.AppendJSON(nil, v.Get(i), false))
	}
	return v.Get(i).String()
}
