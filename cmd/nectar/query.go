package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/nectar-dev/nectar/chart"
	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/source"
	"github.com/nectar-dev/nectar/types"
)

// sourceFlags are the flags every command that reads logs shares.
type sourceFlags struct {
	config       string
	strict       bool
	badLines     string
	maxLineBytes int
	memoryLimit  string
	lateArrivals time.Duration
	profile      string
	endpoint     string
	// cache and noCache are --cache and --no-cache.
	cache, noCache bool

	cfg *project.Config // loaded by engine()
	// confine limits reads to the project's places (nectar serve).
	confine bool
	graph   *graphTables // the model graph's tables, if any (set by engine())
}

func (f *sourceFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.config, "config", "", "project file naming sources (default ./"+project.ConfigFile+" if present)")
	c.Flags().BoolVar(&f.strict, "strict", false, "fail on the first malformed line instead of skipping it")
	c.Flags().StringVar(&f.badLines, "bad-lines", "", "write every skipped line, with its file and line number, to this file as JSON lines")
	c.Flags().IntVar(&f.maxLineBytes, "max-line-bytes", 0, fmt.Sprintf("skip (or with --strict, fail on) lines longer than this (default %d)", scan.DefaultMaxLineBytes))
	c.Flags().StringVar(&f.memoryLimit, "memory-limit", "", "memory a query's GROUP BY, ORDER BY, joins and windows may hold, e.g. 2GiB (default 60% of RAM); GROUP BY, DISTINCT, ORDER BY, joins on equal keys and windows whose calls share a PARTITION BY key spill to $TMPDIR past it, other joins and windows fail")
	c.Flags().DurationVar(&f.lateArrivals, "late-arrivals", 0, "let an upper bound on timestamp skip Segment day folders received more than this after it (e.g. 72h); events delivered later than that are not read (default: such bounds skip nothing)")
	c.Flags().StringVar(&f.profile, "profile", "", "AWS profile for s3:// paths (default AWS_PROFILE, then the default profile)")
	c.Flags().StringVar(&f.endpoint, "endpoint", "", "S3-compatible endpoint URL for s3:// paths (default AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)")
	// The scan cache's switches: every command that reads logs may keep
	// copies (S3 objects by default), so every one can be told not to.
	c.Flags().BoolVar(&f.cache, "cache", false, "keep columnar copies of the columns read from local files too, and read them instead of the files next time (S3 objects get them unless --no-cache; see nectar cache)")
	c.Flags().BoolVar(&f.noCache, "no-cache", false, "read every raw file, S3 ones included, and keep no copies")
	c.MarkFlagsMutuallyExclusive("cache", "no-cache")
}

func (f *sourceFlags) cacheMode() project.CacheMode {
	switch {
	case f.noCache:
		return project.CacheOff
	case f.cache:
		return project.CacheOn
	}
	return project.CacheDefault
}

