package table

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/scan"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Schema drift. read_json's schema is inferred from a sample, which is fast
// and usually right; but a field may turn from a number into a string in a
// late file, or appear only there. An answer must not depend on what the
// sample saw, so each query checks the sample's guesses against the lines
// it reads:
//
//   - every JSON column is scanned as a guess (scan.Column.Guess): a value
//     that does not fit its kind is counted, not dropped silently;
//   - a name the sample never saw is admitted by the binder as a
//     provisional column (plan.OpenSchema), whose kind the scan works out
//     from every value (scan.Column.Observe);
//   - the statement's rows are held back (exec.Spool) while any guess is
//     open; after the scans, a column that met values of another kind is
//     widened as Spark's inference would have widened it from every line
//     (types.Widen: BIGINT and DOUBLE to DOUBLE, any other mix to STRING),
//     a provisional column takes the kind its values have, and the
//     statement runs again with the schema so corrected;
//   - a provisional name that no line has fails the query, naming the
//     closest real paths, as Spark's FIELD_NOT_FOUND does.
//
// Lines that a pushed-down filter rules out unread (scan.Require), files a
// filter prunes and lines after an early stop (LIMIT) are not seen: the
// kinds of the columns they hold are decided by the lines read. Whether a
// name exists at all is decided over every file: when the lines read
// lacked it but some went unread, the rest is probed for it.

// ScanLog collects the JSON scans one statement opens: the statement
// runner puts one in the context (WithScanLog), JSON.Open adds to it, and
// Check reads it once the statement's rows are read.
type ScanLog struct {
	mu    sync.Mutex
	scans []loggedScan
}

type loggedScan struct {
	src      *JSON
	sn       *scan.Scanner
	cols     []scan.Column
	prov     []bool // cols[j] is provisional (plan.SourceColumn.Provisional)
	allFiles bool   // no file was pruned
}

type scanLogKey struct{}

// WithScanLog returns a context whose JSON scans are logged in the log
// returned.
func WithScanLog(ctx context.Context) (context.Context, *ScanLog) {
	l := &ScanLog{}
	return context.WithValue(ctx, scanLogKey{}, l), l
}

func logScan(ctx context.Context, ls loggedScan) {
	if l, ok := ctx.Value(scanLogKey{}).(*ScanLog); ok {
		l.mu.Lock()
		l.scans = append(l.scans, ls)
		l.mu.Unlock()
	}
}

// jsonBacked is a source that reads (at least partly) through a
// JSON, whose columns are guesses a read can prove wrong:
// JSON itself, and Compacted for the raw files its copy does
// not cover.
type jsonBacked interface {
	plan.Source
	jsonSource() *JSON // nil when nothing is read as JSON
}

func (s *JSON) jsonSource() *JSON { return s }

// guessed reports whether a read of cols may prove the schema wrong: a
// STRING column holds any JSON value, so only other kinds, provisional
// names, columns the sample saw only as null, and a read of every column
// (which learns of keys the sample lacks) can be wrong.
func (s *JSON) guessed(cols []plan.SourceColumn) bool {
	if s.declared != nil || s.complete {
		return false
	}
	for _, c := range cols {
		if c.Hidden && isHiddenColumn(c.Name) {
			continue
		}
		if c.Kind != types.String || c.Provisional || s.isNullOnly(c.Name) {
			return true
		}
	}
	return s.readsAll(cols)
}

func isHiddenColumn(name string) bool {
	for _, h := range hiddenColumns {
		if name == h.name {
			return true
		}
	}
	return false
}

// Guesses reports whether a scan of n reads a JSON column whose kind is a
// guess, so that its rows must be held back until the scans are checked.
func Guesses(n plan.Node) bool {
	found := false
	plan.Inspect(n, func(x plan.Node) bool {
		if s, ok := x.(*plan.Scan); ok {
			if j, ok := s.Source.(jsonBacked); ok && j.jsonSource() != nil && j.jsonSource().guessed(s.Columns) {
				found = true
			}
		}
		return !found
	})
	return found
}

