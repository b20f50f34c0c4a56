package parquetfile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/nectar-dev/nectar/parquetfile/internal/footer"
	"github.com/nectar-dev/nectar/types"
)

// footerFiles are files whose footers the walker must read as arrow-go
// does: ours with 1, 20 and no row groups (20 needs the long list header),
// and one DuckDB wrote (other writer, other field choices).
func footerFiles(t testing.TB) map[string]string {
	var rows [][]types.Value
	for n := range 200 {
		rows = append(rows, rowOf(n))
	}
	return map[string]string{
		"one group":      writeFile(t, allKinds, Options{}, rows),
		"20 groups":      writeFile(t, allKinds, Options{RowGroupRows: 10}, rows),
		"no groups":      writeFile(t, allKinds, Options{}),
		"snappy":         writeFile(t, allKinds, Options{RowGroupRows: 64, Compression: Snappy}, rows),
		"duckdb.parquet": filepath.Join("testdata", "duckdb.parquet"),
	}
}

func footerBytes(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	buf, ok := footer.Read(f, st.Size())
	if !ok {
		t.Fatalf("%s: no footer", path)
	}
	return buf
}

// TestFooterIndexMatchesArrow checks, for every row group and leaf, that
// the statistics the walker reads equal those of arrow-go's full decoding,
// and that a footer rewritten with some row groups decodes to exactly
// those row groups.
func TestFooterIndexMatchesArrow(t *testing.T) {
	for name, path := range footerFiles(t) {
		t.Run(name, func(t *testing.T) {
			buf := footerBytes(t, path)
			full, err := metadata.NewFileMetaData(buf, nil)
			if err != nil {
				t.Fatal(err)
			}
			ix, err := footer.Parse(buf)
			if err != nil {
				t.Fatal(err)
			}
			if ix.NumGroups() != full.NumRowGroups() {
				t.Fatalf("walker found %d row groups, arrow-go %d", ix.NumGroups(), full.NumRowGroups())
			}
			skel, err := metadata.NewFileMetaData(ix.WithGroups(nil, 0), nil)
			if err != nil {
				t.Fatal(err)
			}
			if skel.NumRowGroups() != 0 || skel.Schema.NumColumns() != full.Schema.NumColumns() || skel.NumRows != 0 {
				t.Fatalf("footer without row groups: %d groups, %d columns, %d rows", skel.NumRowGroups(), skel.Schema.NumColumns(), skel.NumRows)
			}
			x := &indexedFooter{ix: ix, md: skel}
			leaves := make([]int, full.Schema.NumColumns())
			for i := range leaves {
				leaves[i] = i
			}
			got := make([]metadata.TypedStatistics, len(leaves))
			want := make([]metadata.TypedStatistics, len(leaves))
			withStats := 0
			for g := range ix.NumGroups() {
				rows, err := x.group(g, leaves, got)
				if err != nil {
					t.Fatal(err)
				}
				wantRows, _ := decodedFooter{full}.group(g, leaves, want)
				if rows != wantRows {
					t.Errorf("group %d: %d rows, arrow-go %d", g, rows, wantRows)
				}
				for i := range leaves {
					if a, b := statsText(got[i]), statsText(want[i]); a != b {
						t.Errorf("group %d leaf %d: walker %s, arrow-go %s", g, i, a, b)
					}
					if want[i] != nil {
						withStats++
					}
				}
			}
			if ix.NumGroups() > 0 && withStats == 0 {
				t.Fatal("no statistics compared")
			}

			// Keep every other row group, backwards.
			var keep []int
			var rows int64
			for g := ix.NumGroups() - 1; g >= 0; g -= 2 {
				keep = append(keep, g)
				rows += full.RowGroup(g).NumRows()
			}
			kept, err := metadata.NewFileMetaData(ix.WithGroups(keep, rows), nil)
			if err != nil {
				t.Fatal(err)
			}
			if kept.NumRows != rows || kept.NumRowGroups() != len(keep) {
				t.Fatalf("rewritten footer: %d rows in %d groups, want %d in %d", kept.NumRows, kept.NumRowGroups(), rows, len(keep))
			}
			for i, g := range keep {
				if a, b := groupText(t, kept, i), groupText(t, full, g); a != b {
					t.Errorf("kept group %d (was %d):\n got %s\nwant %s", i, g, a, b)
				}
			}
			if a, b := fmt.Sprint(kept.KeyValueMetadata().Keys(), kept.KeyValueMetadata().Values()), fmt.Sprint(full.KeyValueMetadata().Keys(), full.KeyValueMetadata().Values()); a != b {
				t.Errorf("key-value metadata changed:\n got %s\nwant %s", a, b)
			}
		})
	}
}

func statsText(ts metadata.TypedStatistics) string {
	if ts == nil {
		return "none"
	}
	enc, err := ts.Encode()
	if err != nil {
		return "encode error: " + err.Error()
	}
	return fmt.Sprintf("nulls %v/%d minmax %v [%q, %q] values %d", ts.HasNullCount(), ts.NullCount(), ts.HasMinMax(), enc.Min, enc.Max, ts.NumValues())
}

func groupText(t *testing.T, md *metadata.FileMetaData, g int) string {
	rg := md.RowGroup(g)
	var b bytes.Buffer
	fmt.Fprintf(&b, "rows %d bytes %d:", rg.NumRows(), rg.TotalByteSize())
	for c := 0; c < rg.NumColumns(); c++ {
		cc, err := rg.ColumnChunk(c)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, " [%s %d@%d+%d dict %d]", cc.PathInSchema(), cc.NumValues(), cc.DataPageOffset(), cc.TotalCompressedSize(), cc.DictionaryPageOffset())
	}
	return b.String()
}

// TestKeepRowGroupReadsKeptRows reads every file through the walker's
// path keeping some row groups, and checks the rows against a full read.
func TestKeepRowGroupReadsKeptRows(t *testing.T) {
	for name, path := range footerFiles(t) {
		t.Run(name, func(t *testing.T) {
			r, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			all := readAll(t, r)
			r.Close()
			groupRows := map[int]int64{}
			r, err = OpenWith(context.Background(), path, ReadOptions{KeepRowGroup: func(st RowGroupStats) bool {
				groupRows[st.Index] = st.Rows
				return st.Index%3 != 1
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var want [][]types.Value
			at, kept := 0, 0
			for g := 0; g < len(groupRows); g++ {
				n := int(groupRows[g])
				if g%3 != 1 {
					want = append(want, all[at:at+n]...)
					kept++
				}
				at += n
			}
			if at != len(all) {
				t.Fatalf("row groups hold %d rows, file %d", at, len(all))
			}
			if got, w := rowsText(readAll(t, r)), rowsText(want); got != w {
				t.Errorf("kept rows:\n got %s\nwant %s", got, w)
			}
			if total, read := r.RowGroups(); total != len(groupRows) || read != kept {
				t.Errorf("RowGroups() = %d, %d for %d groups", total, read, len(groupRows))
			}
		})
	}
}

// TestWriteFuzzSeeds refreshes the footer walker's fuzz seeds from
// footerFiles when NECTAR_WRITE_FUZZ_SEEDS is set (the walker's package
// cannot write Parquet itself).
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("NECTAR_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set NECTAR_WRITE_FUZZ_SEEDS=1 to rewrite internal/footer/testdata/fuzz")
	}
	dir := filepath.Join("internal", "footer", "testdata", "fuzz", "FuzzParse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, path := range footerFiles(t) {
		seed := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", footerBytes(t, path))
		if err := os.WriteFile(filepath.Join(dir, strings.ReplaceAll(name, " ", "-")), []byte(seed), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
