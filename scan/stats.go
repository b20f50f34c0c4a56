package scan

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nectar-dev/nectar/jsonpath"
)

// badKind classifies a skipped line.
type badKind uint8

const (
	badMalformed badKind = iota
	badUTF8
	badTooLong
	badTruncated // the partial last line of a cut stream
	numBadKinds
)

// fileCounts is one worker's tally for the file it is reading, folded into
// the shared counters once per file so that the hot loop touches no atomics.
type fileCounts struct {
	lines      [numBadKinds]int64
	conflicts  int64
	rejected   int64 // lines a Require ruled out unread
	repeated   int64 // lines that repeat a key read (Extractor.Repeated)
	notLog     bool
	unreadable bool   // a listed entry that cannot be read (source.File.Err)
	seen       []Seen // by column; nil entries' worth for hidden columns
}

// reset empties fc for the next file, keeping seen's storage.
func (fc *fileCounts) reset(columns int) {
	seen := fc.seen[:0]
	*fc = fileCounts{seen: append(seen, make([]Seen, columns)...)}
}

// addSeen folds the per-column tallies of o into fc.
func (fc *fileCounts) addSeen(o *fileCounts) {
	for j := range o.seen {
		fc.seen[j].add(&o.seen[j])
	}
}

// counters are the live totals behind Stats; atomics so that a progress
// line can read them while workers run.
type counters struct {
	filesTotal, filesDone atomic.Int64
	bytesTotal, bytesDone atomic.Int64
	rows                  atomic.Int64
	lines                 [numBadKinds]atomic.Int64
	linesFiles            [numBadKinds]atomic.Int64
	conflicts             atomic.Int64
	conflictFiles         atomic.Int64
	notLog                atomic.Int64
	unreadable            atomic.Int64
	rejected              atomic.Int64
	repeated, repeatedIn  atomic.Int64

	seenMu  sync.Mutex
	seen    []Seen                   // by column
	newKeys map[string]jsonpath.Path // see Options.NewKeys
}

func (c *counters) addNewKeys(keys []jsonpath.Path) {
	if len(keys) == 0 {
		return
	}
	c.seenMu.Lock()
	defer c.seenMu.Unlock()
	if c.newKeys == nil {
		c.newKeys = map[string]jsonpath.Path{}
	}
	for _, p := range keys {
		if len(c.newKeys) < maxNewKeys {
			c.newKeys[p.String()] = p
		}
	}
}

func (c *counters) addFile(fc *fileCounts, size int64) {
	c.seenMu.Lock()
	for j := range fc.seen {
		if fc.seen[j].Misfits > 0 {
			fc.seen[j].MisfitFiles = 1
		}
		if fc.seen[j].Blocked > 0 {
			fc.seen[j].BlockedFiles = 1
		}
		c.seen[j].add(&fc.seen[j])
	}
	c.seenMu.Unlock()
	for k, n := range fc.lines {
		if n > 0 {
			c.lines[k].Add(n)
			c.linesFiles[k].Add(1)
		}
	}
	if fc.conflicts > 0 {
		c.conflicts.Add(fc.conflicts)
		c.conflictFiles.Add(1)
	}
	if fc.notLog {
		c.notLog.Add(1)
	}
	if fc.unreadable {
		c.unreadable.Add(1)
	}
	c.rejected.Add(fc.rejected)
	if fc.repeated > 0 {
		c.repeated.Add(fc.repeated)
		c.repeatedIn.Add(1)
	}
	c.bytesDone.Add(size)
	c.filesDone.Add(1)
}

// Stats is a snapshot of a scan's progress and of the bad input it met.
type Stats struct {
	FilesDone, FilesTotal int64
	// BytesDone counts the stored (compressed) size of finished files, so it
	// advances a file at a time.
	BytesDone, BytesTotal int64
	Rows                  int64 // rows handed out by Next

	MalformedLines, MalformedFiles     int64 // not one well-formed JSON object
	InvalidUTF8Lines, InvalidUTF8Files int64
	TooLongLines, TooLongFiles         int64
	TruncatedFiles                     int64 // streams cut short; read up to the cut
	Conflicts, ConflictFiles           int64 // values that did not convert; the row kept NULL there
	NotLogFiles                        int64 // skipped: empty or not NDJSON
	UnreadableFiles                    int64 // skipped: entries the listing could not read (a symlink loop or a dangling link)
	// RejectedLines were ruled out by a pushed-down filter (Options.Require)
	// before they were read in full: Seen knows nothing of their values.
	RejectedLines int64
	// RepeatedKeyLines, in RepeatedKeyFiles files, held a key read more
	// than once in one object; the last value was read.
	RepeatedKeyLines, RepeatedKeyFiles int64
}

