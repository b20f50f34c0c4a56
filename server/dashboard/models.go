package dashboard

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// A model's page walks the graph both ways from the model, as far as
// model ← version → chart → release → deployment → route (5 steps), and
// keeps the kinds it shows: datasets and images are walked through, not
// returned (a deployment's images are among its properties).
const (
	modelDepth = 6
	modelKinds = "model,model_version,job,run,chart,release,deployment,api_route,experiment"
	// modelMaxNodes bounds one model's walk: a training job with years
	// of daily runs is most of it.
	modelMaxNodes = 20000
	runsShown     = 5 // a job's last runs on the page
)

// step is one step of a walk from a node of kind from.
type step struct {
	from, rel string
	down      bool
}

// belongs are the steps that keep a node the model's own: its versions,
// the jobs that produce them and their runs, the charts that package them
// and the releases that install those, the deployments and routes that
// serve them, and the experiments that evaluate them. A walk both ways
// also reaches other models through what they share (a feature dataset
// two trainers read, a chart that packages two models); those arrive by
// other steps and stay off the page, though the impact walk shows them.
// A walk keeps one shortest path per node, so a node both the model's and
// another's is judged by that path.
var belongs = map[step]bool{
	{"model", "VERSION_OF", false}:       true,
	{"model", "PRODUCES", false}:         true,
	{"model_version", "PRODUCES", false}: true,
	{"job", "RUN_OF", true}:              true,
	{"model", "PACKAGES", true}:          true,
	{"model_version", "PACKAGES", true}:  true,
	{"chart", "INSTALLS", true}:          true,
	{"release", "MANAGES", true}:         true,
	{"deployment", "MANAGES", false}:     true,
	{"model", "SERVES", true}:            true,
	{"model_version", "SERVES", true}:    true,
	{"deployment", "EXPOSES", true}:      true,
	{"model", "EVALUATES", true}:         true,
	{"model_version", "EVALUATES", true}: true,
}

// modelGraph is a model and what belongs to it.
type modelGraph struct {
	Model       gnode
	Versions    []gnode // the highest version first
	Jobs        []jobView
	HelmCharts  []gnode
	Releases    []gnode
	Deployments []gnode
	Routes      []gnode
	Experiments []gnode
	Truncated   bool // the walk reached more than modelMaxNodes
}

// jobView is a job that trains the model, with its last runs.
type jobView struct {
	gnode
	Runs     []runView // newest first, at most runsShown
	RunCount int
}

// runView is a run as OpenLineage reported it (docs/GRAPH.md): its state
// is its last event's type, and each event's time is kept.
type runView struct {
	gnode
	State          string
	Started, Ended time.Time
}

// errNotModel is modelGraph's error for an id that is not a model's.
var errNotModel = errors.New("not a model")

// modelGraph walks from the model id and keeps what belongs to it: a
// node whose walk's last step, from a node kept before it (the walk
// comes nearest first), is one of belongs.
func (d *Dashboard) modelGraph(r *http.Request, id string) (*modelGraph, error) {
	nodes, more, err := d.walk(r, id, "both", modelDepth, modelKinds, modelMaxNodes)
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 || nodes[0].Distance != 0 || nodes[0].Kind != "model" {
		return nil, fmt.Errorf("%s: %w", id, errNotModel)
	}
	m := &modelGraph{Model: nodes[0], Truncated: more}
	kinds := map[string]string{id: "model"} // the nodes kept so far
	jobs := map[string]int{}                // index in m.Jobs
	runs := map[string][]runView{}          // by job
	for _, n := range nodes[1:] {
		if len(n.Hops) == 0 {
			continue
		}
		last := n.Hops[len(n.Hops)-1]
		parent := id
		if len(n.Hops) > 1 {
			parent = n.Hops[len(n.Hops)-2].To
		}
		from, ok := kinds[parent]
		if !ok || !belongs[step{from, last.Rel, last.Down}] {
			continue
		}
		kinds[n.ID] = n.Kind
		switch n.Kind {
		case "model_version":
			m.Versions = append(m.Versions, n)
		case "job":
			jobs[n.ID] = len(m.Jobs)
			m.Jobs = append(m.Jobs, jobView{gnode: n})
		case "run":
			runs[parent] = append(runs[parent], newRun(n))
		case "chart":
			m.HelmCharts = append(m.HelmCharts, n)
		case "release":
			m.Releases = append(m.Releases, n)
		case "deployment":
			m.Deployments = append(m.Deployments, n)
		case "api_route":
			m.Routes = append(m.Routes, n)
		case "experiment":
			m.Experiments = append(m.Experiments, n)
		}
	}
	slices.SortStableFunc(m.Versions, func(a, b gnode) int { return compareVersions(b.Version, a.Version) })
	for job, rs := range runs {
		slices.SortStableFunc(rs, func(a, b runView) int { return b.Started.Compare(a.Started) })
		j := &m.Jobs[jobs[job]]
		j.RunCount = len(rs)
		j.Runs = rs[:min(len(rs), runsShown)]
	}
	return m, nil
}

func newRun(n gnode) runView {
	r := runView{gnode: n, State: propText(n.Props, "state")}
	r.Started = propTime(n.Props, "start_time")
	if s := strings.ToLower(r.State); s != "" && s != "start" && s != "running" {
		r.Ended = propTime(n.Props, s+"_time")
	}
	return r
}

func propTime(props map[string]any, key string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, propText(props, key))
	return t
}

// compareVersions orders version texts as people number them: runs of
// digits by their value (2019.10 after 2019.9), the rest as text.
func compareVersions(a, b string) int {
	for a != "" && b != "" {
		pa, ra := versionPart(a)
		pb, rb := versionPart(b)
		na, errA := strconv.ParseUint(pa, 10, 64)
		nb, errB := strconv.ParseUint(pb, 10, 64)
		c := 0
		switch {
		case errA == nil && errB == nil:
			c = cmp.Compare(na, nb)
		default:
			c = strings.Compare(pa, pb)
		}
		if c != 0 {
			return c
		}
		a, b = ra, rb
	}
	return cmp.Compare(len(a), len(b))
}

// versionPart splits the leading run of digits, or of other characters,
// off s.
func versionPart(s string) (string, string) {
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	i := 1
	for i < len(s) && digit(s[i]) == digit(s[0]) {
		i++
	}
	return s[:i], s[i:]
}

// modelSummary is a row of the models page.
type modelSummary struct {
	ID, Namespace, Name string
	Versions            int
	Latest              string
	Deployments         int
	LastWindow          time.Time // the end of the last window scored
	Error               string
}

// modelsPage lists the graph's models, each with what its page would
// show in brief: one walk per model, as its page walks.
func (d *Dashboard) modelsPage(w http.ResponseWriter, r *http.Request) {
	if !d.hasGraph(r) {
		d.noGraph(w, r, "Models")
		return
	}
	view := struct {
		Models []modelSummary
		Error  string
	}{}
	ids, err := d.ask(r, "SELECT id FROM graph_nodes WHERE kind = 'model' ORDER BY id")
	if err != nil {
		view.Error = err.Error()
		d.render(w, r, "models", "Models", view)
		return
	}
	lastEnd := map[string]time.Time{}
	if a, err := d.ask(r, "SELECT experiment, max(window_end) AS last FROM graph_scores GROUP BY experiment"); err == nil {
		for _, row := range a.rows {
			lastEnd[a.str(row, "experiment")] = a.val(row, "last").Time()
		}
	} else {
		view.Error = "graph_scores: " + err.Error()
	}
	for _, row := range ids.rows {
		id := ids.str(row, "id")
		s := modelSummary{ID: id}
		m, err := d.modelGraph(r, id)
		if err != nil {
			s.Error = err.Error()
			view.Models = append(view.Models, s)
			continue
		}
		s.Namespace, s.Name = m.Model.Namespace, m.Model.Name
		s.Versions, s.Deployments = len(m.Versions), len(m.Deployments)
		if len(m.Versions) > 0 {
			s.Latest = m.Versions[0].Version
		}
		for _, x := range m.Experiments {
			if t := lastEnd[x.ID]; t.After(s.LastWindow) {
				s.LastWindow = t
			}
		}
		view.Models = append(view.Models, s)
	}
	d.render(w, r, "models", "Models", view)
}

