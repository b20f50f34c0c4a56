package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Case is one query over one data set.
type Case struct {
	Query Query
	Data  DataSet
}

// Label names the case in the report: the query, and the input's
// compression or "compacted".
func (c Case) Label() string { return c.Query.Name + " (" + c.Data.Input() + ")" }

// Cell is what one engine did on one case over all repetitions.
type Cell struct {
	Engine string
	Walls  []time.Duration
	RSS    []int64
	// Err is the first failure; the engine's later repetitions of the
	// case are skipped.
	Err error
	// Mismatch is set when the engine's rows differ from DuckDB's, or
	// from its own first run.
	Mismatch error
	rows     []string
}

// Median, Min and Max summarise the wall times; zero without runs.
func (c *Cell) Median() time.Duration { return quantile(c.Walls, 0.5) }
func (c *Cell) Min() time.Duration    { return quantile(c.Walls, 0) }
func (c *Cell) Max() time.Duration    { return quantile(c.Walls, 1) }

// PeakRSS is the highest peak RSS of the runs.
func (c *Cell) PeakRSS() int64 {
	if len(c.RSS) == 0 {
		return 0
	}
	return slices.Max(c.RSS)
}

// OK reports whether the engine ran the case at least once.
func (c *Cell) OK() bool { return len(c.Walls) > 0 }

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 0 && q == 0.5 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[int(q*float64(len(s)-1)+0.5)]
}

// Row is one case with a cell per engine, in Config.Engines order.
type Row struct {
	Case  Case
	Cells []*Cell
}

// Cell returns the named engine's cell, or nil.
func (r *Row) Cell(engine string) *Cell {
	for _, c := range r.Cells {
		if c.Engine == engine {
			return c
		}
	}
	return nil
}

// Config drives Run.
type Config struct {
	Cases   []Case
	Engines []Engine
	// Reference names the engine whose rows the others must match.
	Reference string
	Reps      int
	// EngineReps caps the repetitions of the named engines below Reps:
	// Spark starts a JVM on every run.
	EngineReps map[string]int
	// Checker runs a query on the reference engine and returns its CSV;
	// it reads back the Parquet files ToParquet queries write.
	Checker func(ctx context.Context, query string) ([]byte, error)
	WorkDir string // scratch space for Parquet output
	Log     io.Writer
}

// Run executes every case on every engine Reps times. Engines are
// interleaved, and their order rotates from one case and repetition to
// the next, so a slow spell of the shared machine does not land on one
// engine only. An engine's failure is recorded in its cell, not returned;
// the error is for cancellation and setup problems.
func Run(ctx context.Context, cfg Config) ([]*Row, error) {
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("work dir: %w", err)
	}
	rows := make([]*Row, len(cfg.Cases))
	for i, c := range cfg.Cases {
		rows[i] = &Row{Case: c}
		for _, e := range cfg.Engines {
			rows[i].Cells = append(rows[i].Cells, &Cell{Engine: e.Name()})
		}
	}
	for rep := range cfg.Reps {
		for ci, row := range rows {
			for k := range cfg.Engines {
				ei := (k + rep + ci) % len(cfg.Engines)
				cell := row.Cells[ei]
				if cell.Err != nil || !Runs(cfg.Engines[ei], row.Case.Query) {
					continue
				}
				if n, ok := cfg.EngineReps[cell.Engine]; ok && rep >= n {
					continue
				}
				if err := runOne(ctx, cfg, cfg.Engines[ei], row.Case, cell, rep); err != nil {
					if ctx.Err() != nil {
						return rows, ctx.Err()
					}
					cell.Err = err
					fmt.Fprintf(cfg.Log, "  FAILED %s on %s: %v\n", cell.Engine, row.Case.Label(), err)
				}
			}
		}
	}
	for _, row := range rows {
		ref := row.Cell(cfg.Reference)
		if ref == nil || !ref.OK() {
			continue
		}
		for _, c := range row.Cells {
			if c == ref || !c.OK() || c.Mismatch != nil || c.Engine == FloorEngine {
				continue
			}
			if err := Compare(ref.rows, c.rows); err != nil {
				c.Mismatch = fmt.Errorf("%s vs %s on %s: %w", c.Engine, cfg.Reference, row.Case.Label(), err)
				fmt.Fprintf(cfg.Log, "  MISMATCH %v\n", c.Mismatch)
			}
		}
	}
	crossCheck(rows, cfg)
	return rows, nil
}

