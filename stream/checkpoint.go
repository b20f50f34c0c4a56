package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/source"
)

// checkpointVersion numbers the checkpoint layout.
const checkpointVersion = 1

// Checkpoint layout, every file written by source.WriteFileAtomic (temp
// file, fsync, rename, fsync of the directory):
//
//	metadata.json          query, mode, sink and the files the schema came from
//	offsets/<batch>.json   write-ahead record: the files batch takes
//	state/<batch>.gob      operator state after batch
//	commits/<batch>.json   the batch is done: sink written, state saved
//	sink/                  the sink's own bookkeeping
//	error.json             the last error that stopped the stream
type checkpoint struct {
	dir  string
	lock *source.Lock // held while the stream runs: one process per checkpoint
}

// metadata identifies the stream a checkpoint belongs to.
type metadata struct {
	Version     int        `json:"version"`
	Query       string     `json:"query"`
	Mode        OutputMode `json:"mode"`
	Sink        string     `json:"sink"`
	Watermark   string     `json:"watermark,omitempty"`
	Dedup       string     `json:"dedup,omitempty"`
	Patterns    []string   `json:"patterns"`
	SchemaFiles []fileRec  `json:"schema_files,omitempty"`
	// Widened lists the columns later batches widened, in order; the
	// stream binds with these kinds over the schema files' own.
	Widened []widening `json:"widened,omitempty"`
	Created time.Time  `json:"created"`
}

// fileRec is a file as a batch took it.
type fileRec struct {
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
}

func recOf(f source.File) fileRec { return fileRec{Path: f.Path, Size: f.Size, ModTime: f.ModTime} }

// file is the file r records, opened through the store stores picks for
// it (one that cannot be built leaves it to fail on open, with the reason).
func (r fileRec) file(stores *source.Stores) source.File {
	st, _ := stores.For(context.Background(), r.Path)
	return source.File{Path: r.Path, Size: r.Size, ModTime: r.ModTime, ReceivedDay: source.DayFromPath(r.Path), Store: st}
}

// offsets is the write-ahead record of one batch.
type offsets struct {
	Batch int64     `json:"batch"`
	Files []fileRec `json:"files"`
	// Watermark in force while the batch runs (µs since the epoch), so a
	// replay drops the same late rows.
	Watermark int64     `json:"watermark_us,omitempty"`
	Created   time.Time `json:"created"`
	// Problems records the files of the batch that could not be read as
	// listed, and what the batch did about them. It is written before the
	// sink sees the batch, so a replay follows the same decisions.
	Problems []problem `json:"problems,omitempty"`
}

// Outcomes of a file the stream could not read as listed.
const (
	// outcomeSkipped: the file failed every retry (vanished, unreadable,
	// corrupt); none of its rows are in the batch.
	outcomeSkipped = "skipped"
	// outcomePartial: the compressed stream ends early; the whole lines
	// before the cut are in the batch, as a batch query would read them.
	outcomePartial = "read-partially"
)

// problem is one file a batch could not read as listed.
type problem struct {
	fileRec
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason"`
	Attempts int    `json:"attempts"`
}

// commit records a finished batch and its statistics.
type commit struct {
	Batch int64 `json:"batch"`
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// RowsIn counts the rows the batch read from its files (before any
	// filter; 0 in checkpoints older than the field), Spark's numInputRows.
	RowsIn     int64     `json:"rows_in"`
	RowsOut    int64     `json:"rows_out"`
	Late       int64     `json:"late_rows"`
	Watermark  int64     `json:"watermark_us,omitempty"`
	DurationMS int64     `json:"duration_ms"`
	Committed  time.Time `json:"committed"`
	Problems   []problem `json:"problems,omitempty"`
}

// ErrCheckpointInUse means another process runs a stream on the checkpoint.
// Two writers on one checkpoint would each commit "batch n" with different
// files, duplicating or losing rows; the lock refuses the second.
var ErrCheckpointInUse = errors.New("checkpoint in use by another stream")

// openCheckpoint opens dir for a stream to run on, taking its lock (a
// killed owner's lock goes with it), and removes the temporary files of
// writes a killed owner left unfinished.
func openCheckpoint(dir string) (*checkpoint, error) {
	if dir == "" {
		return nil, errors.New("stream: no checkpoint directory")
	}
	for _, sub := range []string{"offsets", "state", "commits", "sink"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
		}
	}
	lock, err := source.TryLock(filepath.Join(dir, "lock"))
	if errors.Is(err, source.ErrLocked) {
		return nil, fmt.Errorf("%w: %w; stop it, or give this one another --checkpoint", ErrCheckpointInUse, err)
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if _, err := source.RemoveStaleTemps(dir); err != nil {
		lock.Unlock()
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	return &checkpoint{dir: dir, lock: lock}, nil
}

// close releases the checkpoint's lock.
func (c *checkpoint) close() error { return c.lock.Unlock() }

func batchName(id int64, ext string) string { return fmt.Sprintf("%020d%s", id, ext) }

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return source.WriteFileAtomic(path, append(data, '\n'))
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

func (c *checkpoint) metaPath() string { return filepath.Join(c.dir, "metadata.json") }

// readMeta returns the metadata, or ok false for a new checkpoint.
func (c *checkpoint) readMeta() (m metadata, ok bool, err error) {
	err = readJSON(c.metaPath(), &m)
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("checkpoint %s: %w", c.dir, err)
	}
	if m.Version != checkpointVersion {
		return m, false, fmt.Errorf("checkpoint %s: %w %d (this nectar writes %d)", c.dir, ErrCheckpointVersion, m.Version, checkpointVersion)
	}
	return m, true, nil
}

