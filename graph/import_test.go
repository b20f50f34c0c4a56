package graph

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// recsysInputs are the seed story's inputs (testdata/recsys): what each
// tool printed about the food recommender.
var recsysInputs = []struct {
	kind, file string
	params     map[string]string
}{
	{KindOpenLineage, "openlineage.jsonl", nil},
	{KindArgo, "argo-train.yaml", nil},
	{KindHelm, "helm-list.json", nil},
	{KindHelm, "helm-metadata.json", nil},
	{KindHelm, "Chart.yaml", map[string]string{ParamNamespace: "recsys"}},
	{KindKubernetes, "deploy.json", nil},
	{KindOpenAPI, "openapi.yaml", map[string]string{ParamServedBy: "recsys/food-recs-api"}},
}

func importFile(t *testing.T, s Store, kind, file string, params map[string]string) Report {
	t.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Import(context.Background(), s, kind, filepath.Base(file), body, params)
	if err != nil {
		t.Fatalf("import %s %s: %v", kind, file, err)
	}
	return rep
}

func importRecsys(t *testing.T, s Store) {
	t.Helper()
	for _, in := range recsysInputs {
		importFile(t, s, in.kind, filepath.Join("testdata", "recsys", in.file), in.params)
	}
}

// TestRecsysWalk is the "done when": from the files the tools
// print, a walk from the model reaches its training job, releases,
// deployments and API routes.
func TestRecsysWalk(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		importRecsys(t, s)
		steps, err := s.Walk(context.Background(), "model:recsys:food-recs", Walk{Direction: Both, Depth: 6})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, st := range steps {
			got[st.Node.ID()] = st.PathString()
		}
		for _, want := range []string{
			"model_version:recsys:food-recs@2019.02",
			"job:recsys:train-food-recs",                                     // Argo trains it
			"dataset:s3://recsys-data:features/food-recs/2019-02-01.parquet", // from its features…
			"job:airflow-prod:food_recs_features.build",                      // …which Airflow builds (OpenLineage)
			"dataset:s3://recsys-models:food-recs/2019.02/model.tar.gz",
			"chart:helm:food-recs",
			"release:recsys:food-recs",
			"deployment:recsys:food-recs-api",
			"image:ghcr.io:acme/food-recs-api:2019.02",
			"api_route:recsys/food-recs-api:GET /recs/{userId}",
			"api_route:recsys/food-recs-api:GET /health",
		} {
			if _, ok := got[want]; !ok {
				t.Errorf("walk does not reach %s", want)
			}
		}
		if p := got["job:airflow-prod:food_recs_features.build"]; p != "model:recsys:food-recs <-VERSION_OF- model_version:recsys:food-recs@2019.02 <-PRODUCES- job:recsys:train-food-recs <-READS- dataset:s3://recsys-data:features/food-recs/2019-02-01.parquet <-WRITES- job:airflow-prod:food_recs_features.build" {
			t.Errorf("path to the Airflow job: %s", p)
		}
		if t.Failed() {
			var all []string
			for id := range got {
				all = append(all, id)
			}
			slices.Sort(all)
			t.Logf("reached:\n%s", strings.Join(all, "\n"))
		}
	})
}

// TestImportTwiceChangesNothing imports every input again: everything is
// skipped and each raw input is kept once.
func TestImportTwiceChangesNothing(t *testing.T) {
	s := openSQLite(t)
	importRecsys(t, s)
	before := dump(t, s)
	for _, in := range recsysInputs {
		rep := importFile(t, s, in.kind, filepath.Join("testdata", "recsys", in.file), in.params)
		if rep.Changed() || rep.RawStored != 0 || rep.RawDuplicate == 0 {
			t.Errorf("%s again: %s", in.file, rep)
		}
	}
	if after := dump(t, s); after != before {
		t.Fatalf("graph changed:\n%s\nwas\n%s", after, before)
	}
}