// engine opens a session from the flags and nectar.yaml; backend, if
// set, chooses what runs its plans. done prints what the session found
// out about the data on stderr and closes the --bad-lines file; it takes
// the error the command ended with.
func (f *sourceFlags) engine(ctx context.Context, stderr io.Writer, backend func(*project.Config) (engine.Backend, error)) (e *engine.Session, done func(runErr error) error, err error) {
	if f.maxLineBytes < 0 {
		return nil, nil, fmt.Errorf("--max-line-bytes must not be negative, got %d", f.maxLineBytes)
	}
	if f.lateArrivals < 0 {
		return nil, nil, fmt.Errorf("--late-arrivals must not be negative, got %s", f.lateArrivals)
	}
	s := project.Setup{
		Options: engine.Options{Strict: f.strict, MaxLineBytes: f.maxLineBytes, LateArrivals: f.lateArrivals},
		Config:  f.config, Profile: f.profile, Endpoint: f.endpoint, BadLinesPath: f.badLines, Backend: backend,
		Confine: f.confine, Cache: f.cacheMode(),
	}
	if f.memoryLimit != "" {
		if s.MemoryLimit, err = exec.ParseBytes(f.memoryLimit); err != nil || s.MemoryLimit <= 0 {
			return nil, nil, fmt.Errorf("--memory-limit: want a size such as 2GiB, got %q", f.memoryLimit)
		}
	}
	e, cfg, err := project.Open(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	// The limit holds for the process, not only for the operators'
	// estimate of what they hold.
	if s.MemoryLimit > 0 {
		exec.GuardHeap(s.MemoryLimit)
	} else {
		exec.GuardHeap(exec.DefaultMemoryLimit())
	}
	f.cfg = cfg
	closeGraph := func() error { return nil }
	if f.graph = openGraphTables(cfg); f.graph != nil {
		f.graph.attach(e)
		closeGraph = f.graph.close
	}
	done = func(runErr error) error {
		// With --strict, a run that failed stopped at its first bad line
		// and skipped nothing: the summary would only mislead.
		if !(f.strict && runErr != nil) {
			for _, line := range e.Summary() {
				fmt.Fprintln(stderr, line)
			}
		}
		return errors.Join(e.Close(), closeGraph())
	}
	return e, done, nil
}

func newQueryCmd() *cobra.Command {
	var (
		sf             sourceFlags
		ef             engineFlags
		file           string
		format         string
		outPath        string
		plotPath       string
		streamEndpoint string
	)
	c := &cobra.Command{
		Use:   "query [flags] [QUERY]",
		Short: "Run a SQL or pipe-syntax query (or a script with -f)",
		Example: `  nectar query "SELECT event, count(*) AS n FROM read_json('logs/**/*.gz') GROUP BY event ORDER BY n DESC"
  nectar query -f examples/analysis.sql --format csv -o 'result-{n}.csv'
  nectar query < examples/analysis.sql        # or -f -: the script on standard input`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := querySource(file, args, cmd.InOrStdin())
			if err != nil {
				return err
			}
			e, done, err := sf.engine(cmd.Context(), cmd.ErrOrStderr(), ef.backend)
			if err != nil {
				return errors.Join(err, ef.close())
			}
			e.Opts.ExplainOnly = ef.explain
			if streamEndpoint != "" {
				e.LookupTables(streamTables(cmd.Context(), streamEndpoint, cmd.ErrOrStderr()))
			}
			out := &outputs{path: outPath, plot: plotPath, stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr(), stores: e.Opts.Stores}
			runErr := runScript(cmd.Context(), e, src, format, out)
			return errors.Join(runErr, ef.close(), done(runErr))
		},
	}
	sf.add(c)
	ef.add(c)
	c.Flags().StringVarP(&file, "file", "f", "", "read the query or script from FILE")
	c.Flags().StringVar(&format, "format", "", "output format: table, line (one column per line, for wide rows), csv, json, parquet or arrow (Arrow IPC stream) (default: from -o's extension, else table)")
	c.Flags().StringVarP(&outPath, "output", "o", "", "write results to FILE instead of standard output")
	c.Flags().StringVar(&plotPath, "plot", "", "also draw the result as a chart in `FILE`, .png or .svg: the first column is x (lines for times, dates and numbers, bars for categories), the numeric columns the series, or a second text column names them; {n} numbers a script's charts")
	c.Flags().StringVar(&streamEndpoint, "stream-endpoint", "", "read the tables a running nectar stream --memory serves at this `URL`")
	return c
}

// errNoQuery is the answer to a query command given no SQL.
var errNoQuery = errors.New("give a query as the argument, a script with -f FILE, or the script on standard input (-f -, or a pipe)")

// querySource finds the SQL: the argument, the -f file (- for standard
// input), or standard input when it is a pipe or file and nothing else
// is given.
func querySource(file string, args []string, stdin io.Reader) (string, error) {
	switch {
	case file != "" && len(args) == 1:
		return "", errNoQuery
	case file == "-" || file == "" && len(args) == 0 && !isTerminal(stdin):
		b, err := io.ReadAll(stdin)
		if err != nil {
			return "", fmt.Errorf("read standard input: %w", err)
		}
		if strings.TrimSpace(string(b)) == "" {
			return "", errNoQuery
		}
		return string(b), nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read script: %w", err)
		}
		return string(b), nil
	case len(args) == 1:
		return args[0], nil
	}
	return "", errNoQuery
}