// CheckNames makes sure that every provisional name n reads is in the
// data, for statements that do not read it (EXPLAIN, DESCRIBE): the
// files are probed for the names, which costs a full read only when a
// name is in no line at all. It reports whether a name was found with a
// kind other than its STRING placeholder, so that n must be planned again.
func CheckNames(ctx context.Context, q syntax.Query, n plan.Node) (again bool, err error) {
	plan.Inspect(n, func(x plan.Node) bool {
		s, ok := x.(*plan.Scan)
		if !ok || err != nil {
			return err == nil
		}
		j, ok := s.Source.(jsonBacked)
		if !ok || j.jsonSource() == nil {
			return true
		}
		src := j.jsonSource()
		c := newCorrection()
		var names []string
		for _, col := range s.Columns {
			if col.Provisional {
				names = append(names, col.Name)
				c.names[pathKey(col.Name)] = col.Name
			}
		}
		if len(names) == 0 {
			return true
		}
		var kinds map[string]types.Kind
		if kinds, err = src.probe(ctx, names); err != nil {
			return false
		}
		for _, name := range names {
			if _, ok := kinds[pathKey(name)]; !ok {
				err = src.notFound(q, name)
				return false
			}
		}
		c.found = kinds
		changed, _ := src.correct(c)
		again = again || changed
		return true
	})
	return again, err
}

// CheckUnread is CheckNames for the parts of n that a run does not read:
// the inputs of nodes that yield nothing (plan.ReadsNothing), such as
// dbplyr's WHERE (0 = 1) probe. A name no line has fails there as it
// would in a read, without reading the files when the samples hold every
// name.
func CheckUnread(ctx context.Context, q syntax.Query, n plan.Node) (again bool, err error) {
	if plan.ReadsNothing(n) {
		return CheckNames(ctx, q, n)
	}
	for _, k := range n.Children() {
		a, err := CheckUnread(ctx, q, k)
		if err != nil {
			return false, err
		}
		again = again || a
	}
	return again, nil
}

// pathKey is the key of a path in maps of columns: its canonical text,
// lower-cased, as names resolve without regard to case.
func pathKey(name string) string {
	if p, err := jsonpath.Parse(name); err == nil {
		return strings.ToLower(p.String())
	}
	return strings.ToLower(name)
}

// ErrFieldNotFound is the cause (errors.Is) of the error for a name that
// no line of a read_json source has.
var ErrFieldNotFound = errors.New("no line of the data has the field")

// correction is what the scans of one source proved about its schema.
// Maps are keyed by pathKey.
type correction struct {
	widen   map[string]types.Kind // column → the kind its values need
	notes   map[string]string     // column → the line that reports the widening
	found   map[string]types.Kind // observed column (provisional, or only nulls in the sample) → the kind its values have
	names   map[string]string     // provisional path → as written
	covered bool                  // some scan read every line of every file
	newKeys bool                  // a scan of every column met keys the sample lacks
}

func newCorrection() *correction {
	return &correction{widen: map[string]types.Kind{}, notes: map[string]string{}, found: map[string]types.Kind{}, names: map[string]string{}}
}