func TestOpenLineageRunMerged(t *testing.T) {
	s := openSQLite(t)
	importFile(t, s, KindOpenLineage, "testdata/recsys/openlineage.jsonl", nil)
	run, err := s.Node(context.Background(), "run:airflow-prod:0190c2a1-7d2e-7b6e-9c1a-3f5e2d4c6b8a")
	if err != nil {
		t.Fatal(err)
	}
	facets := run.Props["facets"].(map[string]any)
	// START's nominalTime and COMPLETE's processing_engine: additive.
	if facets["nominalTime"] == nil || facets["processing_engine"] == nil || run.Props["state"] != "COMPLETE" ||
		run.Props["start_time"] != "2019-02-01T02:00:00Z" || run.Props["complete_time"] != "2019-02-01T02:17:31.514Z" {
		t.Fatalf("run: %+v", run.Props)
	}
	ds, _ := s.Node(context.Background(), "dataset:postgres://shop-db:5432:shop.public.orders")
	if ds == nil || ds.Props["facets"].(map[string]any)["schema"] == nil {
		t.Fatalf("dataset facets: %+v", ds)
	}
}

// TestLargeNumbersKept: a facet's number beyond 2^53 (a row count, an id)
// is kept exactly, and stating it again changes nothing.
func TestLargeNumbersKept(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		ev := `{"eventType":"COMPLETE","eventTime":"2024-01-01T00:00:00Z","producer":"p","run":{"runId":"0190c2a1-7d2e-7b6e-9c1a-3f5e2d4c6b8a","facets":{"stats":{"rowCount":9007199254740993,"ratio":0.1}}},"job":{"namespace":"n","name":"j"}}`
		ctx := context.Background()
		if _, err := Import(ctx, s, KindOpenLineage, "a", []byte(ev), nil); err != nil {
			t.Fatal(err)
		}
		rep, err := Import(ctx, s, KindOpenLineage, "b", []byte(ev+"\n"+strings.Replace(ev, `"COMPLETE"`, `"OTHER"`, 1)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Nodes.Changed != 1 || rep.Nodes.Added != 0 {
			t.Fatalf("%s", rep)
		}
		run, _ := s.Node(ctx, "run:n:0190c2a1-7d2e-7b6e-9c1a-3f5e2d4c6b8a")
		p, _ := canonical(run.Props)
		if !strings.Contains(p, `"rowCount":9007199254740993`) || !strings.Contains(p, `"ratio":0.1`) {
			t.Fatalf("properties: %s", p)
		}
	})
}

func TestHelmChartSplit(t *testing.T) {
	for _, c := range []struct{ in, name, version string }{
		{"food-recs-2019.02.1", "food-recs", "2019.02.1"},
		{"food-recs-1.0.0-rc.1", "food-recs", "1.0.0-rc.1"},
		{"my-2chart-1.0.0", "my-2chart", "1.0.0"},
		{"nginx-v1.2.3", "nginx", "v1.2.3"},
	} {
		n, v, ok := splitChart(c.in)
		if !ok || n != c.name || v != c.version {
			t.Errorf("splitChart(%q) = %q %q %v", c.in, n, v, ok)
		}
	}
	if _, _, ok := splitChart("nochart"); ok {
		t.Error("a chart without a version split")
	}
}

func TestImageNode(t *testing.T) {
	for _, c := range []struct{ ref, id string }{
		{"python:3.11", "image:docker.io:python:3.11"},
		{"nginx", "image:docker.io:nginx:latest"},
		{"ghcr.io/acme/api:2019.02", "image:ghcr.io:acme/api:2019.02"},
		{"localhost:5000/x", "image:localhost:5000:x:latest"},
		{"acme/api@sha256:abcd", "image:docker.io:acme/api@sha256:abcd"},
	} {
		n, err := imageNode(c.ref, "t", time.Time{})
		if err != nil || n.ID() != c.id {
			t.Errorf("imageNode(%q) = %s, %v; want %s", c.ref, n.ID(), err, c.id)
		}
	}
}

