package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/nectar-dev/nectar/source"
)

// version is set at release builds:
//
//	go build -ldflags "-X main.version=v1.2.0" ./cmd/nectar
//
// Without it, the module version Go recorded (a tagged `go install
// …@v1.2.0` has one) or the commit the tree was built from is shown.
var version = ""

// versionString is what --version prints: the version, then the commit
// and Go release the binary was built with when Go recorded them.
func versionString() string {
	v := version
	var commit, modified string
	goVersion := runtime.Version()
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = ", modified"
				}
			}
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
	}
	if v == "" {
		v = "devel"
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	gz := "gzip: " + source.GzipDecoder()
	if commit != "" {
		return fmt.Sprintf("%s (commit %s%s, %s, %s)", v, commit, modified, goVersion, gz)
	}
	return fmt.Sprintf("%s (%s, %s)", v, goVersion, gz)
}
