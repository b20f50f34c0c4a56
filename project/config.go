package project

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/table"
)

// ConfigFile is the project file nectar looks for in the working directory.
const ConfigFile = "nectar.yaml"

// Config is nectar.yaml.
type Config struct {
	// Sources names inputs so queries can say FROM logs, the equivalent of
	// spark_read_json(sc, name = "logs", path = …).
	Sources map[string]SourceConfig `yaml:"sources"`
	// S3 says how to reach S3 when the AWS defaults are not enough
	// (an S3-compatible store, a profile). Credentials never go here: they
	// come from the places the AWS tools look.
	S3 S3Config `yaml:"s3"`
	// Engine runs the queries: "local" (the default) or a Spark Connect
	// URL, sc://host:15002[/;token=…;user_id=…]. The --engine flag and
	// NECTAR_ENGINE override it.
	Engine string `yaml:"engine"`
	// Spark is how a Spark engine's session is set up.
	Spark SparkConfig `yaml:"spark"`
	// Serve is what `nectar serve` reads besides the sources.
	Serve ServeConfig `yaml:"serve"`
	// Graph says where the model graph is kept (docs/GRAPH.md): a SQLite
	// file or a PostgreSQL URL. The engine only reads the section; the
	// program opens the store and registers its tables.
	Graph GraphConfig `yaml:"graph"`
	// Streams are queries `nectar serve` keeps running over arriving
	// files (StreamConfig; the server runs them).
	Streams map[string]StreamConfig `yaml:"streams"`
	// Cache is the scan cache's place and bound (CacheConfig).
	Cache CacheConfig `yaml:"cache"`

	dir string // the file's directory: relative source paths resolve against it
}

// S3Config is nectar.yaml's s3 section.
type S3Config struct {
	Profile   string `yaml:"profile"`
	Endpoint  string `yaml:"endpoint"`
	Region    string `yaml:"region"`
	PathStyle bool   `yaml:"path_style"`
	// MaxAttempts and MaxBackoff bound the retries of one request
	// (throttling, 5xx, cut connections): a scan that must not fail on
	// a burst of SlowDown keeps the defaults (10, 20s), an interactive
	// user who would rather hear at once lowers them. AWS_MAX_ATTEMPTS
	// sets the first too, as for the AWS tools.
	MaxAttempts int           `yaml:"max_attempts"`
	MaxBackoff  time.Duration `yaml:"max_backoff"`
}

// SparkConfig is nectar.yaml's spark section.
type SparkConfig struct {
	// Conf are settings for the Spark session (spark.hadoop.fs.s3a.* for
	// S3, spark.sql.shuffle.partitions, …); --conf adds to and overrides
	// them. Credentials belong in the environment of the Spark server, but
	// a value given here is never printed.
	Conf map[string]string `yaml:"conf"`
}

// ServeConfig is nectar.yaml's serve section.
type ServeConfig struct {
	// Allow lists further folders and s3://bucket/prefix roots that the
	// server's queries may read, besides the project folder and the
	// sources' own (Config.Roots).
	Allow []string `yaml:"allow"`
	// Users is the users file (--users), relative to the project folder.
	Users string `yaml:"users"`
}

// Roots are the places a server on this project may read: the project
// folder, each source's folder or prefix and its compacted copy, and
// serve.allow. Relative entries resolve against the project folder.
func (c *Config) Roots() []string {
	dir := c.Dir()
	out := []string{dir}
	add := func(p string) {
		if p != "" {
			out = append(out, source.Root(table.ResolvePath(dir, p)))
		}
	}
	for _, s := range c.Sources {
		add(s.Path)
		add(s.Compacted)
	}
	for _, p := range c.Serve.Allow {
		add(p)
	}
	return out
}

// CacheConfig is nectar.yaml's cache section: the scan cache keeps a
// columnar copy of the columns queries decode from raw files, read instead
// of the file by later queries that need no other columns (package
// scancache). It is on for S3 objects unless S3 is false, off for local
// files unless Local or --cache says so; --no-cache turns it off.
type CacheConfig struct {
	// Dir holds the entries (default the user's cache directory's
	// nectar, ~/.cache/nectar on Linux), relative to nectar.yaml's
	// directory once loaded.
	Dir string `yaml:"dir"`
	// MaxSize bounds the entries' bytes, as 2GiB or 500MB (default
	// scancache.DefaultMaxSize, 2 GiB); the least recently used go first.
	MaxSize string `yaml:"max_size"`
	// Local caches local files too, as --cache does.
	Local bool `yaml:"local"`
	// S3 caches S3 objects: true unless set to false, which a server
	// whose objects should not be copied to its disk sets.
	S3 *bool `yaml:"s3"`

	maxSize int64 // MaxSize parsed
}

// GraphConfig is nectar.yaml's graph section.
type GraphConfig struct {
	// Path is the SQLite file (relative to nectar.yaml's directory once
	// loaded; default nectar-graph.db there).
	Path string `yaml:"path"`
	// URL is a PostgreSQL server, postgres://user:pass@host/db. Its
	// password is never printed.
	URL string `yaml:"url"`
}

// Configured says whether the section names a store.
func (g GraphConfig) Configured() bool { return g.Path != "" || g.URL != "" }

// Dir is the directory of the project file (relative paths in it
// resolve against it); "." without one.
func (c *Config) Dir() string {
	if c.dir == "" {
		return "."
	}
	return c.dir
}

