package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Kind is what a node is.
type Kind string

// The node kinds (issue #17).
const (
	Dataset      Kind = "dataset"
	Job          Kind = "job"
	Run          Kind = "run"
	Model        Kind = "model"
	ModelVersion Kind = "model_version"
	Experiment   Kind = "experiment"
	Chart        Kind = "chart"
	Release      Kind = "release"
	Deployment   Kind = "deployment"
	Image        Kind = "image"
	APIRoute     Kind = "api_route"
)

// Kinds lists every node kind.
var Kinds = []Kind{Dataset, Job, Run, Model, ModelVersion, Experiment, Chart, Release, Deployment, Image, APIRoute}

// Rel is an edge's relation. Edges point downstream: from what something
// depends on to what depends on it, as Marquez draws lineage (dataset →
// job → dataset), so that walking down answers "what does this affect"
// and walking up "where does this come from". RelInfo says, for each, what
// sits at either end.
type Rel string

// The relations.
const (
	Reads     Rel = "READS"      // dataset → job: the job reads the dataset
	Writes    Rel = "WRITES"     // job → dataset: the job writes the dataset
	RunOf     Rel = "RUN_OF"     // job → run: the run is a run of the job
	Produces  Rel = "PRODUCES"   // job or run → model_version (or dataset → model_version, its artifact)
	VersionOf Rel = "VERSION_OF" // model_version → model
	Packages  Rel = "PACKAGES"   // model_version → chart: the chart packages the model version
	Installs  Rel = "INSTALLS"   // chart → release: the release installs the chart
	Manages   Rel = "MANAGES"    // release → deployment: the release manages the deployment
	RunsImage Rel = "RUNS_IMAGE" // image → deployment: the deployment runs the image
	Serves    Rel = "SERVES"     // model_version (or model) → deployment or api_route: serves the model
	Exposes   Rel = "EXPOSES"    // deployment → api_route: the deployment exposes the route
	Evaluates Rel = "EVALUATES"  // model_version → experiment: the experiment evaluates the model version
)

// Rels lists every relation.
var Rels = []Rel{Reads, Writes, RunOf, Produces, VersionOf, Packages, Installs, Manages, RunsImage, Serves, Exposes, Evaluates}

// ErrInvalid is wrapped by errors about a node or edge that cannot be
// stored: an unknown kind or relation, an empty name.
var ErrInvalid = errors.New("invalid graph element")

// ErrNotFound is returned for an id the graph does not have.
var ErrNotFound = errors.New("not in the graph")

// Node is a vertex: one thing, identified by kind, namespace and name.
type Node struct {
	Kind      Kind
	Namespace string
	Name      string
	Version   string         // model_version: the model's version; release: the revision; image: the tag ("" if none)
	Props     map[string]any // JSON properties; see Merge
	Source    string         // the importer that last changed it (openlineage, argo, …)
	Observed  time.Time      // when its input says it was seen (zero: when it was stored)
}

// ID is kind:namespace:name, Marquez's convention.
func (n Node) ID() string { return MakeID(n.Kind, n.Namespace, n.Name) }

// MakeID builds a node id.
func MakeID(k Kind, namespace, name string) string {
	return string(k) + ":" + namespace + ":" + name
}

// KindOf returns the kind an id starts with.
func KindOf(id string) (Kind, bool) {
	k, _, ok := strings.Cut(id, ":")
	if !ok || !slices.Contains(Kinds, Kind(k)) {
		return "", false
	}
	return Kind(k), true
}

// Edge is a relation between two nodes, by id.
type Edge struct {
	Src, Dst string
	Rel      Rel
	Props    map[string]any
	Source   string    // the importer that stated it
	Observed time.Time // when its input says it was seen
}

func (n *Node) validate() error {
	if !slices.Contains(Kinds, n.Kind) {
		return fmt.Errorf("%w: unknown node kind %q (want one of %s)", ErrInvalid, n.Kind, joinKinds())
	}
	if strings.TrimSpace(n.Name) == "" {
		return fmt.Errorf("%w: %s node with an empty name", ErrInvalid, n.Kind)
	}
	if strings.TrimSpace(n.Namespace) == "" {
		return fmt.Errorf("%w: %s %q has no namespace", ErrInvalid, n.Kind, n.Name)
	}
	return nil
}

func joinKinds() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Batch is what one input says: nodes and edges to merge into the graph,
// and the scores of one experiment window to replace. Importers build
// batches; Store.Apply writes one in a single transaction.
type Batch struct {
	nodes map[string]*Node
	order []string // node ids in the order first added, for determinism
	edges map[edgeKey]*Edge
	eord  []edgeKey
	// Scores, when ScoreKey is set, replace every stored score of that
	// experiment and window.
	ScoreKey *ScoreKey
	Scores   []Score
}

type edgeKey struct {
	src string
	rel Rel
	dst string
}

// NewBatch returns an empty batch.
func NewBatch() *Batch {
	return &Batch{nodes: map[string]*Node{}, edges: map[edgeKey]*Edge{}}
}

// Node adds n, merging it with what the batch says of the same node
// already (see Merge), and returns its id.
func (b *Batch) Node(n Node) string {
	id := n.ID()
	if old, ok := b.nodes[id]; ok {
		merged := mergeNode(old, &n)
		b.nodes[id] = merged
		return id
	}
	c := n
	c.Props = maps.Clone(n.Props)
	b.nodes[id] = &c
	b.order = append(b.order, id)
	return id
}

