package graph

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests here read what the tools themselves produce: events posted by
// openlineage-python's HTTP transport (as Airflow's OpenLineage provider
// posts them) and Argo manifests written by Hera's to_yaml(), both run
// from testdata/producers/producers.py in a venv that
// scripts/graph-producers-test.sh makes with pinned versions. Kubernetes
// and Helm JSON come from their Go types in the test-only module
// producers/ (see its tests).

// producerPython is the venv's python, or a skip.
func producerPython(t *testing.T) string {
	t.Helper()
	py := os.Getenv("NECTAR_PRODUCERS_PYTHON")
	if py == "" {
		t.Skip("NECTAR_PRODUCERS_PYTHON is not set: run scripts/graph-producers-test.sh, which installs openlineage-python and hera into a venv")
	}
	return py
}

func TestOpenLineagePythonClient(t *testing.T) {
	py := producerPython(t)
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		url := serveLineage(t, s, "py-t0ken")
		// The client appends the endpoint (api/v1/lineage) to the URL.
		base := strings.TrimSuffix(url, LineagePath)
		out, err := exec.Command(py, "testdata/producers/producers.py", "openlineage", base, "py-t0ken").CombinedOutput()
		if err != nil {
			t.Fatalf("openlineage-python: %v\n%s", err, out)
		}
		runs := strings.Fields(string(out))
		if len(runs) != 2 {
			t.Fatalf("want two run ids, got %q", out)
		}
		ctx := context.Background()
		ok, err := s.Node(ctx, "run:recsys:"+runs[0])
		if err != nil {
			t.Fatal(err)
		}
		// START, RUNNING (gzip) and COMPLETE merged into one run.
		if ok.Props["state"] != "COMPLETE" || ok.Props["start_time"] == nil || ok.Props["running_time"] == nil || ok.Props["complete_time"] == nil {
			t.Errorf("run: %v", ok.Props)
		}
		if f, _ := ok.Props["facets"].(map[string]any); f["nominalTime"] == nil {
			t.Errorf("START's nominalTime facet lost: %v", ok.Props)
		}
		failed, err := s.Node(ctx, "run:recsys:"+runs[1])
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := failed.Props["facets"].(map[string]any); failed.Props["state"] != "FAIL" || f["errorMessage"] == nil {
			t.Errorf("failed run: %v", failed.Props)
		}
		steps, err := s.Walk(ctx, "model:recsys:food-recs", Walk{Direction: Both, Depth: 3})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, st := range steps {
			got[st.Node.ID()] = true
		}
		for _, want := range []string{"job:recsys:train_food_recs", "dataset:s3://recsys-data:features/food-recs/2019-02-01.parquet", "dataset:s3://recsys-models:food-recs/2019.02/model.tar.gz"} {
			if !got[want] {
				t.Errorf("the tags facet's model does not reach %s: %v", want, got)
			}
		}
		ds, _ := s.Node(ctx, "dataset:s3://recsys-data:features/food-recs/2019-02-01.parquet")
		if f, _ := ds.Props["facets"].(map[string]any); f["schema"] == nil {
			t.Errorf("schema facet: %v", ds.Props)
		}
	})
}

func TestHeraManifests(t *testing.T) {
	py := producerPython(t)
	dir := t.TempDir()
	if out, err := exec.Command(py, "testdata/producers/producers.py", "hera", dir).CombinedOutput(); err != nil {
		t.Fatalf("hera: %v\n%s", err, out)
	}
	s := openSQLite(t)
	for _, f := range []string{"workflow.yaml", "cronworkflow.yaml"} {
		importFile(t, s, KindArgo, filepath.Join(dir, f), nil)
	}
	ctx := context.Background()
	for _, id := range []string{"job:recsys:train-food-recs"} {
		j, err := s.Node(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Props["schedule"] != "0 4 * * 1" || j.Props["entrypoint"] != "main" {
			t.Errorf("%s: %v", id, j.Props)
		}
	}
	edges, _ := s.Edges(ctx, "job:recsys:train-food-recs")
	want := map[string]bool{
		"dataset:s3://recsys-data:features/food-recs/2019-02-01.parquet -READS-> job:recsys:train-food-recs": true,
		"job:recsys:train-food-recs -WRITES-> dataset:s3://recsys-models:food-recs/2019.02/model.tar.gz":     true,
		"job:recsys:train-food-recs -PRODUCES-> model_version:recsys:food-recs@2019.02":                      true,
		"image:ghcr.io:acme/food-recs-trainer:2019.02 -RUNS_IMAGE-> job:recsys:train-food-recs":              true,
	}
	for _, e := range edges {
		delete(want, e.Src+" -"+string(e.Rel)+"-> "+e.Dst)
	}
	if len(want) > 0 {
		t.Errorf("missing edges: %v (have %v)", want, edges)
	}
	// The Workflow (generateName train-food-recs-) is the same job as the
	// CronWorkflow that makes it.
	if n, err := s.Lookup(ctx, Job, "train-food-recs"); err != nil || len(n) != 1 {
		t.Errorf("jobs named train-food-recs: %v %v", n, err)
	}
}

// TestOpenLineageSpecExamples imports the examples of OpenLineage's
// documentation (testdata/openlineage-spec-examples.md says which).
func TestOpenLineageSpecExamples(t *testing.T) {
	s := openSQLite(t)
	rep := importFile(t, s, KindOpenLineage, "testdata/openlineage-spec-examples.jsonl", nil)
	if rep.RawStored != 3 {
		t.Fatalf("%s", rep)
	}
	ctx := context.Background()
	run, err := s.Node(ctx, "run:workshop:d46e465b-d358-4d32-83d4-df660ff614dd")
	if err != nil {
		t.Fatal(err)
	}
	if run.Props["state"] != "COMPLETE" || run.Props["start_time"] != "2020-12-28T09:52:00.001Z" {
		t.Errorf("run: %v", run.Props)
	}
	steps, _ := s.Walk(ctx, "dataset:postgres://workshop-db:None:workshop.public.taxes", Walk{Direction: Down, Depth: 2, Kinds: []Kind{Dataset}})
	if len(steps) != 2 || steps[1].Node.ID() != "dataset:postgres://workshop-db:None:workshop.public.unpaid_taxes" || steps[1].Distance != 2 {
		t.Errorf("taxes → process_taxes → unpaid_taxes: %+v", steps)
	}
	out, _ := s.Node(ctx, "dataset:postgres://workshop-db:None:workshop.public.unpaid_taxes")
	if f, _ := out.Props["facets"].(map[string]any); f["schema"] == nil || f["dataSource"] == nil {
		t.Errorf("dataset facets: %v", out.Props)
	}
}
