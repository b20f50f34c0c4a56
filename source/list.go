package source

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ListStore is List over an explicit Store; List picks the Store from the
// pattern's scheme.
func ListStore(ctx context.Context, st Store, pattern string) ([]File, error) {
	if pattern == "" {
		return nil, fmt.Errorf("list: empty pattern: %w", ErrNoFiles)
	}
	g, isGlob, err := parseGlob(pattern)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", pattern, err)
	}
	var files []File
	if !isGlob {
		f, isDir, err := st.Stat(ctx, pattern)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("list %s: %w: %w", pattern, ErrNoFiles, err)
		case err != nil:
			return nil, fmt.Errorf("list %s: %w", pattern, err)
		case !isDir:
			f.ReceivedDay, f.Store = DayFromPath(f.Path), st
			return []File{f}, nil
		}
		// A named directory is walked whole, as if the glob were "dir/**".
		g = glob{root: pattern, segs: []string{"**"}}
	} else {
		root := g.root
		if root == "" {
			root = "."
		}
		_, isDir, err := st.Stat(ctx, root)
		switch {
		case errors.Is(err, fs.ErrNotExist) || (err == nil && !isDir):
			// The literal prefix does not exist, so nothing can match.
			return nil, fmt.Errorf("list %s: %w", pattern, ErrNoFiles)
		case err != nil:
			return nil, fmt.Errorf("list %s: %w", pattern, err)
		}
	}

	prefix := joinPath(g.root, "")
	names := func(p string) []string { return strings.Split(strings.TrimPrefix(p, prefix), "/") }
	walkRoot := g.root
	if walkRoot == "" {
		walkRoot = "."
	}
	descend := func(dir string) bool { return ctx.Err() == nil && g.wanted(names(dir), true) }
	collect := func(f File) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if g.wanted(names(f.Path), false) {
			f.ReceivedDay, f.Store = DayFromPath(f.Path), st
			files = append(files, f)
		}
		return nil
	}
	if err := st.Walk(ctx, walkRoot, descend, collect); err != nil {
		return nil, fmt.Errorf("list %s: %w", pattern, err)
	}
	// descend refuses to enter directories once ctx is done, so a cancel
	// may leave Walk returning nil; report it rather than a partial list.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", pattern, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("list %s: %w", pattern, ErrNoFiles)
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

const dayMillis = 24 * 60 * 60 * 1000

// DayFromPath returns the UTC midnight named by Segment's day folder in p,
// or the zero time. Segment writes segment-logs/<source_id>/<day_ms>/<file>
// where day_ms is the epoch milliseconds of receivedAt's UTC midnight; a
// 13-digit folder in that position is trusted (and truncated to midnight),
// while elsewhere a 13-digit folder counts only if it is an exact midnight,
// so unrelated numeric folders are not mistaken for days. The planner can
// use the result to skip files outside a receivedAt range.
func DayFromPath(p string) time.Time {
	parts := strings.Split(p, "/")
	var day time.Time
	for i, s := range parts[:len(parts)-1] { // the last part is the file name
		ms, ok := epochMillis13(s)
		if !ok {
			continue
		}
		if i >= 2 && parts[i-2] == "segment-logs" && parts[i-1] != "" {
			return time.UnixMilli(ms - ms%dayMillis).UTC()
		}
		if ms%dayMillis == 0 {
			day = time.UnixMilli(ms).UTC()
		}
	}
	return day
}

// epochMillis13 parses a segment of exactly 13 decimal digits, the width of
// epoch milliseconds from 2001 to 2286.
func epochMillis13(s string) (int64, bool) {
	if len(s) != 13 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	return ms, err == nil
}
