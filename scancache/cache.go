package scancache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// DefaultMaxSize bounds the cache when nectar.yaml does not: a fixed size
// rather than a share of free disk, so that the bound does not move with
// what other programs write. 2 GiB holds the seed query's columns of about
// 40M events (about 50 bytes an event compressed).
const DefaultMaxSize = 2 << 30

// entrySuffix ends every entry's name; tmpPrefix starts the files being
// written, which readers never open.
const (
	entrySuffix = ".col"
	tmpPrefix   = "tmp-"
)

// staleTemp is how old a temporary file must be before eviction removes
// it: one left by a process that died while writing.
const staleTemp = time.Hour

// Cache is a scan cache in one directory. It implements scan.Cache; every
// method is safe for concurrent use, also by several processes sharing
// the directory: entries are written to a temporary file and renamed into
// place, so a reader sees a whole entry or none, and a reader whose entry
// is evicted under it keeps reading its open file.
type Cache struct {
	Dir     string
	MaxSize int64 // bytes of entries kept; eviction removes the least recently used past it
	// S3 and Local say which files are read through the cache.
	S3, Local bool

	warn   sync.Once
	passMu sync.Mutex // one eviction pass at a time in this process

	evictMu sync.Mutex
	counted bool  // a pass has measured the directory
	known   int64 // bytes of entries at the last pass and written since
	writes  int   // since the last pass
}

var _ scan.Cache = (*Cache)(nil)

// DefaultDir is where the cache lives when nectar.yaml does not say:
// nectar under the user's cache directory (~/.cache/nectar on Linux,
// $XDG_CACHE_HOME/nectar when that is set).
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("scan cache: %w", err)
	}
	return filepath.Join(d, "nectar"), nil
}

// New returns a cache under dir (its subdirectory scan, created on first
// write) bounded by maxSize bytes (0: DefaultMaxSize). The subdirectory
// is the cache's alone: eviction and Clear remove files there only, so
// a dir shared with other files (nectar's own cache, the project) loses
// none of them.
func New(dir string, maxSize int64) *Cache {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	return &Cache{Dir: filepath.Join(dir, "scan"), MaxSize: maxSize, S3: true}
}

// Wants implements scan.Cache.
func (c *Cache) Wants(f source.File) bool {
	if source.IsS3(f.Path) {
		return c.S3 && f.ETag != ""
	}
	return c.Local && !f.ModTime.IsZero()
}

// name is the file of path's entry: one per path, so that a changed file's
// new entry replaces the stale one.
func (c *Cache) name(path string) string {
	sum := sha256.Sum256([]byte(keyPath(path)))
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:20])+entrySuffix)
}

// Load implements scan.Cache. An entry that is stale (the file changed) or
// cannot be read (cut short, corrupt, another format) is removed.
func (c *Cache) Load(ctx context.Context, f source.File, maxLine int, cols []scan.CacheKey, lines bool) *scan.Entry {
	name := c.name(f.Path)
	fh, err := os.Open(name)
	if err != nil {
		return nil // none, or evicted meanwhile
	}
	defer fh.Close()
	e, err := c.read(fh, f, maxLine, cols, lines)
	switch {
	case errors.Is(err, errOtherLimit):
		return nil // a scan with the other limit replaces it
	case err != nil:
		slog.Debug("scan cache: dropping an entry", "file", f.Path, "err", err)
		// Only the entry read: another process may have renamed a fresh
		// one into its place meanwhile.
		if held, err := fh.Stat(); err == nil {
			if now, err := os.Stat(name); err == nil && os.SameFile(held, now) {
				os.Remove(name)
			}
		}
		return nil
	}
	// Least recently used is by modification time: a hit makes the entry
	// young again. An entry renamed over meanwhile gets the same treatment.
	now := time.Now()
	_ = os.Chtimes(name, now, now)
	return e
}