// runScript runs every statement of src, writing each result where out
// says: stdout, or the file -o names (a script with several results needs
// a {n} in the name, which becomes each result's number), and a chart of
// it if --plot asks. The progress line goes to stderr.
func runScript(ctx context.Context, e *engine.Session, src, format string, out *outputs) error {
	stdout, stderr, outPath := out.stdout, out.stderr, out.path
	var f output.Format
	var err error
	if format != "" {
		if f, err = output.ParseFormat(format); err != nil {
			return err
		}
	} else if f, err = output.FormatFor(strings.ReplaceAll(outPath, "{n}", "")); err != nil {
		return fmt.Errorf("-o %s: %w; or choose one with --format", outPath, err)
	}
	if out.plot != "" {
		if _, err := chart.FormatFor(strings.ReplaceAll(out.plot, "{n}", "")); err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
	}
	defer out.abort()
	if outPath != "" {
		// Files appear only when complete, so a result the engine must
		// read again (its sampled schema proved wrong) can be thrown away
		// rather than held back.
		e.Opts.Restart = true
	}
	stopProgress := startProgress(e, stderr)
	defer stopProgress()
	err = e.Run(ctx, src, func(r *engine.Result) error {
		w, err := out.next(ctx, r.Again, f)
		if err != nil {
			return err
		}
		if r.Kind == engine.Text {
			_, err := io.WriteString(w, r.Text)
			return err
		}
		if out.plot != "" {
			rows, err := exec.Collect(ctx, r.Rows)
			if err != nil {
				return err
			}
			if err := out.writeChart(ctx, r.Again, r.Schema, rows); err != nil {
				return err
			}
			again := *r
			again.Rows = exec.Rows(r.Schema, rows)
			r = &again
		}
		width := 0
		if f == output.Table && w == stdout {
			// A terminal gets lines that fit it; a pipe, whole lines.
			width = terminalWidth(stdout)
		}
		return writeResult(ctx, r, f, w, width)
	})
	if err != nil {
		return &queryError{src: src, err: err}
	}
	return out.close()
}

// outputs hands each result of a script its writer: stdout, or the file
// -o names, one per result when the name has {n}.
type outputs struct {
	stores         *source.Stores
	path           string
	plot           string // --plot's file name ("": no chart)
	stdout, stderr io.Writer
	results        int
	charts         int
	file           source.Writer // the current result's, until committed
	name           string
}

// writeChart draws a result in the --plot file (its {n} the chart's
// number), which appears only when complete.
func (o *outputs) writeChart(ctx context.Context, again bool, schema types.Schema, rows [][]types.Value) error {
	if !again {
		o.charts++
	}
	if o.charts > 1 && !strings.Contains(o.plot, "{n}") {
		return fmt.Errorf("--plot %s holds one chart, and this script has several results: put {n} in the name (e.g. chart-{n}%s) to draw each", o.plot, filepath.Ext(o.plot))
	}
	ch, err := chart.FromRows(schema, rows)
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	name := strings.ReplaceAll(o.plot, "{n}", strconv.Itoa(o.charts))
	format, err := chart.FormatFor(name)
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	f, err := o.stores.Create(ctx, name)
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	if err := ch.Write(f, format); err != nil {
		f.Abort()
		return fmt.Errorf("--plot %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--plot %s: %w", name, err)
	}
	fmt.Fprintf(o.stderr, "chart %q in %s\n", ch.Title, name)
	return nil
}

