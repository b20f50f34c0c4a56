package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
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

// ErrRun is wrapped by Measurer.Run when the process fails; the error text
// carries the tail of its stderr.
var ErrRun = errors.New("engine process failed")

// Measurer starts engine processes and reads their wall time and peak RSS.
//
// On Linux a child's ru_maxrss is never below its parent's RSS at the time
// of exec: exec records the high-water mark of the memory it replaces, and
// Go's os/exec starts children with vfork, sharing the parent's memory
// until then. The bench process links DuckDB and reads Parquet files back,
// so its RSS would be a floor under every measurement. Wrapper, when set,
// is a binary (the bench binary itself) whose "measure-worker" subcommand
// (MeasureWorker) starts the engine from a fresh, small process and reports
// the engine's own rusage.
type Measurer struct {
	Wrapper string
}

// measureReport is what MeasureWorker sends back on its report pipe.
type measureReport struct {
	WallNS int64 `json:"wall_ns"`
	MaxRSS int64 `json:"max_rss"`
	Err    string
}

// Run runs name with args and env, timing it from start to exit. Wall time
// includes process start-up, which a user pays too.
func (m Measurer) Run(ctx context.Context, env []string, name string, args ...string) (Measurement, error) {
	if m.Wrapper == "" {
		return runDirect(ctx, env, name, args...)
	}
	rd, wr, err := os.Pipe()
	if err != nil {
		return Measurement{}, fmt.Errorf("report pipe: %w", err)
	}
	defer rd.Close()
	cmd := exec.CommandContext(ctx, m.Wrapper, append([]string{"measure-worker", name}, args...)...)
	cmd.Env = env
	cmd.ExtraFiles = []*os.File{wr} // fd 3 in the wrapper
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		wr.Close()
		return Measurement{}, fmt.Errorf("start %s: %w", m.Wrapper, err)
	}
	wr.Close()
	rep, readErr := io.ReadAll(rd)
	waitErr := cmd.Wait()
	var r measureReport
	if len(rep) > 0 {
		if err := json.Unmarshal(rep, &r); err != nil {
			return Measurement{}, fmt.Errorf("measure-worker report %q: %w", rep, err)
		}
	}
	res := Measurement{Wall: time.Duration(r.WallNS), PeakRSS: r.MaxRSS, Stdout: stdout.Bytes()}
	if waitErr != nil || readErr != nil || r.Err != "" {
		return res, fmt.Errorf("%w: %s: %v%v %s: %s", ErrRun, name, waitErr, readErr, r.Err, tail(stderr.Bytes(), 800))
	}
	return res, nil
}

func runDirect(ctx context.Context, env []string, name string, args ...string) (Measurement, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	err := cmd.Run()
	m := Measurement{Wall: time.Since(began), Stdout: stdout.Bytes()}
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

// MeasureWorker is the body of the measure-worker subcommand: it runs
// args[0] with args[1:], passing stdin, stdout and stderr through, and
// writes the child's wall time and peak RSS as JSON to report. It returns
// the exit code to exit with.
func MeasureWorker(args []string, report io.Writer) int {
	var r measureReport
	code := 0
	defer func() {
		b, _ := json.Marshal(r)
		report.Write(b)
	}()
	if len(args) == 0 {
		r.Err = "measure-worker: no command"
		return 2
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	began := time.Now()
	err := cmd.Run()
	r.WallNS = int64(time.Since(began))
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSS = maxRSSBytes(ru)
		}
		code = cmd.ProcessState.ExitCode()
	}
	if err != nil {
		r.Err = err.Error()
		if code <= 0 {
			code = 1
		}
	}
	return code
}

// tail keeps the end of a process's stderr, where the error usually is.
func tail(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		b = append([]byte("…"), b[len(b)-n:]...)
	}
	return string(b)
}
