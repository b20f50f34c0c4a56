package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
)

// demoScript is the seed analysis: "Added to Cart" events from the Food
// vertical, with readable time and hour of day, counted by recommender
// variant and sorted.
const demoScript = `CREATE VIEW events AS SELECT * FROM read_json('%s');

-- A few of the events, with readable time and hour of day.
SELECT date_format(timestamp, 'yyyy-MM-dd HH:mm:ss') AS time,
       hour(timestamp) AS hour_of_day,
       userId,
       properties.recommender.variant AS variant,
       properties.name AS product,
       properties.price AS price
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
ORDER BY time
LIMIT 5;

-- Counted by recommender variant (NULL: not shown by the recommender).
SELECT properties.recommender.variant AS variant, count(*) AS added_to_cart
FROM events
WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
GROUP BY variant
ORDER BY added_to_cart DESC;

-- And by hour of day, one column per variant, in pipe syntax.
FROM events
|> WHERE event = 'Added to Cart' AND properties.vertical = 'Food'
|> EXTEND properties.recommender.variant AS variant
|> AGGREGATE count_if(variant = 'Model_A') AS model_a,
             count_if(variant = 'Model_B') AS model_b,
             count_if(variant IS NULL) AS no_recommender,
             count(*) AS total
   GROUP BY hour(timestamp) AS hour_of_day
|> ORDER BY hour_of_day`

func newDemoCmd() *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "demo",
		Short: "Generate a small Segment data set and run the seed analysis on it",
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
			script := fmt.Sprintf(demoScript, glob)
			fmt.Fprintf(cmd.OutOrStdout(), "-- nectar demo: %s\n", glob)
			e := engine.New(engine.Options{})
			return runScript(cmd.Context(), e, script, "table", "", cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "where to keep the demo data (default: the user cache directory)")
	return c
}
