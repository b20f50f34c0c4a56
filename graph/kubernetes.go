package graph

import (
	"time"
)

// The Kubernetes importer reads `kubectl get deploy -o json` (a List) or
// one Deployment, JSON or YAML; StatefulSets and DaemonSets are read the
// same way, as deployment nodes with their kind as a property.
//
// Each becomes deployment:<namespace>:<name> with its labels, annotations
// (less kubectl's last-applied-configuration, a copy of the manifest),
// replicas and images. The annotations Helm puts on what it installs,
// meta.helm.sh/release-name and meta.helm.sh/release-namespace, join it
// to its release (release MANAGES deployment); each container's image
// RUNS_IMAGE into it; a nectar.dev/models annotation, on the deployment or
// its pod template, names the model versions it SERVES.

const (
	helmReleaseName      = "meta.helm.sh/release-name"
	helmReleaseNamespace = "meta.helm.sh/release-namespace"
	lastApplied          = "kubectl.kubernetes.io/last-applied-configuration"
)

var workloadKinds = map[string]bool{"Deployment": true, "StatefulSet": true, "DaemonSet": true}

func parseKubernetes(body []byte, file string, params map[string]string) (*Batch, error) {
	docs, err := readDocs(body, file)
	if err != nil {
		return nil, err
	}
	b := NewBatch()
	for _, d := range docs {
		if err := k8sDoc(b, d, defaultNS(params)); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func k8sDoc(b *Batch, d node, defNS string) error {
	if !d.isMap() {
		return d.errf("want a Kubernetes object or List (a mapping with kind)")
	}
	kind, err := d.get("kind").need()
	if err != nil {
		return err
	}
	if kind == "List" || kind == "DeploymentList" {
		items, err := d.get("items").items()
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := k8sDoc(b, it, defNS); err != nil {
				return err
			}
		}
		return nil
	}
	if !workloadKinds[kind] {
		return d.get("kind").errf("%q: want Deployment (or StatefulSet, DaemonSet), as kubectl get deploy -o json prints", kind)
	}
	meta := d.get("metadata")
	name, err := meta.get("name").need()
	if err != nil {
		return err
	}
	ns, err := meta.get("namespace").str()
	if err != nil {
		return err
	}
	if ns == "" {
		ns = defNS
	}
	labels, err := meta.get("labels").strMap()
	if err != nil {
		return err
	}
	ann, err := meta.get("annotations").strMap()
	if err != nil {
		return err
	}
	delete(ann, lastApplied)
	var t time.Time
	if ct, _ := meta.get("creationTimestamp").str(); ct != "" {
		if p, err := time.Parse(time.RFC3339, ct); err == nil {
			t = p.UTC()
		}
	}
	spec := d.get("spec")
	props := map[string]any{}
	if kind != "Deployment" {
		props["workload_kind"] = kind
	}
	if l := anyMap(labels); l != nil {
		props["labels"] = l
	}
	if a := anyMap(ann); a != nil {
		props["annotations"] = a
	}
	if r := spec.get("replicas"); r.present() {
		v, err := r.str()
		if err != nil {
			return err
		}
		props["replicas"] = v
	}
	pod := spec.get("template")
	podAnn, err := pod.get("metadata").get("annotations").strMap()
	if err != nil {
		return err
	}
	var images []any
	type ctr struct {
		name, image string
		at          node
	}
	var ctrs []ctr
	for _, k := range []string{"initContainers", "containers"} {
		cs, err := pod.get("spec").get(k).items()
		if err != nil {
			return err
		}
		for _, c := range cs {
			cn, err := c.get("name").str()
			if err != nil {
				return err
			}
			img, err := c.get("image").need()
			if err != nil {
				return err
			}
			ctrs = append(ctrs, ctr{cn, img, c.get("image")})
			images = append(images, img)
		}
	}
	if len(images) > 0 {
		props["images"] = images
	}
	dep := Node{Kind: Deployment, Namespace: ns, Name: name, Source: KindKubernetes, Observed: t, Props: props}
	b.Node(dep)
	for _, c := range ctrs {
		img, err := imageNode(c.image, KindKubernetes, t)
		if err != nil {
			return c.at.errf("%v", err)
		}
		b.Edge(img, RunsImage, dep, map[string]any{"container": c.name})
	}
	if rel := ann[helmReleaseName]; rel != "" {
		relNS := ann[helmReleaseNamespace]
		if relNS == "" {
			relNS = ns
		}
		b.Edge(Node{Kind: Release, Namespace: relNS, Name: rel, Source: KindKubernetes, Observed: t}, Manages, dep, nil)
	}
	for _, src := range []struct {
		v  string
		at node
	}{{ann[ModelsAnnotation], meta.get("annotations").get(ModelsAnnotation)}, {podAnn[ModelsAnnotation], pod.get("metadata").get("annotations").get(ModelsAnnotation)}} {
		if src.v == "" {
			continue
		}
		refs, err := ParseModelList(src.v, ns)
		if err != nil {
			return src.at.errf("%v", err)
		}
		for _, r := range refs {
			b.Edge(addModel(b, r, KindKubernetes, t), Serves, dep, nil)
		}
	}
	return nil
}