// SourceConfig is one named source.
type SourceConfig struct {
	Path   string `yaml:"path"`
	Format string `yaml:"format"` // json (default) or parquet
	// Compacted names a directory `nectar compact` keeps from Path: the
	// source then reads its Parquet for the raw files it covers, and the
	// raw files it does not cover yet, so answers never lag the raw logs.
	Compacted string `yaml:"compacted"`
	// Schema gives a JSON source's columns in Spark's DDL
	// ("event STRING, properties STRUCT<price: DOUBLE>"), as
	// read_json(path, schema => …) does: nothing is inferred.
	Schema string `yaml:"schema"`
}

// LoadConfig reads path. A missing file at the default location is not an
// error: it yields an empty config.
func LoadConfig(path string, explicit bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	// An empty file decodes to io.EOF: that is an empty config.
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", path, configError(err))
	}
	c.dir = filepath.Dir(path)
	if c.Engine != "" && c.Engine != "local" && !strings.HasPrefix(c.Engine, "sc://") {
		return nil, fmt.Errorf("read %s: engine %q: want local or sc://host:port", path, c.Engine)
	}
	if c.Graph.Path != "" && c.Graph.URL != "" {
		return nil, fmt.Errorf("read %s: graph: give path (a SQLite file) or url (PostgreSQL), not both", path)
	}
	if c.Graph.URL != "" && !strings.HasPrefix(c.Graph.URL, "postgres://") && !strings.HasPrefix(c.Graph.URL, "postgresql://") {
		// Not quoted: a malformed URL may still hold a password.
		return nil, fmt.Errorf("read %s: graph: url must be postgres://… (a PostgreSQL server)", path)
	}
	if c.Graph.Path != "" {
		c.Graph.Path = table.ResolvePath(c.dir, c.Graph.Path)
	}
	for name, s := range c.Sources {
		if s.Path == "" {
			return nil, fmt.Errorf("read %s: source %q has no path", path, name)
		}
		switch strings.ToLower(s.Format) {
		case "", "json", "parquet":
		default:
			return nil, fmt.Errorf("read %s: source %q: unknown format %q (json or parquet)", path, name, s.Format)
		}
		if s.Schema != "" {
			if strings.EqualFold(s.Format, "parquet") || s.Compacted != "" {
				return nil, fmt.Errorf("read %s: source %q: a schema is for raw JSON logs, not with format parquet or compacted", path, name)
			}
			if _, err := syntax.ParseSchema(s.Schema); err != nil {
				return nil, fmt.Errorf("read %s: source %q: schema: %w", path, name, err)
			}
		}
	}
	if c.Cache.Dir != "" {
		c.Cache.Dir = table.ResolvePath(c.dir, c.Cache.Dir)
	}
	if c.Cache.MaxSize != "" {
		n, err := exec.ParseBytes(c.Cache.MaxSize)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("read %s: cache: max_size: want a size such as 2GiB, got %q", path, c.Cache.MaxSize)
		}
		c.Cache.maxSize = n
	}
	if c.S3.MaxAttempts < 0 || c.S3.MaxBackoff < 0 {
		return nil, fmt.Errorf("read %s: s3: max_attempts and max_backoff must not be negative", path)
	}
	if err := c.checkStreams(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &c, nil
}

// configSections says where each struct's keys go, for messages about
// unknown keys, and which keys it has.
// They are keyed by the type's name as yaml.v3 prints it (project.Config).
var configSections = func() map[string]configSection {
	m := map[string]configSection{}
	for _, s := range []configSection{
		{"at the top level", reflect.TypeFor[Config]()},
		{"in the s3 section", reflect.TypeFor[S3Config]()},
		{"in the spark section", reflect.TypeFor[SparkConfig]()},
		{"in a source", reflect.TypeFor[SourceConfig]()},
		{"in the cache section", reflect.TypeFor[CacheConfig]()},
	} {
		m[s.typ.String()] = s
	}
	return m
}()

type configSection struct {
	where string
	typ   reflect.Type
}

// unknownField is how yaml.v3 reports a key KnownFields refuses.
var unknownField = regexp.MustCompile(`^line (\d+): field (.+) not found in type (\S+)$`)

// configError rewrites yaml's "field sourcs not found in type
// project.Config", which names a Go type the user never sees, as the line,
// the key, where it is, the nearest known key and the list of keys.
func configError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = m
		sub := unknownField.FindStringSubmatch(m)
		if sub == nil {
			continue
		}
		sec, ok := configSections[sub[3]]
		if !ok {
			continue
		}
		var keys []string
		for f := range sec.typ.Fields() {
			if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag != "" && tag != "-" {
				keys = append(keys, tag)
			}
		}
		msg := fmt.Sprintf("line %s: unknown key %q %s", sub[1], sub[2], sec.where)
		if near := syntax.Nearest(sub[2], keys, 1, 3); len(near) > 0 {
			msg += ": did you mean " + near[0] + "?"
		}
		msgs[i] = msg + " (known: " + strings.Join(keys, ", ") + ")"
	}
	return errors.New(strings.Join(msgs, "; "))
}

// Apply registers the config's sources on e.
func (c *Config) Apply(e *engine.Session) {
	names := make([]string, 0, len(c.Sources))
	for n := range c.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		s := c.Sources[name]
		if s.Compacted != "" {
			e.DefineCompacted(name, table.ResolvePath(c.dir, s.Path), table.ResolvePath(c.dir, s.Compacted))
			continue
		}
		fn := "read_json"
		if strings.EqualFold(s.Format, "parquet") {
			fn = "read_parquet"
		}
		e.DefineSourceSchema(name, fn, table.ResolvePath(c.dir, s.Path), s.Schema)
	}
}
