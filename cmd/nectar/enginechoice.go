package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/project"
	"github.com/nectar-dev/nectar/spark"
)

// EngineEnv names the engine when neither --engine nor nectar.yaml does.
const EngineEnv = "NECTAR_ENGINE"

// engineFlags choose where queries run: the local engine or a Spark
// cluster through Spark Connect.
type engineFlags struct {
	engine  string
	explain bool
	conf    []string // --conf key=value

	spark *spark.Backend // the backend backend chose, for close
}

func (f *engineFlags) add(c *cobra.Command) {
	f.addEngine(c)
	c.Flags().BoolVar(&f.explain, "explain", false, "with a Spark engine: print the Spark SQL each query compiles to instead of running it")
}

// addEngine adds --engine alone, for commands without --explain.
func (f *engineFlags) addEngine(c *cobra.Command) {
	c.Flags().StringVar(&f.engine, "engine", "", "where queries run: local, or a Spark Connect URL sc://host:15002[/;token=…;user_id=…] (default $"+EngineEnv+", then nectar.yaml's engine:, then local)")
	c.Flags().StringArrayVar(&f.conf, "conf", nil, "with a Spark engine: a Spark setting key=value for the session, e.g. spark.hadoop.fs.s3a.endpoint=… (repeatable; adds to nectar.yaml's spark: {conf: …})")
}

// sparkConf merges nectar.yaml's spark.conf with --conf, which wins.
func (f *engineFlags) sparkConf(cfg *project.Config) (map[string]string, error) {
	conf := map[string]string{}
	if cfg != nil {
		maps.Copy(conf, cfg.Spark.Conf)
	}
	for _, kv := range f.conf {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--conf: want key=value, got %q", kv)
		}
		conf[strings.TrimSpace(k)] = v
	}
	return conf, nil
}

// url resolves the engine: the flag, then NECTAR_ENGINE, then nectar.yaml.
// "" means local.
func (f *engineFlags) url(cfg *project.Config) (string, error) {
	u := f.engine
	if u == "" {
		u = os.Getenv(EngineEnv)
	}
	if u == "" && cfg != nil {
		u = cfg.Engine
	}
	switch {
	case u == "" || u == "local":
		return "", nil
	case spark.IsURL(u):
		return u, nil
	}
	return "", fmt.Errorf("--engine: want local or sc://host:port, got %q", u)
}

// backend chooses what runs the plans once nectar.yaml is read: nil for
// the local executor, or Spark. It is project.Setup's Backend.
func (f *engineFlags) backend(cfg *project.Config) (engine.Backend, error) {
	u, err := f.url(cfg)
	if err != nil {
		return nil, err
	}
	if u == "" {
		if len(f.conf) > 0 {
			return nil, errors.New("--conf sets Spark settings: give --engine sc://host:port too (or engine: in nectar.yaml)")
		}
		if f.explain {
			return nil, errors.New("--explain shows the Spark SQL of a query run with --engine sc://…; for the local plan, write EXPLAIN before the query")
		}
		return nil, nil
	}
	conf, err := f.sparkConf(cfg)
	if err != nil {
		return nil, err
	}
	f.spark = spark.NewBackend(u)
	f.spark.Conf = conf
	return f.spark, nil
}

// close ends the Spark session, if backend opened one.
func (f *engineFlags) close() error {
	if f.spark == nil {
		return nil
	}
	return f.spark.Close()
}
