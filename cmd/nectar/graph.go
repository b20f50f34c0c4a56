package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/graph"
	"github.com/nectar-dev/nectar/graph/tables"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/server"
)

// GraphEnv names the model graph when --graph does not: a SQLite file or
// a postgres:// URL (which keeps a password out of nectar.yaml).
const GraphEnv = "NECTAR_GRAPH"

// graphLocation says where the graph is: --graph, then $NECTAR_GRAPH,
// then nectar.yaml's graph section, then nectar-graph.db next to
// nectar.yaml. configured is false in the last case: the default file is
// used only if it exists, except by commands that write it.
func graphLocation(flag string, cfg *project.Config) (c graph.Config, configured bool) {
	v := flag
	if v == "" {
		v = os.Getenv(GraphEnv)
	}
	if v != "" {
		if strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
			return graph.Config{URL: v}, true
		}
		return graph.Config{Path: v}, true
	}
	if cfg != nil && cfg.Graph.Configured() {
		return graph.Config{Path: cfg.Graph.Path, URL: cfg.Graph.URL}, true
	}
	dir := "."
	if cfg != nil {
		dir = cfg.Dir()
	}
	return graph.Config{Path: filepath.Join(dir, graph.DefaultPath)}, false
}

// graphTables is the model graph as tables (graph_nodes, graph_edges,
// graph_scores and graph_walk), when one is configured or the default
// file exists. The store opens on first use.
type graphTables struct {
	loc     graph.Config
	sources map[string]plan.Source
	walk    engine.TableFuncOpener
	open    tables.Opener
	close   func() error
}

// openGraphTables finds the graph cfg names; nil when there is none.
func openGraphTables(cfg *project.Config) *graphTables {
	loc, configured := graphLocation("", cfg)
	if !configured {
		if _, err := os.Stat(loc.Path); err != nil {
			return nil
		}
	}
	open, closeStore := tables.Once(func(ctx context.Context) (graph.Store, error) { return graph.Open(ctx, loc) })
	return &graphTables{loc: loc, sources: tables.Sources(open), walk: tables.WalkFunc(open), open: open, close: closeStore}
}

// attach makes the tables visible in e's queries.
func (g *graphTables) attach(e *engine.Session) {
	for name, src := range g.sources {
		e.Register(name, src)
	}
	e.RegisterTableFunc("graph_walk", g.walk)
}

// Lookup and List make the tables a server's catalog (server.Tables).
func (g *graphTables) Lookup(name string) (plan.Source, bool) {
	src, ok := g.sources[strings.ToLower(name)]
	return src, ok
}

func (g *graphTables) List() []server.TableRef {
	out := make([]server.TableRef, 0, len(g.sources))
	for _, name := range slices.Sorted(maps.Keys(g.sources)) {
		out = append(out, server.TableRef{Name: name, Kind: "GRAPH TABLE"})
	}
	return out
}

// graphFlags are the flags of the graph commands.
type graphFlags struct {
	config string
	graph  string
	format string
}

func (f *graphFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.config, "config", "", "project file (default ./"+project.ConfigFile+" if present); its graph: section says where the graph is")
	c.Flags().StringVar(&f.graph, "graph", "", "the graph: a SQLite file or a postgres:// URL (default $"+GraphEnv+", then nectar.yaml's graph:, then "+graph.DefaultPath+")")
}

func (f *graphFlags) open(ctx context.Context) (graph.Store, error) {
	path, explicit := f.config, f.config != ""
	if !explicit {
		path = project.ConfigFile
	}
	cfg, err := project.LoadConfig(path, explicit)
	if err != nil {
		return nil, err
	}
	loc, _ := graphLocation(f.graph, cfg)
	return graph.Open(ctx, loc)
}

func newGraphCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "graph",
		Short: "The model graph: import what your tools print, show a node, walk from it",
		Long: `The model graph links datasets, jobs and runs, models and their versions,
experiments, Helm charts and releases, deployments, images and API routes
(docs/GRAPH.md). Queries see it as graph_nodes, graph_edges, graph_scores and
graph_walk(…).`,
	}
	c.AddCommand(newGraphImportCmd(), newGraphShowCmd(), newGraphWalkCmd(), newGraphRebuildCmd())
	return c
}

func newGraphImportCmd() *cobra.Command {
	var (
		gf        graphFlags
		namespace string
		servedBy  string
	)
	c := &cobra.Command{
		Use:   "import KIND FILE...",
		Short: "Import " + strings.Join(graph.ImportKinds, ", ") + " input (FILE - reads standard input)",
		Example: `  nectar graph import openlineage events.jsonl
  argo cron get train-food-recs -o yaml | nectar graph import argo -
  helm list -A -o json > releases.json && nectar graph import helm releases.json
  nectar graph import helm charts/food-recs/Chart.yaml --namespace recsys
  kubectl get deploy -n recsys -o json | nectar graph import kubernetes -
  nectar graph import openapi api.yaml --served-by recsys/food-recs-api`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := strings.ToLower(args[0])
			if !contains(graph.ImportKinds, kind) {
				return fmt.Errorf("unknown input kind %q: want one of %s", args[0], strings.Join(graph.ImportKinds, ", "))
			}
			params := map[string]string{}
			if namespace != "" {
				params[graph.ParamNamespace] = namespace
			}
			if servedBy != "" {
				params[graph.ParamServedBy] = servedBy
			}
			s, err := gf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			for _, file := range args[1:] {
				var body []byte
				if file == "-" {
					body, err = io.ReadAll(cmd.InOrStdin())
					file = "stdin"
				} else {
					body, err = os.ReadFile(file)
				}
				if err != nil {
					return fmt.Errorf("read %s: %w", file, err)
				}
				rep, err := graph.Import(cmd.Context(), s, kind, file, body, params)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", file, rep)
			}
			return nil
		},
	}
	gf.add(c)
	c.Flags().StringVar(&namespace, "namespace", "", "namespace for what the input leaves without one (model references, an OpenAPI document's routes, a Chart.yaml's models)")
	c.Flags().StringVar(&servedBy, "served-by", "", "openapi: the deployment serving the routes, NAMESPACE/NAME or deployment:NAMESPACE:NAME")
	return c
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func newGraphShowCmd() *cobra.Command {
	var gf graphFlags
	c := &cobra.Command{
		Use:     "show ID",
		Short:   "Show a node: its properties, its edges and, for an experiment or model version, its scores",
		Example: `  nectar graph show model:recsys:food-recs`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := gf.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			n, err := s.Node(ctx, args[0])
			if err != nil {
				return err
			}
			edges, err := s.Edges(ctx, n.ID())
			if err != nil {
				return err
			}
			var scores []*graph.Score
			if n.Kind == graph.Experiment || n.Kind == graph.ModelVersion {
				err = s.ScanScores(ctx, func(sc *graph.Score) error {
					if sc.Experiment == n.ID() || sc.ModelVersion == n.ID() {
						scores = append(scores, sc)
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if gf.format == "json" {
				return writeJSON(out, map[string]any{"node": nodeJSON(n), "edges": edgesJSON(edges), "scores": scores})
			}
			return writeShow(out, n, edges, scores)
		},
	}
	gf.add(c)
	c.Flags().StringVar(&gf.format, "format", "text", "text or json")
	return c
}

func nodeJSON(n *graph.Node) map[string]any {
	m := map[string]any{"id": n.ID(), "kind": n.Kind, "namespace": n.Namespace, "name": n.Name, "properties": n.Props, "source": n.Source, "observed_at": n.Observed}
	if n.Version != "" {
		m["version"] = n.Version
	}
	return m
}

func edgesJSON(es []graph.Edge) []map[string]any {
	out := []map[string]any{}
	for _, e := range es {
		out = append(out, map[string]any{"src": e.Src, "rel": e.Rel, "dst": e.Dst, "properties": e.Props, "source": e.Source, "observed_at": e.Observed})
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeShow(w io.Writer, n *graph.Node, edges []graph.Edge, scores []*graph.Score) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  kind %s, namespace %s, name %s", n.ID(), n.Kind, n.Namespace, n.Name)
	if n.Version != "" {
		fmt.Fprintf(&b, ", version %s", n.Version)
	}
	fmt.Fprintf(&b, "\n  from %s, observed %s\n", n.Source, n.Observed.Format("2006-01-02 15:04:05Z07:00"))
	if len(n.Props) > 0 {
		p, _ := json.MarshalIndent(n.Props, "  ", "  ")
		fmt.Fprintf(&b, "  properties %s\n", p)
	}
	if len(edges) > 0 {
		b.WriteString("edges:\n")
		for _, e := range edges {
			if e.Src == n.ID() {
				fmt.Fprintf(&b, "  -%s-> %s\n", e.Rel, e.Dst)
			} else {
				fmt.Fprintf(&b, "  <-%s- %s\n", e.Rel, e.Src)
			}
		}
	}
	if len(scores) > 0 {
		b.WriteString("scores:\n")
		tw := tabwriter.NewWriter(&b, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "  window\texperiment\tvariant\tmetric\tunits\tmean\tabs lift\tp\tchance to win")
		for _, s := range scores {
			fmt.Fprintf(tw, "  %s..%s\t%s\t%s\t%s\t%d\t%.4g\t%s\t%s\t%s\n", s.WindowStart.Format("2006-01-02"), s.WindowEnd.Format("2006-01-02"),
				s.Experiment, s.Variant, s.Metric, s.Units, s.Mean, optNum(s.AbsLift), optNum(s.AbsP), optNum(s.ChanceToWin))
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func optNum(p *float64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("%.4g", *p)
}

func newGraphWalkCmd() *cobra.Command {
	var (
		gf       graphFlags
		up, down bool
		depth    int
		kinds    []string
	)
	c := &cobra.Command{
		Use:   "walk ID [--up|--down] [--depth N] [--kinds KIND,…]",
		Short: "List the nodes reached from ID (both ways unless --up or --down), with distance and path",
		Example: `  nectar graph walk model:recsys:food-recs --depth 6
  nectar graph walk dataset:s3://recsys-data:features/food-recs --down --kinds model_version,deployment`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := graph.Walk{Direction: graph.Both, Depth: depth}
			switch {
			case up && down:
				return errors.New("--up and --down together: leave both out to walk both ways")
			case up:
				w.Direction = graph.Up
			case down:
				w.Direction = graph.Down
			}
			if depth < 1 || depth > graph.MaxDepth {
				return fmt.Errorf("--depth %d: want 1 to %d", depth, graph.MaxDepth)
			}
			for _, k := range kinds {
				w.Kinds = append(w.Kinds, graph.Kind(strings.TrimSpace(k)))
			}
			ctx := cmd.Context()
			s, err := gf.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			steps, err := s.Walk(ctx, args[0], w)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if gf.format == "json" {
				var rows []map[string]any
				for _, st := range steps {
					rows = append(rows, map[string]any{"node": nodeJSON(&st.Node), "distance": st.Distance, "path": st.Path, "rels": st.Rels})
				}
				return writeJSON(out, rows)
			}
			tw := tabwriter.NewWriter(out, 2, 8, 2, ' ', 0)
			fmt.Fprintln(tw, "distance\tkind\tid\tpath")
			for _, st := range steps {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", st.Distance, st.Node.Kind, st.Node.ID(), st.PathString())
			}
			return tw.Flush()
		},
	}
	gf.add(c)
	c.Flags().BoolVar(&up, "up", false, "walk upstream only: where the node comes from")
	c.Flags().BoolVar(&down, "down", false, "walk downstream only: what depends on the node")
	c.Flags().IntVar(&depth, "depth", graph.DefaultDepth, "edges from the start")
	c.Flags().StringSliceVar(&kinds, "kinds", nil, "list only nodes of these kinds (the walk passes through every kind)")
	c.Flags().StringVar(&gf.format, "format", "table", "table or json")
	return c
}

func newGraphRebuildCmd() *cobra.Command {
	var gf graphFlags
	c := &cobra.Command{
		Use:   "rebuild",
		Short: "Rebuild the graph from its raw log (every input ever imported, in order)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := gf.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			rep, err := s.Rebuild(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "rebuilt %s: nodes %d, edges %d, scores %d\n", s.Describe(), rep.Nodes.Added, rep.Edges.Added, rep.Scores.Added)
			return nil
		},
	}
	gf.add(c)
	return c
}
