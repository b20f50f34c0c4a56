package graph

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// stores runs fn against every store: SQLite always, PostgreSQL when
// NECTAR_POSTGRES names a server (scripts/postgres-test.sh starts one).
func stores(t *testing.T, fn func(t *testing.T, open func(t *testing.T) Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv("NECTAR_POSTGRES") == "" {
			t.Skip("NECTAR_POSTGRES is not set: run scripts/postgres-test.sh, which starts a throwaway PostgreSQL and runs these tests")
		}
		fn(t, openPostgres)
	})
}

func openSQLite(t *testing.T) Store {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var schemaSeq struct {
	sync.Mutex
	n int
}

// openPostgres opens the graph in a schema of its own on the test server,
// dropped when the test ends.
func openPostgres(t *testing.T) Store {
	t.Helper()
	base := os.Getenv("NECTAR_POSTGRES")
	schemaSeq.Lock()
	schemaSeq.n++
	schema := fmt.Sprintf("g_%d_%d", time.Now().UnixNano()%1e9, schemaSeq.n)
	schemaSeq.Unlock()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err == nil {
			conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			conn.Close(ctx)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	s, err := OpenPostgres(ctx, base+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func n(k Kind, ns, name string, props map[string]any) Node {
	return Node{Kind: k, Namespace: ns, Name: name, Props: props, Source: "test"}
}

func TestApplyIsIdempotent(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		ctx := context.Background()
		b := NewBatch()
		b.Edge(n(Dataset, "s3://b", "k", map[string]any{"size": 3}), Reads, n(Job, "ns", "j", map[string]any{"labels": map[string]any{"a": "1"}}), map[string]any{"x": true})
		raw := []Raw{{Kind: "test", Origin: "t", Body: []byte("one")}}
		rep, err := s.Apply(ctx, raw, b)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Report{Nodes: Counts{Added: 2}, Edges: Counts{Added: 1}, RawStored: 1}); rep != want {
			t.Fatalf("first apply: %+v, want %+v", rep, want)
		}
		rep, err = s.Apply(ctx, raw, b)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Report{Nodes: Counts{Skipped: 2}, Edges: Counts{Skipped: 1}, RawDuplicate: 1}); rep != want {
			t.Fatalf("second apply: %+v, want %+v", rep, want)
		}
		got, err := s.Node(ctx, "job:ns:j")
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != Job || got.Namespace != "ns" || got.Name != "j" || got.Props["labels"].(map[string]any)["a"] != "1" {
			t.Fatalf("node read back: %+v", got)
		}
		if _, err := s.Node(ctx, "job:ns:nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing node: %v, want ErrNotFound", err)
		}
	})
}

func TestMergeProperties(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		ctx := context.Background()
		apply := func(props map[string]any, version string) Report {
			t.Helper()
			b := NewBatch()
			nd := n(Release, "ns", "r", props)
			nd.Version = version
			b.Node(nd)
			rep, err := s.Apply(ctx, nil, b)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		apply(map[string]any{"facets": map[string]any{"a": 1, "b": 1}, "labels": map[string]any{"x": "1", "y": "2"}}, "1")
		// A facet sent again replaces that facet only; labels are replaced
		// whole (a label removed at the source goes); an empty version
		// keeps the stored one.
		if rep := apply(map[string]any{"facets": map[string]any{"b": 2, "c": 3}, "labels": map[string]any{"x": "1"}}, ""); rep.Nodes.Changed != 1 {
			t.Fatalf("merge: %+v", rep)
		}
		got, _ := s.Node(ctx, "release:ns:r")
		want := `{"facets":{"a":1,"b":2,"c":3},"labels":{"x":"1"}}`
		if p, _ := canonical(got.Props); p != want || got.Version != "1" {
			t.Fatalf("merged: %s version %q, want %s version 1", p, got.Version, want)
		}
		if rep := apply(map[string]any{"facets": map[string]any{"c": 3}}, "1"); rep.Nodes.Skipped != 1 {
			t.Fatalf("restating a subset changes nothing: %+v", rep)
		}
		if rep := apply(nil, "2"); rep.Nodes.Changed != 1 {
			t.Fatalf("a new version is a change: %+v", rep)
		}
	})
}