// next returns the writer for the next result, or for the last one again
// when it must be rewritten (again).
func (o *outputs) next(ctx context.Context, again bool, f output.Format) (io.Writer, error) {
	if !again {
		o.results++
	}
	if o.path == "" {
		// A blank line keeps a script's tables apart; machine formats
		// get nothing extra.
		if o.results > 1 && !again && f == output.Table {
			if _, err := io.WriteString(o.stdout, "\n"); err != nil {
				return nil, err
			}
		}
		if (f == output.Parquet || f == output.Arrow) && o.results > 1 {
			return nil, fmt.Errorf("a %s file holds one result, and this script has several: write them to files with -o 'result-{n}.%s'", f, f)
		}
		return o.stdout, nil
	}
	if o.results > 1 && !strings.Contains(o.path, "{n}") {
		return nil, fmt.Errorf("-o %s holds one result, and this script has several: put {n} in the name (e.g. result-{n}%s) to write each to its own file", o.path, filepath.Ext(o.path))
	}
	if again {
		o.abort()
	} else if err := o.close(); err != nil {
		return nil, err
	}
	o.name = strings.ReplaceAll(o.path, "{n}", strconv.Itoa(o.results))
	// source.Create makes the file (or S3 object) visible only when it is
	// complete: a failed or interrupted query leaves nothing behind.
	file, err := o.stores.Create(ctx, o.name)
	if err != nil {
		return nil, fmt.Errorf("output: %w", err)
	}
	o.file = file
	return file, nil
}

// close commits the current file.
func (o *outputs) close() error {
	if o.file == nil {
		return nil
	}
	file := o.file
	o.file = nil
	if err := file.Close(); err != nil {
		return fmt.Errorf("output %s: %w", o.name, err)
	}
	return nil
}

// abort drops the current file, if any.
func (o *outputs) abort() {
	if o.file != nil {
		o.file.Abort()
		o.file = nil
	}
}

// writeResult writes r's rows in format f; width, when not 0, is the
// terminal's, which a table then fits.
func writeResult(ctx context.Context, r *engine.Result, f output.Format, w io.Writer, width int) error {
	ow, err := output.New(f, w, r.Schema)
	if err != nil {
		return err
	}
	if f == output.Table && width > 0 {
		ow = output.NewTable(w, r.Schema, width, "--format line shows every column")
	}
	for {
		b, err := r.Rows.Next(ctx)
		if err != nil {
			// No Close: a table of the rows before the failure would look
			// like a complete result.
			return err
		}
		if b == nil || b.Len == 0 {
			return ow.Close()
		}
		if err := ow.Write(b); err != nil {
			return err
		}
	}
}

// startProgress prints a progress line on stderr while scans run, when
// stderr is a terminal and the work takes over a second.
func startProgress(e *engine.Session, stderr io.Writer) (stop func()) {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		start := time.Now()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		printed := false
		for {
			select {
			case <-done:
				if printed {
					fmt.Fprint(f, "\r\033[K")
				}
				return
			case <-tick.C:
				if time.Since(start) < time.Second {
					continue
				}
				if line := progressLine(e, time.Since(start)); line != "" {
					fmt.Fprint(f, "\r\033[K"+line)
					printed = true
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

func progressLine(e *engine.Session, elapsed time.Duration) string {
	var files, filesTotal, bytes, bytesTotal, rows int64
	for _, s := range e.Reads().Scans() {
		st := s.Stats()
		files += st.FilesDone
		filesTotal += st.FilesTotal
		bytes += st.BytesDone
		bytesTotal += st.BytesTotal
		rows += st.Rows
	}
	if filesTotal == 0 {
		return ""
	}
	rate := float64(bytes) / elapsed.Seconds()
	eta := "?"
	if bytes > 0 && bytesTotal >= bytes {
		eta = (time.Duration(float64(bytesTotal-bytes)/rate) * time.Second / time.Second).Round(time.Second).String()
	}
	return fmt.Sprintf("files %d/%d  %s/%s  %s rows  %s/s  ETA %s",
		files, filesTotal, output.FormatBytes(bytes), output.FormatBytes(bytesTotal), humanCount(rows), output.FormatBytes(int64(rate)), eta)
}

func humanCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1fG", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}
