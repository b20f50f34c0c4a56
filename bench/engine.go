package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Engine runs one query of the set as a child process and measures it.
// Each engine is a separate process so that wall time includes start-up
// and peak RSS is that engine's alone.
type Engine interface {
	Name() string
	// Run executes q over ds. For a ToParquet query it writes out.
	Run(ctx context.Context, q Query, ds DataSet, out string) (Measurement, error)
}

// Nectar runs a nectar binary built from the repository.
type Nectar struct {
	Measurer
	Binary  string
	Threads int // GOMAXPROCS of the child
	// Label names a second nectar build as its own engine, such as
	// "nectar+libdeflate" for one built with -tags libdeflate; empty is
	// the default build, "nectar".
	Label string
}

func (n Nectar) Name() string {
	if n.Label != "" {
		return n.Label
	}
	return "nectar"
}

// IsNectar reports whether an engine name is a nectar build: "nectar", a
// tagged one, "nectar+<tags>", or an earlier revision, "nectar@<rev>".
func IsNectar(name string) bool {
	return name == "nectar" || strings.HasPrefix(name, "nectar+") || strings.HasPrefix(name, "nectar@")
}

func (n Nectar) Run(ctx context.Context, q Query, ds DataSet, out string) (Measurement, error) {
	env := append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(threads(q, n.Threads)))
	switch q.Mode {
	case ModeExperiment:
		return n.runExperiment(ctx, env, ds)
	case ModeStream:
		return n.runStream(ctx, env, q, ds, out)
	}
	args := []string{"query", "--format", "csv"}
	if q.ToParquet {
		args = []string{"query", "--format", "parquet", "-o", out}
	}
	args = append(args, q.NectarSQL(ds))
	return n.Measurer.Run(ctx, env, n.Binary, args...)
}

// runExperiment writes the food-recs spec next to the data set (untimed)
// and times `nectar experiment` on it. The JSON report is the case's
// output; the runner checks that it is JSON, not its numbers.
func (n Nectar) runExperiment(ctx context.Context, env []string, ds DataSet) (Measurement, error) {
	spec := filepath.Join(ds.Dir, "food-recs.yaml")
	if err := os.WriteFile(spec, []byte(ExperimentSpec(ds)), 0o644); err != nil {
		return Measurement{}, fmt.Errorf("write experiment spec: %w", err)
	}
	return n.Measurer.Run(ctx, env, n.Binary, "experiment", "--spec", spec, "--format", "json")
}

// runStream times `nectar stream --once` from an empty checkpoint, so that
// every repetition reads every file, and returns the sink's final version
// as the case's rows. --settle 0 takes files at once: they are complete.
func (n Nectar) runStream(ctx context.Context, env []string, q Query, ds DataSet, out string) (Measurement, error) {
	dir, err := os.MkdirTemp(filepath.Dir(out), "stream-")
	if err != nil {
		return Measurement{}, fmt.Errorf("stream scratch dir: %w", err)
	}
	defer os.RemoveAll(dir)
	sink := filepath.Join(dir, "out")
	m, err := n.Measurer.Run(ctx, env, n.Binary, "stream", "--once", "--settle", "0",
		"--max-files-per-batch", "4", "--checkpoint", filepath.Join(dir, "checkpoint"),
		"--output", sink, "--format", "csv", q.NectarSQL(ds))
	if err != nil {
		return m, err
	}
	if m.Stdout, err = StreamResult(sink); err != nil {
		return m, err
	}
	return m, nil
}

// StreamResult reads the current version of a file sink written in
// complete mode: _manifest.json names it.
func StreamResult(sink string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(sink, "_manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("stream output manifest: %w", err)
	}
	var man struct {
		Current string `json:"current"`
	}
	if err := json.Unmarshal(b, &man); err != nil {
		return nil, fmt.Errorf("stream output manifest %s: %w", filepath.Join(sink, "_manifest.json"), err)
	}
	if man.Current == "" || filepath.Base(man.Current) != man.Current {
		return nil, fmt.Errorf("stream output manifest names no current file: %q", man.Current)
	}
	b, err = os.ReadFile(filepath.Join(sink, man.Current))
	if err != nil {
		return nil, fmt.Errorf("stream output: %w", err)
	}
	return b, nil
}

