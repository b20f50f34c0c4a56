package graph

import (
	"fmt"
	"strings"
)

// The OpenAPI importer reads an OpenAPI 3 (or Swagger 2) document, JSON or
// YAML. Each operation becomes api_route:<api>:<METHOD path>, where <api>
// is the namespace option, else the serving deployment's namespace/name,
// else the document's info.title; its operationId, summary and tags are
// properties. An x-nectar-model extension (on the operation, its path, or
// the document) names the model versions the route SERVES; the
// served_by option (nectar graph import openapi --served-by) names the
// deployment that EXPOSES every route.

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// ModelExtension is the OpenAPI extension naming a route's models.
const ModelExtension = "x-nectar-model"

func parseOpenAPI(body []byte, file string, params map[string]string) (*Batch, error) {
	docs, err := readDocs(body, file)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 {
		return nil, docs[1].errf("an OpenAPI file holds one document, this one has %d", len(docs))
	}
	d := docs[0]
	if !d.isMap() {
		return nil, d.errf("want an OpenAPI document (a mapping with openapi and paths)")
	}
	v, err := d.get("openapi").str()
	if err != nil {
		return nil, err
	}
	if v == "" {
		if v, err = d.get("swagger").str(); err != nil {
			return nil, err
		}
	}
	if v == "" {
		return nil, d.get("openapi").errf("missing: not an OpenAPI document")
	}
	title, err := d.get("info").get("title").str()
	if err != nil {
		return nil, err
	}
	apiVersion, err := d.get("info").get("version").str()
	if err != nil {
		return nil, err
	}
	modelNS := params[ParamNamespace]
	api := params[ParamNamespace]
	var dep *Node
	if sb := params[ParamServedBy]; sb != "" {
		ns, name, err := parseServedBy(sb)
		if err != nil {
			return nil, &InputError{File: file, Msg: err.Error()}
		}
		dep = &Node{Kind: Deployment, Namespace: ns, Name: name, Source: KindOpenAPI}
		if api == "" {
			api = ns + "/" + name
		}
		if modelNS == "" {
			modelNS = ns
		}
	}
	if api == "" {
		api = title
	}
	if api == "" {
		return nil, d.get("info").get("title").errf("missing: name the API with info.title, --namespace or --served-by")
	}
	if modelNS == "" {
		modelNS = "default"
	}
	b := NewBatch()
	paths := d.get("paths")
	keys, err := paths.keys()
	if err != nil {
		return nil, err
	}
	docModels := d.get(ModelExtension)
	if !docModels.present() {
		docModels = d.get("info").get(ModelExtension)
	}
	for _, p := range keys {
		item := paths.get(p)
		if !item.isMap() {
			return nil, item.errf("want a path item (a mapping of operations)")
		}
		for _, m := range httpMethods {
			op := item.get(m)
			if !op.present() {
				continue
			}
			if !op.isMap() {
				return nil, op.errf("want an operation (a mapping)")
			}
			props := map[string]any{"method": strings.ToUpper(m), "path": p}
			if title != "" {
				props["api"] = title
			}
			if apiVersion != "" {
				props["api_version"] = apiVersion
			}
			for _, k := range []string{"operationId", "summary"} {
				s, err := op.get(k).str()
				if err != nil {
					return nil, err
				}
				if s != "" {
					props[k] = s
				}
			}
			tags, err := op.get("tags").items()
			if err != nil {
				return nil, err
			}
			var tl []any
			for _, t := range tags {
				s, err := t.str()
				if err != nil {
					return nil, err
				}
				tl = append(tl, s)
			}
			if len(tl) > 0 {
				props["tags"] = tl
			}
			route := Node{Kind: APIRoute, Namespace: api, Name: strings.ToUpper(m) + " " + p, Source: KindOpenAPI, Props: props}
			b.Node(route)
			if dep != nil {
				b.Edge(*dep, Exposes, route, nil)
			}
			// The nearest extension wins: operation, then path, then
			// document.
			for _, at := range []node{op.get(ModelExtension), item.get(ModelExtension), docModels} {
				if !at.present() {
					continue
				}
				refs, err := extensionModels(at, modelNS)
				if err != nil {
					return nil, err
				}
				for _, r := range refs {
					b.Edge(addModel(b, r, KindOpenAPI, route.Observed), Serves, route, nil)
				}
				break
			}
		}
	}
	return b, nil
}

// extensionModels reads x-nectar-model: a reference, a comma-separated
// list, or a YAML list of references.
func extensionModels(at node, ns string) ([]ModelRef, error) {
	var texts []node
	if at.isSeq() {
		items, _ := at.items()
		texts = items
	} else {
		texts = []node{at}
	}
	var out []ModelRef
	for _, t := range texts {
		s, err := t.need()
		if err != nil {
			return nil, err
		}
		refs, err := ParseModelList(s, ns)
		if err != nil {
			return nil, t.errf("%v", err)
		}
		out = append(out, refs...)
	}
	return out, nil
}

// parseServedBy reads deployment:ns:name or ns/name.
func parseServedBy(s string) (ns, name string, err error) {
	if rest, ok := strings.CutPrefix(s, string(Deployment)+":"); ok {
		ns, name, ok = strings.Cut(rest, ":")
		if ok && ns != "" && name != "" {
			return ns, name, nil
		}
	} else if ns, name, ok := strings.Cut(s, "/"); ok && ns != "" && name != "" && !strings.Contains(name, "/") {
		return ns, name, nil
	}
	return "", "", fmt.Errorf("--served-by %q: want deployment:NAMESPACE:NAME or NAMESPACE/NAME", s)
}