func (c *checkpoint) writeMeta(m metadata) error { return writeJSON(c.metaPath(), m) }

// ids lists the batch ids recorded in sub, ascending.
func (c *checkpoint) ids(sub, ext string) ([]int64, error) {
	ents, err := os.ReadDir(filepath.Join(c.dir, sub))
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.dir, err)
	}
	var out []int64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ext)
		if !ok || strings.HasPrefix(name, ".") {
			continue
		}
		id, err := strconv.ParseInt(name, 10, 64)
		if err != nil {
			continue
		}
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func (c *checkpoint) offsetsPath(id int64) string {
	return filepath.Join(c.dir, "offsets", batchName(id, ".json"))
}
func (c *checkpoint) commitPath(id int64) string {
	return filepath.Join(c.dir, "commits", batchName(id, ".json"))
}
func (c *checkpoint) statePath(id int64) string {
	return filepath.Join(c.dir, "state", batchName(id, ".gob"))
}

func (c *checkpoint) readOffsets(id int64) (offsets, error) {
	var o offsets
	err := readJSON(c.offsetsPath(id), &o)
	return o, err
}

func (c *checkpoint) writeOffsets(o offsets) error { return writeJSON(c.offsetsPath(o.Batch), o) }
func (c *checkpoint) writeCommit(m commit) error   { return writeJSON(c.commitPath(m.Batch), m) }

func (c *checkpoint) readCommit(id int64) (commit, error) {
	var m commit
	err := readJSON(c.commitPath(id), &m)
	return m, err
}

// recovered is what a restart finds in the checkpoint.
type recovered struct {
	lastCommitted int64               // -1: none
	pending       *offsets            // a batch written ahead but not committed
	taken         map[string]struct{} // paths of every committed batch's files
	// skipped are committed files that were skipped, as they were listed:
	// the same file is not taken again, but a changed one is new data.
	skipped map[string]fileRec
}

func (c *checkpoint) recover() (recovered, error) {
	r := recovered{lastCommitted: -1, taken: map[string]struct{}{}, skipped: map[string]fileRec{}}
	commits, err := c.ids("commits", ".json")
	if err != nil {
		return r, err
	}
	if len(commits) > 0 {
		r.lastCommitted = commits[len(commits)-1]
	}
	offs, err := c.ids("offsets", ".json")
	if err != nil {
		return r, err
	}
	for _, id := range offs {
		o, err := c.readOffsets(id)
		if err != nil {
			return r, fmt.Errorf("checkpoint %s: %w", c.dir, err)
		}
		switch {
		case id <= r.lastCommitted:
			for _, f := range o.Files {
				r.taken[f.Path] = struct{}{}
			}
			for _, p := range o.Problems {
				if p.Outcome == outcomeSkipped {
					delete(r.taken, p.Path)
					r.skipped[p.Path] = p.fileRec
				}
			}
		case id == r.lastCommitted+1:
			r.pending = &o
		default:
			// Offsets are written one batch ahead at most; anything
			// further was never started and is forgotten.
			os.Remove(c.offsetsPath(id))
		}
	}
	return r, nil
}

func (c *checkpoint) readState(id int64) ([]byte, error) {
	if id < 0 {
		return nil, nil
	}
	data, err := os.ReadFile(c.statePath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.dir, err)
	}
	return data, nil
}

func (c *checkpoint) writeState(id int64, data []byte) error {
	return source.WriteFileAtomic(c.statePath(id), data)
}

// prune drops state older than the previous batch's: only the last
// committed state is ever read, and one more is kept for inspection.
func (c *checkpoint) prune(last int64) {
	ids, err := c.ids("state", ".gob")
	if err != nil {
		return
	}
	for _, id := range ids {
		if id < last-1 {
			os.Remove(c.statePath(id))
		}
	}
}

// recordError keeps the error that stopped the stream for `status`.
func (c *checkpoint) recordError(err error) {
	_ = writeJSON(filepath.Join(c.dir, "error.json"), map[string]any{"error": err.Error(), "time": time.Now().UTC()})
}

func (c *checkpoint) clearError() { os.Remove(filepath.Join(c.dir, "error.json")) }