// BuildNectar compiles ./cmd/nectar of the repository at root into dir
// and returns the binary's path. tags, when not empty, are Go build tags
// (comma-separated, as go build -tags takes them); such a build has cgo
// on, since the one tag that exists, libdeflate, needs it, and its own
// file name so both builds can sit in dir. The tag "purego" is not a Go
// tag: it builds with CGO_ENABLED=0, so gzip is inflated by
// klauspost/compress instead of zlib-ng.
func BuildNectar(ctx context.Context, root, dir, tags string) (string, error) {
	bin := filepath.Join(dir, "nectar")
	args := []string{"build"}
	cgo := "CGO_ENABLED=1"
	switch tags {
	case "":
		cgo = ""
	case PureGo:
		bin += "-" + PureGo
		cgo = "CGO_ENABLED=0"
	default:
		bin += "-" + strings.NewReplacer(",", "-", " ", "-").Replace(tags)
		args = append(args, "-tags", tags)
	}
	args = append(args, "-o", bin, "./cmd/nectar")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	if cgo != "" {
		cmd.Env = append(os.Environ(), cgo)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s go %s in %s: %w: %s", cgo, strings.Join(args, " "), root, err, tail(b, 2000))
	}
	return bin, nil
}

// PureGo is BuildNectar's name for the build without cgo.
const PureGo = "purego"

// BuildNectarAt builds nectar as it was at git revision rev: the tree at
// rev is exported (git archive) into dir/src-<rev> and built there, so the
// working tree is not touched.
func BuildNectarAt(ctx context.Context, root, dir, rev string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", rev+"^{commit}").Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse %s: %w", rev, err)
	}
	short := strings.TrimSpace(string(out))
	src := filepath.Join(dir, "src-"+short)
	bin := filepath.Join(dir, "nectar-"+short)
	if err := os.RemoveAll(src); err != nil {
		return "", err
	}
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	archive := exec.CommandContext(ctx, "sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", root, short, src)
	if b, err := archive.CombinedOutput(); err != nil {
		return "", fmt.Errorf("export %s: %w: %s", rev, err, tail(b, 2000))
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/nectar")
	cmd.Dir = src
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build nectar at %s: %w: %s", rev, err, tail(b, 2000))
	}
	return bin, os.RemoveAll(src)
}

// DuckDB runs queries through the Go driver in a child process: the bench
// binary itself, started as "duckdb-worker" (see RunDuckDB).
type DuckDB struct {
	Measurer
	Self    string // path of the bench binary
	Threads int    // SET threads
}

func (DuckDB) Name() string { return "duckdb" }

func (d DuckDB) Run(ctx context.Context, q Query, ds DataSet, out string) (Measurement, error) {
	return d.Measurer.Run(ctx, os.Environ(), d.Self, "duckdb-worker",
		"--threads", strconv.Itoa(threads(q, d.Threads)), "--query", q.DuckDBSQL(ds, out))
}

// threads is the thread count for q: its own, or the run's.
func threads(q Query, run int) int {
	if q.Threads > 0 {
		return q.Threads
	}
	return run
}

// ParquetCheck is the query whose result stands for a written Parquet
// file in the comparison: the engines lay nested columns out differently
// (nectar flattens to dotted leaves, DuckDB keeps STRUCTs), but rows and
// message ids must match.
func ParquetCheck(path string) string {
	return "SELECT count(*) AS n_rows, count(DISTINCT messageId) AS message_ids FROM read_parquet(" + sqlString(path) + ")"
}