// crossCheck compares every engine's rows on a case whose query has SameAs
// with the reference's rows on that query over the main data set (the
// first case of that name), so one thread or the compacted copy cannot
// quietly change the answer on both engines alike.
func crossCheck(rows []*Row, cfg Config) {
	for _, row := range rows {
		if row.Case.Query.SameAs == "" {
			continue
		}
		var want *Cell
		for _, other := range rows {
			if other.Case.Query.Name == row.Case.Query.SameAs {
				want = other.Cell(cfg.Reference)
				break
			}
		}
		if want == nil || !want.OK() {
			continue
		}
		for _, c := range row.Cells {
			if !c.OK() || c.Mismatch != nil || c.Engine == FloorEngine {
				continue
			}
			if err := Compare(want.rows, c.rows); err != nil {
				c.Mismatch = fmt.Errorf("%s on %s vs %s on %s: %w", c.Engine, row.Case.Label(), cfg.Reference, row.Case.Query.SameAs, err)
				fmt.Fprintf(cfg.Log, "  MISMATCH %v\n", c.Mismatch)
			}
		}
	}
}

// Supporter is an Engine that cannot run every query.
type Supporter interface {
	Supports(q Query) bool
}

// Runs reports whether e runs q: a NectarOnly query runs on nectar builds only,
// and a Supporter only what it supports.
func Runs(e Engine, q Query) bool {
	if q.NectarOnly && !IsNectar(e.Name()) {
		return false
	}
	if s, ok := e.(Supporter); ok {
		return s.Supports(q)
	}
	return true
}

func runOne(ctx context.Context, cfg Config, e Engine, c Case, cell *Cell, rep int) error {
	out := filepath.Join(cfg.WorkDir, e.Name()+"-"+c.Query.Name+".parquet")
	if c.Query.ToParquet {
		if err := os.Remove(out); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove old output: %w", err)
		}
	}
	m, err := e.Run(ctx, c.Query, c.Data, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Log, "  rep %d  %-28s %-10s %8.2fs  %6.0f MiB RSS\n",
		rep+1, c.Label(), e.Name(), m.Wall.Seconds(), float64(m.PeakRSS)/(1<<20))
	cell.Walls = append(cell.Walls, m.Wall)
	cell.RSS = append(cell.RSS, m.PeakRSS)
	result := m.Stdout
	if c.Query.Mode == ModeExperiment {
		// The report's statistics have no counterpart in other engines;
		// unit_sums checks the sums they come from.
		if !json.Valid(result) {
			return fmt.Errorf("%s on %s: the experiment report is not JSON: %s", e.Name(), c.Label(), tail(result, 200))
		}
		return nil
	}
	if c.Query.ToParquet {
		// Reading the file back costs as much as a query; once is enough.
		if rep > 0 {
			return os.Remove(out)
		}
		if result, err = cfg.Checker(ctx, ParquetCheck(out)); err != nil {
			return fmt.Errorf("read back %s: %w", out, err)
		}
		if err := os.Remove(out); err != nil {
			return fmt.Errorf("remove output: %w", err)
		}
	}
	rows, err := Normalize(result)
	if err != nil {
		return err
	}
	if cell.rows == nil {
		cell.rows = rows
		if cell.rows == nil {
			cell.rows = []string{}
		}
		return nil
	}
	if err := Compare(cell.rows, rows); err != nil && cell.Mismatch == nil {
		cell.Mismatch = fmt.Errorf("%s on %s changed between runs: %w", e.Name(), c.Label(), err)
		fmt.Fprintf(cfg.Log, "  MISMATCH %v\n", cell.Mismatch)
	}
	return nil
}
