package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/gen"
)

// TestGraphCommands imports the seed story's files with the CLI into the
// graph nectar.yaml names, walks and shows the model, queries the graph
// tables, and records an experiment whose scores then show in SQL.
func TestGraphCommands(t *testing.T) {
	td, err := filepath.Abs("../../graph/testdata/recsys")
	if err != nil {
		t.Fatal(err)
	}
	dir := inTempDir(t)
	glob := genLogs(t, dir, gen.Options{Events: 3000, Files: 2, Days: 2})
	if err := os.WriteFile("nectar.yaml", []byte("graph: {path: models.db}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"openlineage", filepath.Join(td, "openlineage.jsonl")},
		{"argo", filepath.Join(td, "argo-train.yaml")},
		{"helm", filepath.Join(td, "helm-list.json"), filepath.Join(td, "helm-metadata.json")},
		{"kubernetes", filepath.Join(td, "deploy.json")},
		{"openapi", filepath.Join(td, "openapi.yaml"), "--served-by", "recsys/food-recs-api"},
	} {
		out := nectar(t, append([]string{"graph", "import"}, args...)...).mustSucceed(t)
		if !strings.Contains(out.stdout, "added") {
			t.Errorf("import %v: %q", args, out.stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "models.db")); err != nil {
		t.Fatalf("the graph is not where nectar.yaml says: %v", err)
	}
	// Importing again changes nothing, and says so.
	out := nectar(t, "graph", "import", "kubernetes", filepath.Join(td, "deploy.json")).mustSucceed(t)
	if !strings.Contains(out.stdout, "0 added, 0 changed") || !strings.Contains(out.stdout, "1 already kept") {
		t.Errorf("again: %q", out.stdout)
	}

	walk := nectar(t, "graph", "walk", "model:recsys:food-recs", "--depth", "6").mustSucceed(t).stdout
	for _, want := range []string{"job:recsys:train-food-recs", "release:recsys:food-recs", "deployment:recsys:food-recs-api", "api_route:recsys/food-recs-api:GET /recs/{userId}"} {
		if !strings.Contains(walk, want) {
			t.Errorf("walk lacks %s:\n%s", want, walk)
		}
	}
	down := nectar(t, "graph", "walk", "deployment:recsys:food-recs-api", "--down", "--kinds", "api_route", "--format", "json").mustSucceed(t).stdout
	var steps []map[string]any
	if err := json.Unmarshal([]byte(down), &steps); err != nil || len(steps) != 2 {
		t.Fatalf("walk --down --kinds api_route: %v\n%s", err, down)
	}
	show := nectar(t, "graph", "show", "deployment:recsys:food-recs-api").mustSucceed(t).stdout
	if !strings.Contains(show, "<-MANAGES- release:recsys:food-recs") || !strings.Contains(show, "-EXPOSES-> api_route:recsys/food-recs-api:GET /health") {
		t.Errorf("show:\n%s", show)
	}

	// An experiment whose treatment runs the model version Helm deploys.
	spec := `name: food-recs-2019-02
source: ` + glob + `
unit: anonymousId
exposure: {event: Experiment Viewed, experiment_id: food-recs-2019-02}
variants: [{name: Model_A, weight: 0.9, model: food-recs@2018.11}, {name: Model_B, weight: 0.1, model: food-recs@2019.02}]
metrics: [{name: ordered, type: binomial, event: Order Completed}]
`
	os.WriteFile("spec.yaml", []byte(spec), 0o644)
	rec := nectar(t, "experiment", "--spec", "spec.yaml", "--record").mustSucceed(t)
	if !strings.Contains(rec.stderr, "recorded experiment:recsys:food-recs-2019-02") || !strings.Contains(rec.stderr, "2 added") {
		t.Fatalf("record: %s", rec.stderr)
	}
	rec = nectar(t, "experiment", "--spec", "spec.yaml", "--record").mustSucceed(t)
	if !strings.Contains(rec.stderr, "scores: 0 added, 0 changed, 2 skipped") {
		t.Fatalf("record again: %s", rec.stderr)
	}
	q := nectar(t, "query", "--format", "csv", `SELECT s.variant, s.model_version, s.units > 0 AS has_units, s.abs_p IS NOT NULL AS compared
		FROM graph_scores s JOIN graph_nodes n ON n.id = s.model_version ORDER BY s.variant`).mustSucceed(t).stdout
	if q != "variant,model_version,has_units,compared\nModel_A,model_version:recsys:food-recs@2018.11,true,false\nModel_B,model_version:recsys:food-recs@2019.02,true,true\n" {
		t.Fatalf("graph_scores:\n%s", q)
	}
	show = nectar(t, "graph", "show", "model_version:recsys:food-recs@2019.02").mustSucceed(t).stdout
	if !strings.Contains(show, "-EVALUATES-> experiment:recsys:food-recs-2019-02") || !strings.Contains(show, "Model_B") {
		t.Errorf("show model version:\n%s", show)
	}
	rb := nectar(t, "graph", "rebuild").mustSucceed(t).stdout
	if !strings.Contains(rb, "scores 2") {
		t.Errorf("rebuild: %s", rb)
	}

	// nectar serve's dashboard shows the recorded experiment on the
	// model's page, its treatment's lift as a chart.
	ctx, cancel := context.WithCancel(context.Background())
	sv := startServe(t, ctx, "--flight-sql", "", "--spark-connect", "", "--http", "127.0.0.1:0")
	defer cancel()
	resp, err := http.Get("http://" + sv.addr("HTTP") + "/models/model:recsys:food-recs")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"experiment:recsys:food-recs-2019-02", `data-chart="`, "Model_B (2019.02)", "deployment:recsys:food-recs-api", "job:recsys:train-food-recs"} {
		if resp.StatusCode != 200 || !strings.Contains(html.UnescapeString(string(page)), want) {
			t.Errorf("the model's page (%d) lacks %s:\n%s", resp.StatusCode, want, page)
		}
	}
}

func TestGraphCommandErrors(t *testing.T) {
	inTempDir(t)
	os.WriteFile("bad.yaml", []byte("kind: Workflow\nmetadata:\n  name: x\nspec:\n  templates:\n    - container: {image: a}\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"graph", "import", "dot", "x"}, `unknown input kind "dot"`},
		{[]string{"graph", "import", "argo", "missing.yaml"}, "read missing.yaml"},
		{[]string{"graph", "import", "argo", "bad.yaml"}, "bad.yaml:6: $.spec.templates[0].name: missing"},
		{[]string{"graph", "walk", "model:x:y", "--up", "--down"}, "--up and --down together"},
		{[]string{"graph", "walk", "model:x:y", "--depth", "0"}, "--depth 0"},
		{[]string{"graph", "walk", "model:x:y"}, "model:x:y: not in the graph"},
		{[]string{"graph", "show", "model:x:y"}, "not in the graph"},
		{[]string{"graph", "show", "x", "--graph", "postgres://u:Mark3r-pw@127.0.0.1:1/db?connect_timeout=2"}, "127.0.0.1"},
	} {
		out := nectar(t, c.args...)
		if out.code != 1 || !strings.Contains(out.stderr, c.want) || strings.Contains(out.stderr, "Mark3r-pw") {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, out.code, out.stderr, c.want)
		}
	}
}
