package graph

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds every importer hostile input: it must refuse it with an
// ErrInput, never panic, and parse the same bytes to the same batch (what
// makes importing twice change nothing and a rebuild give the same graph).
func FuzzParse(f *testing.F) {
	seeds := map[string]string{
		"recsys/openlineage.jsonl": KindOpenLineage, "recsys/argo-train.yaml": KindArgo,
		"recsys/Chart.yaml": KindHelm, "recsys/helm-list.json": KindHelm, "recsys/helm-metadata.json": KindHelm,
		"recsys/deploy.json": KindKubernetes, "recsys/openapi.yaml": KindOpenAPI,
	}
	kinds := append(append([]string{}, ImportKinds...), KindExperiment)
	for file, kind := range seeds {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		if kind == KindOpenLineage {
			data = []byte(strings.SplitN(string(data), "\n", 2)[0])
		}
		for i, k := range kinds {
			if k == kind {
				f.Add(uint8(i), data)
			}
		}
	}
	f.Add(uint8(0), []byte(`{"eventType":"START","run":{"runId":"x"},"job":{"namespace":"n","name":"j"}}`))
	f.Add(uint8(1), []byte("kind: Workflow\nspec: {templates: [{name: t, container: {image: i}}]}"))
	f.Fuzz(func(t *testing.T, k uint8, body []byte) {
		kind := kinds[int(k)%len(kinds)]
		raw := &Raw{Kind: kind, Origin: "fuzz", Body: body}
		b1, err1 := Parse(raw)
		b2, err2 := Parse(raw)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("%s: parsed once and refused once: %v / %v", kind, err1, err2)
		}
		if err1 != nil {
			return
		}
		if j1, j2 := batchText(t, b1), batchText(t, b2); j1 != j2 {
			t.Fatalf("%s: the same input gave two batches:\n%s\n%s", kind, j1, j2)
		}
	})
}

// batchText renders what a batch says, in its order.
func batchText(t *testing.T, b *Batch) string {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	for _, id := range b.order {
		if err := enc.Encode(b.nodes[id]); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range b.eord {
		if err := enc.Encode(b.edges[k]); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Encode([]any{b.ScoreKey, b.Scores}); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}
