package graph

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ExperimentRecord is what `nectar experiment --record` stores: the
// experiment, the model version each variant ran, and one score per
// variant and metric for a data window. It is kept in the raw log as JSON
// (kind experiment), so a rebuild gives the same scores.
type ExperimentRecord struct {
	Namespace   string         `json:"namespace"`
	Name        string         `json:"name"`
	SpecHash    string         `json:"spec_hash"`
	Source      string         `json:"source"` // the logs the report read, as the spec names them
	WindowStart time.Time      `json:"window_start"`
	WindowEnd   time.Time      `json:"window_end"`
	SRMP        float64        `json:"srm_p"`
	Variants    []VariantModel `json:"variants"`
	Scores      []Score        `json:"scores"`
	Props       map[string]any `json:"properties,omitempty"`
	Recorded    time.Time      `json:"recorded_at"`
}

// VariantModel is one variant of an experiment and the model version it
// ran, if the spec names one.
type VariantModel struct {
	Name   string    `json:"name"`
	Weight float64   `json:"weight"`
	Model  *ModelRef `json:"model,omitempty"`
}

// ID is the experiment's node id.
func (r *ExperimentRecord) ID() string { return MakeID(Experiment, r.Namespace, r.Name) }

func parseExperiment(body []byte, file string) (*Batch, error) {
	var r ExperimentRecord
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, &InputError{File: file, Msg: "not an experiment record: " + err.Error()}
	}
	return r.Batch()
}

// Batch is what the record says of the graph: the experiment node, an
// EVALUATES edge from each variant's model version, and the window's
// scores, which replace any recorded for the same window before.
func (r *ExperimentRecord) Batch() (*Batch, error) {
	if r.Name == "" || r.Namespace == "" {
		return nil, fmt.Errorf("%w: an experiment record needs a namespace and a name", ErrInvalid)
	}
	if r.WindowStart.IsZero() || r.WindowEnd.IsZero() || r.WindowEnd.Before(r.WindowStart) {
		return nil, fmt.Errorf("%w: experiment %s: window %s to %s", ErrInvalid, r.Name, r.WindowStart, r.WindowEnd)
	}
	var variants []any
	for _, v := range r.Variants {
		m := map[string]any{"name": v.Name, "weight": v.Weight}
		if v.Model != nil {
			m["model"] = v.Model.VersionNode("", time.Time{}).ID()
		}
		variants = append(variants, m)
	}
	props := MergeProps(r.Props, map[string]any{"spec_hash": r.SpecHash, "variants": variants, "source": r.Source})
	exp := Node{Kind: Experiment, Namespace: r.Namespace, Name: r.Name, Source: KindExperiment, Observed: r.Recorded, Props: props}
	b := NewBatch()
	b.Node(exp)
	for _, v := range r.Variants {
		if v.Model == nil {
			continue
		}
		if v.Model.Version == "" {
			return nil, fmt.Errorf("%w: experiment %s: variant %s: model %s has no version (write name@version)", ErrInvalid, r.Name, v.Name, v.Model.Name)
		}
		mv := addModel(b, *v.Model, KindExperiment, r.Recorded)
		b.Edge(mv, Evaluates, exp, map[string]any{"variant": v.Name})
	}
	key := ScoreKey{Experiment: exp.ID(), WindowStart: r.WindowStart.UTC(), WindowEnd: r.WindowEnd.UTC()}
	b.ScoreKey = &key
	models := map[string]string{}
	for _, v := range r.Variants {
		if v.Model != nil {
			models[v.Name] = v.Model.VersionNode("", time.Time{}).ID()
		}
	}
	for _, s := range r.Scores {
		s.ScoreKey = key
		if s.ModelVersion == "" {
			s.ModelVersion = models[s.Variant]
		}
		s.SpecHash = r.SpecHash
		s.SRMP = r.SRMP
		if s.Recorded.IsZero() {
			s.Recorded = r.Recorded
		}
		b.Scores = append(b.Scores, s)
	}
	return b, nil
}

