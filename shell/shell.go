package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Options configure a shell.
type Options struct {
	// Open makes the session from a project file ("": ./nectar.yaml if
	// present), as `nectar query` does; .open calls it again. close ends
	// the session (it writes out --bad-lines).
	Open func(ctx context.Context, config string) (s *engine.Session, close func() error, err error)
	// Config is the project file to start with ("": the default).
	Config string
	// In holds the input when the shell is not Interactive: statements
	// and dot commands, as a script.
	In io.Reader
	// Out receives results, Err errors and notes.
	Out, Err io.Writer
	// Interactive reads from the terminal (os.Stdin) with line editing,
	// completion and history; Ctrl-C cancels the running statement.
	Interactive bool
	// HistoryPath keeps the statements entered, across sessions ("": not
	// kept).
	HistoryPath string
	// Version is shown in the greeting.
	Version string
	// Width returns the terminal's columns, which wide tables are fitted
	// to (nil or 0: no limit).
	Width func() int
	// Progress, if set, shows progress while a statement runs; stop ends it.
	Progress func(*engine.Session) (stop func())
}

// errQuit ends the shell from .quit.
var errQuit = errors.New("quit")

// errCancelled is what reading input returns for Ctrl-C at the prompt:
// the input so far is dropped.
var errCancelled = errors.New("input cancelled")

// Shell is one running shell: its session and display settings.
type Shell struct {
	o       Options
	sess    *engine.Session
	close   func() error
	config  string // the project file the session came from ("": default)
	mode    output.Format
	timer   bool
	said    map[string]bool // summary lines already shown
	cols    map[string][]column
	sigs    chan os.Signal // Ctrl-C, when interactive
	failed  int            // statements and commands that failed
	results int            // results printed by the current input
	last    lastResult     // for .plot
}

// maxKeptRows bounds the rows of the last result kept for .plot: a chart
// of more points than that is unreadable, and holding them costs memory.
const maxKeptRows = 100_000

// lastResult is the last rows result printed, for .plot.
type lastResult struct {
	schema  types.Schema
	rows    [][]types.Value
	tooMany bool // past maxKeptRows: not kept
	none    bool // no rows result yet
}

// reader yields the shell's input one runnable piece at a time: a dot
// command, or statements ending in ';' (or whatever is left at the end).
type reader interface {
	read() (string, error) // io.EOF at the end; errCancelled for Ctrl-C
}

// Run starts a shell and returns when its input ends or .quit is given.
// A non-interactive shell returns an error if any statement failed (each
// was reported on Err as it happened), so that scripts can tell.
func Run(ctx context.Context, o Options) error {
	sh := &Shell{o: o, mode: output.Table, said: map[string]bool{}, last: lastResult{none: true}}
	if err := sh.open(ctx, o.Config); err != nil {
		return err
	}
	defer func() {
		if err := sh.close(); err != nil {
			fmt.Fprintf(o.Err, "error: %v\n", err)
		}
	}()
	var in reader
	if o.Interactive {
		// The shell takes Ctrl-C from here on: it cancels the running
		// statement, not nectar (the caller must not catch it as well).
		sh.sigs = make(chan os.Signal, 2)
		signal.Notify(sh.sigs, os.Interrupt)
		defer signal.Stop(sh.sigs)
		t, err := newTerminal(sh)
		if err != nil {
			return err
		}
		in = t
		sh.greet()
	} else {
		in = newScript(o.In)
	}
	err := sh.loop(ctx, in)
	if errors.Is(err, errQuit) || err == nil {
		if !o.Interactive && sh.failed > 0 {
			return fmt.Errorf("%d of the script's statements failed (each error is above)", sh.failed)
		}
		return nil
	}
	return err
}

func (sh *Shell) loop(ctx context.Context, in reader) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		text, err := in.read()
		switch {
		case errors.Is(err, io.EOF):
			if strings.TrimSpace(text) != "" {
				sh.exec(ctx, text)
			}
			return nil
		case errors.Is(err, errCancelled):
			continue
		case err != nil:
			return err
		}
		if err := sh.exec(ctx, text); errors.Is(err, errQuit) {
			return err
		}
	}
}

// exec runs one piece of input: a dot command or SQL.
func (sh *Shell) exec(ctx context.Context, text string) error {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return nil
	}
	sh.results = 0
	var err error
	if isDotCommand(trimmed) {
		err = sh.dot(ctx, trimmed)
		if errors.Is(err, errQuit) {
			return err
		}
	} else {
		err = sh.sql(ctx, text)
	}
	if err != nil {
		sh.failed++
		fmt.Fprintln(sh.o.Err, formatError(text, err))
	}
	return nil
}

// formatError renders err as nectar query does: parse and bind errors
// point at line:column with a caret, the rest is one line.
func formatError(src string, err error) string {
	var se *syntax.Error
	var sl syntax.ErrorList
	if errors.As(err, &se) || errors.As(err, &sl) {
		return syntax.Format(src, err)
	}
	return "error: " + err.Error()
}