// Check checks the schemas the statement's scans read with against what
// they saw and corrects them. It reports whether the statement must run
// again, and the notes for the user (each widened column, each path some
// lines could not reach, each value a declared schema read as NULL). A
// provisional name that no line has is an error at its place in q.
func (log *ScanLog) Check(ctx context.Context, q syntax.Query) (again bool, notes []string, err error) {
	log.mu.Lock()
	scans := slices.Clone(log.scans)
	log.mu.Unlock()
	bySrc := map[*JSON]*correction{}
	var order []*JSON
	for _, ls := range scans {
		c := bySrc[ls.src]
		if c == nil {
			c = newCorrection()
			bySrc[ls.src] = c
			order = append(order, ls.src)
		}
		st := ls.sn.Stats()
		if ls.sn.Finished() && st.RejectedLines == 0 && ls.allFiles {
			c.covered = true
		}
		c.newKeys = c.newKeys || len(ls.sn.NewKeys()) > 0
		notes = append(notes, misfitNotes(ls)...)
		for j, sn := range ls.sn.Seen() {
			col := ls.cols[j]
			key := pathKey(col.Name)
			if sn.Blocked > 0 {
				// Not a kind to widen: in these lines the data is not shaped
				// as the path says. Spark's inference would make the object a
				// STRING and refuse the path; nectar reads the lines that
				// have it and says where it could not.
				notes = append(notes, fmt.Sprintf("%s: read as NULL in %s of %s where a value on its path is not an object or array (%s)",
					col.Name, plural(sn.Blocked, "line"), plural(sn.BlockedFiles, "file"), sn.BlockedText()))
			}
			if sn.Inexact > 0 && col.Guess {
				notes = append(notes, fmt.Sprintf("%s: %s beyond BIGINT's range read as DOUBLE, exact to about 16 digits (Spark's inference makes such a column a DECIMAL)",
					col.Name, plural(sn.Inexact, "integer")))
			}
			switch {
			case col.Hidden != scan.NotHidden:
			case col.Observe:
				if ls.prov[j] {
					c.names[key] = col.Name
				}
				if sn.Present {
					c.found[key] = types.Merge(c.found[key], sn.Kind)
				}
			case col.Guess && sn.Misfits > 0 && sn.Kind != col.Kind:
				c.widen[key] = types.Merge(c.widen[key], sn.Kind)
				c.notes[key] = fmt.Sprintf("%s: %s in %s among %s; read as %s",
					col.Name, sn.MisfitText(), plural(sn.MisfitFiles, "file"), scan.KindNoun(col.Kind), c.widen[key])
			}
		}
	}
	for _, src := range order {
		c := bySrc[src]
		var missing []string
		for key, name := range c.names {
			if _, ok := c.found[key]; !ok {
				missing = append(missing, name)
			}
		}
		sort.Strings(missing)
		look := missing
		if c.covered {
			// Every line was read: only a path through an element no
			// line reaches can still be a column (see probe).
			look = slices.DeleteFunc(slices.Clone(missing), func(n string) bool { return !arrayIndex.MatchString(n) })
		}
		if len(look) > 0 {
			// Some lines went unread: the names may be there.
			kinds, err := src.probe(ctx, look)
			if err != nil {
				return false, nil, err
			}
			for key, k := range kinds {
				c.found[key] = k
			}
			missing = slices.DeleteFunc(missing, func(n string) bool { _, ok := kinds[pathKey(n)]; return ok })
		}
		if len(missing) > 0 {
			src.markAbsent(missing)
			return false, nil, src.notFound(q, missing[0])
		}
		changed, widened := src.correct(c)
		notes = append(notes, widened...)
		if c.newKeys {
			grown, err := src.reinfer(ctx)
			if err != nil {
				return false, nil, err
			}
			changed = changed || grown
		}
		again = again || changed
	}
	return again, notes, nil
}

