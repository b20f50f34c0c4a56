package gen

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SamplesDir is where the repository keeps real Segment events and the
// listing of the bucket they came from (see its README), relative to the
// module root.
const SamplesDir = "gen/testdata/real"

// LayoutSamples writes real Segment events into the object layout of a
// real bucket listing, so that tests read them as nectar's users would:
// each event goes into the first object of its receivedAt day folder
// whose LastModified is not before its receivedAt (the archiver writes an
// object after the events in it arrive), or the folder's last object. The
// objects are gzip NDJSON under dir, at their listing keys. The events are
// a small part of the bucket, so most objects get none: they are written
// as empty gzip streams, which nectar skips as non-log files, so that a
// sample of a folder's files is as likely to miss the one holding a
// drifting field as in the real bucket. events is NDJSON; listing is JSON
// lines of {"Key", "LastModified"}. It returns the paths of the objects
// that hold events, sorted.
func LayoutSamples(dir string, events, listing io.Reader) ([]string, error) {
	type object struct {
		key      string
		modified time.Time
		lines    [][]byte
	}
	folders := map[string][]*object{} // day folder → its objects by LastModified
	sc := bufio.NewScanner(listing)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var o struct {
			Key          string
			LastModified time.Time
		}
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			return nil, fmt.Errorf("listing: %w", err)
		}
		parts := strings.Split(o.Key, "/")
		if len(parts) != 4 || parts[0] != "segment-logs" {
			continue // dummy-object.txt and the like
		}
		folders[parts[2]] = append(folders[parts[2]], &object{key: o.Key, modified: o.LastModified})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("listing: %w", err)
	}
	for _, objs := range folders {
		sort.Slice(objs, func(i, j int) bool { return objs[i].modified.Before(objs[j].modified) })
	}
	sc = bufio.NewScanner(events)
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		var e struct{ ReceivedAt time.Time }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("events line %d: %w", n, err)
		}
		day := e.ReceivedAt.UTC().Truncate(24 * time.Hour).UnixMilli()
		objs := folders[strconv.FormatInt(day, 10)]
		if len(objs) == 0 {
			return nil, fmt.Errorf("events line %d: no object in the listing's day folder %d", n, day)
		}
		i := sort.Search(len(objs), func(i int) bool { return !objs[i].modified.Before(e.ReceivedAt) })
		if i == len(objs) {
			i--
		}
		objs[i].lines = append(objs[i].lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	var paths []string
	for _, objs := range folders {
		for _, o := range objs {
			p := filepath.Join(dir, filepath.FromSlash(o.key))
			if err := writeGzipLines(p, o.lines); err != nil {
				return nil, err
			}
			if len(o.lines) > 0 {
				paths = append(paths, p)
			}
		}
	}
	sort.Strings(paths)
	return paths, nil
}

func writeGzipLines(path string, lines [][]byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	for _, l := range lines {
		zw.Write(l)
		zw.Write([]byte{'\n'})
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// OpenSamples opens the repository's real events and listing, from root
// (the module's root directory).
func OpenSamples(root string) (events, listing io.ReadCloser, err error) {
	ef, err := os.Open(filepath.Join(root, SamplesDir, "real-events.jsonl.gz"))
	if err != nil {
		return nil, nil, err
	}
	zr, err := gzip.NewReader(ef)
	if err != nil {
		ef.Close()
		return nil, nil, err
	}
	lf, err := os.Open(filepath.Join(root, SamplesDir, "real-s3-listing.jsonl"))
	if err != nil {
		ef.Close()
		return nil, nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, ef}, lf, nil
}
