package server

import (
	"context"
	"encoding/json"
	"html"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/graph"
	"github.com/nectar-dev/nectar/graph/tables"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/server/dashboard"
)

// graphCatalog is the graph's tables in a server's catalog, as nectar
// serve puts them there (cmd/nectar's graphTables).
type graphCatalog map[string]plan.Source

func (g graphCatalog) Lookup(name string) (plan.Source, bool) {
	src, ok := g[strings.ToLower(name)]
	return src, ok
}

func (g graphCatalog) List() []TableRef {
	var out []TableRef
	for _, name := range slices.Sorted(maps.Keys(g)) {
		out = append(out, TableRef{Name: name, Kind: "GRAPH TABLE"})
	}
	return out
}

// evilNS is a namespace no page may write out as it is: a model's id
// holds it, and ids reach pages, links and SQL.
const evilNS = `<img src=x onerror=alert(1)>'"&`

// startWithGraph serves the test project with a SQLite model graph made
// from the seed story's files (graph/testdata/recsys), training runs, and
// an experiment recorded over two windows, as `nectar experiment
// --record` stores one; and a model whose id is full of characters that
// need escaping.
func startWithGraph(t *testing.T) *testServer {
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
		{graph.KindOpenLineage, "openlineage-train.jsonl", nil},
		{graph.KindArgo, "argo-train.yaml", nil},
		{graph.KindHelm, "helm-list.json", nil},
		{graph.KindHelm, "helm-metadata.json", nil},
		{graph.KindHelm, "Chart.yaml", map[string]string{graph.ParamNamespace: "recsys"}},
		{graph.KindKubernetes, "deploy.json", nil},
		{graph.KindOpenAPI, "openapi.yaml", map[string]string{graph.ParamServedBy: "recsys/food-recs-api"}},
	} {
		body, err := os.ReadFile(filepath.Join("..", "graph", "testdata", "recsys", in.file))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := graph.Import(ctx, s, in.kind, in.file, body, in.params); err != nil {
			t.Fatalf("import %s: %v", in.file, err)
		}
	}
	f := func(x float64) *float64 { return &x }
	day := time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC)
	record := func(ns, name string, a, b graph.ModelRef, end int, lift, lo, hi float64) {
		t.Helper()
		_, _, err := graph.RecordExperiment(ctx, s, &graph.ExperimentRecord{Namespace: ns, Name: name, SpecHash: "spec", Source: "events",
			WindowStart: day, WindowEnd: day.AddDate(0, 0, end), SRMP: 0.4, Recorded: day.AddDate(0, 0, end),
			Variants: []graph.VariantModel{{Name: "Model_A", Weight: 0.9, Model: &a}, {Name: "Model_B", Weight: 0.1, Model: &b}},
			Scores: []graph.Score{
				{Variant: "Model_A", Metric: "conversion", MetricType: "binomial", Control: true, Units: 900 * int64(end), Mean: 0.1},
				{Variant: "Model_B", Metric: "conversion", MetricType: "binomial", Units: 100 * int64(end), Mean: 0.1 * (1 + lift),
					RelLift: f(lift), RelCILow: f(lo), RelCIHigh: f(hi), RelPHolm: f(0.03), ChanceToWin: f(0.97)},
			}})
		if err != nil {
			t.Fatal(err)
		}
	}
	old := graph.ModelRef{Namespace: "recsys", Name: "food-recs", Version: "2018.11"}
	cur := graph.ModelRef{Namespace: "recsys", Name: "food-recs", Version: "2019.02"}
	record("recsys", "food-recs-2019-02", old, cur, 1, 0.05, -0.10, 0.20)
	record("recsys", "food-recs-2019-02", old, cur, 2, 0.04, -0.02, 0.10)
	evil := graph.ModelRef{Namespace: evilNS, Name: "evil-recs", Version: `1/2@3`}
	record(evilNS, "evil-test", evil, evil, 1, 0.01, -0.01, 0.03)

	open, _ := tables.Once(func(context.Context) (graph.Store, error) { return s, nil })
	walk := tables.WalkFunc(open)
	return startConfig(t, func(c *Config) {
		c.Tables = graphCatalog(tables.Sources(open))
		c.Prepare = func(e *engine.Session) { e.RegisterTableFunc("graph_walk", walk) }
	})
}