// chain builds a -> b -> c -> d plus side edges, for walks.
func walkGraph(t *testing.T, s Store) {
	t.Helper()
	b := NewBatch()
	ds := n(Dataset, "s3://b", "features", nil)
	job := n(Job, "ns", "train", nil)
	mv := n(ModelVersion, "ns", "m@1", nil)
	m := n(Model, "ns", "m", nil)
	ch := n(Chart, "helm", "m", nil)
	rel := n(Release, "ns", "m", nil)
	dep := n(Deployment, "ns", "m-api", nil)
	route := n(APIRoute, "ns/m-api", "GET /recs", nil)
	b.Edge(ds, Reads, job, nil)
	b.Edge(job, Produces, mv, nil)
	b.Edge(mv, VersionOf, m, nil)
	b.Edge(mv, Packages, ch, nil)
	b.Edge(ch, Installs, rel, nil)
	b.Edge(rel, Manages, dep, nil)
	b.Edge(dep, Exposes, route, nil)
	b.Edge(mv, Serves, route, nil) // a shortcut: the route is 2 from the job both ways
	b.Edge(route, Serves, mv, nil) // and a cycle, which must end
	if _, err := s.Apply(context.Background(), nil, b); err != nil {
		t.Fatal(err)
	}
}

func TestWalk(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		walkGraph(t, s)
		ctx := context.Background()
		cases := []struct {
			name  string
			start string
			w     Walk
			want  []string // id@distance
		}{
			{"down 1", "job:ns:train", Walk{Direction: Down, Depth: 1}, []string{"job:ns:train@0", "model_version:ns:m@1@1"}},
			{"down all", "job:ns:train", Walk{Direction: Down, Depth: 6}, []string{"job:ns:train@0", "model_version:ns:m@1@1",
				"api_route:ns/m-api:GET /recs@2", "chart:helm:m@2", "model:ns:m@2", "release:ns:m@3", "deployment:ns:m-api@4"}},
			{"up", "api_route:ns/m-api:GET /recs", Walk{Direction: Up, Depth: 3}, []string{"api_route:ns/m-api:GET /recs@0",
				"deployment:ns:m-api@1", "model_version:ns:m@1@1", "job:ns:train@2", "release:ns:m@2", "chart:helm:m@3", "dataset:s3://b:features@3"}},
			{"both from the model", "model:ns:m", Walk{Direction: Both, Depth: 6}, []string{"model:ns:m@0", "model_version:ns:m@1@1",
				"api_route:ns/m-api:GET /recs@2", "chart:helm:m@2", "job:ns:train@2", "dataset:s3://b:features@3", "deployment:ns:m-api@3", "release:ns:m@3"}},
			{"kinds", "model:ns:m", Walk{Direction: Both, Depth: 6, Kinds: []Kind{Deployment, Job}}, []string{"job:ns:train@2", "deployment:ns:m-api@3"}},
			{"default direction and depth", "release:ns:m", Walk{}, []string{"release:ns:m@0", "chart:helm:m@1", "deployment:ns:m-api@1",
				"api_route:ns/m-api:GET /recs@2", "model_version:ns:m@1@2", "job:ns:train@3", "model:ns:m@3", "dataset:s3://b:features@4"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				steps, err := s.Walk(ctx, c.start, c.w)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, st := range steps {
					got = append(got, fmt.Sprintf("%s@%d", st.Node.ID(), st.Distance))
					if len(st.Path) != st.Distance+1 || st.Path[0] != c.start || st.Path[len(st.Path)-1] != st.Node.ID() || len(st.Rels) != st.Distance {
						t.Errorf("path of %s: %v %v", st.Node.ID(), st.Path, st.Rels)
					}
				}
				if !slices.Equal(got, c.want) {
					t.Fatalf("got  %v\nwant %v", got, c.want)
				}
			})
		}
		steps, _ := s.Walk(ctx, "model:ns:m", Walk{Direction: Both, Depth: 6})
		for _, st := range steps {
			if st.Node.ID() == "deployment:ns:m-api" {
				if p := st.PathString(); p != "model:ns:m <-VERSION_OF- model_version:ns:m@1 -SERVES-> api_route:ns/m-api:GET /recs <-EXPOSES- deployment:ns:m-api" {
					t.Fatalf("path: %s", p)
				}
			}
		}
		for _, bad := range []struct {
			start string
			w     Walk
			is    error
		}{
			{"model:ns:nope", Walk{}, ErrNotFound},
			{"model:ns:m", Walk{Depth: MaxDepth + 1}, nil},
			{"model:ns:m", Walk{Depth: -1}, nil},
			{"model:ns:m", Walk{Direction: "sideways"}, nil},
			{"model:ns:m", Walk{Kinds: []Kind{"modle"}}, ErrInvalid},
		} {
			_, err := s.Walk(ctx, bad.start, bad.w)
			if err == nil || bad.is != nil && !errors.Is(err, bad.is) {
				t.Errorf("walk %s %+v: %v", bad.start, bad.w, err)
			}
		}
	})
}

