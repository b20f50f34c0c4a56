package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
)

// demoStep is one step of the seed analysis: a heading, and the query in
// SQL and in pipe syntax (both bind to one plan; the demo runs the SQL,
// and a test checks that the pipe form gives the same rows).
type demoStep struct {
	heading, sql, pipe string
}

// demoView names the logs once; every step reads it.
const demoView = "CREATE VIEW events AS SELECT * FROM read_json('%s')"

// demoSteps is the seed analysis: "Added to Cart" events from the Food
// vertical, with readable time and hour of day, counted by recommender
// variant and sorted; then revenue per product from the e-commerce spec's
// products arrays.
var demoSteps = []demoStep{
	{
		heading: `A few "Added to Cart" events from the Food vertical, with readable time and hour of day`,
		sql: `SELECT date_format(timestamp, 'yyyy-MM-dd HH:mm:ss') AS time,
       hour(timestamp) AS hour_of_day,
       userId,
       properties.recommender.variant AS variant,
       properties.name AS product,
       properties.price AS price
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
ORDER BY time
LIMIT 5`,
		pipe: `FROM events
|> WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
|> SELECT date_format(timestamp, 'yyyy-MM-dd HH:mm:ss') AS time, hour(timestamp) AS hour_of_day, userId,
          properties.recommender.variant AS variant, properties.name AS product, properties.price AS price
|> ORDER BY time
|> LIMIT 5`,
	},
	{
		heading: "Counted by recommender variant (NULL: the product was not shown by the recommender)",
		sql: `SELECT properties.recommender.variant AS variant, count(*) AS added_to_cart
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY variant
ORDER BY added_to_cart DESC`,
		pipe: `FROM events
|> WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
|> AGGREGATE count(*) AS added_to_cart GROUP BY properties.recommender.variant AS variant
|> ORDER BY added_to_cart DESC`,
	},
	{
		heading: "By hour of day, one column per variant",
		sql: `SELECT hour(timestamp) AS hour_of_day,
       count_if(properties.recommender.variant = 'Model_A') AS model_a,
       count_if(properties.recommender.variant = 'Model_B') AS model_b,
       count_if(properties.recommender.variant IS NULL) AS no_recommender,
       count(*) AS total
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY hour_of_day
ORDER BY hour_of_day`,
		pipe: `FROM events
|> WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
|> EXTEND properties.recommender.variant AS variant
|> AGGREGATE count_if(variant = 'Model_A') AS model_a,
             count_if(variant = 'Model_B') AS model_b,
             count_if(variant IS NULL) AS no_recommender,
             count(*) AS total
   GROUP BY hour(timestamp) AS hour_of_day
|> ORDER BY hour_of_day`,
	},
	{
		heading: "Beyond the seed: revenue per product, a row per item of each order's products array",
		sql: `SELECT p.product_id, p.name AS product, sum(p.quantity) AS units,
       round(sum(p.price * p.quantity), 2) AS revenue
FROM events LATERAL VIEW explode(properties.products) items AS p
WHERE event = 'Order Completed'
GROUP BY p.product_id, p.name
ORDER BY revenue DESC, product_id
LIMIT 5`,
		pipe: `FROM events
|> WHERE event = 'Order Completed'
|> EXTEND explode(properties.products) AS p
|> AGGREGATE sum(p.quantity) AS units, round(sum(p.price * p.quantity), 2) AS revenue
   GROUP BY p.product_id AS product_id, p.name AS product
|> ORDER BY revenue DESC, product_id
|> LIMIT 5`,
	},
}

func newDemoCmd() *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "demo",
		Short: "Generate a small Segment data set and run the seed analysis on it, showing each step's SQL and pipe syntax",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				cache, err := os.UserCacheDir()
				if err != nil {
					cache = os.TempDir()
				}
				dir = filepath.Join(cache, "nectar", "demo")
			}
			marker := filepath.Join(dir, ".complete")
			if _, err := os.Stat(marker); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "generating demo data in %s …\n", dir)
				if err := os.RemoveAll(dir); err != nil {
					return fmt.Errorf("demo data: %w", err)
				}
				if _, err := gen.Generate(cmd.Context(), gen.Options{Out: dir, Events: 50000, Files: 14, Seed: 1}); err != nil {
					return fmt.Errorf("demo data: %w", err)
				}
				if err := os.WriteFile(marker, nil, 0o644); err != nil {
					return fmt.Errorf("demo data: %w", err)
				}
			}
			glob := filepath.Join(dir, "segment-logs", "**", "*.gz")
			out := cmd.OutOrStdout()
			view := fmt.Sprintf(demoView, glob)
			fmt.Fprintf(out, "nectar demo: the seed analysis over %s\n\n", glob)
			fmt.Fprintf(out, "The logs, named once:\n\n%s;\n", indent(view))
			e := engine.New(engine.Options{})
			if err := runScript(cmd.Context(), e, view, "table", &outputs{stdout: out, stderr: cmd.ErrOrStderr()}); err != nil {
				return err
			}
			for i, s := range demoSteps {
				fmt.Fprintf(out, "\n== %d. %s\n\nSQL:\n\n%s;\n\nThe same in pipe syntax:\n\n%s;\n\n", i+1, s.heading, indent(s.sql), indent(s.pipe))
				if err := runScript(cmd.Context(), e, s.sql, "table", &outputs{stdout: out, stderr: cmd.ErrOrStderr()}); err != nil {
					return err
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "where to keep the demo data (default: the user cache directory)")
	return c
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }
