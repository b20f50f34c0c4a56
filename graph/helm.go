package graph

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The Helm importer reads what Helm prints and what charts hold:
//
//   - `helm list -o json` (a list of releases: name, namespace, revision,
//     updated, status, chart as name-version, app_version);
//   - `helm get metadata RELEASE -o json` (one release, with its chart's
//     name, version, appVersion and annotations);
//   - a chart's Chart.yaml.
//
// Charts are chart:helm:<name> (a release names its chart without the
// repository, so charts are one namespace), with what each version says
// (appVersion, description, annotations) under "versions"; releases are release:<namespace>:<name>, their version the
// revision. A chart INSTALLS into its releases; a nectar.dev/models
// annotation on the chart says which model versions it PACKAGES (without
// a namespace they take the release's, or for a Chart.yaml alone the
// namespace option, "default" if none).

// ChartNamespace is the namespace of every chart node.
const ChartNamespace = "helm"

func parseHelm(body []byte, file string, params map[string]string) (*Batch, error) {
	docs, err := readDocs(body, file)
	if err != nil {
		return nil, err
	}
	b := NewBatch()
	defNS := defaultNS(params)
	for _, d := range docs {
		switch {
		case d.isSeq():
			items, _ := d.items()
			for _, it := range items {
				if err := helmListItem(b, it); err != nil {
					return nil, err
				}
			}
		case d.isMap() && d.get("revision").present() && d.get("chart").present():
			if err := helmMetadata(b, d); err != nil {
				return nil, err
			}
		case d.isMap() && d.get("apiVersion").present() && d.get("name").present() && d.get("version").present():
			if _, err := helmChart(b, d, "", "", defNS, time.Time{}); err != nil {
				return nil, err
			}
		default:
			return nil, d.errf("not Helm output: want `helm list -o json` (a list), `helm get metadata -o json` (with chart and revision) or a Chart.yaml (apiVersion, name, version)")
		}
	}
	return b, nil
}

func helmListItem(b *Batch, d node) error {
	if !d.isMap() {
		return d.errf("want a release (a mapping)")
	}
	name, err := d.get("name").need()
	if err != nil {
		return err
	}
	ns, err := d.get("namespace").need()
	if err != nil {
		return err
	}
	chartText, err := d.get("chart").need()
	if err != nil {
		return err
	}
	chart, version, ok := splitChart(chartText)
	if !ok {
		return d.get("chart").errf("%q: want name-version, as helm list prints it", chartText)
	}
	rev, err := d.get("revision").str()
	if err != nil {
		return err
	}
	props := map[string]any{"chart_version": version}
	for _, k := range []string{"status", "app_version", "updated"} {
		v, err := d.get(k).str()
		if err != nil {
			return err
		}
		if v != "" {
			props[k] = v
		}
	}
	// helm list prints times as Go's time.Time.String().
	updated, _ := props["updated"].(string)
	t, _ := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(updated))
	rel := Node{Kind: Release, Namespace: ns, Name: name, Version: rev, Source: KindHelm, Observed: t.UTC(), Props: props}
	ch := Node{Kind: Chart, Namespace: ChartNamespace, Name: chart, Source: KindHelm, Observed: t.UTC()}
	b.Edge(ch, Installs, rel, map[string]any{"chart_version": version})
	return nil
}

// splitChart splits helm list's "food-recs-2019.02.1" at the first dash
// that starts a version (chart names may hold dashes and digits, and
// prerelease versions dashes: food-recs-1.0.0-rc.1).
func splitChart(s string) (name, version string, ok bool) {
	for i := 1; i < len(s)-1; i++ {
		if s[i] == '-' && chartVersion.MatchString(s[i+1:]) {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

var chartVersion = regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)*([-+][0-9A-Za-z.+-]*)?$`)

func helmMetadata(b *Batch, d node) error {
	name, err := d.get("name").need()
	if err != nil {
		return err
	}
	ns, err := d.get("namespace").str()
	if err != nil {
		return err
	}
	if ns == "" {
		ns = "default"
	}
	var rev string
	if r := d.get("revision"); r.present() {
		if rev, err = r.str(); err != nil {
			return err
		}
		if _, err := strconv.Atoi(rev); err != nil {
			return r.errf("%q: want the revision number", rev)
		}
	}
	props := map[string]any{}
	for _, k := range []string{"status", "deployedAt", "appVersion"} {
		v, err := d.get(k).str()
		if err != nil {
			return err
		}
		if v != "" {
			props[k] = v
		}
	}
	var t time.Time
	if s, ok := props["deployedAt"].(string); ok {
		if p, err := time.Parse(time.RFC3339Nano, s); err == nil {
			t = p.UTC()
		}
	}
	chartVersion, err := d.get("version").need()
	if err != nil {
		return err
	}
	props["chart_version"] = chartVersion
	rel := Node{Kind: Release, Namespace: ns, Name: name, Version: rev, Source: KindHelm, Observed: t, Props: props}
	ch, err := helmChart(b, d, "chart", chartVersion, ns, t)
	if err != nil {
		return err
	}
	b.Edge(ch, Installs, rel, map[string]any{"chart_version": chartVersion})
	return nil
}

// helmChart adds the chart d describes (a Chart.yaml, or the chart part of
// helm get metadata, whose name is under nameKey) and the model versions
// its annotations say it packages.
func helmChart(b *Batch, d node, nameKey, version, ns string, t time.Time) (Node, error) {
	if nameKey == "" {
		nameKey = "name"
		if api, _ := d.get("apiVersion").str(); api != "v1" && api != "v2" && api != "v3" {
			return Node{}, d.get("apiVersion").errf("%q: a Chart.yaml has apiVersion v1 or v2", api)
		}
	}
	name, err := d.get(nameKey).need()
	if err != nil {
		return Node{}, err
	}
	if version == "" {
		if version, err = d.get("version").need(); err != nil {
			return Node{}, err
		}
	}
	props := map[string]any{}
	for _, k := range []string{"appVersion", "description", "type"} {
		v, err := d.get(k).str()
		if err != nil {
			return Node{}, err
		}
		if v != "" {
			props[k] = v
		}
	}
	ann, err := d.get("annotations").strMap()
	if err != nil {
		return Node{}, err
	}
	if a := anyMap(ann); a != nil {
		props["annotations"] = a
	}
	ch := Node{Kind: Chart, Namespace: ChartNamespace, Name: name, Source: KindHelm, Observed: t, Props: map[string]any{"versions": map[string]any{version: props}}}
	b.Node(ch)
	if v := ann[ModelsAnnotation]; v != "" {
		refs, err := ParseModelList(v, ns)
		if err != nil {
			return Node{}, d.get("annotations").get(ModelsAnnotation).errf("%v", err)
		}
		for _, r := range refs {
			b.Edge(addModel(b, r, KindHelm, t), Packages, ch, map[string]any{"chart_version": version})
		}
	}
	return ch, nil
}
