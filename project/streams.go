package project

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/table"
)

// StreamConfig is one stream of nectar.yaml's streams section: a query
// `nectar serve` keeps running, as `nectar stream` would, with its
// checkpoint and sink. The engine only reads and checks the section; the
// server runs it (package server/streams).
//
//	streams:
//	  data_stream:
//	    query: SELECT … FROM read_json('./logs/**/*.gz') GROUP BY 1
//	    trigger: 5s
//	    checkpoint: ./checkpoints/data_stream
//	    sink: memory          # or {file: DIR, format: parquet} / {postgres: URL, table: T}
type StreamConfig struct {
	// Query is the stream's query, SQL or pipes, reading one read_json
	// source (directly or through a source nectar.yaml names).
	Query string `yaml:"query"`
	// TriggerText is the time between batches, Go's form (30s) or
	// Spark's ('30 seconds'); Trigger is it parsed (0: the stream's
	// default, 10s).
	TriggerText string        `yaml:"trigger"`
	Trigger     time.Duration `yaml:"-"`
	// Checkpoint is the stream's checkpoint directory (required), relative
	// to nectar.yaml's folder; LoadConfig resolves it.
	Checkpoint string `yaml:"checkpoint"`
	// Sink is where the results go.
	Sink StreamSink `yaml:"sink"`
	// OutputMode is append, update or complete ("": complete for
	// aggregations, append otherwise).
	OutputMode string `yaml:"output_mode"`
	// SettleText is how old a file must be to be taken at first sight
	// (default 5s, as nectar stream's --settle); Settle is it parsed.
	SettleText string        `yaml:"settle"`
	Settle     time.Duration `yaml:"-"`
	// WatermarkText (Watermark parsed) and WatermarkColumn are
	// --watermark and --watermark-column; the query's WATERMARK clause is
	// the other way to say it.
	WatermarkText   string        `yaml:"watermark"`
	Watermark       time.Duration `yaml:"-"`
	WatermarkColumn string        `yaml:"watermark_column"`
	// Dedup keeps the first row per value of this column (--dedup).
	Dedup string `yaml:"dedup"`
	// MaxFilesPerBatch and MaxBytesPerBatch cap a batch (0: no cap).
	MaxFilesPerBatch int   `yaml:"max_files_per_batch"`
	MaxBytesPerBatch int64 `yaml:"max_bytes_per_batch"`
}

// DefaultStreamSettle is a hosted stream's settle time when nectar.yaml
// gives none: nectar stream's --settle default.
const DefaultStreamSettle = 5 * time.Second

// StreamSink is a stream's sink as nectar.yaml writes it: the word memory
// (a table named after the stream, queried like any table of the server),
// {memory: NAME}, {file: DIR, format: csv|jsonl|parquet} or
// {postgres: URL, table: T}.
type StreamSink struct {
	// Memory is the memory table's name ("" for another sink).
	Memory string
	// File is the file sink's directory, resolved against nectar.yaml's
	// folder; Format its format (csv, jsonl or parquet; default jsonl).
	File, Format string
	// Postgres is the PostgreSQL sink's URL and Table its table. The URL
	// may hold a password: it is never printed.
	Postgres, Table string
}

// Kind names the sink: "memory", "file" or "postgres" ("" when none).
func (s StreamSink) Kind() string {
	switch {
	case s.Memory != "":
		return "memory"
	case s.File != "":
		return "file"
	case s.Postgres != "":
		return "postgres"
	}
	return ""
}

// String describes the sink without its secrets: a PostgreSQL sink shows
// its table only.
func (s StreamSink) String() string {
	switch s.Kind() {
	case "memory":
		return "memory table " + s.Memory
	case "file":
		return s.Format + " files in " + s.File
	case "postgres":
		return "PostgreSQL table " + s.Table
	}
	return "no sink"
}

// errSinkWord answers a sink that is neither the word memory nor a
// mapping.
var errSinkWord = errors.New(`sink: want memory, {file: DIR, format: csv|jsonl|parquet} or {postgres: URL, table: T}`)