// TestConcurrentImporters runs importers at once, each stating the same
// nodes with keys of its own and inputs some others send too: nothing may
// be lost (every key is there) or duplicated (each input kept once).
func TestConcurrentImporters(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		ctx := context.Background()
		const workers, rounds = 6, 8
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					b := NewBatch()
					key := fmt.Sprintf("w%d_r%d", w, r)
					b.Edge(n(Job, "ns", "shared", map[string]any{key: r}), Writes, n(Dataset, "ns", fmt.Sprintf("d%d", r), nil), nil)
					raws := []Raw{{Kind: "test", Origin: key, Body: []byte(key)}, {Kind: "test", Origin: "shared", Body: []byte(fmt.Sprintf("shared %d", r))}}
					if _, err := s.Apply(ctx, raws, b); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		job, err := s.Node(ctx, "job:ns:shared")
		if err != nil {
			t.Fatal(err)
		}
		if len(job.Props) != workers*rounds {
			t.Fatalf("the shared node has %d keys, want %d: a merge was lost", len(job.Props), workers*rounds)
		}
		var raws, edges int
		s.ScanRaw(ctx, func(*RawRecord) error { raws++; return nil })
		s.ScanEdges(ctx, func(*Edge) error { edges++; return nil })
		if raws != workers*rounds+rounds || edges != rounds {
			t.Fatalf("%d raw inputs and %d edges, want %d and %d", raws, edges, workers*rounds+rounds, rounds)
		}
	})
}

func TestScoresReplaceTheirWindow(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		ctx := context.Background()
		f := func(v float64) *float64 { return &v }
		w0 := time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC)
		rec := func(end time.Time, lift float64, metrics ...string) Report {
			t.Helper()
			r := &ExperimentRecord{Namespace: "recsys", Name: "food-recs-ab", SpecHash: "abc", Source: "logs/*.gz", WindowStart: w0, WindowEnd: end, SRMP: 0.5,
				Variants: []VariantModel{{Name: "A", Weight: 0.5, Model: &ModelRef{"recsys", "food-recs", "1.4.2"}}, {Name: "B", Weight: 0.5}}, Recorded: end}
			for _, m := range metrics {
				r.Scores = append(r.Scores, Score{Variant: "A", Metric: m, Control: true, MetricType: "binomial", Units: 10, Mean: 0.1},
					Score{Variant: "B", Metric: m, MetricType: "binomial", Units: 12, Mean: 0.2, AbsLift: f(lift), AbsP: f(0.03), ChanceToWin: f(0.9)})
			}
			rep, _, err := RecordExperiment(ctx, s, r)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		end := w0.Add(14 * 24 * time.Hour)
		if rep := rec(end, 0.1, "conv", "gmv"); rep.Scores != (Counts{Added: 4}) {
			t.Fatalf("first: %+v", rep.Scores)
		}
		if rep := rec(end, 0.1, "conv", "gmv"); rep.Scores != (Counts{Skipped: 4}) || rep.Changed() {
			t.Fatalf("same window again: %+v", rep)
		}
		if rep := rec(end, 0.2, "conv"); rep.Scores != (Counts{Skipped: 1, Changed: 1}) {
			t.Fatalf("new numbers: %+v", rep.Scores)
		}
		rec(end.Add(24*time.Hour), 0.3, "conv")
		var got []string
		s.ScanScores(ctx, func(sc *Score) error {
			l := "-"
			if sc.AbsLift != nil {
				l = fmt.Sprint(*sc.AbsLift)
			}
			got = append(got, fmt.Sprintf("%s %s %s %s mv=%s lift=%s srm=%v", sc.WindowEnd.Format("01-02"), sc.Metric, sc.Variant, sc.Experiment, sc.ModelVersion, l, sc.SRMP))
			return nil
		})
		want := []string{
			"02-15 conv A experiment:recsys:food-recs-ab mv=model_version:recsys:food-recs@1.4.2 lift=- srm=0.5",
			"02-15 conv B experiment:recsys:food-recs-ab mv= lift=0.2 srm=0.5",
			"02-16 conv A experiment:recsys:food-recs-ab mv=model_version:recsys:food-recs@1.4.2 lift=- srm=0.5",
			"02-16 conv B experiment:recsys:food-recs-ab mv= lift=0.3 srm=0.5",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("scores:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		edges, _ := s.Edges(ctx, "experiment:recsys:food-recs-ab")
		if len(edges) != 1 || edges[0].Src != "model_version:recsys:food-recs@1.4.2" || edges[0].Rel != Evaluates {
			t.Fatalf("EVALUATES edges: %+v", edges)
		}
		if _, err := s.Node(ctx, "job:recsys:experiment.food-recs-ab"); err != nil {
			t.Fatalf("the lineage event's job: %v", err)
		}
	})
}

