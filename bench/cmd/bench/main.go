// Command bench runs nectar and DuckDB side by side over generated Segment
// logs and writes docs/BENCHMARKS.md. Run it from the bench directory
// (`make bench` at the repository root does).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nectar-dev/nectar/bench"
	"github.com/nectar-dev/nectar/gen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "measure-worker":
		// fd 3 is the report pipe the parent's Measurer passed.
		os.Exit(bench.MeasureWorker(os.Args[2:], os.NewFile(3, "report")))
	case len(os.Args) > 1 && os.Args[1] == "duckdb-worker":
		err = worker(ctx, os.Args[2:])
	case len(os.Args) > 1 && os.Args[1] == "inflate-worker":
		err = inflateWorker(ctx, os.Args[2:])
	default:
		err = run(ctx, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// worker is the DuckDB child process: one query, rows as CSV on stdout.
func worker(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("duckdb-worker", flag.ContinueOnError)
	query := fs.String("query", "", "SQL to run")
	threads := fs.Int("threads", 1, "DuckDB threads")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *query == "" {
		return errors.New("duckdb-worker: --query is required")
	}
	return bench.RunDuckDB(ctx, *query, *threads, os.Stdout)
}

// inflateWorker is the inflate floor's child process (bench.Floor).
func inflateWorker(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("inflate-worker", flag.ContinueOnError)
	glob := fs.String("glob", "", "files to inflate")
	threads := fs.Int("threads", 1, "files inflated at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return bench.Inflate(ctx, *glob, *threads, os.Stdout)
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: bench [flags]\n\nGenerates Segment logs (cached under --data), runs the query set on nectar and DuckDB\nin interleaved child processes and writes the table to --doc.\n\n")
		fs.PrintDefaults()
	}
	events := fs.Int64("events", 300_000, "events to generate (~1.3 KB of JSON each; 300k ≈ 400 MB)")
	files := fs.Int("files", 0, "files to spread them over (default events/12500, at least 8)")
	seed := fs.Int64("seed", 1, "generator seed")
	compress := fs.String("compress", "gzip", "compression of the main data set: gzip or none")
	plain := fs.Bool("plain", true, "also run the seed query over an uncompressed copy (with --compress gzip)")
	compacted := fs.Bool("compacted", true, "also run the compacted-data queries over a Parquet copy of the main data set made by nectar compact")
	threads := fs.Int("threads", 2, "threads for every engine (nectar GOMAXPROCS, DuckDB SET threads)")
	reps := fs.Int("reps", 5, "repetitions of each query on each engine")
	only := fs.String("queries", "", "comma-separated query names to run (default all)")
	dataDir := fs.String("data", ".data", "cache directory for generated data, binaries and scratch output")
	// Detected before parsing: the flag's default says whether it is on.
	sparkOK := bench.SparkAvailable("python3")
	spark := fs.Bool("spark", sparkOK, "also run Spark local (local[--threads]) through python3 and bench/spark_runner.py (default: on when python3 can import pyspark)")
	sparkReps := fs.Int("spark-reps", 1, "repetitions on Spark, at most --reps (each run starts a JVM)")
	floor := fs.Bool("floor", true, "also run the inflate floor: the data set's files inflated by nectar's gzip reader alone, on --threads threads (seed query rows only)")
	peers := fs.Bool("peers", true, "also run ClickHouse (chDB), DataFusion and Polars through bench/peer_runner.py, from a virtual environment made once under --data")
	baseline := fs.String("baseline", "", `also build nectar as it was at this git revision and run it as a further engine, "nectar@<rev>", to measure a change against it`)
	tags := fs.String("tags", "", `also build nectar with these Go build tags and run it as a further engine, "nectar+<tags>" (libdeflate: needs cgo and libdeflate-dev; see README; purego: CGO_ENABLED=0, gzip in pure Go)`)
	doc := fs.String("doc", "../docs/BENCHMARKS.md", `Markdown file to write ("" to print only)`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *files <= 0 {
		*files = int(max(*events/12_500, 8))
	}
	if *threads <= 0 || *reps <= 0 || *sparkReps <= 0 {
		return errors.New("--threads, --reps and --spark-reps must be positive")
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	cache, err := filepath.Abs(*dataDir)
	if err != nil {
		return err
	}
	queries, err := pick(*only)
	if err != nil {
		return err
	}
	log := os.Stderr

	loadBefore := bench.LoadAverage()
	main, err := bench.EnsureData(ctx, cache, gen.Options{Events: *events, Files: *files, Seed: *seed, Compress: *compress}, log)
	if err != nil {
		return err
	}
	data := []bench.DataSet{main}
	var cases []bench.Case
	for _, q := range queries {
		if !q.Compacted && !q.Drift {
			cases = append(cases, bench.Case{Query: q, Data: main})
		}
	}
	for _, q := range queries {
		if q.Drift {
			dr, err := bench.EnsureData(ctx, cache, gen.Options{Events: *events, Files: *files, Seed: *seed, Compress: *compress, DriftFiles: bench.DriftFiles(*files)}, log)
			if err != nil {
				return err
			}
			cases = append(cases, bench.Case{Query: q, Data: dr})
			if !slices.ContainsFunc(data, func(d bench.DataSet) bool { return d.Dir == dr.Dir }) {
				data = append(data, dr)
			}
		}
	}
	if *plain && *compress == gen.CompressGzip {
		pl, err := bench.EnsureData(ctx, cache, gen.Options{Events: *events, Files: *files, Seed: *seed, Compress: gen.CompressNone}, log)
		if err != nil {
			return err
		}
		added := false
		for _, q := range queries {
			if q.Plain {
				cases = append(cases, bench.Case{Query: q, Data: pl})
				added = true
			}
		}
		if added {
			data = append(data, pl)
		}
	}
	for _, d := range data {
		if err := bench.WarmCache(d); err != nil {
			return err
		}
	}

	fmt.Fprintln(log, "build: go build ./cmd/nectar")
	nectarBin, err := bench.BuildNectar(ctx, root, filepath.Join(cache, "bin"), "")
	if err != nil {
		return err
	}
	var taggedBin string
	if *tags != "" {
		fmt.Fprintf(log, "build: nectar with %s\n", *tags)
		if taggedBin, err = bench.BuildNectar(ctx, root, filepath.Join(cache, "bin"), *tags); err != nil {
			return err
		}
	}
	var baseBin string
	if *baseline != "" {
		fmt.Fprintf(log, "build: go build ./cmd/nectar at %s\n", *baseline)
		if baseBin, err = bench.BuildNectarAt(ctx, root, filepath.Join(cache, "bin"), *baseline); err != nil {
			return err
		}
	}
	if *compacted {
		var cq []bench.Query
		for _, q := range queries {
			if q.Compacted {
				cq = append(cq, q)
			}
		}
		if len(cq) > 0 {
			// Compacted after warming the JSON: compaction reads it, and
			// its own output then sits in the page cache too.
			comp, err := bench.EnsureCompacted(ctx, nectarBin, main, log)
			if err != nil {
				return err
			}
			for _, q := range cq {
				cases = append(cases, bench.Case{Query: q, Data: comp})
			}
			data = append(data, comp)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary for the DuckDB worker: %w", err)
	}
	duckVersion, err := bench.DuckDBVersion(ctx)
	if err != nil {
		return err
	}
	measurer := bench.Measurer{Wrapper: self}
	engines := []bench.Engine{
		bench.Nectar{Measurer: measurer, Binary: nectarBin, Threads: *threads},
		bench.DuckDB{Measurer: measurer, Self: self, Threads: *threads},
	}
	if taggedBin != "" {
		engines = append(engines, bench.Nectar{Measurer: measurer, Binary: taggedBin, Threads: *threads, Label: "nectar+" + *tags})
	}
	if baseBin != "" {
		engines = append(engines, bench.Nectar{Measurer: measurer, Binary: baseBin, Threads: *threads, Label: "nectar@" + *baseline})
	}
	if *floor {
		engines = append(engines, bench.Floor{Measurer: measurer, Self: self, Threads: *threads})
	}
	engineReps := map[string]int{}
	if *spark && sparkOK {
		engines = append(engines, bench.Spark{Measurer: measurer, Python: "python3",
			Script: filepath.Join(root, "bench", "spark_runner.py"), Threads: *threads})
		engineReps["spark"] = min(*sparkReps, *reps)
	}
	var peersErr error
	if *peers {
		var python string
		if python, peersErr = bench.EnsurePeers(ctx, cache, log); peersErr == nil {
			for _, name := range bench.PeerEngines {
				engines = append(engines, bench.Peer{Measurer: measurer, Engine: name, Python: python,
					Script: filepath.Join(root, "bench", "peer_runner.py"), Threads: *threads})
			}
		}
	}
	skipped := optionalEngines(sparkOK, *spark, *peers, peersErr)
	for _, s := range skipped {
		fmt.Fprintln(log, "skip:", s)
	}
	checker := func(ctx context.Context, q string) ([]byte, error) {
		var b strings.Builder
		err := bench.RunDuckDB(ctx, q, *threads, &b)
		return []byte(b.String()), err
	}
	fmt.Fprintf(log, "run: %d cases × %d engines × %d repetitions, %d threads\n", len(cases), len(engines), *reps, *threads)
	rows, err := bench.Run(ctx, bench.Config{
		Cases: cases, Engines: engines, Reference: "duckdb", Reps: *reps, EngineReps: engineReps,
		Checker: checker, WorkDir: filepath.Join(cache, "out"), Log: log,
	})
	if err != nil {
		return err
	}
	machine := bench.DescribeMachine(duckVersion)
	machine.LoadBefore, machine.LoadAfter = loadBefore, bench.LoadAverage()
	rep := &bench.Report{
		Machine:    machine,
		Threads:    *threads,
		Reps:       *reps,
		Reference:  "duckdb",
		Skipped:    skipped,
		EngineReps: engineReps,
		Data:       data,
		Rows:       rows,
		Command:    "go run ./cmd/bench " + strings.Join(args, " "),
	}
	rep.WriteTable(os.Stdout)
	if *doc != "" {
		var b strings.Builder
		rep.WriteMarkdown(&b)
		out := b.String()
		if old, err := os.ReadFile(*doc); err == nil {
			out = bench.KeepForeignSections(string(old), out)
		}
		if err := os.WriteFile(*doc, []byte(out), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", *doc, err)
		}
		fmt.Fprintln(log, "wrote", *doc)
	}
	if f := rep.Failures(); len(f) > 0 {
		for _, s := range f {
			fmt.Fprintln(log, "FAILURE:", s)
		}
		return fmt.Errorf("%d failures or mismatches (listed above and in the report)", len(f))
	}
	return nil
}

// pick returns the named queries, all of them for "".
func pick(names string) ([]bench.Query, error) {
	if names == "" {
		return bench.Queries, nil
	}
	var out []bench.Query
	for _, n := range strings.Split(names, ",") {
		found := false
		for _, q := range bench.Queries {
			if q.Name == strings.TrimSpace(n) {
				out, found = append(out, q), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown query %q", n)
		}
	}
	return out, nil
}

// repoRoot finds the main module's directory above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module github.com/nectar-dev/nectar\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the nectar repository (no go.mod of github.com/nectar-dev/nectar above the working directory)")
		}
		dir = parent
	}
}
