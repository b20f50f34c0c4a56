package manifest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nectar-dev/nectar/source"
)

func TestEscapeRoundTrip(t *testing.T) {
	cases := []string{
		"Added to Cart", "a/b=c", "100%", "ünïcode", "", ".hidden", "_x", "~tilde",
		strings.Repeat("Long Event Name ", 20),
	}
	for _, v := range cases {
		esc := EscapeValue(v)
		if strings.ContainsAny(esc, "/=") || len(esc) > maxValueBytes {
			t.Errorf("EscapeValue(%q) = %q: unsafe", v, esc)
		}
		got, ok := UnescapeValue(esc)
		long := len(v) > 40 // cut values are reported unknown
		switch {
		case long && ok:
			t.Errorf("cut value %q unescaped as known", esc)
		case !long && (!ok || got != v):
			t.Errorf("UnescapeValue(%q) = %q, %v; want %q", esc, got, ok, v)
		}
	}
}

func TestParsePath(t *testing.T) {
	cases := []struct {
		path string
		want Partition
	}{
		{"d/day=2019-02-01/event=Added%20to%2FCart/part-1.parquet", Partition{HasDay: true, Day: time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC), HasEvent: true, Event: "Added to/Cart"}},
		{"d/day=" + NullPartition + "/event=" + NullPartition + "/p.parquet", Partition{HasDay: true, HasEvent: true, NullEvent: true}},
		{"d/day=yesterday/p.parquet", Partition{}},
		{"d/event=bad%zz/p.parquet", Partition{}},
		{"plain/file.parquet", Partition{}},
	}
	for _, c := range cases {
		if got := ParsePath(c.path); got != c.want {
			t.Errorf("ParsePath(%q) = %+v, want %+v", c.path, got, c.want)
		}
	}
}

func TestKey(t *testing.T) {
	a := Key("logs/segment-logs/src/1548979200000/f.gz")
	b := Key("s3://bucket/prefix/segment-logs/src/1548979200000/f.gz")
	if a != b || a != "segment-logs/src/1548979200000/f.gz" {
		t.Fatalf("keys %q and %q", a, b)
	}
	if Key("x/y.gz") == "x/y.gz" {
		t.Fatal("a path outside the layout should key by its absolute path")
	}
}

func TestReadWrite(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if _, err := Read(ctx, source.Default, dir); !errors.Is(err, ErrNoManifest) {
		t.Fatalf("empty dir: %v, want ErrNoManifest", err)
	}
	ev := "A"
	m := &Manifest{PartitionByEvent: true, Batches: []Batch{{ID: "b1",
		Sources: []Source{{Path: "p", Key: "k", Size: 3}},
		Outputs: []Output{{Path: "day=2019-02-01/event=A/part-b1.parquet", Day: "2019-02-01", Event: &ev, Rows: 2}},
	}}}
	if err := Write(ctx, source.Default, dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := Read(ctx, source.Default, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Outputs()) != 1 || *got.Outputs()[0].Event != "A" || got.Covered()["k"].Size != 3 {
		t.Fatalf("read back %+v", got)
	}
	// A manifest from a future format is refused, not misread.
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(`{"version": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(ctx, source.Default, dir); !errors.Is(err, ErrVersion) {
		t.Fatalf("future version: %v, want ErrVersion", err)
	}
}