// Store implements scan.Cache. Failures (a full disk, a read-only
// directory) only lose the copy: they are logged once, never returned.
func (c *Cache) Store(ctx context.Context, f source.File, e *scan.Entry) {
	if err := c.store(f, e); err != nil {
		c.warn.Do(func() { slog.Warn("scan cache: not keeping copies", "dir", c.Dir, "err", err) })
		return
	}
}

func (c *Cache) store(f source.File, e *scan.Entry) error {
	data, err := c.encode(f, e)
	if err != nil {
		return err
	}
	return c.write(c.name(f.Path), data)
}

// evictEvery bounds the writes between two eviction passes: other
// processes' writes are seen only by a pass, which lists the directory.
const evictEvery = 64

// wrote counts n bytes just written and evicts when they may have taken
// the cache past MaxSize, or every evictEvery writes. A pass lists the
// whole directory, so one after every write would make a query over N
// new files cost N² file system calls.
func (c *Cache) wrote(n int64) {
	c.evictMu.Lock()
	c.known += n
	c.writes++
	due := !c.counted || c.known > c.MaxSize || c.writes >= evictEvery
	c.evictMu.Unlock()
	if !due {
		return
	}
	if err := c.evict(); err != nil {
		c.warn.Do(func() { slog.Warn("scan cache: eviction failed", "dir", c.Dir, "err", err) })
	}
}

// write puts data in the file name through a temporary file renamed into
// place, so that no reader ever sees part of it.
func (c *Cache) write(name string, data []byte) error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", c.Dir, err)
	}
	tmp, err := os.CreateTemp(c.Dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("write entry: %w", err)
	}
	// No fsync: after a crash an entry may be cut short or zeroed, which
	// Load's checksums catch and treat as a miss; syncing every entry
	// would slow every miss for a case that costs one re-read.
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write entry: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write entry: %w", err)
	}
	c.wrote(int64(len(data)))
	return nil
}

// entryInfo is one file of the directory, for eviction and Status.
type entryInfo struct {
	name string
	size int64
	mod  time.Time
	tmp  bool
	// schema marks an inferred schema's file, evicted like entries but
	// not counted as one.
	schema bool
}

func (c *Cache) list() ([]entryInfo, error) {
	des, err := os.ReadDir(c.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", c.Dir, err)
	}
	var out []entryInfo
	for _, de := range des {
		n := de.Name()
		tmp := strings.HasPrefix(n, tmpPrefix)
		if !tmp && !strings.HasSuffix(n, entrySuffix) && !strings.HasSuffix(n, schemaSuffix) {
			continue // not ours
		}
		info, err := de.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, entryInfo{name: filepath.Join(c.Dir, n), size: info.Size(), mod: info.ModTime(), tmp: tmp, schema: strings.HasSuffix(n, schemaSuffix)})
	}
	return out, nil
}

// evict removes the least recently used entries until the rest fit
// MaxSize, and temporary files a dead writer left. Another process may
// evict at the same time: a file already gone is not an error. Between
// passes, other processes' writes may take the directory past MaxSize by
// up to evictEvery of their entries.
func (c *Cache) evict() error {
	c.passMu.Lock()
	defer c.passMu.Unlock()
	all, err := c.list()
	if err != nil {
		return err
	}
	var total int64
	var entries []entryInfo
	for _, e := range all {
		if e.tmp {
			if time.Since(e.mod) > staleTemp {
				os.Remove(e.name)
			}
			continue
		}
		total += e.size
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b entryInfo) int { return a.mod.Compare(b.mod) })
	for _, e := range entries {
		if total <= c.MaxSize {
			break
		}
		if err := os.Remove(e.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("evict: %w", err)
		}
		total -= e.size
	}
	c.evictMu.Lock()
	c.known, c.writes, c.counted = total, 0, true
	c.evictMu.Unlock()
	return nil
}

// Status describes the cache for `nectar cache status`.
type Status struct {
	Dir     string
	Entries int   // files with a copy
	Schemas int   // inferred schemas kept
	Bytes   int64 // of both
	MaxSize int64
}

