package table

import (
	"slices"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/scan"
)

// Tracker keeps what a session's reads found: the scanners it opened, by
// source, for progress and the bad-input summary, and its notes about the
// data (each widened column). Safe for concurrent use.
type Tracker struct {
	mu    sync.Mutex
	scans []*scan.Scanner
	srcs  []string // for each scan, the source (table function call) it reads
	notes []string
}

// Track records a scanner opened to read src.
func (t *Tracker) Track(src string, s *scan.Scanner) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.scans = append(t.scans, s)
	t.srcs = append(t.srcs, src)
}

// Mark and Forget drop the scans of a run whose answer was thrown away, so
// that their bad lines and counts are not reported.
func (t *Tracker) Mark() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.scans)
}

// Forget drops the scans recorded since mark.
func (t *Tracker) Forget(mark int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.scans, t.srcs = t.scans[:mark], t.srcs[:mark]
}

// Scans returns the scanners opened so far.
func (t *Tracker) Scans() []*scan.Scanner {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.scans)
}

// Stats returns one Stats per source read so far, in the order first
// read: that of its most complete scan. A script that reads a source in
// several statements (glimpse takes a sample, then a count) re-reads the
// same lines, and each bad line must be reported once.
func (t *Tracker) Stats() []scan.Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []scan.Stats
	at := map[string]int{}
	for i, s := range t.scans {
		st := s.Stats()
		j, ok := at[t.srcs[i]]
		if !ok {
			at[t.srcs[i]] = len(out)
			out = append(out, st)
			continue
		}
		// Scans of one source see the same files in the same order, so the
		// one that got furthest has seen everything the others have.
		if p := out[j]; st.FilesDone > p.FilesDone || st.FilesDone == p.FilesDone && st.BytesDone > p.BytesDone ||
			st.FilesDone == p.FilesDone && st.BytesDone == p.BytesDone && st.SkippedLines()+st.Conflicts > p.SkippedLines()+p.Conflicts {
			out[j] = st
		}
	}
	return out
}

// Note keeps messages about the data read, each once.
func (t *Tracker) Note(notes ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, n := range notes {
		if !slices.Contains(t.notes, n) {
			t.notes = append(t.notes, n)
		}
	}
}

// Notes returns the messages kept, in the order first noted.
func (t *Tracker) Notes() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.notes)
}

// Summary is what the reads found, one line each for stderr: the notes,
// then each source's bad input, each line counted once; keptIn names the
// file the bad lines were written to ("": none).
func (t *Tracker) Summary(keptIn string) []string {
	out := t.Notes()
	for _, st := range t.Stats() {
		if line := st.Summary(); line != "" {
			if keptIn != "" {
				line = strings.Replace(line, "--bad-lines=FILE to keep them", "kept in "+keptIn, 1)
			}
			out = append(out, line)
		}
	}
	return out
}
