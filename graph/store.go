package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Store keeps the graph. SQLite and Postgres implement it; both run the
// same test suite (store_test.go).
type Store interface {
	// Apply writes raw inputs (appended to the raw log once each: an input
	// seen before is a duplicate) and merges b into the graph, in one
	// transaction: either everything is stored or nothing is.
	Apply(ctx context.Context, raw []Raw, b *Batch) (Report, error)
	// Node returns the node with this id (ErrNotFound if none).
	Node(ctx context.Context, id string) (*Node, error)
	// Edges returns the edges into and out of id.
	Edges(ctx context.Context, id string) ([]Edge, error)
	// Lookup returns the nodes of a kind with a name, in every namespace.
	Lookup(ctx context.Context, k Kind, name string) ([]*Node, error)
	// Walk returns the nodes reached from start, with recursive SQL.
	Walk(ctx context.Context, start string, w Walk) ([]Step, error)
	// ScanNodes, ScanEdges, ScanScores and ScanRaw call fn for every row,
	// in key order (raw inputs in the order received).
	ScanNodes(ctx context.Context, fn func(*Node) error) error
	ScanEdges(ctx context.Context, fn func(*Edge) error) error
	ScanScores(ctx context.Context, fn func(*Score) error) error
	ScanRaw(ctx context.Context, fn func(*RawRecord) error) error
	// Rebuild empties the graph (nodes, edges, scores) and replays the raw
	// log through the importers, in one transaction.
	Rebuild(ctx context.Context) (Report, error)
	// Describe names the store for messages, credentials hidden.
	Describe() string
	Close() error
}

// Raw is one input as received: an OpenLineage event, a file.
type Raw struct {
	Kind   string            // the importer: openlineage, argo, helm, kubernetes, openapi, experiment
	Origin string            // where it came from: a file name, "http", "nectar experiment"
	Params map[string]string // importer options that change what it means (openapi's served_by)
	Body   []byte
}

// Digest identifies the input: the same kind, options and bytes are the
// same input, whatever their origin.
func (r *Raw) Digest() string {
	h := sha256.New()
	p, _ := json.Marshal(r.Params) // sorted keys
	fmt.Fprintf(h, "%s\x00%s\x00", r.Kind, p)
	h.Write(r.Body)
	return hex.EncodeToString(h.Sum(nil))
}

// RawRecord is a stored raw input.
type RawRecord struct {
	Seq      int64
	Received time.Time
	Digest   string
	Raw
}

// Counts says what an import did to one kind of row.
type Counts struct {
	Added, Changed, Skipped int
}

func (c Counts) String() string {
	return fmt.Sprintf("%d added, %d changed, %d skipped", c.Added, c.Changed, c.Skipped)
}

func (c *Counts) add(o Counts) {
	c.Added += o.Added
	c.Changed += o.Changed
	c.Skipped += o.Skipped
}

// Report is what Apply did.
type Report struct {
	Nodes, Edges, Scores Counts
	// RawStored counts inputs appended to the raw log; RawDuplicate those
	// it had already (their content is merged again, changing nothing).
	RawStored, RawDuplicate int
}

// Add sums two reports.
func (r *Report) Add(o Report) {
	r.Nodes.add(o.Nodes)
	r.Edges.add(o.Edges)
	r.Scores.add(o.Scores)
	r.RawStored += o.RawStored
	r.RawDuplicate += o.RawDuplicate
}

// Changed says whether anything in the graph changed.
func (r Report) Changed() bool {
	return r.Nodes.Added+r.Nodes.Changed+r.Edges.Added+r.Edges.Changed+r.Scores.Added+r.Scores.Changed > 0
}

func (r Report) String() string {
	s := fmt.Sprintf("nodes: %s; edges: %s", r.Nodes, r.Edges)
	if r.Scores != (Counts{}) {
		s += fmt.Sprintf("; scores: %s", r.Scores)
	}
	return s + fmt.Sprintf("; raw inputs: %d stored, %d already kept", r.RawStored, r.RawDuplicate)
}

// Direction is which way a walk follows edges.
type Direction string

// Walk directions: down follows edges from src to dst (downstream, what
// depends on the start), up from dst to src, both either way.
const (
	Down Direction = "down"
	Up   Direction = "up"
	Both Direction = "both"
)

// ParseDirection reads a direction.
func ParseDirection(s string) (Direction, error) {
	switch d := Direction(strings.ToLower(strings.TrimSpace(s))); d {
	case Down, Up, Both:
		return d, nil
	}
	return "", fmt.Errorf("direction %q: want down, up or both", s)
}

// MaxDepth bounds a walk: the recursive query keeps a row per node and
// depth it reaches, so depth multiplies its work.
const MaxDepth = 32

// DefaultDepth is how far a walk goes unless told: far enough to go from
// a model to its API routes (model ← version → chart → release →
// deployment → route) and to the data its training read.
const DefaultDepth = 6

