package producers

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	helmtime "helm.sh/helm/v3/pkg/time"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/nectar-dev/nectar/graph"
)

func open(t *testing.T) graph.Store {
	t.Helper()
	s, err := graph.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func importBytes(t *testing.T, s graph.Store, kind string, body []byte, params map[string]string) graph.Report {
	t.Helper()
	rep, err := graph.Import(context.Background(), s, kind, kind+"-output", body, params)
	if err != nil {
		t.Fatalf("import %s:\n%s\n%v", kind, body, err)
	}
	return rep
}

// deployment is what a Helm-installed Deployment looks like to the
// API server: Helm's ownership annotations, a models annotation, two
// containers.
func deployment() *appsv1.Deployment {
	replicas := int32(3)
	labels := map[string]string{"app.kubernetes.io/name": "food-recs-api", "app.kubernetes.io/managed-by": "Helm"}
	return &appsv1.Deployment{
		TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "food-recs-api", Namespace: "recsys", Labels: labels, Generation: 3,
			CreationTimestamp: metav1.NewTime(time.Date(2019, 2, 12, 10, 4, 7, 0, time.UTC)),
			Annotations: map[string]string{
				"meta.helm.sh/release-name": "food-recs", "meta.helm.sh/release-namespace": "recsys",
				"deployment.kubernetes.io/revision": "3", "nectar.dev/models": "food-recs@2019.02",
				"kubectl.kubernetes.io/last-applied-configuration": `{"apiVersion":"apps/v1","kind":"Deployment"}`,
			},
		},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "food-recs-api"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					InitContainers: []corev1.Container{{Name: "warm-cache", Image: "busybox:1.36"}},
					Containers: []corev1.Container{{Name: "api", Image: "ghcr.io/acme/food-recs-api:2019.02",
						Ports: []corev1.ContainerPort{{ContainerPort: 8080}}}},
				},
			},
		},
		Status: appsv1.DeploymentStatus{Replicas: 3, ReadyReplicas: 3},
	}
}

// TestKubectlDeployments: `kubectl get deploy -o json` prints a v1 List
// of Deployments, each with its apiVersion and kind; a single object
// (kubectl get deploy NAME -o json, or -o yaml) is read too.
func TestKubectlDeployments(t *testing.T) {
	s := open(t)
	list := metav1.List{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "List"}, Items: []runtime.RawExtension{{Object: deployment()}}}
	body, err := json.MarshalIndent(list, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	rep := importBytes(t, s, graph.KindKubernetes, body, nil)
	if rep.Nodes.Added != 6 || rep.Edges.Added != 5 {
		t.Fatalf("%s", rep)
	}
	ctx := context.Background()
	d, err := s.Node(ctx, "deployment:recsys:food-recs-api")
	if err != nil {
		t.Fatal(err)
	}
	ann := d.Props["annotations"].(map[string]any)
	if d.Props["replicas"] != "3" || ann["kubectl.kubernetes.io/last-applied-configuration"] != nil || ann["meta.helm.sh/release-name"] != "food-recs" {
		t.Fatalf("deployment: %v", d.Props)
	}
	edges, _ := s.Edges(ctx, d.ID())
	want := map[string]bool{
		"release:recsys:food-recs -MANAGES->":                    true,
		"image:docker.io:busybox:1.36 -RUNS_IMAGE->":             true,
		"image:ghcr.io:acme/food-recs-api:2019.02 -RUNS_IMAGE->": true,
		"model_version:recsys:food-recs@2019.02 -SERVES->":       true,
	}
	for _, e := range edges {
		delete(want, e.Src+" -"+string(e.Rel)+"->")
	}
	if len(want) > 0 {
		t.Fatalf("missing edges %v", want)
	}
	one, _ := yaml.Marshal(deployment())
	if rep := importBytes(t, s, graph.KindKubernetes, one, nil); rep.Changed() {
		t.Fatalf("the same Deployment as YAML changed the graph: %s", rep)
	}
}

// chartMetadata is the chart's Chart.yaml as Helm's own type.
func chartMetadata(version string) *chart.Metadata {
	return &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "food-recs", Version: version, AppVersion: "2019.02",
		Description: "Serves the food recommender", Type: "application",
		Annotations:  map[string]string{"nectar.dev/models": "food-recs@2019.02"},
		Dependencies: []*chart.Dependency{{Name: "redis", Version: "18.1.0", Repository: "oci://registry-1.docker.io/bitnamicharts"}}}
}

func helmRelease(name string, revision int, md *chart.Metadata) *release.Release {
	return &release.Release{Name: name, Namespace: "recsys", Version: revision,
		Info:  &release.Info{Status: release.StatusDeployed, LastDeployed: helmtime.Time{Time: time.Date(2019, 2, 12, 10, 4, 5, 123456789, time.UTC)}},
		Chart: &chart.Chart{Metadata: md}}
}

