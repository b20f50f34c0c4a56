package scancache

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"

	"github.com/nectar-dev/nectar/source"
)

// build names the nectar that wrote an entry or a schema: a copy holds
// values as this build decoded and typed them, and another build may read
// the same bytes otherwise (a change to number or timestamp parsing, to
// inference). A release is its version; a build from a checkout is its
// commit, and when that is unknown or has local changes, the executable's
// size and modification time, so a rebuilt binary starts afresh.
var build = sync.OnceValue(func() string {
	id := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		id = info.Main.Version
		var rev, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			id += " " + rev
		}
		if rev != "" && modified != "true" && id != "(devel)" {
			return id
		}
	}
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			id += fmt.Sprintf(" exe %d %d", st.Size(), st.ModTime().UnixNano())
		}
	}
	return id
})

// keyPath is the path an entry is kept under: a local file's absolute
// path, so that one file read by a relative path from two directories
// is one entry and two files are two.
func keyPath(path string) string {
	if source.IsS3(path) {
		return path
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
