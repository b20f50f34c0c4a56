package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/table/manifest"
	"github.com/nectar-dev/nectar/types"
)

func newGlimpseCmd() *cobra.Command {
	var (
		sf             sourceFlags
		ef             engineFlags
		width          int
		format         string
		streamEndpoint string
	)
	c := &cobra.Command{
		Use:   "glimpse PATH|SOURCE",
		Short: "Show every column, its type and first values, and the row count (like dplyr's glimpse)",
		Example: `  nectar glimpse 'logs/segment-logs/**/*.gz'
  nectar glimpse logs                  # a source named in nectar.yaml
  nectar glimpse compacted             # Parquet: a .parquet file or a directory nectar compact wrote
  nectar glimpse --stream-endpoint http://127.0.0.1:7070 data_stream   # a running stream's table
  nectar glimpse --engine sc://spark-host:15002 's3://bucket/segment-logs/**/*.gz'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "" && format != "json" && format != "parquet" {
				return fmt.Errorf("--format: want json or parquet, got %q", format)
			}
			e, done, err := sf.engine(cmd.Context(), cmd.ErrOrStderr(), ef.backend)
			if err != nil {
				return errors.Join(err, ef.close())
			}
			if streamEndpoint != "" {
				e.LookupTables(streamTables(cmd.Context(), streamEndpoint, cmd.ErrOrStderr()))
			}
			err = glimpse(cmd.Context(), e, args[0], format, width, cmd.OutOrStdout())
			return errors.Join(err, ef.close(), done(err))
		},
	}
	sf.add(c)
	ef.addEngine(c)
	c.Flags().IntVar(&width, "width", 100, "characters per line")
	c.Flags().StringVar(&format, "format", "", "how to read PATH: json or parquet (default: parquet for .parquet and .pq files and for directories of Parquet files, else json)")
	c.Flags().StringVar(&streamEndpoint, "stream-endpoint", "", "read the tables a running nectar stream --memory serves at this `URL`")
	return c
}

func glimpse(ctx context.Context, e *engine.Session, target, format string, width int, w io.Writer) error {
	from := target
	if _, _, ok := e.Table(target); !ok {
		if format == "" {
			format = guessFormat(target)
		}
		from = "read_" + format + "('" + strings.ReplaceAll(target, "'", `\'`) + "')"
	}
	var schema types.Schema
	var rows [][]types.Value
	var total int64
	script := "SELECT * FROM " + from + " LIMIT 20; SELECT count(*) FROM " + from
	err := e.Run(ctx, script, func(r *engine.Result) error {
		got, err := exec.Collect(ctx, r.Rows)
		if err != nil {
			return err
		}
		if schema == nil {
			schema, rows = r.Schema, got
		} else if len(got) == 1 {
			total = got[0][0].I
		}
		return nil
	})
	if err != nil {
		// Not a queryError: the SQL is ours, and a caret under it would
		// only confuse; the message names the path.
		return err
	}
	if len(schema) == 0 {
		msg := fmt.Sprintf("%s has no columns: no line of it reads as JSON", target)
		if format == "json" {
			msg += " (for Parquet, give --format parquet)"
		}
		return errors.New(msg)
	}
	return output.GlimpseWidth(w, schema, rows, total, width)
}

// guessFormat says how glimpse reads a path: parquet for .parquet and .pq
// files (and globs of them) and for a local directory holding Parquet
// (what nectar compact writes), json otherwise.
func guessFormat(path string) string {
	lower := strings.ToLower(path)
	if strings.HasSuffix(lower, ".parquet") || strings.HasSuffix(lower, ".pq") {
		return "parquet"
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		found := false
		filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
			if err != nil || found {
				return filepath.SkipAll
			}
			name := strings.ToLower(d.Name())
			if d.Name() == manifest.FileName || !d.IsDir() && (strings.HasSuffix(name, ".parquet") || strings.HasSuffix(name, ".pq")) {
				found = true
				return filepath.SkipAll
			}
			if !d.IsDir() && (strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".jsonl") || strings.HasSuffix(name, ".zst")) {
				return filepath.SkipAll // logs: json
			}
			return nil
		})
		if found {
			return "parquet"
		}
	}
	return "json"
}