// Edge adds an edge between two nodes, adding them too.
func (b *Batch) Edge(src Node, rel Rel, dst Node, props map[string]any) {
	s, d := b.Node(src), b.Node(dst)
	e := Edge{Src: s, Rel: rel, Dst: d, Props: props, Source: src.Source, Observed: src.Observed}
	if dst.Source != "" && e.Source == "" {
		e.Source = dst.Source
	}
	b.AddEdge(e)
}

// AddEdge adds an edge between nodes the batch has.
func (b *Batch) AddEdge(e Edge) {
	k := edgeKey{e.Src, e.Rel, e.Dst}
	if old, ok := b.edges[k]; ok {
		old.Props = MergeProps(old.Props, e.Props)
		if e.Observed.After(old.Observed) {
			old.Observed = e.Observed
		}
		return
	}
	c := e
	c.Props = maps.Clone(e.Props)
	b.edges[k] = &c
	b.eord = append(b.eord, k)
}

// Nodes returns the batch's nodes in the order first added.
func (b *Batch) Nodes() []*Node {
	out := make([]*Node, len(b.order))
	for i, id := range b.order {
		out[i] = b.nodes[id]
	}
	return out
}

// Edges returns the batch's edges in the order first added.
func (b *Batch) Edges() []*Edge {
	out := make([]*Edge, len(b.eord))
	for i, k := range b.eord {
		out[i] = b.edges[k]
	}
	return out
}

// Add merges o into b.
func (b *Batch) Add(o *Batch) {
	for _, n := range o.Nodes() {
		b.Node(*n)
	}
	for _, e := range o.Edges() {
		b.AddEdge(*e)
	}
	if o.ScoreKey != nil {
		b.ScoreKey, b.Scores = o.ScoreKey, o.Scores
	}
}

// Validate checks every node and edge.
func (b *Batch) Validate() error {
	for _, n := range b.Nodes() {
		if err := n.validate(); err != nil {
			return err
		}
	}
	for _, e := range b.Edges() {
		if !slices.Contains(Rels, e.Rel) {
			return fmt.Errorf("%w: unknown relation %q", ErrInvalid, e.Rel)
		}
		if b.nodes[e.Src] == nil || b.nodes[e.Dst] == nil {
			return fmt.Errorf("%w: edge %s -%s-> %s names a node the batch lacks", ErrInvalid, e.Src, e.Rel, e.Dst)
		}
	}
	return nil
}

// MergeProps is how properties combine when a node or edge is stated
// again: each top-level key of next replaces that of prev, except
// "facets", whose facets are replaced one by one, and "versions", whose
// entries merge as properties do. OpenLineage says run
// metadata is additive (a COMPLETE event adds to what START said, a facet
// sent again replaces the earlier one), and snapshot importers (kubectl,
// Helm) own whole keys such as "labels", so a label removed at the source
// disappears here too. A chart keeps what each of its versions says under
// "versions", so inputs about different versions do not undo each other.
func MergeProps(prev, next map[string]any) map[string]any {
	if len(next) == 0 {
		return maps.Clone(prev)
	}
	out := maps.Clone(prev)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range next {
		nf, isMap := v.(map[string]any)
		pf, _ := out[k].(map[string]any)
		switch {
		case k == "facets" && isMap:
			m := maps.Clone(pf)
			if m == nil {
				m = map[string]any{}
			}
			maps.Copy(m, nf)
			out[k] = m
		case k == "versions" && isMap:
			m := maps.Clone(pf)
			if m == nil {
				m = map[string]any{}
			}
			for ver, entry := range nf {
				pe, _ := m[ver].(map[string]any)
				ne, ok := entry.(map[string]any)
				if ok {
					m[ver] = MergeProps(pe, ne)
				} else {
					m[ver] = entry
				}
			}
			out[k] = m
		default:
			out[k] = v
		}
	}
	return out
}

// mergeNode merges next into prev: properties by MergeProps, a version or
// source stated replaces the old one, an empty one keeps it.
func mergeNode(prev, next *Node) *Node {
	m := *prev
	m.Props = MergeProps(prev.Props, next.Props)
	if next.Version != "" {
		m.Version = next.Version
	}
	if next.Source != "" {
		m.Source = next.Source
	}
	if next.Observed.After(m.Observed) {
		m.Observed = next.Observed
	}
	return &m
}

// canonical is a property map's stored text: keys sorted (encoding/json
// sorts map keys), so equal maps compare equal as text.
func canonical(p map[string]any) (string, error) {
	if len(p) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("%w: properties: %v", ErrInvalid, err)
	}
	return string(b), nil
}

// normalize round-trips p through JSON so that values read back from the
// store (float64, []any, map[string]any) compare equal with those built in
// Go (ints, typed slices).
func normalize(p map[string]any) (map[string]any, error) {
	s, err := canonical(p)
	if err != nil {
		return nil, err
	}
	return decodeProps([]byte(s))
}

// decodeProps reads stored or normalised properties. Numbers stay as
// their text (json.Number): a row count or an id beyond 2^53 survives,
// and a value read back compares equal to the same value stated again.
func decodeProps(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}