// TestBadInput: each importer refuses broken input naming the file and
// the line or JSON path, and stores nothing (what was there stays).
func TestBadInput(t *testing.T) {
	good, _ := os.ReadFile("testdata/recsys/openlineage.jsonl")
	goodLine := strings.SplitN(string(good), "\n", 2)[0]
	cases := []struct {
		kind, body string
		params     map[string]string
		want       string // in the message
	}{
		{KindOpenLineage, goodLine + "\n{not json\n", nil, "in.json:2: not JSON"},
		{KindOpenLineage, goodLine + "\n\n" + strings.Replace(goodLine, `"runId":"0190c2a1-7d2e-7b6e-9c1a-3f5e2d4c6b8a"`, `"runId":"nope"`, 1), nil, `in.json:3: $.run.runId: "nope" is not a UUID`},
		{KindOpenLineage, strings.Replace(goodLine, `"eventTime":"2019-02-01T02:00:00.000Z"`, `"eventTime":"yesterday"`, 1), nil, "in.json:1: $.eventTime"},
		{KindOpenLineage, strings.Replace(goodLine, `"name":"food_recs_features.build"`, `"name":7`, 1), nil, "in.json:1: $.job.name: want a JSON string"},
		{KindOpenLineage, strings.Replace(goodLine, `"eventType":"START"`, `"eventType":"BEGIN"`, 1), nil, "$.eventType"},
		{KindOpenLineage, strings.Replace(goodLine, `"inputs":[{"namespace":"postgres://shop-db:5432","name":"shop.public.orders"}]`, `"inputs":[{"name":"x"}]`, 1), nil, "$.inputs[0].namespace: missing"},
		{KindOpenLineage, "\n\n", nil, "no OpenLineage events"},
		{KindOpenLineage, goodLine + "\n[1, 2]\n", nil, "in.json:2: $: want an OpenLineage event (a JSON object), got array"},
		{KindArgo, "kind: Workflow\nmetadata:\n  name: x\nspec:\n  templates:\n    - container: {image: a}\n", nil, "in.json:6: $.spec.templates[0].name: missing"},
		{KindArgo, "kind: Pod\n", nil, `in.json:1: $.kind: "Pod" is not an Argo workflow kind`},
		{KindArgo, "kind: Workflow\nmetadata:\n  name: x\n  annotations:\n    nectar.dev/models: 'food recs@'\n", nil, "$.metadata.annotations.nectar.dev/models"},
		{KindArgo, "kind: [\n", nil, "not YAML or JSON"},
		{KindHelm, `[{"name":"r","namespace":"n","chart":"nochart"}]`, nil, `$[0].chart: "nochart"`},
		{KindHelm, `{"name":"r","chart":"c","revision":"three","version":"1.0"}`, nil, "$.revision"},
		{KindHelm, `{"hello":1}`, nil, "not Helm output"},
		{KindKubernetes, `{"kind":"List","items":[{"kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"c"}]}}}}]}`, nil, "$.items[0].spec.template.spec.containers[0].image: missing"},
		{KindKubernetes, `{"kind":"Service","metadata":{"name":"s"}}`, nil, `$.kind: "Service"`},
		{KindKubernetes, "{\"kind\":\"Deployment\",\n\"metadata\":{\"labels\":[1]}}", nil, "in.json:2: $.metadata.name: missing"},
		{KindOpenAPI, "openapi: 3.0.0\ninfo: {title: t}\npaths:\n  /x:\n    get:\n      x-nectar-model: '@@'\n", nil, "in.json:6: $.paths./x.get.x-nectar-model"},
		{KindOpenAPI, "info: {title: t}\n", nil, "$.openapi: missing"},
		{KindOpenAPI, "openapi: 3.0.0\ninfo: {title: t}\npaths: {}\n", map[string]string{ParamServedBy: "nodeployment"}, "--served-by"},
		{KindOpenLineage, goodLine, map[string]string{ParamServedBy: "a/b"}, "takes no option"},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d_%s", i, c.kind), func(t *testing.T) {
			s := openSQLite(t)
			importRecsys(t, s)
			before := dump(t, s)
			_, err := Import(context.Background(), s, c.kind, "in.json", []byte(c.body), c.params)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInput) {
				t.Errorf("%v: not ErrInput", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
			if after := dump(t, s); after != before {
				t.Fatal("a refused input changed the graph")
			}
		})
	}
}