// listElement is `helm list -o json`'s element as cmd/helm/list.go
// (Helm v3.22.1, package main, so not importable) fills it from a
// release: newReleaseListWriter, formatChartName, formatAppVersion.
type listElement struct {
	Name       string `json:"name"`
	Namespace  string `json:"namespace"`
	Revision   string `json:"revision"`
	Updated    string `json:"updated"`
	Status     string `json:"status"`
	Chart      string `json:"chart"`
	AppVersion string `json:"app_version"`
}

func listed(r *release.Release) listElement {
	return listElement{Name: r.Name, Namespace: r.Namespace, Revision: strconv.Itoa(r.Version), Updated: r.Info.LastDeployed.String(),
		Status: r.Info.Status.String(), Chart: fmt.Sprintf("%s-%s", r.Chart.Name(), r.Chart.Metadata.Version), AppVersion: r.Chart.AppVersion()}
}

// getMetadata is `helm get metadata -o json`: pkg/action.Metadata
// (Helm v3.22.1) as GetMetadata.Run fills it. The type is copied rather
// than imported: pkg/action brings in client-go and most of Kubernetes.
type getMetadata struct {
	Name         string              `json:"name" yaml:"name"`
	Chart        string              `json:"chart" yaml:"chart"`
	Version      string              `json:"version" yaml:"version"`
	AppVersion   string              `json:"appVersion" yaml:"appVersion"`
	Annotations  map[string]string   `json:"annotations,omitempty" yaml:"annotations,omitempty"`
	Dependencies []*chart.Dependency `json:"dependencies,omitempty" yaml:"dependencies,omitempty"`
	Namespace    string              `json:"namespace" yaml:"namespace"`
	Revision     int                 `json:"revision" yaml:"revision"`
	Status       string              `json:"status" yaml:"status"`
	DeployedAt   string              `json:"deployedAt" yaml:"deployedAt"`
}

func metadataOf(r *release.Release) getMetadata {
	md := r.Chart.Metadata
	return getMetadata{Name: r.Name, Chart: md.Name, Version: md.Version, AppVersion: md.AppVersion, Dependencies: md.Dependencies,
		Annotations: md.Annotations, Namespace: r.Namespace, Revision: r.Version, Status: r.Info.Status.String(),
		DeployedAt: r.Info.LastDeployed.Format(time.RFC3339)}
}

func TestHelmOutputs(t *testing.T) {
	s := open(t)
	md := chartMetadata("2019.02.1")
	if err := md.Validate(); err != nil {
		t.Fatalf("Helm refuses the test's chart: %v", err)
	}
	// Chart.yaml as chartutil.SaveChartfile writes it (sigs.k8s.io/yaml).
	chartYAML, err := yaml.Marshal(md)
	if err != nil {
		t.Fatal(err)
	}
	importBytes(t, s, graph.KindHelm, chartYAML, map[string]string{graph.ParamNamespace: "recsys"})

	rels := []*release.Release{helmRelease("food-recs", 3, md), helmRelease("food-recs-canary", 1, chartMetadata("2019.03.0-rc.1"))}
	var elems []listElement
	for _, r := range rels {
		elems = append(elems, listed(r))
	}
	list, _ := json.Marshal(elems)
	rep := importBytes(t, s, graph.KindHelm, list, nil)
	if rep.Edges.Added != 2 {
		t.Fatalf("helm list: %s\n%s", rep, list)
	}
	meta, _ := json.Marshal(metadataOf(rels[0]))
	importBytes(t, s, graph.KindHelm, meta, nil)
	metaYAML, _ := yaml.Marshal(metadataOf(rels[0]))
	if rep := importBytes(t, s, graph.KindHelm, metaYAML, nil); rep.Changed() {
		t.Fatalf("helm get metadata -o yaml changed what -o json said: %s", rep)
	}

	ctx := context.Background()
	rel, err := s.Node(ctx, "release:recsys:food-recs")
	if err != nil {
		t.Fatal(err)
	}
	if rel.Version != "3" || rel.Props["status"] != "deployed" || rel.Props["chart_version"] != "2019.02.1" {
		t.Fatalf("release: %+v", rel)
	}
	canary, err := s.Node(ctx, "release:recsys:food-recs-canary")
	if err != nil || canary.Props["chart_version"] != "2019.03.0-rc.1" || canary.Observed.IsZero() {
		t.Fatalf("canary: %+v %v", canary, err)
	}
	ch, _ := s.Node(ctx, "chart:helm:food-recs")
	v := ch.Props["versions"].(map[string]any)["2019.02.1"].(map[string]any)
	if v["description"] != "Serves the food recommender" || v["appVersion"] != "2019.02" {
		t.Fatalf("chart: %v", ch.Props)
	}
	steps, err := s.Walk(ctx, "model:recsys:food-recs", graph.Walk{Direction: graph.Both, Depth: 3, Kinds: []graph.Kind{graph.Release}})
	if err != nil || len(steps) != 2 {
		t.Fatalf("model → version → chart → releases: %+v %v", steps, err)
	}
}
