package main

import (
	"os/exec"
)

// optionalEngines reports the optional engines of issue 3 that this run
// leaves out, and why: Polars, which has no runner, and Spark local when
// python3 cannot import pyspark or --spark=false turned it off. They are
// detected the way a user would run them, through python3.
func optionalEngines(sparkOK, sparkOn bool) []string {
	var skipped []string
	if err := exec.Command("python3", "-c", "import polars").Run(); err != nil {
		skipped = append(skipped, "Polars (python3 cannot import polars)")
	} else {
		skipped = append(skipped, "Polars (installed, but the bench has no Polars runner yet)")
	}
	switch {
	case !sparkOK:
		skipped = append(skipped, "Spark local (python3 cannot import pyspark)")
	case !sparkOn:
		skipped = append(skipped, "Spark local (turned off with --spark=false)")
	}
	return skipped
}
