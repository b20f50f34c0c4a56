package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// The OpenLineage importer reads the events of the OpenLineage spec
// (https://openlineage.io/spec/2-0-2/OpenLineage.json): RunEvent, and the
// static JobEvent and DatasetEvent. A run's events (START, RUNNING,
// COMPLETE, FAIL, ABORT, OTHER) merge into one run node, as the spec says
// run metadata is additive: facets sent later add to those sent before,
// and a facet sent again replaces its earlier value (MergeProps).
//
// Nodes: job:<job namespace>:<job name>, run:<job namespace>:<runId>,
// dataset:<namespace>:<name> (OpenLineage's own dataset naming, so an S3
// object is dataset:s3://bucket:key wherever it was seen). Edges: job
// RUN_OF run, dataset READS job, job WRITES dataset; a job that names the
// models it trains (a "tags" job facet with key nectar.dev/models, or a
// "nectar" job or run facet {"models": "food-recs@2019.02"}) PRODUCES them.

type olEvent struct {
	EventType string `json:"eventType"`
	EventTime string `json:"eventTime"`
	Producer  string `json:"producer"`
	SchemaURL string `json:"schemaURL"`
	Run       *olRun `json:"run"`
	Job       *olJob `json:"job"`
	Inputs    []olDS `json:"inputs"`
	Outputs   []olDS `json:"outputs"`
	Dataset   *olDS  `json:"dataset"`
}

type olRun struct {
	RunID  string         `json:"runId"`
	Facets map[string]any `json:"facets"`
}

type olJob struct {
	Namespace string         `json:"namespace"`
	Name      string         `json:"name"`
	Facets    map[string]any `json:"facets"`
}

type olDS struct {
	Namespace    string         `json:"namespace"`
	Name         string         `json:"name"`
	Facets       map[string]any `json:"facets"`
	InputFacets  map[string]any `json:"inputFacets"`
	OutputFacets map[string]any `json:"outputFacets"`
}

var olEventTypes = map[string]bool{"": true, "START": true, "RUNNING": true, "COMPLETE": true, "ABORT": true, "FAIL": true, "OTHER": true}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// parseOpenLineage reads one event; line is its line in a file (0: the
// whole input is the event, as posted over HTTP).
func parseOpenLineage(body []byte, origin string, line int) (*Batch, error) {
	bad := func(path, format string, args ...any) error {
		return &InputError{File: origin, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)}
	}
	var ev olEvent
	// UseNumber: facets keep numbers as written (a row count past 2^53).
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := dec.Decode(&ev)
	if err == nil && dec.More() {
		return nil, bad("", "more than one JSON value: an event is one object (a file holds one a line)")
	}
	if err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te) && te.Field == "":
			return nil, bad("$", "want an OpenLineage event (a JSON object), got %s", te.Value)
		case errors.As(err, &te):
			return nil, bad("$."+te.Field, "want a JSON %s, got %s", te.Type, te.Value)
		case errors.As(err, &se):
			return nil, bad("", "not JSON: %v (at byte %d)", se, se.Offset)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, bad("", "not JSON: the event ends too early")
		}
		return nil, bad("", "not an OpenLineage event: %v", err)
	}
	if ev.EventTime == "" {
		return nil, bad("$.eventTime", "missing (every OpenLineage event has its time)")
	}
	t, err := time.Parse(time.RFC3339Nano, ev.EventTime)
	if err != nil {
		return nil, bad("$.eventTime", "%q is not an ISO 8601 date-time with offset", ev.EventTime)
	}
	t = t.UTC()
	if ev.Producer == "" {
		return nil, bad("$.producer", "missing (the URI of what emitted the event)")
	}
	if !olEventTypes[ev.EventType] {
		return nil, bad("$.eventType", "%q: want START, RUNNING, COMPLETE, ABORT, FAIL or OTHER", ev.EventType)
	}
	b := NewBatch()
	src := KindOpenLineage
	if ev.Dataset != nil && ev.Job == nil && ev.Run == nil {
		// A DatasetEvent: what is known of one dataset.
		if err := checkDS(ev.Dataset, "$.dataset", bad); err != nil {
			return nil, err
		}
		b.Node(dsNode(ev.Dataset, t, ev.Dataset.Facets))
		return b, nil
	}
	if ev.Job == nil {
		return nil, bad("$.job", "missing (a run or job event names its job)")
	}
	if ev.Job.Namespace == "" {
		return nil, bad("$.job.namespace", "missing")
	}
	if ev.Job.Name == "" {
		return nil, bad("$.job.name", "missing")
	}
	job := Node{Kind: Job, Namespace: ev.Job.Namespace, Name: ev.Job.Name, Source: src, Observed: t,
		Props: map[string]any{"producer": ev.Producer}}
	if len(ev.Job.Facets) > 0 {
		job.Props["facets"] = ev.Job.Facets
	}
	b.Node(job)
	var runFacets map[string]any
	if ev.Run != nil {
		if !uuidRE.MatchString(ev.Run.RunID) {
			return nil, bad("$.run.runId", "%q is not a UUID", ev.Run.RunID)
		}
		runFacets = ev.Run.Facets
		props := map[string]any{"job": job.ID()}
		if len(runFacets) > 0 {
			props["facets"] = runFacets
		}
		if ev.EventType != "" {
			props["state"] = ev.EventType
			props[strings.ToLower(ev.EventType)+"_time"] = t.Format(time.RFC3339Nano)
		}
		run := Node{Kind: Run, Namespace: ev.Job.Namespace, Name: strings.ToLower(ev.Run.RunID), Source: src, Observed: t, Props: props}
		b.Edge(job, RunOf, run, nil)
	} else if ev.EventType != "" {
		return nil, bad("$.run", "missing (a %s event belongs to a run)", ev.EventType)
	}
	for i := range ev.Inputs {
		d := &ev.Inputs[i]
		if err := checkDS(d, fmt.Sprintf("$.inputs[%d]", i), bad); err != nil {
			return nil, err
		}
		var props map[string]any
		if len(d.InputFacets) > 0 {
			props = map[string]any{"facets": d.InputFacets}
		}
		b.Edge(dsNode(d, t, d.Facets), Reads, job, props)
	}
	for i := range ev.Outputs {
		d := &ev.Outputs[i]
		if err := checkDS(d, fmt.Sprintf("$.outputs[%d]", i), bad); err != nil {
			return nil, err
		}
		var props map[string]any
		if len(d.OutputFacets) > 0 {
			props = map[string]any{"facets": d.OutputFacets}
		}
		b.Edge(job, Writes, dsNode(d, t, d.Facets), props)
	}
	refs, path, err := olModels(ev.Job.Facets, runFacets, ev.Job.Namespace)
	if err != nil {
		return nil, bad(path, "%v", err)
	}
	for _, r := range refs {
		b.Edge(job, Produces, addModel(b, r, src, t), nil)
	}
	return b, nil
}