// modelView is a model's page.
type modelView struct {
	*modelGraph
	ScoreCharts []metricChart
	Scores      []score
	ScoresError string
}

// score is a row of graph_scores.
type score struct {
	Experiment, Variant, ModelVersion, Metric, MetricType string
	Control                                               bool
	WindowStart, WindowEnd                                time.Time
	Units                                                 int64
	Mean                                                  float64
	RelLift, RelLow, RelHigh, RelPHolm, ChanceToWin       *float64
}

// metricChart is one metric's relative lifts over time, drawn by
// chart.js from Spec (JSON) in the browser.
type metricChart struct {
	Metric string
	Spec   string
	Points int
	Note   string // why nothing is drawn
}

// modelPage is one model: its versions, what trains, packages, deploys
// and serves them, and how they scored in experiments over time.
func (d *Dashboard) modelPage(w http.ResponseWriter, r *http.Request) {
	if !d.hasGraph(r) {
		d.noGraph(w, r, "Model")
		return
	}
	id := r.PathValue("id")
	m, err := d.modelGraph(r, id)
	switch {
	case errors.As(err, new(errNoNode)) || errors.Is(err, errNotModel):
		d.errorPage(w, r, http.StatusNotFound, "No model "+id+" in the graph: its id is model:namespace:name, as on the models page.")
		return
	case err != nil:
		d.log.Warn("dashboard: model", "id", id, "error", err)
		d.errorPage(w, r, http.StatusInternalServerError, "The model graph could not be read: "+err.Error())
		return
	}
	v := modelView{modelGraph: m}
	if len(m.Experiments) > 0 {
		v.Scores, err = d.scores(r, m.Experiments)
		if err != nil {
			d.log.Warn("dashboard: model scores", "id", id, "error", err)
			v.ScoresError = err.Error()
		}
		v.ScoreCharts = liftCharts(v.Scores)
	}
	d.render(w, r, "model", "Model "+id, v)
}

// scores reads the scores of the experiments, by metric and window.
func (d *Dashboard) scores(r *http.Request, experiments []gnode) ([]score, error) {
	ids := make([]string, len(experiments))
	for i, x := range experiments {
		ids[i] = syntax.QuoteString(x.ID)
	}
	a, err := d.ask(r, `SELECT experiment, variant, model_version, metric, metric_type, control, window_start, window_end, units, mean,
  rel_lift, rel_ci_low, rel_ci_high, rel_p_holm, chance_to_win
FROM graph_scores WHERE experiment IN (`+strings.Join(ids, ", ")+`)
ORDER BY metric, window_end, window_start, experiment, control DESC, variant`)
	if err != nil {
		return nil, fmt.Errorf("graph_scores: %w", err)
	}
	opt := func(row []types.Value, col string) *float64 {
		v := a.val(row, col)
		if v.IsNull() || (v.K != types.Float && v.K != types.Int) {
			return nil
		}
		f := v.AsFloat()
		return &f
	}
	out := make([]score, 0, len(a.rows))
	for _, row := range a.rows {
		out = append(out, score{Experiment: a.str(row, "experiment"), Variant: a.str(row, "variant"), ModelVersion: a.str(row, "model_version"),
			Metric: a.str(row, "metric"), MetricType: a.str(row, "metric_type"), Control: a.val(row, "control").Bool(),
			WindowStart: a.val(row, "window_start").Time(), WindowEnd: a.val(row, "window_end").Time(),
			Units: a.val(row, "units").I, Mean: a.val(row, "mean").AsFloat(),
			RelLift: opt(row, "rel_lift"), RelLow: opt(row, "rel_ci_low"), RelHigh: opt(row, "rel_ci_high"),
			RelPHolm: opt(row, "rel_p_holm"), ChanceToWin: opt(row, "chance_to_win")})
	}
	return out, nil
}

