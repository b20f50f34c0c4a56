package engine_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/compact"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/parquetfile"
	"github.com/nectar-dev/nectar/source/s3test"
	"github.com/nectar-dev/nectar/table"
)

// putTree uploads every file under dir to bucket, keyed by its path
// below dir; encoding, if set, gives the n-th object's Content-Encoding.
func putTree(t *testing.T, srv *s3test.Server, bucket, dir string, encoding func(n int) string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		enc := ""
		if encoding != nil {
			enc = encoding(n)
		}
		n++
		srv.Put(t, bucket, filepath.ToSlash(rel), body, enc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestS3Compacted compacts raw logs from S3 into S3, twice (the second run
// picks up new files while the store throttles and cuts bodies), and
// checks that read_parquet and a compacted-backed table over S3 give the
// answers of the same compaction on local disk and of the raw logs.
func TestS3Compacted(t *testing.T) {
	dir := t.TempDir()
	raw := filepath.Join(dir, "raw")
	if _, err := gen.Generate(context.Background(), gen.Options{Out: raw, Events: 6000, Files: 8, Days: 3, Seed: 21}); err != nil {
		t.Fatal(err)
	}
	srv := s3test.New(t)
	srv.CreateBucket(t, "logs")
	srv.CreateBucket(t, "lake")
	stores := useFakeS3(t, srv, 0)
	putTree(t, srv, "logs", raw, nil)

	local := filepath.Join(dir, "compacted")
	rawS3, dstS3 := "s3://logs/segment-logs/**/*.gz", "s3://lake/compacted"
	// Small row groups, so that filters skip some of them.
	run := func(src, dst string) {
		t.Helper()
		if _, err := compact.Run(context.Background(), compact.Options{Src: src, Dst: dst, RowGroupRows: 500, Read: table.Options{Stores: stores}}); err != nil {
			t.Fatalf("compact %s → %s: %v", src, dst, err)
		}
	}
	run(raw, local)
	run(rawS3, dstS3)

	// New files arrive; the second compaction runs against a faulty store.
	more := filepath.Join(dir, "more")
	if _, err := gen.Generate(context.Background(), gen.Options{Out: more, Events: 1500, Files: 2, Days: 1, Seed: 22, Start: gen.DefaultStart.AddDate(0, 0, 3)}); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(raw, os.DirFS(more)); err != nil {
		t.Fatal(err)
	}
	putTree(t, srv, "logs", more, nil)
	run(raw, local)
	srv.SetFaults(s3test.Faults{SlowDown: 0.15, Cut: 0.25, Seed: 3})
	run(rawS3, dstS3)
	srv.SetFaults(s3test.Faults{})

	queries := []string{
		"SELECT count(*) AS n FROM %s",
		"SELECT properties.recommender.variant AS variant, count(*) AS n FROM %s WHERE event = 'Added to Cart' AND properties.vertical = 'Food' GROUP BY properties.recommender.variant",
		"SELECT event, count(*) AS n, sum(properties.revenue) AS gmv FROM %s WHERE event IN ('Order Completed', 'Product Viewed') GROUP BY event",
		"SELECT messageId, timestamp, userId FROM %s WHERE event = 'Checkout Started' AND _received_day = DATE '2019-02-02'",
	}
	for _, fc := range []s3test.Faults{{}, {SlowDown: 0.2, Cut: 0.3, Seed: 9}} {
		for _, q := range queries {
			name := fmt.Sprintf("slowdown=%v/%s", fc.SlowDown, q)
			t.Run(name, func(t *testing.T) {
				want, _ := runRows(t, fmt.Sprintf(q, "read_json('"+filepath.ToSlash(raw)+"/segment-logs/**/*.gz')"))
				if got, _ := runRows(t, fmt.Sprintf(q, "read_parquet('"+filepath.ToSlash(local)+"')")); !maps.Equal(got, want) {
					t.Fatalf("local compacted copy differs from raw logs")
				}
				srv.SetFaults(fc)
				defer srv.SetFaults(s3test.Faults{})
				srv.ResetStats()
				if got := s3Rows(t, stores, fmt.Sprintf(q, "read_parquet('"+dstS3+"')")); !maps.Equal(got, want) {
					t.Errorf("read_parquet over S3:\n got %v\nwant %v", got, want)
				}
				if st := srv.Stats(); st.RangeGets == 0 {
					t.Errorf("no ranged GETs: %+v", st)
				}
				e := engine.New(engine.Options{Stores: stores})
				e.DefineCompacted("logs", rawS3, dstS3)
				if got := sortedRows(t, e, fmt.Sprintf(q, "logs")); !slices.Equal(got, sortedKeys(want)) {
					t.Errorf("compacted-backed table over S3 differs from the raw logs")
				}
			})
		}
	}

	t.Run("pruning reads few bytes", func(t *testing.T) {
		e := engine.New(engine.Options{Stores: stores})
		src, err := table.OpenParquet(context.Background(), dstS3, table.Options{Stores: stores})
		if err != nil {
			t.Fatal(err)
		}
		e.Register("c", src)
		srv.ResetStats()
		sortedRows(t, e, "SELECT count(*) FROM c WHERE event = 'Order Completed'")
		st, ps := srv.Stats(), src.PruneStats()
		if ps.RowGroupsRead == 0 || ps.RowGroupsRead*2 > ps.RowGroupsTotal {
			t.Errorf("read %d of %d row groups", ps.RowGroupsRead, ps.RowGroupsTotal)
		}
		// One request per file for its footer, one per column chunk read.
		if max := ps.FilesRead + ps.RowGroupsRead; int64(st.ObjectGets) > max {
			t.Errorf("%d GETs for %d files and %d row groups, want at most %d", st.ObjectGets, ps.FilesRead, ps.RowGroupsRead, max)
		}
	})

	t.Run("damaged object", func(t *testing.T) {
		files, _ := filepath.Glob(filepath.Join(local, "*", "*.parquet"))
		if len(files) == 0 {
			t.Fatal("no local Parquet file")
		}
		body, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		srv.Put(t, "lake", "broken/part-0.parquet", body[:len(body)/2], "")
		_, _, err = engine.QueryRows(context.Background(), engine.New(engine.Options{Stores: stores}), "SELECT count(*) FROM read_parquet('s3://lake/broken')")
		if err == nil {
			t.Fatal("half a Parquet file read without error")
		}
		if msg := err.Error(); !strings.Contains(msg, "s3://lake/broken/part-0.parquet") || strings.Contains(msg, s3test.Secret) {
			t.Errorf("error %q should name the object, never the secret", msg)
		}
		if !errors.Is(err, parquetfile.ErrCorrupt) {
			t.Errorf("error %v is not ErrCorrupt", err)
		}
	})
}

// sortedKeys lists the rows of a runRows result, each as often as it
// occurs, sorted like sortedRows.
func sortedKeys(rows map[string]int) []string {
	var out []string
	for k, n := range rows {
		for range n {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