// UnmarshalYAML reads the word memory or a mapping, refusing keys it does
// not know (yaml.v3's KnownFields does not reach a custom unmarshaler).
func (s *StreamSink) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if strings.EqualFold(strings.TrimSpace(n.Value), "memory") {
			s.Memory = "\x00" // named after the stream by checkStream
			return nil
		}
		return errSinkWord
	case yaml.MappingNode:
	default:
		return errSinkWord
	}
	var fields map[string]string
	if err := n.Decode(&fields); err != nil {
		return fmt.Errorf("sink: %w", err)
	}
	for k, v := range fields {
		switch k {
		case "memory":
			s.Memory = v
		case "file":
			s.File = v
		case "format":
			s.Format = v
		case "postgres":
			s.Postgres = v
		case "table":
			s.Table = v
		default:
			return fmt.Errorf("sink: unknown key %q (memory, file and format, or postgres and table)", k)
		}
	}
	return nil
}

// checkStreams validates the streams section and resolves its paths: every
// stream is checked before any runs, and errors name the stream.
func (c *Config) checkStreams() error {
	checkpoints := map[string]string{}
	files := map[string]string{}
	tables := map[string]string{}
	for name := range c.Sources {
		tables[strings.ToLower(name)] = "source " + name
	}
	names := make([]string, 0, len(c.Streams))
	for name := range c.Streams {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		s := c.Streams[name]
		if err := c.checkStream(name, &s); err != nil {
			return fmt.Errorf("streams: %s: %w", name, err)
		}
		ck := filepath.Clean(s.Checkpoint)
		for other, dir := range checkpoints {
			if within(ck, dir) || within(dir, ck) {
				return fmt.Errorf("streams: %s: checkpoint %s: stream %s's checkpoint is %s; each stream needs its own", name, s.Checkpoint, other, dir)
			}
		}
		checkpoints[name] = ck
		if s.Sink.File != "" {
			out := filepath.Clean(s.Sink.File)
			for other, dir := range files {
				if within(out, dir) || within(dir, out) {
					return fmt.Errorf("streams: %s: sink file %s: stream %s writes to %s; each stream needs its own folder", name, s.Sink.File, other, dir)
				}
			}
			files[name] = out
		}
		if t := s.Sink.Memory; t != "" {
			if owner, ok := tables[strings.ToLower(t)]; ok {
				return fmt.Errorf("streams: %s: memory table %s: the name is taken by %s", name, t, owner)
			}
			tables[strings.ToLower(t)] = "stream " + name
		}
		c.Streams[name] = s
	}
	// A file sink removes parts it does not know: it must not write
	// into a checkpoint.
	for name, out := range files {
		for other, dir := range checkpoints {
			if within(out, dir) || within(dir, out) {
				return fmt.Errorf("streams: %s: sink file %s overlaps stream %s's checkpoint %s", name, out, other, dir)
			}
		}
	}
	return nil
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func (c *Config) checkStream(name string, s *StreamConfig) error {
	if !isIdent(name) {
		return errors.New("a stream's name is a plain identifier (letters, digits and _, not starting with a digit): its memory table is queried by it")
	}
	if strings.TrimSpace(s.Query) == "" {
		return errors.New("no query")
	}
	q, err := syntax.ParseQuery(s.Query)
	if err != nil {
		return fmt.Errorf("query: %s", syntax.Format(s.Query, err))
	}
	if s.Checkpoint == "" {
		return errors.New("no checkpoint: a stream needs a checkpoint directory (checkpoint: ./checkpoints/NAME), which makes restarts exactly-once")
	}
	s.Checkpoint = table.ResolvePath(c.Dir(), s.Checkpoint)
	durations := []struct {
		key, text string
		into      *time.Duration
	}{{"trigger", s.TriggerText, &s.Trigger}, {"settle", s.SettleText, &s.Settle}, {"watermark", s.WatermarkText, &s.Watermark}}
	for _, d := range durations {
		switch strings.TrimSpace(d.text) {
		case "":
			continue
		case "0", "0s":
			if d.key == "settle" {
				continue // take files at once: writers rename them into place
			}
		}
		v, err := functions.ParseDuration(d.text)
		if err != nil {
			return fmt.Errorf("%s: %w", d.key, err)
		}
		*d.into = v
	}
	if strings.TrimSpace(s.SettleText) == "" {
		s.Settle = DefaultStreamSettle
	}
	switch strings.ToLower(strings.TrimSpace(s.OutputMode)) {
	case "", "append", "update", "complete":
		s.OutputMode = strings.ToLower(strings.TrimSpace(s.OutputMode))
	default:
		return fmt.Errorf("output_mode %q: want append, update or complete", s.OutputMode)
	}
	if s.WatermarkColumn != "" && s.Watermark == 0 {
		return errors.New("watermark_column without watermark")
	}
	if s.MaxFilesPerBatch < 0 || s.MaxBytesPerBatch < 0 {
		return errors.New("max_files_per_batch and max_bytes_per_batch are 0 (no cap) or more")
	}
	if err := c.checkSink(name, &s.Sink); err != nil {
		return err
	}
	// A stream reads files: the query must name read_json, directly or
	// through a source. Which one, and whether the plan can run
	// incrementally, is the stream's to check (it binds the query).
	reads := false
	syntax.Inspect(q, func(n syntax.Node) bool {
		switch t := n.(type) {
		case *syntax.TableFunc:
			reads = reads || strings.EqualFold(t.Name, "read_json")
		case *syntax.TableName:
			reads = reads || c.hasSource(t.Name)
		}
		return !reads
	})
	if !reads {
		return errors.New("query: a stream reads new log files: its query must read read_json('…') or a source of nectar.yaml")
	}
	return nil
}

// hasSource reports whether name is a source, case-insensitively.
func (c *Config) hasSource(name string) bool {
	for n := range c.Sources {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

func (c *Config) checkSink(name string, s *StreamSink) error {
	kinds := 0
	for _, on := range []bool{s.Memory != "", s.File != "", s.Postgres != ""} {
		if on {
			kinds++
		}
	}
	switch {
	case kinds == 0 && (s.Format != "" || s.Table != ""):
		return errors.New("sink: format goes with file: DIR, table with postgres: URL")
	case kinds == 0:
		return errors.New("no sink: sink: memory, {file: DIR, format: parquet} or {postgres: URL, table: T}")
	case kinds > 1:
		return errors.New("sink: give one of memory, file or postgres")
	}
	switch s.Kind() {
	case "memory":
		if s.Memory == "\x00" {
			s.Memory = name
		}
		if !isIdent(s.Memory) {
			return fmt.Errorf("sink: memory table %q: a plain identifier (letters, digits and _)", s.Memory)
		}
		if s.Format != "" || s.Table != "" {
			return errors.New("sink: a memory sink takes no format or table")
		}
	case "file":
		s.Format = strings.ToLower(strings.TrimSpace(s.Format))
		switch s.Format {
		case "":
			s.Format = "jsonl"
		case "csv", "jsonl", "json", "parquet":
		default:
			return fmt.Errorf("sink: format %q: want csv, jsonl or parquet", s.Format)
		}
		if s.Table != "" {
			return errors.New("sink: a file sink takes no table")
		}
		s.File = table.ResolvePath(c.Dir(), s.File)
	case "postgres":
		// The URL is never quoted: it may hold a password.
		if !strings.HasPrefix(s.Postgres, "postgres://") && !strings.HasPrefix(s.Postgres, "postgresql://") {
			return errors.New("sink: postgres must be a postgres://… URL")
		}
		if s.Table == "" {
			return errors.New("sink: postgres needs table: T")
		}
		if s.Format != "" {
			return errors.New("sink: a postgres sink takes no format")
		}
	}
	return nil
}

// isIdent reports whether s is a plain identifier.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