// chartSpec is chart.js's plot argument: one x (window ends, ms since the
// epoch) shared by the series, a value (or null) per x in each, and the
// interval around it.
type chartSpec struct {
	Kind   string        `json:"kind"`
	XKind  string        `json:"xKind"`
	X      []int64       `json:"x"`
	Series []chartSeries `json:"series"`
	Legend bool          `json:"legend"`
	Label  string        `json:"label"`
}

type chartSeries struct {
	Name   string     `json:"name"`
	Values []*float64 `json:"values"`
	Lo     []*float64 `json:"lo"`
	Hi     []*float64 `json:"hi"`
}

// liftCharts draws, per metric, each treatment's relative lift (in %)
// with its confidence interval at the end of every window recorded: a
// daily --record with an open window grows the window, so the points
// show the estimate settling as data comes in. Scores are by metric.
func liftCharts(scores []score) []metricChart {
	var out []metricChart
	for len(scores) > 0 {
		metric := scores[0].Metric
		n := 1
		for n < len(scores) && scores[n].Metric == metric {
			n++
		}
		out = append(out, liftChart(metric, scores[:n]))
		scores = scores[n:]
	}
	return out
}

func liftChart(metric string, scores []score) metricChart {
	experiments := map[string]bool{}
	for _, s := range scores {
		experiments[s.Experiment] = true
	}
	type key struct{ experiment, variant string }
	var order []key
	var names []string
	index := map[key]int{}
	var xs []int64
	for _, s := range scores {
		if s.RelLift == nil || !finite(*s.RelLift) {
			continue
		}
		k := key{s.Experiment, s.Variant}
		if _, ok := index[k]; !ok {
			index[k] = len(order)
			order = append(order, k)
			name := s.Variant
			if len(experiments) > 1 {
				name = strings.TrimPrefix(s.Experiment, "experiment:") + " " + name
			}
			if _, v, ok := strings.Cut(s.ModelVersion, "@"); ok {
				name += " (" + v + ")"
			}
			names = append(names, name)
		}
		if x := s.WindowEnd.UnixMilli(); !slices.Contains(xs, x) {
			xs = append(xs, x)
		}
	}
	if len(order) == 0 {
		return metricChart{Metric: metric, Note: "no relative lift recorded (only controls, or no comparison could be made)"}
	}
	slices.Sort(xs)
	spec := chartSpec{Kind: "line", XKind: "time", X: xs, Legend: true, Label: metric + ": relative lift, %"}
	spec.Series = make([]chartSeries, len(order))
	for i := range order {
		spec.Series[i] = chartSeries{Name: names[i], Values: make([]*float64, len(xs)), Lo: make([]*float64, len(xs)), Hi: make([]*float64, len(xs))}
	}
	points := 0
	pct := func(f *float64) *float64 {
		if f == nil || !finite(*f) {
			return nil
		}
		p := 100 * *f
		return &p
	}
	for _, s := range scores {
		i, ok := index[key{s.Experiment, s.Variant}]
		if !ok || s.RelLift == nil || !finite(*s.RelLift) {
			continue
		}
		j, _ := slices.BinarySearch(xs, s.WindowEnd.UnixMilli())
		ser := &spec.Series[i]
		ser.Values[j], ser.Lo[j], ser.Hi[j] = pct(s.RelLift), pct(s.RelLow), pct(s.RelHigh)
		points++
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return metricChart{Metric: metric, Note: err.Error()}
	}
	return metricChart{Metric: metric, Spec: string(b), Points: points}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
