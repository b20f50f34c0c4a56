package memory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/listen"
	"github.com/nectar-dev/nectar/sink"
	"github.com/nectar-dev/nectar/types"
)

var schema = types.Schema{{Name: "k", Kind: types.String}, {Name: "n", Kind: types.Int}}

func row(k string, n int64) []types.Value {
	return []types.Value{types.StringValue(k), types.IntValue(n)}
}

func text(rows [][]types.Value) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r[0].String() + "|" + r[1].String()
	}
	slices.Sort(out)
	return out
}

// TestRestoreFromCheckpoint delivers three batches, then opens a fresh sink
// over the same directory as a restarted stream whose last commit is batch
// 1: the table holds what batches 0 and 1 made of it, per mode, and batch
// 2's saved delivery is gone (the stream will deliver it again).
func TestRestoreFromCheckpoint(t *testing.T) {
	ctx := context.Background()
	batches := [][][]types.Value{
		{row("a", 1), row("b", 2)},
		{row("a", 3)},
		{row("c", 9)},
	}
	for _, tc := range []struct {
		mode sink.Mode
		want []string
	}{
		{sink.Append, []string{"a|1", "a|3", "b|2"}},
		{sink.Update, []string{"a|3", "b|2"}},
		{sink.Complete, []string{"a|3"}},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			info := sink.Info{Schema: schema, Mode: tc.mode, Dir: t.TempDir(), LastCommitted: -1, Keys: 1}
			m := New("T")
			if err := m.Open(ctx, info); err != nil {
				t.Fatal(err)
			}
			for i, b := range batches {
				if err := m.Write(ctx, int64(i), b); err != nil {
					t.Fatal(err)
				}
			}
			// A write's temporary file, left by a crash, is not a delivery.
			os.WriteFile(filepath.Join(m.deliveryDir(), ".junk.gob.tmp-1"), []byte("x"), 0o644)

			info.LastCommitted = 1
			fresh := New("T")
			if err := fresh.Open(ctx, info); err != nil {
				t.Fatal(err)
			}
			gotSchema, rows, batch := fresh.Table()
			if got := text(rows); !slices.Equal(got, tc.want) || batch != 1 || gotSchema.String() != schema.String() {
				t.Errorf("restored %q at batch %d, want %q at 1", got, batch, tc.want)
			}
			if _, err := os.Stat(fresh.deliveryPath(2)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("uncommitted delivery kept: %v", err)
			}
		})
	}
}

// TestServe reads a table back over loopback HTTP, as `nectar query
// --stream-endpoint` does, with NULLs and an unknown table.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := New("Events")
	if err := m.Open(ctx, sink.Info{Schema: schema, Mode: sink.Append, Dir: t.TempDir(), LastCommitted: -1}); err != nil {
		t.Fatal(err)
	}
	want := [][]types.Value{row("a", 1), {types.NullValue, types.IntValue(2)}}
	if err := m.Write(ctx, 0, want); err != nil {
		t.Fatal(err)
	}
	addr, err := Serve(ctx, "127.0.0.1:0", m)
	if err != nil {
		t.Fatal(err)
	}
	gotSchema, rows, err := FetchTable(ctx, "http://"+addr+"/", "events")
	if err != nil {
		t.Fatal(err)
	}
	if gotSchema.String() != schema.String() || !slices.Equal(text(rows), text(want)) || !rows[1][0].IsNull() {
		t.Errorf("fetched %s %q, want %s %q", gotSchema, text(rows), schema, text(want))
	}
	if _, _, err := FetchTable(ctx, addr, "nope"); !errors.Is(err, ErrNoTable) {
		t.Errorf("unknown table: %v, want ErrNoTable", err)
	}
	rt, err := OpenRemoteTable(ctx, addr, "events")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rt.String(), "events") || len(rt.Columns()) != 2 {
		t.Errorf("remote table %s with %d columns", rt, len(rt.Columns()))
	}
}

// TestServeRefusesTheNetwork: the endpoint has no authentication, so it
// listens on loopback only.
func TestServeRefusesTheNetwork(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0"} {
		if _, err := Serve(t.Context(), addr, New("t")); !errors.Is(err, listen.ErrNotLoopback) {
			t.Errorf("Serve(%q): %v, want ErrNotLoopback", addr, err)
		}
	}
}
