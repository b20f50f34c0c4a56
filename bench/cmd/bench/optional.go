package main

import (
	"os/exec"
)

// optionalEngines reports the optional engines of issue 3 (Polars, Spark
// local) that this run leaves out, and why. They are detected the way a
// user would run them, through python3.
func optionalEngines() []string {
	var skipped []string
	for _, e := range []struct{ name, module string }{{"Polars", "polars"}, {"Spark local", "pyspark"}} {
		if err := exec.Command("python3", "-c", "import "+e.module).Run(); err != nil {
			skipped = append(skipped, e.name+" (python3 cannot import "+e.module+")")
			continue
		}
		skipped = append(skipped, e.name+" (installed, but the bench has no "+e.name+" runner yet)")
	}
	return skipped
}
