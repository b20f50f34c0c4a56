package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestFlagUsageNames checks every flag's help line: pflag takes a
// backquoted word of the usage as the value's name, so a usage quoting a
// command (`nectar stream --memory`) printed a garbled line.
func TestFlagUsageNames(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			if strings.ContainsAny(name, " -") {
				t.Errorf("%s --%s: value name %q (a backquoted phrase in its usage)", c.CommandPath(), f.Name, name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot())
	var out strings.Builder
	if code := run(t.Context(), []string{"query", "--help"}, &out, &out); code != 0 {
		t.Fatalf("query --help: exit %d", code)
	}
	if !strings.Contains(out.String(), "--stream-endpoint URL ") {
		t.Errorf("query --help:\n%s", out.String())
	}
}