// Status counts the entries.
func (c *Cache) Status() (Status, error) {
	all, err := c.list()
	if err != nil {
		return Status{}, err
	}
	st := Status{Dir: c.Dir, MaxSize: c.MaxSize}
	for _, e := range all {
		switch {
		case e.tmp:
		case e.schema:
			st.Schemas++
			st.Bytes += e.size
		default:
			st.Entries++
			st.Bytes += e.size
		}
	}
	return st, nil
}

// Clear removes every entry (and temporary file) and reports how many
// entries it removed. Other files in the directory are left alone.
func (c *Cache) Clear() (int, error) {
	all, err := c.list()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range all {
		if err := os.Remove(e.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("clear %s: %w", c.Dir, err)
		}
		if !e.tmp && !e.schema {
			n++
		}
	}
	return n, nil
}

// schemaKey is the key a schema is kept under: scan's, for this build
// only (an inference written by another nectar may differ).
func schemaKey(key string) string { return build() + "\n" + key }

// schemaSuffix ends an inferred schema's file. Schemas are evicted with
// the entries, by the same rule.
const schemaSuffix = ".schema"

// schemaFile is what a schema's file holds: the key in full, so that a
// hash collision cannot serve another file set's schema.
type schemaFile struct {
	Key     string         `json:"key"`
	Columns []schemaColumn `json:"columns"`
	Empty   []string       `json:"empty,omitempty"`
}

type schemaColumn struct {
	Name string `json:"name"` // the path's text
	Kind string `json:"kind"`
}

func (c *Cache) schemaName(key string) string {
	sum := sha256.Sum256([]byte(schemaKey(key)))
	return filepath.Join(c.Dir, hex.EncodeToString(sum[:20])+schemaSuffix)
}

// LoadSchema implements scan.Cache.
func (c *Cache) LoadSchema(key string) ([]scan.InferredColumn, []jsonpath.Path, bool) {
	name := c.schemaName(key)
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, nil, false
	}
	cols, empty, err := decodeSchema(data, schemaKey(key))
	if err != nil {
		slog.Debug("scan cache: dropping a schema", "err", err)
		os.Remove(name)
		return nil, nil, false
	}
	now := time.Now()
	_ = os.Chtimes(name, now, now)
	return cols, empty, true
}

func decodeSchema(data []byte, key string) ([]scan.InferredColumn, []jsonpath.Path, error) {
	var sf schemaFile
	if err := json.Unmarshal(data, &sf); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	if sf.Key != key {
		return nil, nil, errStale
	}
	cols := make([]scan.InferredColumn, len(sf.Columns))
	for i, sc := range sf.Columns {
		p, err := jsonpath.Parse(sc.Name)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", errCorrupt, err)
		}
		k, ok := types.ParseKind(sc.Kind)
		if !ok {
			return nil, nil, fmt.Errorf("%w: kind %q", errCorrupt, sc.Kind)
		}
		cols[i] = scan.InferredColumn{Name: sc.Name, Path: p, Kind: k}
	}
	var empty []jsonpath.Path
	for _, e := range sf.Empty {
		p, err := jsonpath.Parse(e)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", errCorrupt, err)
		}
		empty = append(empty, p)
	}
	return cols, empty, nil
}

// StoreSchema implements scan.Cache.
func (c *Cache) StoreSchema(key string, cols []scan.InferredColumn, empty []jsonpath.Path) {
	sf := schemaFile{Key: schemaKey(key)}
	for _, col := range cols {
		sf.Columns = append(sf.Columns, schemaColumn{Name: col.Path.String(), Kind: col.Kind.String()})
	}
	for _, p := range empty {
		sf.Empty = append(sf.Empty, p.String())
	}
	data, err := json.Marshal(&sf)
	if err == nil {
		err = c.write(c.schemaName(key), data)
	}
	if err != nil {
		c.warn.Do(func() { slog.Warn("scan cache: not keeping copies", "dir", c.Dir, "err", err) })
	}
}
