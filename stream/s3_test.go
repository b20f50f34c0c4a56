package stream

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/sink/memory"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/source/s3test"
)

// TestS3Prefix streams an S3 prefix on a loopback S3 server behind a proxy
// that throttles requests and cuts bodies: objects arrive in three waves
// between runs, one object is deleted after its batch listed it, and the
// stream crashes at random steps. The table must equal a batch query over
// the same files on local disk, less the deleted one.
func TestS3Prefix(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, Events: 3000, Files: 9, Days: 3, Seed: 4, Duplicates: 0.02, Malformed: 0.01}); err != nil {
		t.Fatal(err)
	}
	var rels []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			rels = append(rels, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(rels)
	srv := s3test.New(t)
	srv.CreateBucket(t, "logs")
	st, err := source.NewS3(context.Background(), source.S3Options{
		Endpoint: srv.URL, Region: s3test.Region, MaxBackoff: 5 * time.Millisecond, PartSize: 32 << 10,
		Credentials: credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.Secret, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	q := "SELECT event, count(*) AS c, count(DISTINCT userId) AS users FROM read_json('%s') GROUP BY event"
	o := opts(t, fmt.Sprintf(q, "s3://logs/segment-logs/**/*.gz"), nil)
	o.Engine.Stores = source.StoresFor(st)
	o.MaxFilesPerBatch = 2
	o.RetryBackoff = time.Millisecond
	gone := rels[4]
	crashes := 0
	var sink Sink
	for wave := 0; wave < 3; wave++ {
		for _, rel := range rels[wave*3 : wave*3+3] {
			body, err := os.ReadFile(filepath.Join(dir, rel))
			if err != nil {
				t.Fatal(err)
			}
			srv.Put(t, "logs", rel, body, "")
		}
		srv.SetFaults(s3test.Faults{SlowDown: 0.15, Cut: 0.25, Seed: uint64(wave)})
		n := 0
		sink, _ = untilDone(t, o, func() Sink { return memory.New("t") }, func(s Step, b int64) bool {
			if s == StepOffsets {
				for _, f := range mustOffsets(t, o.Checkpoint, b).Files {
					if f.Path == "s3://logs/"+gone {
						srv.Backend.DeleteObject("logs", gone)
					}
				}
			}
			n++
			if n%5 == 0 {
				crashes++
				return true
			}
			return false
		})
		srv.SetFaults(s3test.Faults{})
	}
	os.Remove(filepath.Join(dir, gone))
	want := batchRun(t, fmt.Sprintf(q, filepath.ToSlash(dir)+"/segment-logs/**/*.gz"))
	if got := table(sink.(*memory.Sink)); !slices.Equal(got, want) {
		t.Errorf("stream over S3\n%q\nbatch over local files\n%q", got, want)
	}
	probs := problemsOf(t, o.Checkpoint)
	if len(probs) != 1 || probs[0].Path != "s3://logs/"+gone || probs[0].Outcome != outcomeSkipped {
		t.Errorf("problems %+v, want the deleted object skipped", probs)
	}
	if s := srv.Stats(); s.SlowDowns == 0 || s.Cuts == 0 || crashes == 0 {
		t.Errorf("faults not exercised: %d SlowDowns, %d cuts, %d crashes", s.SlowDowns, s.Cuts, crashes)
	}
}

func mustOffsets(t *testing.T, ck string, id int64) offsets {
	t.Helper()
	o, err := (&checkpoint{dir: ck}).readOffsets(id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
