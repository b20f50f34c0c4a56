package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nectar-dev/nectar/experiment"
	"github.com/nectar-dev/nectar/graph"
	"github.com/nectar-dev/nectar/project"
)

// LineageTokenEnv holds the bearer token --lineage-url sends, kept out of
// the command line (and so out of shell history and ps).
const LineageTokenEnv = "NECTAR_LINEAGE_TOKEN"

// graphRecorder is experiment.Recorder over the model graph: the
// experiment package knows the interface, this adapter the store.
type graphRecorder struct {
	graph      string // --graph
	lineageURL string
	cfg        *project.Config
	stderr     io.Writer
}

var _ experiment.Recorder = (*graphRecorder)(nil)

func (g *graphRecorder) Record(ctx context.Context, r *experiment.Recording) error {
	loc, _ := graphLocation(g.graph, g.cfg)
	s, err := graph.Open(ctx, loc)
	if err != nil {
		return err
	}
	defer s.Close()
	rec := &graph.ExperimentRecord{Name: r.Experiment, SpecHash: r.SpecHash, Source: r.Source, WindowStart: r.WindowStart, WindowEnd: r.WindowEnd, SRMP: r.SRMP}
	for _, v := range r.Variants {
		vm := graph.VariantModel{Name: v.Name, Weight: v.Weight}
		if v.Model != "" {
			ref, err := resolveModel(ctx, s, v.Model)
			if err != nil {
				return fmt.Errorf("--record: variant %s: %w", v.Name, err)
			}
			vm.Model = &ref
			if rec.Namespace == "" {
				rec.Namespace = ref.Namespace
			}
		}
		rec.Variants = append(rec.Variants, vm)
	}
	if rec.Namespace == "" {
		rec.Namespace = "default"
	}
	for _, sc := range r.Scores {
		rec.Scores = append(rec.Scores, graph.Score{Variant: sc.Variant, Metric: sc.Metric, MetricType: sc.MetricType, Control: sc.Control, Units: sc.Units, Mean: sc.Mean,
			AbsLift: sc.AbsLift, AbsCILow: sc.AbsCILow, AbsCIHigh: sc.AbsCIHigh, AbsP: sc.AbsP, AbsPHolm: sc.AbsPHolm, AbsPBH: sc.AbsPBH,
			RelLift: sc.RelLift, RelCILow: sc.RelCILow, RelCIHigh: sc.RelCIHigh, RelP: sc.RelP, RelPHolm: sc.RelPHolm, RelPBH: sc.RelPBH, ChanceToWin: sc.ChanceToWin})
	}
	rep, event, err := graph.RecordExperiment(ctx, s, rec)
	if err != nil {
		return fmt.Errorf("--record: %w", err)
	}
	fmt.Fprintf(g.stderr, "recorded %s (%s to %s) in %s: scores: %s\n", rec.ID(), rec.WindowStart.Format("2006-01-02"), rec.WindowEnd.Format("2006-01-02"), s.Describe(), rep.Scores)
	if g.lineageURL != "" {
		if err := graph.PostLineage(ctx, nil, g.lineageURL, os.Getenv(LineageTokenEnv), event); err != nil {
			return fmt.Errorf("--lineage-url: %w", err)
		}
		fmt.Fprintf(g.stderr, "posted the OpenLineage event to %s\n", graph.Redact(g.lineageURL))
	}
	return nil
}

// resolveModel reads a spec's model reference. One without a namespace
// takes that of the model of this name the graph has (from Helm or
// kubectl), "default" if it has none; two namespaces with the name are
// ambiguous.
func resolveModel(ctx context.Context, s graph.Store, text string) (graph.ModelRef, error) {
	if strings.Contains(text, "/") {
		return graph.ParseModelRef(text, "")
	}
	ref, err := graph.ParseModelRef(text, "default")
	if err != nil {
		return ref, err
	}
	found, err := s.Lookup(ctx, graph.Model, ref.Name)
	if err != nil {
		return ref, err
	}
	switch len(found) {
	case 0:
	case 1:
		ref.Namespace = found[0].Namespace
	default:
		var ns []string
		for _, n := range found {
			ns = append(ns, n.Namespace+"/"+ref.Name)
		}
		return ref, errors.New("model " + ref.Name + " is in several namespaces: write one of " + strings.Join(ns, ", "))
	}
	return ref, nil
}
