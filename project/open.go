package project

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/scancache"
	"github.com/nectar-dev/nectar/source"
)

// Setup is how a program outside Go makes a session: from nectar.yaml and
// the command line's settings. Open does, once, what every nectar command
// needs: it reads the project file, builds the stores that reach S3 from
// its settings and the flags', keeps every skipped line once, and names
// the file's sources.
type Setup struct {
	engine.Options // reading options from the command line; Stores and BadLines are Open's to set
	// Config is the project file ("": ./nectar.yaml if there is one).
	Config string
	// Profile and Endpoint override nectar.yaml's s3 settings.
	Profile, Endpoint string
	// BadLinesPath receives every skipped line as JSON, each once however
	// many statements read it ("": not kept).
	BadLinesPath string
	// Backend chooses what runs the plans once the project file is read
	// (its engine: setting); nil runs them here.
	Backend func(cfg *Config) (engine.Backend, error)
	// Confine limits what the session's queries may read to the project's
	// places (Config.Roots), as a server does: read_json over any other
	// path or bucket fails (source.ErrNotAllowed).
	Confine bool
	// Cache turns the scan cache on for local files too (CacheOn, as
	// --cache) or off (CacheOff, --no-cache); by default it is on for S3
	// objects and for local files as nectar.yaml's cache.local says.
	Cache CacheMode
}

// CacheMode is Setup.Cache.
type CacheMode uint8

const (
	CacheDefault CacheMode = iota
	CacheOn
	CacheOff
)

// OpenCache returns the scan cache nectar.yaml's cache section describes,
// for `nectar cache` and Open.
func (c *Config) OpenCache() (*scancache.Cache, error) {
	dir := c.Cache.Dir
	if dir == "" {
		var err error
		if dir, err = scancache.DefaultDir(); err != nil {
			return nil, err
		}
	}
	sc := scancache.New(dir, c.Cache.maxSize)
	sc.Local = c.Cache.Local
	sc.S3 = c.Cache.S3 == nil || *c.Cache.S3
	return sc, nil
}

// Open makes a session from s. Close the session when done: it writes out
// the skipped lines (engine.Session.Close closes Options.BadLines).
func Open(ctx context.Context, s Setup) (*engine.Session, *Config, error) {
	path, explicit := s.Config, s.Config != ""
	if !explicit {
		path = ConfigFile
	}
	cfg, err := LoadConfig(path, explicit)
	if err != nil {
		return nil, nil, err
	}
	o := source.S3Options{Profile: cfg.S3.Profile, Endpoint: cfg.S3.Endpoint, Region: cfg.S3.Region, PathStyle: cfg.S3.PathStyle,
		MaxAttempts: cfg.S3.MaxAttempts, MaxBackoff: cfg.S3.MaxBackoff}
	if s.Profile != "" {
		o.Profile = s.Profile
	}
	if s.Endpoint != "" {
		o.Endpoint = s.Endpoint
	}
	opts := s.Options
	opts.Stores = source.NewStores(o)
	if s.Confine {
		if err := opts.Stores.Confine(cfg.Roots()); err != nil {
			return nil, nil, fmt.Errorf("confine the server's reads: %w", err)
		}
	}
	if s.Backend != nil {
		if opts.Backend, err = s.Backend(cfg); err != nil {
			return nil, nil, err
		}
	}
	if s.BadLinesPath != "" {
		f, err := os.Create(s.BadLinesPath)
		if err != nil {
			return nil, nil, fmt.Errorf("--bad-lines: %w", err)
		}
		opts.BadLines = &badLines{path: s.BadLinesPath, f: f, w: bufio.NewWriter(f), seen: map[badLineKey]bool{}}
	}
	if s.Cache != CacheOff {
		sc, err := cfg.OpenCache()
		if err != nil && s.Cache == CacheOn {
			return nil, nil, fmt.Errorf("--cache: %w", err)
		}
		if err == nil { // no home directory: a cache only if asked for
			sc.Local = sc.Local || s.Cache == CacheOn
			opts.Cache = sc
		}
	}
	e := engine.New(opts)
	cfg.Apply(e)
	return e, cfg, nil
}

// badLineKey identifies one skipped line.
type badLineKey struct {
	File string `json:"file"`
	Line int64  `json:"line"`
}

// badLines passes on the scanners' bad-line records, each line of input
// once: a script that reads a source in several statements, or a query
// read again with a widened schema, meets its bad lines again.
type badLines struct {
	path string
	f    *os.File
	w    *bufio.Writer
	seen map[badLineKey]bool
}

// Name is the file's, for the session's summary (engine.Session.Summary).
func (d *badLines) Name() string { return d.path }

// Close writes out what is buffered; the session closes it.
func (d *badLines) Close() error {
	if err := errors.Join(d.w.Flush(), d.f.Close()); err != nil {
		return fmt.Errorf("--bad-lines: %w", err)
	}
	return nil
}

func (d *badLines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		rec := p
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			rec, p = p[:i+1], p[i+1:]
		} else {
			p = nil
		}
		var k badLineKey
		if err := json.Unmarshal(rec, &k); err == nil {
			if d.seen[k] {
				continue
			}
			d.seen[k] = true
		}
		if _, err := d.w.Write(rec); err != nil {
			return 0, err
		}
	}
	return n, nil
}
