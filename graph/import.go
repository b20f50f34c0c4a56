package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ErrInput is wrapped by every error about an input an importer refuses:
// the message names the file, the line or JSON path, and what is wrong.
var ErrInput = errors.New("bad graph input")

// InputError says where an input is wrong.
type InputError struct {
	File string // the input's origin: a file name, "http"
	Line int    // 1-based, 0 if unknown
	Path string // JSON path, e.g. $.spec.templates[0].name ("" if none)
	Msg  string
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Path != "" {
		b.WriteString(": " + e.Path)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

func (e *InputError) Unwrap() error { return ErrInput }

// Importer kinds: the names `nectar graph import KIND FILE` takes and the
// raw log records.
const (
	KindOpenLineage = "openlineage"
	KindArgo        = "argo"
	KindHelm        = "helm"
	KindKubernetes  = "kubernetes"
	KindOpenAPI     = "openapi"
	KindExperiment  = "experiment"
)

// ImportKinds lists what Import reads.
var ImportKinds = []string{KindOpenLineage, KindArgo, KindHelm, KindKubernetes, KindOpenAPI}

// Params an importer takes, kept with the raw input so that a rebuild
// reads it the same way.
const (
	// ParamNamespace is the namespace of what names none, where the
	// input has no namespace of its own (an OpenAPI document, a
	// Chart.yaml, a manifest without metadata.namespace).
	ParamNamespace = "namespace"
	// ParamServedBy names the deployment that serves an OpenAPI
	// document's routes: deployment:ns:name or ns/name.
	ParamServedBy = "served_by"
)

// Parse turns one raw input into what it says of the graph. It is pure:
// the same input always gives the same batch, which is what makes
// importing twice change nothing and a rebuild give the same graph.
func Parse(r *Raw) (*Batch, error) {
	origin := r.Origin
	if origin == "" {
		origin = "input"
	}
	switch r.Kind {
	case KindOpenLineage:
		return parseOpenLineage(r.Body, origin, 0)
	case KindArgo:
		return parseArgo(r.Body, origin, r.Params)
	case KindHelm:
		return parseHelm(r.Body, origin, r.Params)
	case KindKubernetes:
		return parseKubernetes(r.Body, origin, r.Params)
	case KindOpenAPI:
		return parseOpenAPI(r.Body, origin, r.Params)
	case KindExperiment:
		return parseExperiment(r.Body, origin)
	}
	return nil, fmt.Errorf("%w: unknown input kind %q (want one of %s)", ErrInput, r.Kind, strings.Join(ImportKinds, ", "))
}

// Import reads one input of a kind and stores it. An OpenLineage file
// holds one event a line, each kept as its own raw input (as if posted
// one by one); the other kinds are one raw input per file. Everything is
// parsed before anything is written: an input with one bad line stores
// nothing.
func Import(ctx context.Context, s Store, kind, origin string, body []byte, params map[string]string) (Report, error) {
	if err := checkParams(kind, params); err != nil {
		return Report{}, err
	}
	var raws []Raw
	b := NewBatch()
	if kind == KindOpenLineage {
		line := 0
		for len(body) > 0 {
			line++
			var l []byte
			l, body, _ = bytes.Cut(body, []byte("\n"))
			l = bytes.TrimSpace(l)
			if len(l) == 0 {
				continue
			}
			eb, err := parseOpenLineage(l, origin, line)
			if err != nil {
				return Report{}, err
			}
			b.Add(eb)
			raws = append(raws, Raw{Kind: kind, Origin: origin, Body: l})
		}
		if len(raws) == 0 {
			return Report{}, &InputError{File: origin, Msg: "no OpenLineage events (want one JSON event a line)"}
		}
	} else {
		r := Raw{Kind: kind, Origin: origin, Params: params, Body: body}
		pb, err := Parse(&r)
		if err != nil {
			return Report{}, err
		}
		b, raws = pb, []Raw{r}
	}
	return s.Apply(ctx, raws, b)
}

func checkParams(kind string, params map[string]string) error {
	for k := range params {
		ok := kind != KindOpenLineage && k == ParamNamespace || kind == KindOpenAPI && k == ParamServedBy
		if !ok {
			return fmt.Errorf("%w: %s import takes no option %s", ErrInput, kind, k)
		}
	}
	return nil
}

// ModelsAnnotation lists the models something trains, packages or serves:
// "food-recs@2019.02, ranker@1.4" or with namespaces, "recsys/food-recs@2019.02".
const ModelsAnnotation = "nectar.dev/models"

// ModelRef is a reference to a model, or one version of it.
type ModelRef struct {
	Namespace, Name, Version string
}

var refName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ParseModelRef reads [namespace/]name[@version]; a reference without a
// namespace takes ns.
func ParseModelRef(s, ns string) (ModelRef, error) {
	s = strings.TrimSpace(s)
	var r ModelRef
	rest, version, hasV := strings.Cut(s, "@")
	if hasV && strings.TrimSpace(version) == "" {
		return r, fmt.Errorf("model %q: empty version after @", s)
	}
	r.Version = strings.TrimSpace(version)
	r.Namespace = ns
	if n, name, ok := strings.Cut(rest, "/"); ok {
		r.Namespace, rest = n, name
	}
	r.Name = rest
	if !refName.MatchString(r.Name) || r.Namespace == "" || strings.Contains(r.Version, " ") {
		return r, fmt.Errorf("model %q: want [namespace/]name[@version], e.g. food-recs@2019.02", s)
	}
	return r, nil
}

// ParseModelList reads a models annotation: references separated by
// commas or white space.
func ParseModelList(s, ns string) ([]ModelRef, error) {
	var out []ModelRef
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		r, err := ParseModelRef(f, ns)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no model references in %q", s)
	}
	return out, nil
}

// ModelNode is the model a reference names.
func (r ModelRef) ModelNode(source string, t time.Time) Node {
	return Node{Kind: Model, Namespace: r.Namespace, Name: r.Name, Source: source, Observed: t}
}

// VersionNode is the model_version a reference names (its id ends in
// @version, so versions of one model are distinct nodes).
func (r ModelRef) VersionNode(source string, t time.Time) Node {
	return Node{Kind: ModelVersion, Namespace: r.Namespace, Name: r.Name + "@" + r.Version, Version: r.Version,
		Props: map[string]any{"model": MakeID(Model, r.Namespace, r.Name)}, Source: source, Observed: t}
}

// addModel adds the model a reference names, and its version with a
// VERSION_OF edge when it has one; it returns the node that stands for the
// reference: the version, or the model.
func addModel(b *Batch, r ModelRef, source string, t time.Time) Node {
	m := r.ModelNode(source, t)
	if r.Version == "" {
		b.Node(m)
		return m
	}
	v := r.VersionNode(source, t)
	b.Edge(v, VersionOf, m, nil)
	return v
}

// defaultNS is the namespace option, "default" (Kubernetes') if none.
func defaultNS(params map[string]string) string {
	if ns := params[ParamNamespace]; ns != "" {
		return ns
	}
	return "default"
}
