package graph

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The benchmarks of docs/BENCHMARKS.md ("Model graph"): a depth-6 walk
// over a graph of 1M edges, and importing 100k OpenLineage events, on
// SQLite and (with NECTAR_POSTGRES, as scripts/postgres-test.sh sets it)
// PostgreSQL:
//
//	go test ./graph -run '^$' -bench . -benchtime 200x
//	scripts/postgres-test.sh -run '^$' -bench . -benchtime 200x

// benchPipelines is how many model pipelines the walk graph holds; each
// has 50 edges (benchPipeline), so 20,000 make 1M.
const benchPipelines = 20000

// benchPipeline adds one model's pipeline: three raw datasets from a
// shared pool (so popular tables are hubs read by ~30 pipelines), a
// feature job, a training job with 8 runs, 3 model versions, a chart, 2
// releases, their deployments and images, and 6 API routes.
func benchPipeline(b *Batch, i int, rng *rand.Rand) {
	ns := fmt.Sprintf("team%d", i%50)
	node := func(k Kind, name string) Node { return Node{Kind: k, Namespace: ns, Name: name, Source: "bench"} }
	p := fmt.Sprintf("p%d", i)
	feat, train := node(Job, p+".features"), node(Job, p+".train")
	fds := Node{Kind: Dataset, Namespace: "s3://features", Name: p, Source: "bench"}
	for range 3 {
		raw := Node{Kind: Dataset, Namespace: "postgres://warehouse:5432", Name: fmt.Sprintf("shop.public.t%d", rng.IntN(2000)), Source: "bench"}
		b.Edge(raw, Reads, feat, nil) // 3
	}
	b.Edge(feat, Writes, fds, nil) // 4
	b.Edge(fds, Reads, train, nil) // 5
	for r := range 8 {
		b.Edge(train, RunOf, node(Run, fmt.Sprintf("%s-run%d", p, r)), nil) // 13
	}
	m := node(Model, p)
	ch := Node{Kind: Chart, Namespace: ChartNamespace, Name: p, Source: "bench"}
	b.Edge(train, Writes, Node{Kind: Dataset, Namespace: "s3://models", Name: p + "/model.tar.gz", Source: "bench"}, nil) // 14
	for v := range 3 {
		mv := node(ModelVersion, fmt.Sprintf("%s@%d", p, v))
		b.Edge(train, Produces, mv, nil) // 17
		b.Edge(mv, VersionOf, m, nil)    // 20
		b.Edge(mv, Packages, ch, nil)    // 23
	}
	for r := range 2 {
		rel := node(Release, fmt.Sprintf("%s-r%d", p, r))
		dep := node(Deployment, fmt.Sprintf("%s-api-%d", p, r))
		b.Edge(ch, Installs, rel, nil)                                                                                               // 25
		b.Edge(rel, Manages, dep, nil)                                                                                               // 27
		b.Edge(Node{Kind: Image, Namespace: "ghcr.io", Name: fmt.Sprintf("acme/%s:%d", p, r), Source: "bench"}, RunsImage, dep, nil) // 29
		b.Edge(node(ModelVersion, fmt.Sprintf("%s@%d", p, r)), Serves, dep, nil)                                                     // 31
		for k := range 3 {
			route := Node{Kind: APIRoute, Namespace: ns + "/" + p, Name: fmt.Sprintf("GET /v%d/r%d", r, k), Source: "bench"}
			b.Edge(dep, Exposes, route, nil)                                           // 37
			b.Edge(node(ModelVersion, fmt.Sprintf("%s@%d", p, r)), Serves, route, nil) // 43
		}
	}
	for e := range 7 {
		b.Edge(node(Experiment, fmt.Sprintf("%s-ab%d", p, e)), Evaluates, node(ModelVersion, fmt.Sprintf("%s@%d", p, e%3)), nil) // 50
	}
}

var benchGraphs sync.Map // store kind → Store, built once per process

