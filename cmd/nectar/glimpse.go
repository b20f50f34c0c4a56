package main

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/types"
)

func newGlimpseCmd() *cobra.Command {
	var sf sourceFlags
	var width int
	c := &cobra.Command{
		Use:   "glimpse PATH|SOURCE",
		Short: "Show every column, its type and first values, and the row count (like dplyr's glimpse)",
		Example: `  nectar glimpse 'logs/segment-logs/**/*.gz'
  nectar glimpse logs        # a source named in nectar.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, done, err := sf.engine(cmd.Context(), cmd.ErrOrStderr(), nil)
			if err != nil {
				return err
			}
			err = glimpse(cmd.Context(), e, args[0], width, cmd.OutOrStdout())
			return errors.Join(err, done(err))
		},
	}
	sf.add(c)
	c.Flags().IntVar(&width, "width", 100, "characters per line")
	return c
}

func glimpse(ctx context.Context, e *engine.Session, target string, width int, w io.Writer) error {
	from := target
	if _, _, ok := e.Table(target); !ok {
		from = "read_json('" + strings.ReplaceAll(target, "'", `\'`) + "')"
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
	return output.GlimpseWidth(w, schema, rows, total, width)
}
