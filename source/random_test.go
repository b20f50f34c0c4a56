package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/source/s3test"
)

// checkRandom reads random ranges of r, some running past the end, and
// compares them with want.
func checkRandom(t *testing.T, r RandomReader, want []byte, seed uint64) {
	t.Helper()
	if r.Size() != int64(len(want)) {
		t.Fatalf("Size() = %d, want %d", r.Size(), len(want))
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	for range 40 {
		off := rng.Int64N(int64(len(want)) + 1)
		n := rng.IntN(3*TailBytes/2) + 1
		buf := make([]byte, n)
		got, err := r.ReadAt(buf, off)
		end := min(off+int64(n), int64(len(want)))
		if int64(got) != end-off || !bytes.Equal(buf[:got], want[off:end]) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d bytes, want %d identical", n, off, got, end-off)
		}
		if short := end < off+int64(n); short != (err == io.EOF) || (!short && err != nil) {
			t.Fatalf("ReadAt(%d bytes at %d of %d): err %v", n, off, len(want), err)
		}
	}
}

// TestOpenRandom reads objects smaller and larger than TailBytes, and an
// empty one, from S3 (clean and through throttling and cut bodies) and
// from disk.
func TestOpenRandom(t *testing.T) {
	srv, st := newS3(t, nil)
	stores := StoresFor(st)
	dir := t.TempDir()
	sizes := []int{0, 1, 1000, TailBytes, TailBytes + 1, 5*TailBytes + 17}
	objects := map[string][]byte{}
	for _, n := range sizes {
		key := fmt.Sprintf("r/%d", n)
		objects[key] = randomBytes(n, uint64(n)+5)
		srv.Put(t, testBucket, key, objects[key], "")
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(n)), objects[key], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, faults := range []s3test.Faults{{}, {SlowDown: 0.2, Cut: 0.4, Seed: 4}} {
		for _, n := range sizes {
			want := objects[fmt.Sprintf("r/%d", n)]
			paths := []string{fmt.Sprintf("s3://%s/r/%d", testBucket, n), filepath.Join(dir, fmt.Sprint(n))}
			for _, path := range paths {
				t.Run(fmt.Sprintf("cut=%v/%s", faults.Cut, path), func(t *testing.T) {
					srv.SetFaults(faults)
					defer srv.SetFaults(s3test.Faults{})
					srv.ResetStats()
					r, err := stores.OpenRandom(context.Background(), path)
					if err != nil {
						t.Fatal(err)
					}
					defer r.Close()
					// One GET; two for an object shorter than TailBytes,
					// since gofakes3, unlike S3, refuses a suffix range
					// longer than the object.
					if gets := srv.Stats().ObjectGets; IsS3(path) && faults.Cut == 0 && (gets > 2 || n >= TailBytes && gets != 1) {
						t.Errorf("open took %d GETs", gets)
					}
					if n > 0 {
						checkRandom(t, r, want, uint64(n))
					}
					// The footer of a file sits in the tail: no further request.
					if IsS3(path) && faults.Cut == 0 && n > 8 {
						before := srv.Stats().ObjectGets
						if _, err := r.ReadAt(make([]byte, 8), int64(n-8)); err != nil {
							t.Fatal(err)
						}
						if srv.Stats().ObjectGets != before {
							t.Error("reading the last 8 bytes took a request")
						}
					}
				})
			}
		}
	}
}

func TestOpenRandomErrors(t *testing.T) {
	srv, st := newS3(t, func(o *S3Options) { o.MaxAttempts = 3 })
	stores := StoresFor(st)
	if _, err := stores.OpenRandom(context.Background(), "s3://"+testBucket+"/missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing object: %v, want ErrNotExist", err)
	}
	if _, err := stores.OpenRandom(context.Background(), filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want ErrNotExist", err)
	}

	// Overwritten between the tail and a later range: every byte must come
	// from one version.
	path := "s3://" + testBucket + "/changing"
	srv.Put(t, testBucket, "changing", randomBytes(3*TailBytes, 1), "")
	r, err := stores.OpenRandom(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	srv.Put(t, testBucket, "changing", randomBytes(3*TailBytes, 2), "")
	if _, err := r.ReadAt(make([]byte, 100), 0); !errors.Is(err, ErrObjectChanged) {
		t.Errorf("read after overwrite: %v, want ErrObjectChanged", err)
	}

	srv.SetFaults(s3test.Faults{SlowDown: 1})
	defer srv.SetFaults(s3test.Faults{})
	_, err = stores.OpenRandom(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), s3test.Secret) {
		t.Errorf("throttled open: %v; want an error naming %s and never the secret", err, path)
	}
}

// TestS3Prefetch announces ranges, then reads them in order, in reverse,
// and through faults: every byte must be right, an announced range read
// in order must cost no second GET, and reads out of order must not wait
// on the read-ahead budget (which here holds two ranges).
func TestS3Prefetch(t *testing.T) {
	const part = 64 << 10
	srv, st := newS3(t, func(o *S3Options) { o.PartSize = part; o.Concurrency = 2 })
	want := randomBytes(40*part, 8)
	srv.Put(t, testBucket, "pre", want, "")
	path := "s3://" + testBucket + "/pre"
	var ranges [][2]int64
	for off := int64(0); off < int64(len(want)); off += 50 << 10 {
		ranges = append(ranges, [2]int64{off, min(50<<10, int64(len(want))-off)})
	}
	read := func(t *testing.T, r RandomReader, rg [2]int64) {
		t.Helper()
		buf := make([]byte, rg[1])
		if _, err := r.ReadAt(buf, rg[0]); err != nil && err != io.EOF {
			t.Fatalf("ReadAt(%d, %d): %v", rg[1], rg[0], err)
		}
		if !bytes.Equal(buf, want[rg[0]:rg[0]+rg[1]]) {
			t.Fatalf("ReadAt(%d, %d): wrong bytes", rg[1], rg[0])
		}
	}
	for _, tc := range []struct {
		name    string
		reverse bool
		faults  s3test.Faults
	}{
		{"in order", false, s3test.Faults{}},
		{"reversed", true, s3test.Faults{}},
		{"faulty", false, s3test.Faults{SlowDown: 0.2, Cut: 0.3, Seed: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := st.OpenRandom(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			srv.SetFaults(tc.faults)
			defer srv.SetFaults(s3test.Faults{})
			srv.ResetStats()
			r.(Prefetcher).Prefetch(ranges)
			order := slices.Clone(ranges)
			if tc.reverse {
				slices.Reverse(order)
			}
			for _, rg := range order {
				read(t, r, rg)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			inTail := 0
			for _, rg := range ranges {
				if rg[0] >= int64(len(want))-TailBytes {
					inTail++
				}
			}
			gets := srv.Stats().ObjectGets
			if !tc.reverse && tc.faults == (s3test.Faults{}) && gets != len(ranges)-inTail {
				t.Errorf("%d GETs for %d ranges outside the tail, want one each", gets, len(ranges)-inTail)
			}
			t.Logf("%d GETs", gets)
		})
	}

	// Closing with prefetches in flight or waiting for room stops them.
	r, err := st.OpenRandom(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	r.(Prefetcher).Prefetch(ranges)
	read(t, r, ranges[0])
	r.Close()
	if _, err := r.ReadAt(make([]byte, 10), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadAt after Close: %v, want context.Canceled", err)
	}
}