func TestRebuildGivesTheSameGraph(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		ctx := context.Background()
		importRecsys(t, s)
		before := dump(t, s)
		rep, err := s.Rebuild(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Nodes.Added == 0 {
			t.Fatalf("rebuild added nothing: %+v", rep)
		}
		if after := dump(t, s); after != before {
			t.Fatalf("rebuilt graph differs:\n%s\nwas\n%s", after, before)
		}
	})
}

// dump prints nodes and edges (without times, which a rebuild sets anew
// when the input has none).
func dump(t *testing.T, s Store) string {
	t.Helper()
	var b strings.Builder
	ctx := context.Background()
	s.ScanNodes(ctx, func(n *Node) error {
		p, _ := canonical(n.Props)
		fmt.Fprintf(&b, "%s v=%s %s\n", n.ID(), n.Version, p)
		return nil
	})
	s.ScanEdges(ctx, func(e *Edge) error {
		p, _ := canonical(e.Props)
		fmt.Fprintf(&b, "%s -%s-> %s %s\n", e.Src, e.Rel, e.Dst, p)
		return nil
	})
	return b.String()
}

func TestRawLogIsAppendOnly(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		ctx := context.Background()
		if _, err := s.Apply(ctx, []Raw{{Kind: "test", Origin: "t", Body: []byte("x")}}, nil); err != nil {
			t.Fatal(err)
		}
		var db = map[string]*sqlStore{}
		switch st := s.(type) {
		case *SQLite:
			db["s"] = st.sqlStore
		case *Postgres:
			db["s"] = st.sqlStore
		}
		for _, q := range []string{"UPDATE graph_raw SET body = body", "DELETE FROM graph_raw"} {
			if _, err := db["s"].db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", q, err)
			}
		}
	})
}

func TestPostgresPasswordNeverShown(t *testing.T) {
	const marker = "S3cr3t-Marker-7f1c"
	ctx := context.Background()
	// A server that is not there: the connection error must not quote
	// the password, in either spelling of the URL.
	for _, u := range []string{
		"postgres://nectar:" + marker + "@127.0.0.1:1/graph?sslmode=disable&connect_timeout=2",
		"host=127.0.0.1 port=1 user=nectar password=" + marker + " dbname=graph sslmode=disable connect_timeout=2",
	} {
		_, err := OpenPostgres(ctx, u)
		if err == nil {
			t.Fatalf("connected to nothing at %s", Redact(u))
		}
		if strings.Contains(err.Error(), marker) {
			t.Fatalf("error shows the password: %v", err)
		}
		if strings.Contains(Redact(u), marker) {
			t.Fatalf("Redact shows the password: %s", Redact(u))
		}
	}
	base := os.Getenv("NECTAR_POSTGRES")
	if base == "" {
		t.Skip("NECTAR_POSTGRES is not set: the rest needs a server")
	}
	// The test server trusts every local login, so any password is
	// accepted: a store opened with one must not show it anywhere.
	u := strings.Replace(base, "postgres@", "postgres:"+marker+"@", 1)
	if !strings.Contains(u, marker) {
		t.Skipf("cannot put a password into %s", Redact(base))
	}
	s, err := OpenPostgres(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if strings.Contains(s.Describe(), marker) {
		t.Fatalf("Describe shows the password: %s", s.Describe())
	}
	_, err = s.Walk(ctx, "model:x:nope", Walk{})
	if err == nil || strings.Contains(err.Error(), marker) {
		t.Fatalf("walk error: %v", err)
	}
	b := NewBatch()
	b.Node(Node{Kind: Job, Namespace: "ns", Name: "x", Props: map[string]any{"bad": make(chan int)}})
	_, err = s.Apply(ctx, nil, b)
	if err == nil || strings.Contains(err.Error(), marker) {
		t.Fatalf("apply error: %v", err)
	}
}

// A store that fails to open is a nil Store, not a typed nil pointer
// that a caller's `s != nil` check takes for an open store (it made
// closing after a failed connection panic).
func TestOpenFailureIsNilStore(t *testing.T) {
	ctx := context.Background()
	for _, c := range []Config{
		{URL: "postgres://nectar@127.0.0.1:1/graph?sslmode=disable&connect_timeout=2"},
		{Path: filepath.Join(t.TempDir(), "missing", "dir", "graph.db")},
	} {
		s, err := Open(ctx, c)
		if err == nil {
			s.Close()
			t.Fatalf("%+v opened", c)
		}
		if s != nil {
			t.Fatalf("%+v: failed open returned a non-nil Store %#v", c, s)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://u:pw@h:5432/db?sslmode=disable", "postgres://u:xxxxx@h:5432/db?sslmode=disable"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgres://h/db?password=pw&user=u", "postgres://h/db?password=xxxxx&user=u"},
		{"host=h password=pw user=u", "host=h password=xxxxx user=u"},
		{"host=h password='p w' user=u", "host=h password=xxxxx user=u"},
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