// reinfer replaces the sample's schema by one inferred from every line of
// every file, when a scan of all its columns met keys the sample lacks (a
// field that only late files have): SELECT * must show it, in the place a
// schema of every line gives it. It reports whether the schema changed.
func (s *JSON) reinfer(ctx context.Context) (bool, error) {
	inferred, empty, err := scan.InferAllFiles(ctx, s.files)
	if err != nil {
		return false, fmt.Errorf("infer schema of %s: %w", s, err)
	}
	full := newJSONSource(s.pattern, s.files, inferred, empty, s.opts, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Whatever the answer, the full schema is the truth: later reads need
	// not infer it again.
	changed := !slices.Equal(full.cols, s.cols)
	s.cols, s.leaves, s.nullOnly, s.empty = full.cols, full.leaves, full.nullOnly, full.empty
	return changed, nil
}

// correct applies what the scans proved: widened kinds and found paths.
// It reports whether a kind the statement read with changed (so it must
// run again), and the notes that tell the user about each widening.
func (s *JSON) correct(c *correction) (changed bool, notes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cols := slices.Clone(s.cols)
	for i, col := range cols {
		key := pathKey(col.Name)
		if k, ok := c.widen[key]; ok && !col.Hidden {
			if w := scan.CanonicalKind(types.Merge(col.Kind, k)); w != col.Kind {
				cols[i].Kind = w
				s.leaves[key] = w
				changed = true
				notes = append(notes, c.notes[key])
			}
		}
	}
	for key, x := range s.extra {
		if k, ok := c.widen[key]; ok {
			if w := scan.CanonicalKind(types.Merge(x.kind, k)); w != x.kind {
				x.kind = w
				changed = true
				notes = append(notes, c.notes[key])
			}
		}
	}
	for key, k := range c.found {
		if k == types.Null {
			continue // only nulls so far: it stays a STRING placeholder
		}
		k = scan.CanonicalKind(k)
		// The statement read it as a STRING placeholder.
		changed = changed || k != types.String
		if s.nullOnly[key] {
			delete(s.nullOnly, key)
			for i, col := range cols {
				if pathKey(col.Name) == key {
					cols[i].Kind = k
					s.leaves[key] = k
				}
			}
			continue
		}
		if x, ok := s.extra[key]; ok {
			k = scan.CanonicalKind(types.Merge(x.kind, k))
		}
		s.extra[key] = &extraPath{name: c.names[key], kind: k}
	}
	s.cols = cols
	return changed, notes
}

// markAbsent remembers paths that a read of every line did not find, so
// that a later statement naming them fails without reading again (an
// experiment tries several spellings of a field).
func (s *JSON) markAbsent(paths []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.absent == nil {
		s.absent = map[string]bool{}
	}
	for _, p := range paths {
		s.absent[pathKey(p)] = true
	}
}

// probe reads every file of s for the given paths until each is found,
// and returns the kinds of those found (from the values read up to then),
// by lower-cased path. A path through an array element no line reaches
// (products[2].name where carts hold at most two products) is found when
// the same field of the first element is: past the end an element is
// NULL, as Spark's get is, not an unknown column.
func (s *JSON) probe(ctx context.Context, paths []string) (map[string]types.Kind, error) {
	found, err := s.probeExact(ctx, paths)
	if err != nil {
		return nil, err
	}
	firsts := map[string][]string{} // path at element 0 → the paths asking for it
	for _, p := range paths {
		if _, ok := found[pathKey(p)]; ok {
			continue
		}
		if first := arrayIndex.ReplaceAllString(p, "[0]"); first != p {
			firsts[first] = append(firsts[first], p)
		}
	}
	if len(firsts) == 0 {
		return found, nil
	}
	more, err := s.probeExact(ctx, slices.Sorted(maps.Keys(firsts)))
	if err != nil {
		return nil, err
	}
	for first, asked := range firsts {
		if k, ok := more[pathKey(first)]; ok {
			for _, p := range asked {
				found[pathKey(p)] = k
			}
		}
	}
	return found, nil
}

var arrayIndex = regexp.MustCompile(`\[\d+\]`)

// probeExact is probe for the paths as written.
func (s *JSON) probeExact(ctx context.Context, paths []string) (map[string]types.Kind, error) {
	s.mu.Lock()
	paths = slices.DeleteFunc(slices.Clone(paths), func(p string) bool { return s.absent[pathKey(p)] })
	s.mu.Unlock()
	if len(paths) == 0 {
		return map[string]types.Kind{}, nil
	}
	cols := make([]scan.Column, len(paths))
	for i, p := range paths {
		pp, err := jsonpath.Parse(p)
		if err != nil {
			return nil, err
		}
		cols[i] = scan.Column{Name: p, Path: pp, Kind: types.String, Observe: true}
	}
	sn := scan.NewScanner(scan.Options{Files: s.files, Columns: cols, MaxLineBytes: s.opts.MaxLineBytes})
	defer sn.Close()
	for {
		b, err := sn.Next(ctx)
		if err != nil {
			return nil, fmt.Errorf("look for %s in %s: %w", strings.Join(paths, ", "), s, err)
		}
		seen := sn.Seen()
		all := true
		for _, x := range seen {
			all = all && x.Present
		}
		if all || b == nil || b.Len == 0 {
			out := map[string]types.Kind{}
			var absent []string
			for i, x := range seen {
				if x.Present {
					out[pathKey(paths[i])] = scan.CanonicalKind(x.Kind)
				} else {
					absent = append(absent, paths[i])
				}
			}
			s.markAbsent(absent) // the probe read every line
			return out, nil
		}
	}
}

// notFound is the error for a name no line of s has, at its place in q,
// with the closest paths the data does have: Spark's FIELD_NOT_FOUND for
// a field of an object the data has, UNRESOLVED_COLUMN otherwise.
func (s *JSON) notFound(q syntax.Query, name string) error {
	msg := "[UNRESOLVED_COLUMN] unknown column " + syntax.QuoteIdent(name)
	if i := strings.LastIndexAny(name, ".["); i > 0 && s.knows(name[:i]) {
		msg = "[FIELD_NOT_FOUND] no such field " + syntax.QuoteIdent(name)
	}
	e := syntax.Errorf(plan.NamePos(q, name), "%s: no line of the %s of %s has it", msg, plural(int64(len(s.files)), "file"), s)
	e.Err = ErrFieldNotFound
	if best := s.closest(name); len(best) > 0 {
		quoted := make([]string, len(best))
		for i, b := range best {
			quoted[i] = syntax.QuoteIdent(b)
		}
		e.Hint = "did you mean " + strings.Join(quoted, " or ") + "?"
	}
	return e
}

// knows reports whether path is a column of s or an object above one.
func (s *JSON) knows(path string) bool {
	for _, k := range s.known() {
		if strings.EqualFold(k, path) {
			return true
		}
	}
	return false
}

// known lists the source's paths: leaves, the objects above them, and
// paths found beyond the sample, sorted.
func (s *JSON) known() []string {
	s.mu.Lock()
	known := map[string]string{}
	for _, c := range s.cols {
		if c.Hidden {
			continue
		}
		known[strings.ToLower(c.Name)] = c.Name
		for i := strings.IndexByte(c.Name, '.'); i > 0; i = nextDot(c.Name, i) {
			known[strings.ToLower(c.Name[:i])] = c.Name[:i]
		}
	}
	for k, x := range s.extra {
		known[k] = x.name
	}
	s.mu.Unlock()
	names := make([]string, 0, len(known))
	for _, v := range known {
		names = append(names, v)
	}
	sort.Strings(names)
	return names
}

// closest returns the source's known paths nearest to name: the nearest
// and any as near, at most three.
func (s *JSON) closest(name string) []string {
	// A typo is within a key: allow edits in proportion to the last key,
	// not to the whole path, or every sibling would be "near".
	last := name[strings.LastIndexAny(name, ".[")+1:]
	best := syntax.Nearest(name, s.known(), 3, len(last)/2+1)
	d := func(b string) int { return syntax.EditDistance(strings.ToLower(name), strings.ToLower(b)) }
	for i := 1; i < len(best); i++ {
		if d(best[i]) > d(best[0]) {
			return best[:i]
		}
	}
	return best
}

func nextDot(s string, i int) int {
	if j := strings.IndexByte(s[i+1:], '.'); j >= 0 {
		return i + 1 + j
	}
	return -1
}

func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