func benchStore(b *testing.B, kind string) Store {
	if s, ok := benchGraphs.Load(kind); ok {
		return s.(Store)
	}
	ctx := context.Background()
	var s Store
	var err error
	switch kind {
	case "sqlite":
		dir, _ := os.MkdirTemp("", "nectar-graph-bench")
		s, err = OpenSQLite(ctx, filepath.Join(dir, "bench.db"))
	default:
		s, err = OpenPostgres(ctx, pgBenchURL(b, "bench_walk"))
	}
	if err != nil {
		b.Fatal(err)
	}
	var edges int
	if n, _ := s.Node(ctx, MakeID(Model, "team0", fmt.Sprintf("p%d", benchPipelines-50))); n == nil {
		start := time.Now()
		rng := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < benchPipelines; i += 1000 {
			batch := NewBatch()
			for j := i; j < i+1000; j++ {
				benchPipeline(batch, j, rng)
			}
			edges += len(batch.Edges())
			if _, err := s.Apply(ctx, nil, batch); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s: built %d edges in %s", kind, edges, time.Since(start).Round(time.Millisecond))
	}
	benchGraphs.Store(kind, s)
	return s
}

// pgBenchURL is a schema of its own on the test server, kept between
// runs (the walk graph takes a while to build).
func pgBenchURL(b *testing.B, schema string) string {
	base := os.Getenv("NECTAR_POSTGRES")
	if base == "" {
		b.Skip("NECTAR_POSTGRES is not set")
	}
	ctx := context.Background()
	s, err := OpenPostgres(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		b.Fatal(err)
	}
	s.Close()
	sep := "?"
	if bytes.ContainsRune([]byte(base), '?') {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

func benchKinds() []string {
	if os.Getenv("NECTAR_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// BenchmarkWalkDepth6 walks both ways, depth 6, from a random model of
// the 1M-edge graph: up to its raw tables, across them to the ~30 other
// pipelines reading each, and down to its deployments and routes.
func BenchmarkWalkDepth6(b *testing.B) {
	for _, kind := range benchKinds() {
		b.Run(kind, func(b *testing.B) {
			s := benchStore(b, kind)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(3, 4))
			reached := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				i := rng.IntN(benchPipelines)
				steps, err := s.Walk(ctx, MakeID(Model, fmt.Sprintf("team%d", i%50), fmt.Sprintf("p%d", i)), Walk{Direction: Both, Depth: 6})
				if err != nil {
					b.Fatal(err)
				}
				reached += len(steps)
			}
			b.ReportMetric(float64(reached)/float64(b.N), "nodes/walk")
		})
	}
}

// benchEvents writes n OpenLineage events: START and COMPLETE of n/2
// runs over 2,000 jobs, each reading 2 and writing 1 of 5,000 datasets,
// with schema and run facets, as an Airflow provider sends them.
func benchEvents(n int) []byte {
	var buf bytes.Buffer
	rng := rand.New(rand.NewPCG(5, 6))
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n/2; i++ {
		job := rng.IntN(2000)
		run := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", i, job, i%4096, job%4096, i)
		in1, in2, out := rng.IntN(5000), rng.IntN(5000), rng.IntN(5000)
		t := t0.Add(time.Duration(i) * time.Minute)
		for k, state := range []string{"START", "COMPLETE"} {
			fmt.Fprintf(&buf, `{"eventType":"%s","eventTime":"%s","producer":"https://github.com/apache/airflow/tree/providers-openlineage/1.8.0","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",`+
				`"run":{"runId":"%s","facets":{"nominalTime":{"_producer":"p","_schemaURL":"s","nominalStartTime":"%s"}}},`+
				`"job":{"namespace":"airflow","name":"dag%d.task","facets":{"documentation":{"_producer":"p","_schemaURL":"s","description":"task %d"}}},`+
				`"inputs":[{"namespace":"postgres://db:5432","name":"shop.public.t%d","facets":{"schema":{"_producer":"p","_schemaURL":"s","fields":[{"name":"id","type":"BIGINT"},{"name":"v","type":"TEXT"}]}}},{"namespace":"postgres://db:5432","name":"shop.public.t%d"}],`+
				`"outputs":[{"namespace":"s3://lake","name":"out/t%d"}]}`+"\n",
				state, t.Add(time.Duration(k)*time.Second).Format(time.RFC3339Nano), run, t.Format(time.RFC3339), job, job, in1, in2, out)
		}
	}
	return buf.Bytes()
}

// BenchmarkImportOpenLineage100k imports 100k events (one file, as
// `nectar graph import openlineage` does) into an empty graph.
func BenchmarkImportOpenLineage100k(b *testing.B) {
	events := benchEvents(100000)
	for _, kind := range benchKinds() {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				var s Store
				var err error
				schema := fmt.Sprintf("bench_ol_%d_%d", time.Now().UnixNano()%1e6, i)
				if kind == "sqlite" {
					s, err = OpenSQLite(ctx, filepath.Join(b.TempDir(), "ol.db"))
				} else {
					s, err = OpenPostgres(ctx, pgBenchURL(b, schema))
				}
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				rep, err := Import(ctx, s, KindOpenLineage, "bench.jsonl", events, nil)
				if err != nil {
					b.Fatal(err)
				}
				if rep.RawStored != 100000 {
					b.Fatalf("%s", rep)
				}
				b.StopTimer()
				if kind == "postgres" {
					s.(*Postgres).db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
				}
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
