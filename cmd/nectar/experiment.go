package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/experiment"
	"github.com/nectar-dev/nectar/graph"
	"github.com/nectar-dev/nectar/source"
)

func newExperimentCmd() *cobra.Command {
	var (
		sf      sourceFlags
		ef      engineFlags
		spec    string
		format  string
		outPath string
		showSQL bool
		charts  string
		record  bool
		rec     graphRecorder
	)
	c := &cobra.Command{
		Use:   "experiment --spec FILE [--format table|json|html] [-o FILE] [--charts DIR]",
		Short: "Report an A/B experiment from the raw logs: per-variant metrics, lifts with confidence intervals, SRM",
		Example: `  nectar experiment --spec food-recs.yaml
  nectar experiment --spec food-recs.yaml --format html -o report.html
  nectar experiment --spec food-recs.yaml --charts charts/      # also lift-<metric>.svg/.png, cumulative-<metric>.svg/.png
  nectar experiment --spec food-recs.yaml --record              # scores into the model graph (docs/GRAPH.md)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if spec == "" {
				return errors.New("--spec FILE is required")
			}
			data, err := os.ReadFile(spec)
			if err != nil {
				return fmt.Errorf("read spec: %w", err)
			}
			sp, err := experiment.ParseSpec(data, filepath.Dir(spec))
			if err != nil {
				return fmt.Errorf("%s: %w", spec, err)
			}
			// On Spark the per-unit sums are computed by the cluster and
			// only the per-variant rows come back for the statistics.
			e, done, err := sf.engine(cmd.Context(), cmd.ErrOrStderr(), ef.backend)
			if err != nil {
				return errors.Join(err, ef.close())
			}
			rep, err := experiment.Run(cmd.Context(), e, sp)
			if errors.Is(err, experiment.ErrSpec) || errors.Is(err, experiment.ErrNoExposures) {
				// The spec does not fit the data: name the file to fix.
				err = fmt.Errorf("%s: %w", spec, err)
			}
			if err = errors.Join(err, ef.close(), done(err)); err != nil {
				return err
			}
			for _, w := range rep.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s\n", w)
			}
			if showSQL {
				fmt.Fprintln(cmd.ErrOrStderr(), rep.SQL)
			}
			if charts != "" {
				if err := writeCharts(cmd, rep, charts); err != nil {
					return err
				}
			}
			if err := writeReport(cmd, rep, format, outPath); err != nil {
				return err
			}
			if !record {
				return nil
			}
			r, err := experiment.NewRecording(sp, rep, data)
			if err != nil {
				return fmt.Errorf("%s: %w", spec, err)
			}
			rec.cfg, rec.stderr = sf.cfg, cmd.ErrOrStderr()
			return rec.Record(cmd.Context(), r)
		},
	}
	sf.add(c)
	c.AddCommand(newPowerCmd())
	ef.addEngine(c)
	c.Flags().StringVar(&spec, "spec", "", "the experiment spec (YAML): source, unit, exposure, variants and weights, metrics")
	c.Flags().StringVar(&format, "format", "table", "table, json or html")
	c.Flags().StringVarP(&outPath, "output", "o", "", "write the report to FILE instead of standard output")
	c.Flags().StringVar(&charts, "charts", "", "also write every chart as SVG and PNG (144 dpi) into DIR")
	c.Flags().BoolVar(&showSQL, "show-sql", false, "print the SQL the report runs on stderr")
	c.Flags().BoolVar(&record, "record", false, "store the scores in the model graph: the experiment, EVALUATES edges to each variant's model version, one score per variant and metric (the same window again replaces them), and its OpenLineage event")
	c.Flags().StringVar(&rec.graph, "graph", "", "with --record: the graph, a SQLite file or a postgres:// URL (default $"+GraphEnv+", then nectar.yaml's graph:, then "+graph.DefaultPath+")")
	c.Flags().StringVar(&rec.lineageURL, "lineage-url", "", "with --record: also post the OpenLineage event to this endpoint (Marquez's http://host:5000/api/v1/lineage); a bearer token comes from $"+LineageTokenEnv)
	return c
}

func writeReport(cmd *cobra.Command, rep *experiment.Report, format, outPath string) error {
	write := map[string]func(io.Writer) error{"table": rep.WriteTable, "json": rep.WriteJSON, "html": rep.WriteHTML}[format]
	if write == nil {
		return fmt.Errorf("unknown report format %q: want table, json or html", format)
	}
	if outPath == "" {
		return write(cmd.OutOrStdout())
	}
	f, err := source.Create(cmd.Context(), outPath)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := write(f); err != nil {
		f.Abort()
		return err
	}
	return f.Close()
}

// writeCharts writes the report's charts into dir and says on stderr what
// it wrote and which charts it left out, and why.
func writeCharts(cmd *cobra.Command, rep *experiment.Report, dir string) error {
	written, err := rep.WriteCharts(dir)
	if err != nil {
		return err
	}
	for _, ch := range rep.Charts() {
		if ch.Omitted != "" {
			fmt.Fprintf(cmd.ErrOrStderr(), "charts: no %s chart for %s: %s\n", ch.Kind, ch.Metric, ch.Omitted)
		}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "charts: wrote %d files to %s\n", len(written), dir)
	return nil
}
