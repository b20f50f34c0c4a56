package main

import (
	"errors"
	"fmt"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/output"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/compact"
)

func newCompactCmd() *cobra.Command {
	var (
		sf      sourceFlags
		byEvent bool
		batch   string
	)
	c := &cobra.Command{
		Use:   "compact SRC DST",
		Short: "Convert raw logs to Parquet partitioned by day (incrementally: only new files), for fast daily queries",
		Example: `  nectar compact 'logs/segment-logs/**/*.gz' compacted
  nectar compact --by-event 's3://bucket/segment-logs/**/*.gz' s3://bucket/compacted
  nectar query "SELECT … FROM read_parquet('compacted') WHERE day >= DATE '2019-02-03'"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, done, err := sf.engine(cmd.Context(), cmd.ErrOrStderr(), nil)
			if err != nil {
				return err
			}
			o := compact.Options{Src: args[0], Dst: args[1], PartitionByEvent: byEvent, Read: e.Opts.Table()}
			// Compaction reads each raw file once, for every column: a
			// scan cache's copy would only duplicate the Parquet it writes.
			o.Read.Cache = nil
			if batch != "" {
				n, err := exec.ParseBytes(batch)
				if err != nil {
					return fmt.Errorf("--batch-bytes: %w", err)
				}
				o.BatchBytes = n
			}
			s, err := compact.Run(cmd.Context(), o)
			if err != nil {
				return errors.Join(err, done(err))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d source files: %d new, %d changed, %d up to date; wrote %d rows in %d files (%s) in %d batches\n",
				s.SourceFiles, s.New, s.Changed, s.UpToDate, s.Rows, s.OutputFiles, output.FormatBytes(s.OutputBytes), s.Batches)
			if line := s.Scan.Summary(); line != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), line)
			}
			return done(nil)
		},
	}
	sf.add(c)
	c.Flags().BoolVar(&byEvent, "by-event", false, "also partition by event name (event=<name>/), for queries that filter on event")
	c.Flags().StringVar(&batch, "batch-bytes", "", "compressed bytes of source files converted together (default 32MiB)")
	return c
}
