package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// The test binary doubles as the processes under measurement: with
// BENCH_TEST_ROLE set it acts as the measure-worker wrapper or as a child
// that touches a given number of MiB.
func TestMain(m *testing.M) {
	switch os.Getenv("BENCH_TEST_ROLE") {
	case "":
		os.Exit(m.Run())
	case "wrapper":
		// Drop the role so the command it runs (this binary again) acts
		// as the child.
		os.Setenv("BENCH_TEST_ROLE", "child")
		os.Exit(MeasureWorker(os.Args[2:], os.NewFile(3, "report")))
	case "child":
		mib, _ := strconv.Atoi(os.Args[len(os.Args)-1])
		b := make([]byte, mib<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		fmt.Println("ok", len(b)>>20)
		if mib < 0 {
			os.Exit(3)
		}
		os.Exit(0)
	}
}

// ballast keeps the parent's RSS high during TestMeasurerRSS.
var ballast []byte

func TestMeasurerRSS(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A large parent must not raise the children's numbers: that is what
	// the wrapper is for.
	ballast = make([]byte, 300<<20)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1
	}
	env := append(os.Environ(), "BENCH_TEST_ROLE=wrapper")
	m := Measurer{Wrapper: self}
	tests := []struct {
		mib         int
		lo, hi      int64 // MiB
		wantFailure bool
	}{
		{mib: 1, lo: 1, hi: 150},
		{mib: 400, lo: 400, hi: 600},
		{mib: -1, wantFailure: true},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.mib), func(t *testing.T) {
			got, err := m.Run(context.Background(), env, self, "-test.run=^$", strconv.Itoa(tt.mib))
			if tt.wantFailure {
				if !errors.Is(err, ErrRun) {
					t.Fatalf("err = %v, want ErrRun", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rss := got.PeakRSS >> 20
			if rss < tt.lo || rss > tt.hi {
				t.Errorf("peak RSS %d MiB, want %d–%d", rss, tt.lo, tt.hi)
			}
			if got.Wall <= 0 {
				t.Errorf("wall time %v", got.Wall)
			}
			if want := fmt.Sprintf("ok %d\n", tt.mib); string(got.Stdout) != want {
				t.Errorf("stdout %q, want %q", got.Stdout, want)
			}
		})
	}
	ballast = nil
}