// Stats returns the current counts. It is safe to call from any goroutine
// while the scan runs.
func (s *Scanner) Stats() Stats {
	c := &s.st
	return Stats{
		FilesDone:        c.filesDone.Load(),
		FilesTotal:       c.filesTotal.Load(),
		BytesDone:        c.bytesDone.Load(),
		BytesTotal:       c.bytesTotal.Load(),
		Rows:             c.rows.Load(),
		MalformedLines:   c.lines[badMalformed].Load(),
		MalformedFiles:   c.linesFiles[badMalformed].Load(),
		InvalidUTF8Lines: c.lines[badUTF8].Load(),
		InvalidUTF8Files: c.linesFiles[badUTF8].Load(),
		TooLongLines:     c.lines[badTooLong].Load(),
		TooLongFiles:     c.linesFiles[badTooLong].Load(),
		TruncatedFiles:   c.linesFiles[badTruncated].Load(),
		Conflicts:        c.conflicts.Load(),
		ConflictFiles:    c.conflictFiles.Load(),
		NotLogFiles:      c.notLog.Load(),
		UnreadableFiles:  c.unreadable.Load(),
		RejectedLines:    c.rejected.Load(),
		RepeatedKeyLines: c.repeated.Load(),
		RepeatedKeyFiles: c.repeatedIn.Load(),
	}
}

// SkippedLines is how many lines the scan dropped.
func (st Stats) SkippedLines() int64 {
	return st.MalformedLines + st.InvalidUTF8Lines + st.TooLongLines
}

// Summary is one line for stderr describing every kind of bad line and
// file met, or "" when there was none. Values that did not fit their
// column are told by column (Scanner.Misfits).
func (st Stats) Summary() string {
	var parts []string
	if st.MalformedLines > 0 {
		parts = append(parts, fmt.Sprintf("skipped %s in %s", plural(st.MalformedLines, "malformed line"), plural(st.MalformedFiles, "file")))
	}
	if st.InvalidUTF8Lines > 0 {
		parts = append(parts, fmt.Sprintf("skipped %s with invalid UTF-8 in %s", plural(st.InvalidUTF8Lines, "line"), plural(st.InvalidUTF8Files, "file")))
	}
	if st.TooLongLines > 0 {
		parts = append(parts, fmt.Sprintf("skipped %s over the line length limit in %s", plural(st.TooLongLines, "line"), plural(st.TooLongFiles, "file")))
	}
	if st.TruncatedFiles > 0 {
		parts = append(parts, fmt.Sprintf("read %s only up to where it was cut short", plural(st.TruncatedFiles, "truncated file")))
	}
	if st.NotLogFiles > 0 {
		parts = append(parts, fmt.Sprintf("skipped %s", plural(st.NotLogFiles, "non-log file")))
	}
	if st.UnreadableFiles > 0 {
		what := "1 unreadable entry"
		if st.UnreadableFiles > 1 {
			what = fmt.Sprintf("%d unreadable entries", st.UnreadableFiles)
		}
		parts = append(parts, "skipped "+what+" (a symbolic link in a loop or to nothing)")
	}
	if st.RepeatedKeyLines > 0 {
		parts = append(parts, fmt.Sprintf("read the last value of a key repeated within an object in %s in %s", plural(st.RepeatedKeyLines, "line"), plural(st.RepeatedKeyFiles, "file")))
	}
	if len(parts) == 0 {
		return ""
	}
	if st.SkippedLines() > 0 || st.TruncatedFiles > 0 {
		parts = append(parts, "--bad-lines=FILE to keep them")
	}
	return strings.Join(parts, "; ")
}

func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