// sql runs statements, printing each result as it comes. Ctrl-C cancels
// them and returns to the prompt; a second Ctrl-C while they are still
// stopping ends nectar, as it does for `nectar query`.
func (sh *Shell) sql(ctx context.Context, src string) error {
	start := time.Now()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopWatch := sh.watchInterrupt(cancel)
	stopProgress := func() {}
	if sh.o.Progress != nil {
		stopProgress = sh.o.Progress(sh.sess)
	}
	err := sh.sess.Run(ctx, src, func(r *engine.Result) error { return sh.print(ctx, r) })
	stopProgress()
	stopWatch()
	sh.cols = nil // a view may have been made or replaced
	if errors.Is(context.Cause(ctx), errInterrupted) {
		err = errInterrupted
	}
	if sh.timer {
		fmt.Fprintf(sh.o.Out, "Run Time (s): real %.3f\n", time.Since(start).Seconds())
	}
	sh.summary()
	return err
}

// errInterrupted is the cause of a statement cancelled with Ctrl-C.
var errInterrupted = errors.New("interrupted")

// watchInterrupt cancels the running statement on Ctrl-C. A second Ctrl-C
// before it has stopped exits, for a statement that does not stop.
func (sh *Shell) watchInterrupt(cancel context.CancelCauseFunc) (stop func()) {
	if sh.sigs == nil {
		return func() {}
	}
	for len(sh.sigs) > 0 {
		<-sh.sigs // pressed between statements: nothing to cancel
	}
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-sh.sigs:
			cancel(errInterrupted)
		case <-done:
			return
		}
		select {
		case <-sh.sigs:
			fmt.Fprintln(sh.o.Err, "\nerror: interrupted twice: exiting")
			os.Exit(130)
		case <-done:
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}

// print writes one result in the current mode.
func (sh *Shell) print(ctx context.Context, r *engine.Result) error {
	if sh.results > 0 && (sh.mode == output.Table || sh.mode == output.Line) {
		fmt.Fprintln(sh.o.Out)
	}
	sh.results++
	if r.Kind == engine.Text {
		text := r.Text
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		_, err := io.WriteString(sh.o.Out, text)
		return err
	}
	sh.last = lastResult{schema: r.Schema}
	w, err := output.New(sh.mode, sh.o.Out, r.Schema)
	if err != nil {
		return err
	}
	if sh.mode == output.Table && sh.o.Width != nil {
		if width := sh.o.Width(); width > 0 {
			w = output.NewTable(sh.o.Out, r.Schema, width, ".mode line shows every column")
		}
	}
	for {
		b, err := r.Rows.Next(ctx)
		if err != nil {
			return err
		}
		if b == nil || b.Len == 0 {
			return w.Close()
		}
		if err := w.Write(b); err != nil {
			return err
		}
		if !sh.last.tooMany {
			for i := 0; i < b.Len; i++ {
				sh.last.rows = append(sh.last.rows, b.Row(make([]types.Value, 0, len(b.Cols)), i))
			}
			if len(sh.last.rows) > maxKeptRows {
				sh.last.rows, sh.last.tooMany = nil, true
			}
		}
	}
}

// summary shows what the session found out about the data (bad lines,
// widened columns) that it has not shown before.
func (sh *Shell) summary() {
	for _, line := range sh.sess.Summary() {
		if !sh.said[line] {
			sh.said[line] = true
			fmt.Fprintln(sh.o.Err, line)
		}
	}
}

// open replaces the session with one made from config.
func (sh *Shell) open(ctx context.Context, config string) error {
	s, closeFn, err := sh.o.Open(ctx, config)
	if err != nil {
		return err
	}
	if sh.sess != nil {
		if err := sh.close(); err != nil {
			fmt.Fprintf(sh.o.Err, "error: %v\n", err)
		}
	}
	sh.sess, sh.close, sh.config, sh.cols = s, closeFn, config, nil
	sh.said = map[string]bool{}
	return nil
}

func (sh *Shell) greet() {
	v := sh.o.Version
	if v != "" {
		v = " " + v
	}
	fmt.Fprintf(sh.o.Out, "nectar%s: SQL and |> pipe syntax over Segment logs.\n", v)
	fmt.Fprintln(sh.o.Out, "End statements with ';'. Tab completes; .help lists commands; Ctrl-C cancels; Ctrl-D quits.")
	if names := sh.tableNames(); len(names) > 0 {
		fmt.Fprintf(sh.o.Out, "Tables: %s\n", strings.Join(names, ", "))
	}
}

func (sh *Shell) tableNames() []string {
	var names []string
	for _, t := range sh.sess.Tables() {
		names = append(names, t.Name)
	}
	return names
}

// script reads a non-interactive shell's input: dot commands on their own
// lines, SQL up to each line that completes a statement.
type script struct {
	sc    *bufio.Scanner
	buf   strings.Builder
	lines int // lines read so far
}

func newScript(r io.Reader) *script {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	return &script{sc: sc}
}

// read returns the next piece. SQL comes after as many newlines as lines
// came before it, so that errors give the script's line numbers.
func (s *script) read() (string, error) {
	for s.sc.Scan() {
		line := s.sc.Text()
		s.lines++
		if s.buf.Len() == 0 && isDotCommand(strings.TrimSpace(line)) {
			return line, nil
		}
		if s.buf.Len() == 0 {
			s.buf.WriteString(strings.Repeat("\n", s.lines-1))
		}
		s.buf.WriteString(line)
		s.buf.WriteByte('\n')
		// Comments alone wait for the statement they precede, so that
		// its errors count lines from the comments.
		if text := s.buf.String(); complete(text) && !onlyComments(text) {
			s.buf.Reset()
			return text, nil
		}
	}
	if err := s.sc.Err(); err != nil {
		return "", fmt.Errorf("read input: %w", err)
	}
	text := s.buf.String()
	s.buf.Reset()
	return text, io.EOF
}
