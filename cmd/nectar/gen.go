package main

import (
	"fmt"
	"github.com/nectar-dev/nectar/output"
	"time"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/gen"
)

func newGenCmd() *cobra.Command {
	var o gen.Options
	var start string
	c := &cobra.Command{
		Use:   "gen --out DIR --events N --files K [--seed S]",
		Short: "Write realistic Segment logs in the S3 layout (for demos, tests and benchmarks)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Out == "" {
				return fmt.Errorf("--out is required")
			}
			if start != "" {
				t, err := time.Parse(time.RFC3339, start)
				if err != nil {
					return fmt.Errorf("--start: %w", err)
				}
				o.Start = t
			}
			began := time.Now()
			s, err := gen.Generate(cmd.Context(), o)
			if err != nil {
				return err
			}
			el := time.Since(began)
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d events (%d malformed, %d duplicates) in %d files: %s of JSON, %s on disk, in %s (%s/s)\n",
				s.Events, s.Malformed, s.Duplicates, s.Files, output.FormatBytes(s.Bytes), output.FormatBytes(s.CompressedBytes),
				el.Round(time.Millisecond), output.FormatBytes(int64(float64(s.Bytes)/el.Seconds())))
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Out, "out", "", "root directory (files go under DIR/segment-logs/<source>/<day>/)")
	f.Int64Var(&o.Events, "events", 10000, "number of events")
	f.IntVar(&o.Files, "files", 8, "number of files")
	f.Int64Var(&o.Seed, "seed", 1, "random seed: the same seed writes the same bytes")
	f.StringVar(&start, "start", "", "time of the first event, RFC 3339 (default 2019-02-01T00:00:00Z)")
	f.IntVar(&o.Days, "days", 0, "days the events span (default 7)")
	f.IntVar(&o.Users, "users", 0, "distinct users (default events/40)")
	f.Float64Var(&o.Malformed, "malformed", 0, "share of lines written as malformed JSON")
	f.Float64Var(&o.Duplicates, "duplicates", 0, "share of events delivered twice (same messageId)")
	f.StringVar(&o.Compress, "compress", "gzip", "gzip, zstd or none")
	f.IntVar(&o.DriftFiles, "drift-files", 0, "make the last N files drift: string prices, a new writeKey field, context.campaign as a string")
	return c
}
