package memory

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/sink"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

var (
	_ sink.Sink  = (*Sink)(nil)
	_ sink.Named = (*Sink)(nil)
)

// Sink keeps the result as a named in-memory table, as sparklyr's
// stream_write_memory does: append mode accumulates rows, complete mode
// replaces the table each batch, update mode replaces the rows whose
// grouping keys changed. Each batch's delivery is also saved in the
// checkpoint, so a restarted stream rebuilds the table before its first
// batch. Serve makes the table readable over loopback HTTP.
type Sink struct {
	name string

	mu     sync.RWMutex
	schema types.Schema
	rows   [][]types.Value
	batch  int64
	info   sink.Info
}

// New returns a sink for the table name.
func New(name string) *Sink { return &Sink{name: name, batch: -1} }

// Name identifies the sink in the checkpoint.
func (m *Sink) Name() string { return "memory:" + strings.ToLower(m.name) }

// Table returns the table's schema, rows and the last batch applied.
func (m *Sink) Table() (types.Schema, [][]types.Value, int64) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.schema, m.rows, m.batch
}

type memoryDelivery struct {
	Batch int64
	Rows  [][]types.Value
}

// deliveryDir holds the saved deliveries, one file per batch named by
// its id (zero-padded, as the checkpoint names its own files).
func (m *Sink) deliveryDir() string {
	return filepath.Join(m.info.Dir, "memory-"+strings.ToLower(m.name))
}

func (m *Sink) deliveryPath(batch int64) string {
	return filepath.Join(m.deliveryDir(), fmt.Sprintf("%020d.gob", batch))
}

// deliveries lists the batch ids of the saved deliveries, ascending.
func (m *Sink) deliveries() ([]int64, error) {
	ents, err := os.ReadDir(m.deliveryDir())
	if err != nil {
		return nil, fmt.Errorf("memory sink %s: %w", m.name, err)
	}
	var ids []int64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".gob")
		if !ok || strings.HasPrefix(name, ".") {
			continue // another file, or a write's temporary one
		}
		if id, err := strconv.ParseInt(name, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// Open implements sink.Sink: it replays the saved deliveries of committed
// batches (only the last one in complete mode).
func (m *Sink) Open(ctx context.Context, info sink.Info) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.info, m.schema, m.rows, m.batch = info, info.Schema, nil, -1
	if err := os.MkdirAll(m.deliveryDir(), 0o755); err != nil {
		return fmt.Errorf("memory sink %s: %w", m.name, err)
	}
	ids, err := m.deliveries()
	if err != nil {
		return err
	}
	var keep []int64
	for _, id := range ids {
		if id > info.LastCommitted {
			os.Remove(m.deliveryPath(id))
			continue
		}
		keep = append(keep, id)
	}
	if info.Mode == sink.Complete && len(keep) > 1 {
		keep = keep[len(keep)-1:]
	}
	for _, id := range keep {
		data, err := os.ReadFile(m.deliveryPath(id))
		if err != nil {
			return fmt.Errorf("memory sink %s: %w", m.name, err)
		}
		var d memoryDelivery
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&d); err != nil {
			return fmt.Errorf("memory sink %s: batch %d: %w", m.name, id, err)
		}
		m.apply(d.Batch, conform(m.schema, d.Rows))
	}
	return nil
}

// conform casts values saved under an older, narrower schema to the kinds
// of a widened one (BIGINT to DOUBLE, anything to STRING), so the table
// has one kind per column.
func conform(schema types.Schema, rows [][]types.Value) [][]types.Value {
	for _, r := range rows {
		for i, v := range r {
			if i < len(schema) && v.K != types.Null && v.K != schema[i].Kind {
				if c, err := types.Cast(v, schema[i].Kind); err == nil {
					r[i] = c
				}
			}
		}
	}
	return rows
}

// Write implements sink.Sink: the delivery is saved first, so that if the
// batch commits, a restart finds it.
func (m *Sink) Write(ctx context.Context, batch int64, rows [][]types.Value) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(memoryDelivery{Batch: batch, Rows: rows}); err != nil {
		return fmt.Errorf("memory sink %s: %w", m.name, err)
	}
	if err := source.WriteFileAtomic(m.deliveryPath(batch), buf.Bytes()); err != nil {
		return err
	}
	if m.info.Mode == sink.Complete {
		// Only the latest delivery is ever replayed.
		os.Remove(m.deliveryPath(batch - 2))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if batch <= m.batch {
		return nil // already applied (a replay within one process)
	}
	m.apply(batch, rows)
	return nil
}

func (m *Sink) apply(batch int64, rows [][]types.Value) {
	m.batch = batch
	switch {
	case m.info.Mode == sink.Complete:
		m.rows = rows
	case m.info.Mode == sink.Update && m.info.Keys > 0:
		at := map[string]int{}
		var key []byte
		keyOf := func(r []types.Value) string {
			key = key[:0]
			for _, v := range r[:m.info.Keys] {
				key = types.AppendKey(key, v)
			}
			return string(key)
		}
		for i, r := range m.rows {
			at[keyOf(r)] = i
		}
		for _, r := range rows {
			k := keyOf(r)
			if i, ok := at[k]; ok {
				m.rows[i] = r
				continue
			}
			at[k] = len(m.rows)
			m.rows = append(m.rows, r)
		}
	default:
		m.rows = append(m.rows, rows...)
	}
}

// Close implements sink.Sink.
func (m *Sink) Close() error { return nil }

// Source returns the table as a plan.Source, for registering it in an
// engine that runs in the same process as the stream.
func (m *Sink) Source() plan.Source { return memorySource{m} }

type memorySource struct{ m *Sink }

func (s memorySource) Columns() []plan.SourceColumn {
	schema, _, _ := s.m.Table()
	return columnsOf(schema)
}
func (s memorySource) Resolve(string) (types.Kind, bool) { return 0, false }
func (s memorySource) String() string                    { return "memory table " + s.m.name }
func (s memorySource) Open(ctx context.Context, cols []plan.SourceColumn, _ []plan.Expr) (plan.BatchReader, error) {
	schema, rows, _ := s.m.Table()
	return project(schema, rows, cols)
}

func columnsOf(schema types.Schema) []plan.SourceColumn {
	out := make([]plan.SourceColumn, len(schema))
	for i, c := range schema {
		out[i] = plan.SourceColumn{Name: c.Name, Kind: c.Kind}
	}
	return out
}

// project serves rows restricted to the columns a plan asks for.
func project(schema types.Schema, rows [][]types.Value, cols []plan.SourceColumn) (plan.BatchReader, error) {
	idx := make([]int, len(cols))
	out := make(types.Schema, len(cols))
	for i, c := range cols {
		if idx[i] = schema.Index(c.Name); idx[i] < 0 {
			return nil, fmt.Errorf("no column %s", c.Name)
		}
		out[i] = types.Column{Name: c.Name, Kind: c.Kind}
	}
	proj := make([][]types.Value, len(rows))
	for r, row := range rows {
		p := make([]types.Value, len(idx))
		for i, j := range idx {
			p[i] = row[j]
		}
		proj[r] = p
	}
	return exec.Rows(out, proj), nil
}
