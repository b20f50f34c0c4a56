package project_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/project"
)

// FuzzLoadConfig feeds nectar.yaml's reader hostile YAML: it is refused
// with an error naming the file, or accepted, never a panic; an accepted
// config applies to a session, and a password in a graph URL never shows
// in an error.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte("sources:\n  events: {path: logs/**/*.gz}\n"))
	f.Add([]byte("sources:\n  e: {path: a, format: parquet}\n  c: {path: b, compacted: c}\ns3: {endpoint: http://127.0.0.1:9000, path_style: true}\nengine: local\n"))
	f.Add([]byte("graph: {url: 'postgres://u:SECRET-MARKER@127.0.0.1/db'}\nserve: {allow: [../shared]}\n"))
	f.Add([]byte("sources:\n  t: {path: x, schema: 'a STRUCT<b: INT>'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "nectar.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := project.LoadConfig(path, true)
		if err != nil {
			if !strings.Contains(err.Error(), "nectar.yaml") {
				t.Errorf("an error that does not name the file: %v", err)
			}
			// A YAML syntax error quotes the text it stumbled on (an
			// anchor's name, say), whatever it is: the file's own text,
			// not a password nectar took out of it. Errors about a
			// config that parsed must not show the password.
			if strings.Contains(err.Error(), "SECRET-MARKER") && !strings.Contains(err.Error(), "yaml: ") {
				t.Errorf("the error shows a password: %v", err)
			}
			return
		}
		cfg.Apply(engine.New(engine.Options{}))
		_ = cfg.Roots()
	})
}