// TestDashboardModelPages: the models page lists food-recs with what its
// page shows; the page shows its versions, the job that trains them and
// its runs, its chart and releases, deployment, routes and the scores
// recorded, as a table and a chart per metric; the impact walk reaches
// all of that and links each node to its own walk.
func TestDashboardModelPages(t *testing.T) {
	ts := startWithGraph(t)
	const model = "model:recsys:food-recs"

	for _, path := range []string{"/models", "/models/" + model, "/graph/walk?id=" + model} {
		resp, body := request(t, ts, "GET", path, "")
		if resp.Header.Get("Content-Security-Policy") != dashboard.ContentSecurityPolicy {
			t.Errorf("GET %s: CSP %q", path, resp.Header.Get("Content-Security-Policy"))
		}
		if m := external.FindString(body); m != "" {
			t.Errorf("GET %s fetches from elsewhere: %s", path, m)
		}
	}
	resp, body := request(t, ts, "GET", "/models", "")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /models: %d %s", resp.StatusCode, body)
	}
	row := regexp.MustCompile(`(?s)<tr data-model="model:recsys:food-recs">.*?</tr>`).FindString(body)
	for _, want := range []string{`href="/models/model:recsys:food-recs"`, `data-field="versions">2<`, `data-field="latest">2019.02<`,
		`data-field="deployments">1<`, `data-field="scored">2019-02-03<`} {
		if !strings.Contains(row, want) {
			t.Errorf("GET /models: the food-recs row lacks %s:\n%s", want, row)
		}
	}

	resp, body = request(t, ts, "GET", "/models/"+url.PathEscape(model), "")
	if resp.StatusCode != 200 {
		t.Fatalf("model page: %d %s", resp.StatusCode, body)
	}
	section := func(id string) string {
		return regexp.MustCompile(`(?s)<table class="grid" id="` + id + `">.*?</table>`).FindString(body)
	}
	for id, wants := range map[string][]string{
		"versions": {">2019.02<", ">2018.11<", `href="/graph/walk?id=` + hrefQuery("model_version:recsys:food-recs@2019.02") + `"`},
		"jobs": {"job:recsys:train-food-recs", "<code>0 4 * * 1</code>", "state-FAIL", "2019-02-11 04:00:02Z → 2019-02-11 04:12:40Z",
			"state-COMPLETE", "2019-02-04 04:00:03Z → 2019-02-04 04:41:57Z"},
		"helm-charts": {"chart:helm:food-recs", "2019.02.1"},
		"releases":    {"release:recsys:food-recs<", "release:recsys:food-recs-canary", ">deployed<", ">2019.03.0-rc.1<"},
		"deployments": {"deployment:recsys:food-recs-api", ">3<", "ghcr.io/acme/food-recs-api:2019.02"},
		"routes":      {"/recs/{userId}", "getRecommendations", "/health"},
		"scores":      {"2019-02-01 → 2019-02-02", "2019-02-01 → 2019-02-03", "+5.00%", "[-10.00%, +20.00%]", "+4.00%", "control"},
	} {
		s := html.UnescapeString(section(id))
		if s == "" {
			t.Errorf("the model page has no %s table:\n%s", id, body)
			continue
		}
		for _, want := range wants {
			if !strings.Contains(s, want) {
				t.Errorf("the model page's %s lack %q:\n%s", id, want, s)
			}
		}
	}
	// The failed run is newer: listed first.
	if jobs := section("jobs"); strings.Index(jobs, "state-FAIL") > strings.Index(jobs, "state-COMPLETE") {
		t.Errorf("runs not newest first:\n%s", jobs)
	}
	// Another model a walk both ways reaches (Chart.yaml's, through the
	// chart) and the upstream feature job are not this model's.
	for _, not := range []string{"job:airflow-prod:food_recs_features.build", "dataset:"} {
		if strings.Contains(body, not) {
			t.Errorf("the model page shows %s, which is not the model's", not)
		}
	}
	m := regexp.MustCompile(`data-chart="([^"]*)" data-points="(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no score chart:\n%s", body)
	}
	var spec struct {
		X      []int64
		Series []struct {
			Name           string
			Values, Lo, Hi []*float64
		}
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &spec); err != nil {
		t.Fatalf("chart spec: %v\n%s", err, m[1])
	}
	if m[2] != "2" || len(spec.X) != 2 || len(spec.Series) != 1 || spec.Series[0].Name != "Model_B (2019.02)" ||
		*spec.Series[0].Values[1] != 4 || *spec.Series[0].Lo[0] != -10 || *spec.Series[0].Hi[1] != 10 ||
		spec.X[0] != time.Date(2019, 2, 2, 0, 0, 0, 0, time.UTC).UnixMilli() {
		t.Errorf("chart: %d points, %+v", len(spec.X), spec)
	}

	resp, body = request(t, ts, "GET", "/graph/walk?id="+url.QueryEscape(model)+"&direction=both&depth=6", "")
	if resp.StatusCode != 200 {
		t.Fatalf("walk: %d %s", resp.StatusCode, body)
	}
	for _, id := range []string{"job:recsys:train-food-recs", "release:recsys:food-recs", "deployment:recsys:food-recs-api",
		"api_route:recsys/food-recs-api:GET /recs/{userId}", "experiment:recsys:food-recs-2019-02"} {
		if !strings.Contains(body, `<tr data-id="`+id+`">`) || !strings.Contains(body, `href="/graph/walk?id=`+hrefQuery(id)+`"`) {
			t.Errorf("the walk lacks %s or its link", id)
		}
	}
	if !strings.Contains(body, `<h2>Distance 2</h2>`) || !strings.Contains(body, "←VERSION_OF-") {
		t.Errorf("walk: no distances or paths:\n%.3000s", body)
	}
	_, body = request(t, ts, "GET", "/graph/walk?id=deployment:recsys:food-recs-api&direction=up&depth=1", "")
	if !strings.Contains(body, `data-id="release:recsys:food-recs"`) || strings.Contains(body, `data-id="api_route:`) {
		t.Errorf("an upward walk from the deployment:\n%s", body)
	}

	for path, code := range map[string]int{
		"/models/model:recsys:nope":                                    404,
		"/models/" + url.PathEscape("deployment:recsys:food-recs-api"): 404, // not a model
		"/graph/walk?id=job:recsys:nope":                               404,
		"/graph/walk":                                                  400,
		"/graph/walk?id=" + model + "&direction=sideways":              400,
		"/graph/walk?id=" + model + "&depth=33":                        400,
	} {
		if resp, body := request(t, ts, "GET", path, ""); resp.StatusCode != code || !strings.Contains(body, "<h1>") {
			t.Errorf("GET %s: %d, want %d: %.300s", path, resp.StatusCode, code, body)
		}
	}
}

