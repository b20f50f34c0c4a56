package main

import "fmt"

// optionalEngines reports the optional engines that this run leaves out,
// and why.
func optionalEngines(sparkOK, sparkOn, peersOn bool, peersErr error) []string {
	var skipped []string
	switch {
	case !peersOn:
		skipped = append(skipped, "ClickHouse (chDB), DataFusion, Polars (turned off with --peers=false)")
	case peersErr != nil:
		skipped = append(skipped, fmt.Sprintf("ClickHouse (chDB), DataFusion, Polars (%v)", peersErr))
	}
	switch {
	case !sparkOK:
		skipped = append(skipped, "Spark local (python3 cannot import pyspark)")
	case !sparkOn:
		skipped = append(skipped, "Spark local (turned off with --spark=false)")
	}
	return skipped
}
