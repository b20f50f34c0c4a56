package tables

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/graph"
	"github.com/nectar-dev/nectar/types"
)

// session is an engine session with the graph's tables, over the seed
// story's files and one recorded experiment.
func session(t *testing.T) (*engine.Session, graph.Store) {
	t.Helper()
	ctx := context.Background()
	s, err := graph.OpenSQLite(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for _, in := range []struct {
		kind, file string
		params     map[string]string
	}{
		{graph.KindOpenLineage, "openlineage.jsonl", nil},
		{graph.KindArgo, "argo-train.yaml", nil},
		{graph.KindHelm, "helm-metadata.json", nil},
		{graph.KindKubernetes, "deploy.json", nil},
		{graph.KindOpenAPI, "openapi.yaml", map[string]string{graph.ParamServedBy: "recsys/food-recs-api"}},
	} {
		body, err := os.ReadFile(filepath.Join("..", "testdata", "recsys", in.file))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := graph.Import(ctx, s, in.kind, in.file, body, in.params); err != nil {
			t.Fatal(err)
		}
	}
	lift := 0.02
	w0 := time.Date(2019, 2, 12, 0, 0, 0, 0, time.UTC)
	_, _, err = graph.RecordExperiment(ctx, s, &graph.ExperimentRecord{Namespace: "recsys", Name: "food-recs-ab", SpecHash: "h", WindowStart: w0, WindowEnd: w0.AddDate(0, 0, 14),
		Variants: []graph.VariantModel{{Name: "A", Weight: 1, Model: &graph.ModelRef{Namespace: "recsys", Name: "food-recs", Version: "2019.02"}}, {Name: "B", Weight: 1}},
		Scores:   []graph.Score{{Variant: "A", Metric: "ordered", Control: true, Units: 100, Mean: 0.1}, {Variant: "B", Metric: "ordered", Units: 100, Mean: 0.12, AbsLift: &lift}}})
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(engine.Options{})
	open, closeStore := Once(func(context.Context) (graph.Store, error) { return s, nil })
	_ = closeStore
	for name, src := range Sources(open) {
		e.Register(name, src)
	}
	e.RegisterTableFunc("graph_walk", WalkFunc(open))
	return e, s
}

func query(t *testing.T, e *engine.Session, q string) []string {
	t.Helper()
	_, rows, err := engine.QueryRows(context.Background(), e, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var out []string
	for _, r := range rows {
		var cells []string
		for _, v := range r {
			cells = append(cells, v.String())
		}
		out = append(out, strings.Join(cells, " | "))
	}
	return out
}

func TestQueries(t *testing.T) {
	e, _ := session(t)
	for _, c := range []struct {
		q    string
		want []string
	}{
		{`SELECT kind, count(*) AS n FROM graph_nodes GROUP BY kind ORDER BY kind`, []string{
			"api_route | 2", "chart | 1", "dataset | 3", "deployment | 1", "experiment | 1", "image | 2", "job | 3", "model | 1", "model_version | 1", "release | 1", "run | 2"}},
		// The done-when walk, in SQL.
		{`SELECT id, distance FROM graph_walk('model:recsys:food-recs', direction => 'both', depth => 6)
		  WHERE kind IN ('job', 'release', 'deployment', 'api_route') ORDER BY distance, id`, []string{
			"api_route:recsys/food-recs-api:GET /recs/{userId} | 2",
			"deployment:recsys:food-recs-api | 2",
			"job:recsys:train-food-recs | 2",
			"api_route:recsys/food-recs-api:GET /health | 3",
			"release:recsys:food-recs | 3",
			"job:airflow-prod:food_recs_features.build | 4",
		}},
		{`FROM graph_walk('deployment:recsys:food-recs-api', direction => 'up', depth => 1) |> SELECT path |> ORDER BY path`, []string{
			"deployment:recsys:food-recs-api",
			"deployment:recsys:food-recs-api <-MANAGES- release:recsys:food-recs",
			"deployment:recsys:food-recs-api <-RUNS_IMAGE- image:ghcr.io:acme/food-recs-api:2019.02",
			"deployment:recsys:food-recs-api <-SERVES- model_version:recsys:food-recs@2019.02",
		}},
		{`SELECT id FROM graph_walk(start_id => 'model:recsys:food-recs', kinds => 'chart, image') ORDER BY id`, []string{
			"chart:helm:food-recs", "image:ghcr.io:acme/food-recs-api:2019.02", "image:ghcr.io:acme/food-recs-trainer:2019.02"}},
		// Scores join with the model graph (and so with the logs).
		{`SELECT s.variant, s.metric, s.abs_lift, n.kind, get_json_object(n.properties, '$.model') AS model
		  FROM graph_scores s LEFT JOIN graph_nodes n ON n.id = s.model_version ORDER BY s.variant`, []string{
			"A | ordered | NULL | model_version | model:recsys:food-recs", "B | ordered | 0.02 | NULL | NULL"}},
		{`SELECT src, rel FROM graph_edges WHERE dst = 'experiment:recsys:food-recs-ab'`, []string{"model_version:recsys:food-recs@2019.02 | EVALUATES"}},
	} {
		got := query(t, e, c.q)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", c.q, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
}

func TestWalkArgumentsRefused(t *testing.T) {
	e, _ := session(t)
	for q, want := range map[string]string{
		`SELECT * FROM graph_walk()`:  "takes one start id",
		`SELECT * FROM graph_walk(1)`: "the start id is a string",
		`SELECT * FROM graph_walk('model:recsys:food-recs', direction => 'left')`: `direction "left"`,
		`SELECT * FROM graph_walk('model:recsys:food-recs', depth => 0)`:          "depth is a whole number from 1 to 32",
		`SELECT * FROM graph_walk('model:recsys:food-recs', depth => 'x')`:        "depth is a whole number",
		`SELECT * FROM graph_walk('model:recsys:food-recs', hops => 2)`:           "no argument hops",
		`SELECT * FROM graph_walk('model:recsys:food-recs', kinds => 'modle')`:    `unknown node kind "modle"`,
		`SELECT * FROM graph_walk('model:recsys:nope')`:                           "not in the graph",
	} {
		_, _, err := engine.QueryRows(context.Background(), e, q)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
}

func TestDescribe(t *testing.T) {
	e, _ := session(t)
	got := query(t, e, "DESCRIBE SELECT * FROM graph_scores")
	if len(got) != len(scoreColumns) || got[0] != "experiment | string" || got[len(got)-1] != "recorded_at | timestamp" {
		t.Fatalf("DESCRIBE graph_scores: %v", got)
	}
	_ = types.Int
}
