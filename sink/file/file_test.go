package file

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/sink"
	"github.com/nectar-dev/nectar/types"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestReopenDropsUncommittedParts: a stream that crashed after writing
// batch 1's part but before committing it reopens the sink with
// LastCommitted 0; the part goes, and the replay writes it again whole.
func TestReopenDropsUncommittedParts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	info := sink.Info{Schema: types.Schema{{Name: "n", Kind: types.Int}}, Mode: sink.Append, Dir: t.TempDir(), LastCommitted: -1}
	s, err := New(dir, output.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Open(ctx, info); err != nil {
		t.Fatal(err)
	}
	for b := range int64(2) {
		if err := s.Write(ctx, b, [][]types.Value{{types.IntValue(b)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Write(ctx, 2, nil); err != nil { // nothing new: no file
		t.Fatal(err)
	}
	if got, want := names(t, dir), []string{"part-000000.csv", "part-000001.csv"}; !slices.Equal(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	info.LastCommitted = 0
	if err := s.Open(ctx, info); err != nil {
		t.Fatal(err)
	}
	if got, want := names(t, dir), []string{"part-000000.csv"}; !slices.Equal(got, want) {
		t.Fatalf("after reopen: files %q, want %q", got, want)
	}
	if err := s.Write(ctx, 1, [][]types.Value{{types.IntValue(1)}}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "part-000001.csv")); string(data) != "n\n1\n" {
		t.Errorf("replayed part %q", data)
	}
}

func TestNewAndManifestErrors(t *testing.T) {
	if _, err := New(t.TempDir(), output.Table); !errors.Is(err, output.ErrFormat) {
		t.Errorf("table format: %v, want output.ErrFormat", err)
	}
	if _, err := ReadManifest(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no manifest: %v, want fs.ErrNotExist", err)
	}
}
