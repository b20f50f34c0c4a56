package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// PeerEngines are the engines peer_runner.py runs: ClickHouse (chDB),
// Apache DataFusion and Polars, each given the types of the fields a
// query reads.
var PeerEngines = []string{"chdb", "datafusion", "polars"}

// peerPins are the PyPI packages the peers' virtual environment holds:
// pinned, so that a report names the versions it measured.
var peerPins = []string{"chdb==4.4.0", "datafusion==55.0.0", "polars==2.2.0", "pyarrow==26.0.1"}

// Peer runs queries on one of PeerEngines through peer_runner.py in a child
// Python, one interpreter per run: wall time and peak RSS include its
// start-up and the engine's, as a user's script pays them.
type Peer struct {
	Measurer
	Engine  string // chdb, datafusion or polars
	Python  string // the peers' virtual environment's python
	Script  string // path of peer_runner.py
	Threads int
}

func (p Peer) Name() string { return p.Engine }

// Supports is the queries spelled for the peers, over the JSON logs.
func (Peer) Supports(q Query) bool { return q.Peer != "" && !q.Compacted }

func (p Peer) Run(ctx context.Context, q Query, ds DataSet, _ string) (Measurement, error) {
	return p.Measurer.Run(ctx, os.Environ(), p.Python, p.Script, "--engine", p.Engine,
		"--threads", strconv.Itoa(threads(q, p.Threads)), "--glob", ds.Glob, "--columns", q.PeerColumns, "--query", q.Peer)
}

// EnsurePeers makes, once, a virtual environment under cache holding
// peerPins, and returns its python.
func EnsurePeers(ctx context.Context, cache string, log io.Writer) (string, error) {
	venv := filepath.Join(cache, "peers-venv")
	python := filepath.Join(venv, "bin", "python")
	stamp := filepath.Join(venv, "pins.txt")
	want := strings.Join(peerPins, "\n") + "\n"
	if b, err := os.ReadFile(stamp); err == nil && string(b) == want {
		return python, nil
	}
	fmt.Fprintf(log, "peers: installing %s into %s\n", strings.Join(peerPins, " "), venv)
	os.RemoveAll(venv)
	steps := [][]string{
		{"python3", "-m", "venv", venv},
		append([]string{python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"}, peerPins...),
	}
	for _, s := range steps {
		if out, err := exec.CommandContext(ctx, s[0], s[1:]...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %w\n%s", strings.Join(s, " "), err, out)
		}
	}
	return python, os.WriteFile(stamp, []byte(want), 0o644)
}