// hrefQuery is how html/template writes a value into a link's query:
// %-escapes in lower case, a space as %20.
func hrefQuery(s string) string {
	q := strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
	return regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(q, strings.ToLower)
}

// Ids come from what tools print: every page escapes them, in text,
// links and the SQL it runs.
func TestDashboardModelPagesEscape(t *testing.T) {
	ts := startWithGraph(t)
	model := "model:" + evilNS + ":evil-recs"
	version := "model_version:" + evilNS + ":evil-recs@1/2@3"
	escaped := html.EscapeString(evilNS)
	for _, path := range []string{"/models", "/models/" + url.PathEscape(model), "/graph/walk?id=" + url.QueryEscape(version)} {
		resp, body := request(t, ts, "GET", path, "")
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d %.1000s", path, resp.StatusCode, body)
			continue
		}
		if strings.Contains(body, "<img") || strings.Contains(body, evilNS) {
			t.Errorf("GET %s writes the id unescaped:\n%s", path, body)
		}
		if !strings.Contains(body, "evil-recs") || !strings.Contains(body, escaped) {
			t.Errorf("GET %s lacks the model:\n%s", path, body)
		}
	}
	_, body := request(t, ts, "GET", "/models/"+url.PathEscape(model), "")
	if !strings.Contains(body, `href="/graph/walk?id=`+hrefQuery(version)+`"`) {
		t.Errorf("the version's link:\n%s", body)
	}
	if !strings.Contains(body, "evil-test") {
		t.Errorf("the evil model's experiment is not on its page:\n%s", body)
	}
	// What the graph does not know of it says so.
	for _, want := range []string{`id="jobs">none recorded`, "Charts: none recorded", "Releases: none recorded", `id="deployments">none recorded`, `id="routes">none recorded`} {
		if !strings.Contains(body, want) {
			t.Errorf("the evil model's page lacks %s", want)
		}
	}
}

// A server without a graph says how to configure one on every graph page.
func TestDashboardModelPagesWithoutGraph(t *testing.T) {
	ts := start(t, nil)
	for _, path := range []string{"/models", "/models/model:recsys:food-recs", "/graph/walk?id=model:recsys:food-recs"} {
		resp, body := request(t, ts, "GET", path, "")
		if resp.StatusCode != 200 || !strings.Contains(body, `id="no-graph"`) || !strings.Contains(body, "graph: {path: nectar-graph.db}") {
			t.Errorf("GET %s: %d\n%.2000s", path, resp.StatusCode, body)
		}
	}
}
