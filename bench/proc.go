package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"
)

// Measurement is one timed run of one engine process.
type Measurement struct {
	Wall    time.Duration
	PeakRSS int64 // bytes, from the child's rusage
	Stdout  []byte
}

// ErrRun is wrapped by RunMeasured when the process fails; the error text
// carries the tail of its stderr.
var ErrRun = errors.New("engine process failed")

// RunMeasured runs name with args and env, timing it from start to exit
// and reading its peak resident set size from rusage. Wall time therefore
// includes process start-up, which a user pays too.
func RunMeasured(ctx context.Context, env []string, name string, args ...string) (Measurement, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	err := cmd.Run()
	wall := time.Since(began)
	m := Measurement{Wall: wall, Stdout: stdout.Bytes()}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.PeakRSS = maxRSSBytes(ru)
		}
	}
	if err != nil {
		return m, fmt.Errorf("%w: %s: %v: %s", ErrRun, name, err, tail(stderr.Bytes(), 800))
	}
	return m, nil
}

// tail keeps the end of a process's stderr, where the error usually is.
func tail(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		b = append([]byte("…"), b[len(b)-n:]...)
	}
	return string(b)
}