func checkDS(d *olDS, path string, bad func(string, string, ...any) error) error {
	if d.Namespace == "" {
		return bad(path+".namespace", "missing")
	}
	if d.Name == "" {
		return bad(path+".name", "missing")
	}
	return nil
}

func dsNode(d *olDS, t time.Time, facets map[string]any) Node {
	n := Node{Kind: Dataset, Namespace: d.Namespace, Name: d.Name, Source: KindOpenLineage, Observed: t}
	if len(facets) > 0 {
		n.Props = map[string]any{"facets": facets}
	}
	return n
}

// olModels finds the models a job names: in its "tags" facet (OpenLineage
// 1.x's TagsJobFacet, tags {key, value}) under nectar.dev/models, or in a
// custom "nectar" job or run facet's "models".
func olModels(jobFacets, runFacets map[string]any, ns string) ([]ModelRef, string, error) {
	var out []ModelRef
	add := func(path string, v any) error {
		var list []string
		switch v := v.(type) {
		case string:
			list = []string{v}
		case []any:
			for _, x := range v {
				s, ok := x.(string)
				if !ok {
					return fmt.Errorf("want model references as strings")
				}
				list = append(list, s)
			}
		default:
			return fmt.Errorf("want a string or a list of strings")
		}
		for _, s := range list {
			refs, err := ParseModelList(s, ns)
			if err != nil {
				return err
			}
			out = append(out, refs...)
		}
		return nil
	}
	if tags, ok := jobFacets["tags"].(map[string]any); ok {
		list, _ := tags["tags"].([]any)
		for i, t := range list {
			tm, _ := t.(map[string]any)
			if k, _ := tm["key"].(string); k == ModelsAnnotation {
				if err := add(fmt.Sprintf("$.job.facets.tags.tags[%d].value", i), tm["value"]); err != nil {
					return nil, fmt.Sprintf("$.job.facets.tags.tags[%d].value", i), err
				}
			}
		}
	}
	for _, w := range []struct {
		where  string
		facets map[string]any
	}{{"job", jobFacets}, {"run", runFacets}} {
		where, facets := w.where, w.facets
		if n, ok := facets["nectar"].(map[string]any); ok {
			if m, ok := n["models"]; ok {
				path := "$." + where + ".facets.nectar.models"
				if err := add(path, m); err != nil {
					return nil, path, err
				}
			}
		}
	}
	return out, "", nil
}
