package source

import (
	"fmt"
	"path"
	"strings"
)

// glob is a parsed pattern: the literal directory prefix that bounds the
// walk, and the slash-separated segments matched below it.
type glob struct {
	root string   // literal prefix as the user wrote it; "" means the working directory
	segs []string // remaining segments; "**" stands for any number of directories
}

// hasMeta reports whether s needs path.Match. The backslash counts because
// path.Match treats it as an escape.
func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// parseGlob splits pattern at its first segment holding a wildcard. ok is
// false when the pattern has no wildcard at all and names one path.
// Root is the part of pattern before its first wildcard: the folder or
// key prefix every file it matches lies under (the pattern itself when
// it has none).
func Root(pattern string) string {
	g, isGlob, err := parseGlob(pattern)
	if err != nil || !isGlob {
		return pattern
	}
	if g.root == "" {
		return "."
	}
	return g.root
}

func parseGlob(pattern string) (g glob, ok bool, err error) {
	parts := strings.Split(pattern, "/")
	i := 0
	for i < len(parts) && !hasMeta(parts[i]) {
		i++
	}
	if i == len(parts) {
		return glob{}, false, nil
	}
	g.root = strings.Join(parts[:i], "/")
	if g.root == "" && i > 0 {
		g.root = "/" // pattern like "/*.gz"
	}
	for _, p := range parts[i:] {
		switch {
		case p == "":
			continue // "a//b" and a trailing slash add no level
		case p == "**":
			if n := len(g.segs); n > 0 && g.segs[n-1] == "**" {
				continue // "**/**" means the same as "**"
			}
		default:
			// path.Match reports a malformed class only when it gets
			// that far, so check against a name that reaches every byte.
			if _, err := path.Match(p, p); err != nil {
				return glob{}, false, fmt.Errorf("pattern segment %q: %w", p, err)
			}
		}
		g.segs = append(g.segs, p)
	}
	return g, true, nil
}

// hidden reports whether a name is one the walk skips unless asked for by
// name: dot files, and the _SUCCESS / _temporary markers of Hadoop writers.
func hidden(name string) bool {
	return name != "" && (name[0] == '.' || name[0] == '_')
}

// segMatch matches one pattern segment against one name. A hidden name only
// matches a pattern segment that starts with the same literal character,
// as in the shell, so "*" and "**" never pick up ".tmp" or "_SUCCESS".
func segMatch(pat, name string) bool {
	if hidden(name) && (pat == "" || pat[0] != name[0]) {
		return false
	}
	if pat == "**" {
		return true
	}
	ok, _ := path.Match(pat, name) // pattern validated by parseGlob
	return ok
}

// match reports whether the segments names match the pattern in full.
func (g glob) match(names []string) bool { return matchFrom(g.segs, names) }

func matchFrom(pat, names []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for k := 0; k <= len(names); k++ {
				if matchFrom(pat[1:], names[k:]) {
					return true
				}
				if k < len(names) && !segMatch("**", names[k]) {
					return false // ** cannot swallow a hidden directory
				}
			}
			return false
		}
		if len(names) == 0 || !segMatch(pat[0], names[0]) {
			return false
		}
		pat, names = pat[1:], names[1:]
	}
	return len(names) == 0
}

// canExtend reports whether some path below the directory dirNames could
// still match, which decides whether the walk enters it.
func (g glob) canExtend(dirNames []string) bool { return extendFrom(g.segs, dirNames) }

func extendFrom(pat, names []string) bool {
	switch {
	case len(names) == 0:
		return len(pat) > 0
	case len(pat) == 0:
		return false
	case pat[0] == "**":
		// Either ** swallows this directory and stays active, or it has
		// matched all it will and the rest of the pattern takes over.
		return (segMatch("**", names[0]) && extendFrom(pat, names[1:])) || extendFrom(pat[1:], names)
	default:
		return segMatch(pat[0], names[0]) && extendFrom(pat[1:], names[1:])
	}
}

// wanted decides whether a file (or, with isDir, a directory to enter) is
// part of the result: it matches the pattern itself, or sits below a
// directory the pattern matched, with no hidden names in between.
func (g glob) wanted(names []string, isDir bool) bool {
	for k := 1; k <= len(names); k++ {
		if !g.match(names[:k]) {
			continue
		}
		rest := names[k:]
		ok := true
		for _, n := range rest {
			if hidden(n) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return isDir && g.canExtend(names)
}
