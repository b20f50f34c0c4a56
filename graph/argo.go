package graph

import (
	"fmt"
	"strings"
	"time"
)

// The Argo importer reads Workflow, CronWorkflow and WorkflowTemplate
// manifests (YAML or JSON, several documents a file), as `argo get -o
// yaml`, kubectl and Hera's to_yaml() write them.
//
// Each becomes job:<metadata.namespace>:<name> (a generateName without
// its trailing dash), with its kind, entrypoint, schedule, template names,
// labels and annotations as properties. Every template's image (container,
// script, containerSet) RUNS_IMAGE into the job; S3 input artifacts are
// datasets the job READS and S3 output artifacts datasets it WRITES, named
// as OpenLineage names S3 objects (dataset:s3://bucket:key), so the model
// an Argo step writes is the same node a Spark or Airflow job reading it
// reports. A nectar.dev/models annotation (on the manifest or a template)
// says which model versions the job PRODUCES.

var argoKinds = map[string]bool{"Workflow": true, "CronWorkflow": true, "WorkflowTemplate": true, "ClusterWorkflowTemplate": true}

func parseArgo(body []byte, file string, params map[string]string) (*Batch, error) {
	docs, err := readDocs(body, file)
	if err != nil {
		return nil, err
	}
	b := NewBatch()
	for _, d := range docs {
		if err := argoDoc(b, d, defaultNS(params)); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func argoDoc(b *Batch, d node, defNS string) error {
	if !d.isMap() {
		return d.errf("want an Argo manifest (a mapping with kind Workflow or CronWorkflow)")
	}
	kind, err := d.get("kind").need()
	if err != nil {
		return err
	}
	if kind == "List" {
		items, err := d.get("items").items()
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := argoDoc(b, it, defNS); err != nil {
				return err
			}
		}
		return nil
	}
	if !argoKinds[kind] {
		return d.get("kind").errf("%q is not an Argo workflow kind (want Workflow, CronWorkflow, WorkflowTemplate or ClusterWorkflowTemplate)", kind)
	}
	if api, _ := d.get("apiVersion").str(); api != "" && !strings.HasPrefix(api, "argoproj.io/") {
		return d.get("apiVersion").errf("%q: want argoproj.io/v1alpha1", api)
	}
	meta := d.get("metadata")
	name, err := meta.get("name").str()
	if err != nil {
		return err
	}
	if name == "" {
		gen, err := meta.get("generateName").str()
		if err != nil {
			return err
		}
		name = strings.TrimRight(gen, "-.")
	}
	if name == "" {
		return meta.errf("no name or generateName")
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
	annotations, err := meta.get("annotations").strMap()
	if err != nil {
		return err
	}
	var t time.Time
	if ct, _ := meta.get("creationTimestamp").str(); ct != "" {
		if p, err := time.Parse(time.RFC3339, ct); err == nil {
			t = p.UTC()
		}
	}
	spec := d.get("spec")
	props := map[string]any{"argo_kind": kind}
	if kind == "CronWorkflow" {
		sched, err := spec.get("schedule").str()
		if err != nil {
			return err
		}
		if sched != "" {
			props["schedule"] = sched
		}
		scheds, err := spec.get("schedules").items()
		if err != nil {
			return err
		}
		for _, s := range scheds {
			v, err := s.str()
			if err != nil {
				return err
			}
			prev, _ := props["schedule"].(string)
			props["schedule"] = strings.TrimSpace(prev + " " + v)
		}
		spec = spec.get("workflowSpec")
		if !spec.present() {
			return spec.errf("missing (a CronWorkflow's workflow)")
		}
	}
	if e, err := spec.get("entrypoint").str(); err != nil {
		return err
	} else if e != "" {
		props["entrypoint"] = e
	}
	if l := anyMap(labels); l != nil {
		props["labels"] = l
	}
	if a := anyMap(annotations); a != nil {
		props["annotations"] = a
	}
	job := Node{Kind: Job, Namespace: ns, Name: name, Source: KindArgo, Observed: t, Props: props}
	templates, err := spec.get("templates").items()
	if err != nil {
		return err
	}
	var names []any
	for _, tpl := range templates {
		tn, err := tpl.get("name").need()
		if err != nil {
			return err
		}
		names = append(names, tn)
	}
	if len(names) > 0 {
		props["templates"] = names
	}
	b.Node(job)
	if err := argoModels(b, job, meta.get("annotations").get(ModelsAnnotation), ns, t); err != nil {
		return err
	}
	for _, tpl := range templates {
		tn, _ := tpl.get("name").str()
		var images []node
		for _, k := range []string{"container", "script"} {
			if c := tpl.get(k); c.present() {
				images = append(images, c.get("image"))
			}
		}
		cs, err := tpl.get("containerSet").get("containers").items()
		if err != nil {
			return err
		}
		for _, c := range cs {
			images = append(images, c.get("image"))
		}
		for _, in := range images {
			ref, err := in.str()
			if err != nil {
				return err
			}
			if ref == "" {
				continue
			}
			img, err := imageNode(ref, KindArgo, t)
			if err != nil {
				return in.errf("%v", err)
			}
			b.Edge(img, RunsImage, job, map[string]any{"template": tn})
		}
		for _, dir := range []string{"inputs", "outputs"} {
			arts, err := tpl.get(dir).get("artifacts").items()
			if err != nil {
				return err
			}
			for _, a := range arts {
				ds, ok, err := artifactDataset(a, t)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				an, _ := a.get("name").str()
				ep := map[string]any{"template": tn, "artifact": an}
				if dir == "inputs" {
					b.Edge(ds, Reads, job, ep)
				} else {
					b.Edge(job, Writes, ds, ep)
				}
			}
		}
		if err := argoModels(b, job, tpl.get("metadata").get("annotations").get(ModelsAnnotation), ns, t); err != nil {
			return err
		}
	}
	return nil
}

func argoModels(b *Batch, job Node, ann node, ns string, t time.Time) error {
	v, err := ann.str()
	if err != nil || v == "" {
		return err
	}
	refs, err := ParseModelList(v, ns)
	if err != nil {
		return ann.errf("%v", err)
	}
	for _, r := range refs {
		b.Edge(job, Produces, addModel(b, r, KindArgo, t), nil)
	}
	return nil
}

// artifactDataset is the dataset an S3 artifact names; other artifacts
// (git, http, raw, or the default repository's, whose bucket the manifest
// does not say) have none.
func artifactDataset(a node, t time.Time) (Node, bool, error) {
	s3 := a.get("s3")
	if !s3.present() {
		return Node{}, false, nil
	}
	bucket, err := s3.get("bucket").str()
	if err != nil {
		return Node{}, false, err
	}
	key, err := s3.get("key").str()
	if err != nil {
		return Node{}, false, err
	}
	if bucket == "" || key == "" {
		return Node{}, false, nil
	}
	props := map[string]any{}
	if ep, _ := s3.get("endpoint").str(); ep != "" {
		props["endpoint"] = ep
	}
	return Node{Kind: Dataset, Namespace: "s3://" + bucket, Name: strings.TrimPrefix(key, "/"), Source: KindArgo, Observed: t, Props: props}, true, nil
}

// imageNode is image:<registry>:<repository>:<tag>, the registry Docker's
// default (docker.io) when the reference names none, the tag latest when
// it has neither tag nor digest.
func imageNode(ref, source string, t time.Time) (Node, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.ContainsAny(ref, " \t") {
		return Node{}, fmt.Errorf("image %q: not an image reference", ref)
	}
	registry, rest := "docker.io", ref
	if i := strings.IndexByte(ref, '/'); i > 0 {
		first := ref[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			registry, rest = first, ref[i+1:]
		}
	}
	repo, version := rest, "latest"
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		repo, version = rest[:i], rest[i+1:]
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		repo, version = rest[:i], rest[i+1:]
	}
	if repo == "" || version == "" {
		return Node{}, fmt.Errorf("image %q: not an image reference", ref)
	}
	sep := ":"
	if strings.Contains(version, ":") {
		sep = "@" // a digest, sha256:…
	}
	return Node{Kind: Image, Namespace: registry, Name: repo + sep + version, Version: version, Source: source, Observed: t,
		Props: map[string]any{"repository": repo, "reference": ref}}, nil
}