// LineageEvent is the OpenLineage COMPLETE event of a recording, so that
// Marquez (or any OpenLineage consumer) sees the experiment too: job
// <namespace>.experiment.<name>, a run whose id is derived from the
// experiment, window and spec hash (the same recording gives the same
// run), the logs read as its input, and a "nectar_experiment" run facet
// with the model versions evaluated and the window. Its eventTime is the
// window's end, so recording a window again posts the same event.
func (r *ExperimentRecord) LineageEvent() ([]byte, error) {
	var evaluated []any
	for _, v := range r.Variants {
		if v.Model != nil {
			evaluated = append(evaluated, map[string]any{"variant": v.Name, "model_version": v.Model.VersionNode("", time.Time{}).ID()})
		}
	}
	const facetSchema = "https://github.com/nectar-dev/nectar/blob/main/docs/GRAPH.md#experiments"
	ev := map[string]any{
		"eventType": "COMPLETE",
		"eventTime": r.WindowEnd.UTC().Format(time.RFC3339Nano),
		"producer":  "https://github.com/nectar-dev/nectar",
		"schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
		"run": map[string]any{
			"runId": runID(r.ID(), r.WindowStart.UTC().Format(time.RFC3339Nano), r.WindowEnd.UTC().Format(time.RFC3339Nano), r.SpecHash),
			"facets": map[string]any{"nectar_experiment": map[string]any{
				"_producer": "https://github.com/nectar-dev/nectar", "_schemaURL": facetSchema,
				"experiment": r.ID(), "evaluates": evaluated, "spec_hash": r.SpecHash,
				"window_start": r.WindowStart.UTC().Format(time.RFC3339Nano), "window_end": r.WindowEnd.UTC().Format(time.RFC3339Nano),
			}},
		},
		"job":     map[string]any{"namespace": r.Namespace, "name": "experiment." + r.Name},
		"inputs":  []any{},
		"outputs": []any{},
	}
	if ns, name := sourceDataset(r.Source); name != "" {
		ev["inputs"] = []any{map[string]any{"namespace": ns, "name": name}}
	}
	return json.Marshal(ev)
}

// sourceDataset names the logs an experiment read as OpenLineage names
// datasets: s3://bucket and the key, or file and the path.
func sourceDataset(src string) (ns, name string) {
	if rest, ok := strings.CutPrefix(src, "s3://"); ok {
		bucket, key, _ := strings.Cut(rest, "/")
		return "s3://" + bucket, key
	}
	if src == "" {
		return "", ""
	}
	return "file", src
}

// runID derives an RFC 4122 version-5-style UUID from parts.
func runID(parts ...string) string {
	h := sha1.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	s := h.Sum(nil)
	s[6] = s[6]&0x0f | 0x50
	s[8] = s[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}

// RecordExperiment stores a recording and its OpenLineage event, both kept
// in the raw log, in one transaction. It returns the event so that the
// caller can also post it (PostLineage).
func RecordExperiment(ctx context.Context, s Store, r *ExperimentRecord) (Report, []byte, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return Report{}, nil, err
	}
	b, err := r.Batch()
	if err != nil {
		return Report{}, nil, err
	}
	ev, err := r.LineageEvent()
	if err != nil {
		return Report{}, nil, err
	}
	eb, err := parseOpenLineage(ev, "nectar experiment", 0)
	if err != nil {
		return Report{}, nil, fmt.Errorf("the experiment's lineage event: %w", err)
	}
	b.Add(eb)
	rep, err := s.Apply(ctx, []Raw{
		{Kind: KindExperiment, Origin: "nectar experiment", Body: body},
		{Kind: KindOpenLineage, Origin: "nectar experiment", Body: ev},
	}, b)
	return rep, ev, err
}

// ErrPost is wrapped by PostLineage's errors.
var ErrPost = errors.New("post lineage event")

// PostLineage posts an OpenLineage event to a consumer's lineage endpoint
// (Marquez's http://host:5000/api/v1/lineage, or nectar's), as
// openlineage-python's HTTP transport does: JSON, optionally with a
// bearer token.
func PostLineage(ctx context.Context, client *http.Client, url, token string, event []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPost, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w to %s: %w", ErrPost, Redact(url), err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%w to %s: %s: %s", ErrPost, Redact(url), resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
