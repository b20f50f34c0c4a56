package main

import (
	"cmp"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/scancache"
)

// newCacheCmd is `nectar cache`: the scan cache's status and clearing.
func newCacheCmd() *cobra.Command {
	var config string
	open := func() (*scancache.Cache, error) {
		cfg, err := project.LoadConfig(cmp.Or(config, project.ConfigFile), config != "")
		if err != nil {
			return nil, err
		}
		return cfg.OpenCache()
	}
	c := &cobra.Command{
		Use:   "cache",
		Short: "Show or clear the scan cache: columnar copies of the columns queries read from raw files",
		Long: `The scan cache keeps, per raw log file, a columnar copy of the columns queries
decoded from it, and later queries that need no other columns read the copy
instead of the file. It is on for S3 objects (unless nectar.yaml's cache.s3
is false) and, with --cache or cache.local, for local files; --no-cache
turns it off.
Its place and bound come from nectar.yaml's cache section (dir, max_size).`,
	}
	c.PersistentFlags().StringVar(&config, "config", "", "project file with a cache section (default ./"+project.ConfigFile+" if present)")
	c.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "Print the cache's directory, entries and size",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc, err := open()
			if err != nil {
				return err
			}
			st, err := sc.Status()
			if err != nil {
				return err
			}
			local, s3 := "off (--cache turns it on)", "on (--no-cache turns it off)"
			if sc.Local {
				local = "on"
			}
			if !sc.S3 {
				s3 = "off (nectar.yaml's cache: {s3: false})"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "dir:      %s\nentries:  %d files, %d schemas\nsize:     %s of %s\ns3:       %s\nlocal:    %s\n",
				st.Dir, st.Entries, st.Schemas, output.FormatBytes(st.Bytes), output.FormatBytes(st.MaxSize), s3, local)
			return nil
		},
	}, &cobra.Command{
		Use:   "clear",
		Short: "Remove every entry of the cache",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc, err := open()
			if err != nil {
				return err
			}
			n, err := sc.Clear()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %d entries from %s\n", n, sc.Dir)
			return nil
		},
	})
	return c
}