// Walk says how to walk.
type Walk struct {
	Direction Direction // "" is Both
	Depth     int       // edges from the start, 1 to MaxDepth (0: DefaultDepth)
	// Kinds keeps only nodes of these kinds in the answer; the walk still
	// passes through every kind (a model's deployments are reached through
	// its chart and release).
	Kinds []Kind
}

// Step is a node a walk reached.
type Step struct {
	Node     Node
	Distance int      // edges on the shortest path from the start
	Path     []string // node ids from the start to this node, on one shortest path
	Rels     []string // the edges along Path: "-READS->" followed down, "<-READS-" up
}

// PathString is the path as one line: a -REL-> b <-REL- c.
func (s *Step) PathString() string {
	var b strings.Builder
	for i, id := range s.Path {
		if i > 0 {
			b.WriteString(" " + s.Rels[i-1] + " ")
		}
		b.WriteString(id)
	}
	return b.String()
}

// ScoreKey names one recording of an experiment: its node and data window.
type ScoreKey struct {
	Experiment  string    `json:"experiment"` // the experiment node's id
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
}

// Score is one experiment result for one variant and metric: a row of
// graph_scores. Nil pointers are values the report does not have (the
// control has no lift).
type Score struct {
	ScoreKey     `json:"-"`
	Variant      string    `json:"variant,omitempty"`
	Metric       string    `json:"metric,omitempty"`
	ModelVersion string    `json:"model_version,omitempty"` // the model_version node the variant ran ("" if the spec names none)
	Control      bool      `json:"control,omitempty"`
	MetricType   string    `json:"metric_type,omitempty"`
	Units        int64     `json:"units,omitempty"`
	Mean         float64   `json:"mean,omitempty"`
	AbsLift      *float64  `json:"abs_lift,omitempty"`
	AbsCILow     *float64  `json:"abs_ci_low,omitempty"`
	AbsCIHigh    *float64  `json:"abs_ci_high,omitempty"`
	AbsP         *float64  `json:"abs_p,omitempty"`
	AbsPHolm     *float64  `json:"abs_p_holm,omitempty"`
	AbsPBH       *float64  `json:"abs_p_bh,omitempty"`
	RelLift      *float64  `json:"rel_lift,omitempty"`
	RelCILow     *float64  `json:"rel_ci_low,omitempty"`
	RelCIHigh    *float64  `json:"rel_ci_high,omitempty"`
	RelP         *float64  `json:"rel_p,omitempty"`
	RelPHolm     *float64  `json:"rel_p_holm,omitempty"`
	RelPBH       *float64  `json:"rel_p_bh,omitempty"`
	ChanceToWin  *float64  `json:"chance_to_win,omitempty"`
	SRMP         float64   `json:"srm_p,omitempty"`
	SpecHash     string    `json:"spec_hash,omitempty"`
	Recorded     time.Time `json:"recorded_at,omitempty"`
}

// Config says where the graph is: a SQLite file (Path) or a PostgreSQL
// server (URL), as nectar.yaml's graph section does.
type Config struct {
	Path string
	URL  string
}

// DefaultPath is the SQLite file used when nothing else is configured.
const DefaultPath = "nectar-graph.db"

// Open opens the configured store, creating its tables when missing.
func Open(ctx context.Context, c Config) (Store, error) {
	if c.URL != "" {
		if c.Path != "" {
			return nil, errors.New("graph: give a path (SQLite) or a url (PostgreSQL), not both")
		}
		// Each branch returns a nil interface on error, not a typed nil
		// pointer that a caller's `s != nil` would take for a store.
		s, err := OpenPostgres(ctx, c.URL)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	p := c.Path
	if p == "" {
		p = DefaultPath
	}
	s, err := OpenSQLite(ctx, p)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Redact hides the password of a PostgreSQL URL or key=value DSN, for
// messages.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if u.User == nil {
		} else if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	return dsnPassword.ReplaceAllString(dsn, "${1}xxxxx")
}

var dsnPassword = regexp.MustCompile(`(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// secrets returns the password a DSN holds, in every spelling it may be
// quoted in an error (raw and URL-escaped), longest first.
func secrets(dsn string) []string {
	var out []string
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if u.User != nil {
			if p, ok := u.User.Password(); ok && p != "" {
				out = append(out, p, url.QueryEscape(p), url.PathEscape(p))
			}
		}
		if p := u.Query().Get("password"); p != "" {
			out = append(out, p, url.QueryEscape(p))
		}
	} else if m := dsnPassword.FindStringSubmatch(dsn); m != nil {
		out = append(out, strings.Trim(m[2], "'"))
	}
	return out
}

// hidden is an error whose message has the secrets removed; errors.Is
// and errors.As still reach the cause.
type hidden struct {
	err     error
	secrets []string
}

func (h *hidden) Error() string {
	s := h.err.Error()
	for _, p := range h.secrets {
		if p != "" {
			s = strings.ReplaceAll(s, p, "xxxxx")
		}
	}
	return s
}

func (h *hidden) Unwrap() error { return h.err }

func hide(err error, secrets []string) error {
	if err == nil || len(secrets) == 0 {
		return err
	}
	return &hidden{err: err, secrets: secrets}
}
