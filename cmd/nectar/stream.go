package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/sink/console"
	"github.com/nectar-dev/nectar/sink/file"
	"github.com/nectar-dev/nectar/sink/memory"
	"github.com/nectar-dev/nectar/sink/postgres"
	"github.com/nectar-dev/nectar/stream"
)

func newStreamCmd() *cobra.Command {
	var (
		sf        sourceFlags
		o         stream.Options
		mode      string
		trigger   string
		watermark string
		settle    string
		outDir    string
		format    string
		memTable  string
		endpoint  string
		toConsole bool
		pgURL     string
		pgTable   string
	)
	c := &cobra.Command{
		Use:   "stream [--trigger 30s | --once] --checkpoint DIR (--output DIR | --memory NAME | --postgres URL --table T | --console) QUERY",
		Short: "Keep a query's result current as new log files arrive, exactly once across restarts",
		Long: `Keep a query's result current as new log files arrive, exactly once across restarts.

Each trigger takes the new, stable files of the query's read_json source as one
micro-batch, runs the query incrementally (filters and projections stream;
the top-level aggregation keeps its state) and delivers the rows to one sink:
  --output DIR --format csv|jsonl|parquet   files, visible when the batch commits
  --memory NAME [--serve ADDR]              a table 'nectar query --stream-endpoint' reads
  --postgres URL --table T                  PostgreSQL; the batch id is recorded in
                                            nectar_stream_batches in the same transaction,
                                            so a replayed batch changes nothing
  --console                                 the refreshed result on the terminal
The checkpoint directory makes a restart after any crash resume exactly once.

Event time: GROUP BY window(ts, '1 hour'[, '15 minutes']) with a watermark,
given as --watermark '2 hours' or in the query as Spark's clause
  FROM read_json('…') WATERMARK timestamp DELAY OF INTERVAL 2 HOURS
Late rows (older than the watermark) are dropped and counted in 'stream status'.

Duplicates: --dedup messageId keeps the first row per messageId (Segment
delivers at least once); with a watermark a key is forgotten once the watermark
passes its event time + delay (Spark's dropDuplicatesWithinWatermark).
SELECT DISTINCT streams too, remembering every distinct row.`,
		Example: `  nectar stream --once --checkpoint ck --output out --format csv \
    "SELECT event, count(*) AS n FROM read_json('logs/**/*.gz') GROUP BY event"
  nectar stream --trigger 30s --checkpoint ck --memory data_stream --serve 127.0.0.1:7070 "…"
  nectar query --stream-endpoint http://127.0.0.1:7070 "SELECT * FROM data_stream"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Checkpoint == "" {
				return errors.New("--checkpoint DIR is required: it is what makes a restart exactly-once")
			}
			var err error
			if o.Mode, err = stream.ParseMode(mode); err != nil {
				return err
			}
			for _, d := range []struct {
				flag, text string
				into       *time.Duration
			}{{"--trigger", trigger, &o.Trigger}, {"--watermark", watermark, &o.Watermark}, {"--settle", settle, &o.Settle}} {
				if d.text == "" {
					continue
				}
				// Go's own form (30s, 1h30m) or Spark's ('2 hours').
				if *d.into, err = time.ParseDuration(d.text); err == nil {
					continue
				}
				if *d.into, err = functions.ParseDuration(d.text); err != nil {
					return fmt.Errorf("%s: %w", d.flag, err)
				}
			}
			sinks := 0
			for _, on := range []bool{outDir != "", memTable != "", toConsole, pgURL != ""} {
				if on {
					sinks++
				}
			}
			if sinks != 1 {
				return errors.New("give exactly one sink: --output DIR, --memory NAME, --postgres URL --table T or --console")
			}
			if (pgURL == "") != (pgTable == "") {
				return errors.New("--postgres URL and --table NAME go together")
			}
			ctx := cmd.Context()
			switch {
			case outDir != "":
				f, err := output.ParseFormat(format)
				if err != nil {
					return err
				}
				if o.Sink, err = file.New(outDir, f); err != nil {
					return err
				}
			case memTable != "":
				m := memory.New(memTable)
				o.Sink = m
				addr, err := memory.Serve(ctx, endpoint, m)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "serving table %s at http://%s (nectar query --stream-endpoint http://%s \"SELECT * FROM %s\")\n", memTable, addr, addr, memTable)
			case pgURL != "":
				if o.Sink, err = postgres.New(pgURL, pgTable); err != nil {
					return err
				}
			default:
				o.Sink = console.New(cmd.OutOrStdout())
			}
			e, done, err := sf.engine(ctx, cmd.ErrOrStderr(), nil)
			if err != nil {
				return err
			}
			o.Query, o.Catalog, o.Engine = args[0], e, e.Opts
			err = stream.Run(ctx, o)
			if errors.Is(err, context.Canceled) {
				err = nil // Ctrl-C: the checkpoint is consistent; the next run goes on from it
			}
			return errors.Join(err, done(err))
		},
	}
	sf.add(c)
	f := c.Flags()
	f.StringVar(&o.Checkpoint, "checkpoint", "", "directory for offsets, commits and state (required)")
	f.BoolVar(&o.Once, "once", false, "process every file available now, in as many batches as needed, then exit")
	f.StringVar(&trigger, "trigger", "30s", "time between batches")
	f.StringVar(&mode, "output-mode", "", "append, update or complete (default: complete for aggregations, else append)")
	f.IntVar(&o.MaxFilesPerBatch, "max-files-per-batch", 0, "most files in one batch (0: no cap)")
	f.Int64Var(&o.MaxBytesPerBatch, "max-bytes-per-batch", 0, "most bytes in one batch (0: no cap)")
	f.StringVar(&settle, "settle", "5s", "a file younger than this is taken only once a later listing sees it unchanged")
	f.StringVar(&watermark, "watermark", "", "how late events may be, e.g. '2 hours', before their event-time window closes")
	f.StringVar(&o.DedupKey, "dedup", "", "keep the first row per value of this column, e.g. messageId (forgotten once the watermark passes its event time + delay)")
	f.StringVar(&o.WatermarkColumn, "watermark-column", "", "the window's event-time column the watermark applies to")
	f.StringVar(&outDir, "output", "", "file sink: write results under DIR")
	f.StringVar(&format, "format", "jsonl", "file sink format: csv, jsonl or parquet")
	f.StringVar(&memTable, "memory", "", "memory sink: keep the result as table NAME, served over HTTP on --serve")
	f.StringVar(&endpoint, "serve", "127.0.0.1:0", "loopback address where the memory sink serves its table")
	f.StringVar(&pgURL, "postgres", "", "PostgreSQL sink: server URL (postgres://user:pass@host:port/db); batches are written exactly once")
	f.StringVar(&pgTable, "table", "", "PostgreSQL sink: table to write (created when missing; schema.table allowed)")
	f.BoolVar(&toConsole, "console", false, "console sink: print the refreshed result after every batch")
	c.AddCommand(newStreamStatusCmd())
	return c
}

func newStreamStatusCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "status CHECKPOINT",
		Short: "Summarise a stream's checkpoint: batches, rows, late rows, pending files, last error",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := stream.ReadStatus(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			if !asJSON {
				enc.SetIndent("", "  ")
			}
			return enc.Encode(st)
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "one line of JSON")
	return c
}

// streamTables makes table names resolve to a running stream's memory
// tables at endpoint.
func streamTables(ctx context.Context, endpoint string, stderr io.Writer) func(string) (plan.Source, bool) {
	return func(name string) (plan.Source, bool) {
		t, err := memory.OpenRemoteTable(ctx, endpoint, name)
		if err != nil {
			fmt.Fprintf(stderr, "stream endpoint %s: %v\n", endpoint, err)
			return nil, false
		}
		return t, true
	}
}
