package scan

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/jsonpath"
	"slices"
)

// JSONType is the JSON type of an extracted value.
type JSONType uint8

const (
	Missing JSONType = iota // the path is absent from the line
	Null
	Bool
	Number
	String
	Object
	Array
)

var jsonTypeNames = [...]string{"missing", "null", "boolean", "number", "string", "object", "array"}

func (t JSONType) String() string {
	if int(t) < len(jsonTypeNames) {
		return jsonTypeNames[t]
	}
	return "JSONType(" + strconv.Itoa(int(t)) + ")"
}

// Raw is one extracted value: its type and its raw token. Strings keep their
// quotes and escapes; objects and arrays are their full text. Bytes alias the
// line passed to Extract and are valid only until that buffer changes. A
// Missing value has no Bytes, unless the path is missing because an object
// or array it leads through is some other value in this line: then Bytes
// is that value (see Blocked).
type Raw struct {
	Type  JSONType
	Bytes []byte
}

// Blocked reports whether the path is missing because a value above it is
// not the object or array it leads through, and that value's type.
func (r Raw) Blocked() (JSONType, bool) {
	if r.Type != Missing || len(r.Bytes) == 0 {
		return Missing, false
	}
	return typeOf(r.Bytes[0]), true
}

// Text returns the value as SQL text: strings unescaped, everything else as
// its JSON text, and "" for missing.
func (r Raw) Text() string { return string(r.AppendText(nil)) }

// AppendText appends the value as Text would return it.
func (r Raw) AppendText(dst []byte) []byte {
	switch r.Type {
	case Missing:
		return dst
	case String:
		body := r.Bytes[1 : len(r.Bytes)-1]
		if bytes.IndexByte(body, '\\') < 0 {
			return append(dst, body...)
		}
		return appendUnescaped(dst, body)
	}
	return append(dst, r.Bytes...)
}

// trie is one level of the wanted paths: the keys and indexes that lead on
// to a wanted path, and the result slot when a path ends here.
type trie struct {
	keys    []keyEdge
	keyMap  map[string]*trie // set when keys is long enough that a map beats a scan
	indexes []indexEdge
	slot    int   // result slot of a path ending here, or -1
	below   []int // slots at or below this node, reset when a duplicate key re-enters it
	req     *requirement
	// parent and name locate the node for WatchNewKeys (set by it), which
	// builds a new key's path from them only when it meets one: nodes
	// holding their whole paths would hold a quadratic number of steps
	// for a deeply nested schema.
	parent *trie
	name   string
	empty  bool // an object WatchNewKeys knows only empty: a key inside is new
}

// requirement is a set of string values one path must take for a line to
// be wanted (see Extractor.Require).
type requirement struct {
	values map[string]struct{}
	// key is the path's last key, quoted as it would appear unescaped: a
	// line that holds it again after the rejected value may repeat the key,
	// and the last occurrence wins.
	key  []byte
	rare int // index in key of the byte index probes for
	// anyEscape: the key holds a character a short escape (\", \\, \/, \n…)
	// can spell, so any backslash later in the line may spell it again.
	anyEscape bool
}

// rejects reports whether r rules the line out: JSON null (a NULL, which
// no equality or IN accepts) or a string without escapes that is none of
// the values. Anything else is left for the full filter to judge.
func (q *requirement) rejects(r Raw) bool {
	switch r.Type {
	case Null:
		return true
	case String:
		return q.rejectsBody(r.Bytes[1 : len(r.Bytes)-1])
	}
	return false
}

// rejectsBody reports whether a string's body (no quotes) is none of the
// values; a body with escapes is left to the filter.
func (q *requirement) rejectsBody(body []byte) bool {
	if bytes.IndexByte(body, '\\') >= 0 {
		return false
	}
	_, ok := q.values[string(body)] // no allocation: the compiler special-cases this conversion
	return !ok
}

// maySpell reports whether an escape in d could spell the key: a \u
// escape can spell any key, a short one (\", \\, \/, \n…) a key holding
// such a character.
func (q *requirement) maySpell(d []byte) bool {
	b := bytes.IndexByte(d, '\\')
	return b >= 0 && (q.anyEscape || bytes.Contains(d[b:], []byte(`\u`)))
}

// settled reports whether a line rejected with tail still to read is
// rejected for good: the required key cannot occur again in tail, in any
// spelling, and the line at least ends its object, so the commonest damage,
// a line cut short, is still parsed in full and counted.
func (q *requirement) settled(line, tail []byte) bool {
	return !q.maySpell(tail) && q.index(tail) < 0 && endsObject(line)
}

// endsObject reports whether line's last byte other than blanks is '}'.
func endsObject(line []byte) bool {
	return bytes.HasSuffix(bytes.TrimRight(line, " \t\r\n"), []byte{'}'})
}

// index returns the offset of the quoted key's first occurrence in d, or
// -1. bytes.Index was a tenth of the seed query's profile here: its
// candidates start at the opening quote, one of the commonest bytes in
// JSON. Probing for the key's rarest byte with IndexByte (vectorised)
// verifies far fewer candidates.
func (q *requirement) index(d []byte) int {
	k, r := q.key, q.rare
	for i := r; i < len(d); {
		j := bytes.IndexByte(d[i:], k[r])
		if j < 0 {
			return -1
		}
		i += j
		if s := i - r; s+len(k) <= len(d) && bytes.Equal(d[s:s+len(k)], k) {
			return s
		}
		i++
	}
	return -1
}

// quickRejects reports whether line can be ruled out without parsing it:
// the key does not occur, or it occurs once, as a key (not after a
// backslash, followed by a colon), and its value is null or a plain string
// outside the set. That
// occurrence need not be at the path's place (the key may sit in another
// object); but then the path is missing, a NULL the filter rejects too.
// The caller has checked that no escape can spell the key elsewhere.
func (q *requirement) quickRejects(line []byte) bool {
	at := q.index(line)
	if at < 0 {
		// No key at all: the path is missing. A quarter of Segment's
		// lines (page and identify calls) have no "event"; they were
		// parsed in full, a sixth of the seed query's CPU.
		return true
	}
	if at == 0 || line[at-1] == '\\' {
		return false
	}
	i := skipWS(line, at+len(q.key))
	if i >= len(line) || line[i] != ':' {
		return false
	}
	i = skipWS(line, i+1)
	if i >= len(line) {
		return false
	}
	switch line[i] {
	case 'n':
		if !bytes.HasPrefix(line[i:], []byte("null")) {
			return false
		}
	case '"':
		end := bytes.IndexByte(line[i+1:], '"')
		if end < 0 {
			return false
		}
		if !q.rejectsBody(line[i+1 : i+1+end]) {
			return false
		}
	default:
		return false
	}
	// Only now, for a line about to be dropped, the costlier check that
	// the key does not come again.
	return q.index(line[at+1:]) < 0
}

// rarestByte picks the index of the byte of key least likely to appear in
// JSON text: not a quote, uppercase and digits before lowercase, and
// lowercase by English letter frequency.
func rarestByte(key []byte) int {
	const common = "etaoinsrhldcumfpgwybvkxjqz" // most frequent first
	best, score := 0, -2
	for i, c := range key {
		sc := 30
		switch {
		case c == '"':
			sc = -1
		case 'a' <= c && c <= 'z':
			sc = strings.IndexByte(common, c)
		}
		if sc > score {
			best, score = i, sc
		}
	}
	return best
}

type keyEdge struct {
	key  []byte
	next *trie
}

type indexEdge struct {
	index int
	next  *trie
}

const keyMapThreshold = 8

func (t *trie) key(k []byte) *trie {
	if t.keyMap != nil {
		return t.keyMap[string(k)] // no allocation: the compiler special-cases this conversion
	}
	for i := range t.keys {
		if bytes.Equal(t.keys[i].key, k) {
			return t.keys[i].next
		}
	}
	return nil
}

func (t *trie) index(n int) *trie {
	for i := range t.indexes {
		if t.indexes[i].index == n {
			return t.indexes[i].next
		}
	}
	return nil
}

// Extractor pulls a fixed set of paths out of one JSON object per line in a
// single pass. It descends only into objects and arrays that lead to a
// wanted path and skips everything else without building values, while still
// validating every byte so a malformed line is never half-accepted. Keys are
// matched as raw bytes and unescaped only when they hold a backslash. An
// Extractor is not safe for concurrent use; make one per goroutine.
type Extractor struct {
	root     *trie
	slotOf   []int    // path index → result slot; equal paths share a slot
	nodeOf   []*trie  // path index → its trie node (nil for an empty path)
	lastKey  []string // path index → its last key step, which Require watches for repeats
	res      []Raw
	scratch  []byte       // unescaped keys
	early    bool         // requirements may stop Extract (false while re-reading a line in full)
	rejected *requirement // the requirement that stopped the last object walk
	required []*trie      // nodes with a requirement
	watching bool         // see WatchNewKeys
	newKeys  map[string]jsonpath.Path
	repeated bool // the last line repeated a key on a path read (Repeated)
}

// Repeated reports whether the line last extracted held a key that a path
// leads through more than once (the last occurrence was read). JSON leaves
// the meaning of such a line open and Spark refuses to infer a schema from
// it, so the scan counts these lines instead of reading them in silence.
func (e *Extractor) Repeated() bool { return e.repeated }

// maxNewKeys bounds how many new keys an Extractor remembers: enough to
// tell that the columns read are not all there are.
const maxNewKeys = 64

// WatchNewKeys makes Extract note every key it meets in an object the
// paths lead through (the line itself included) that no path names: a
// scan of every column a sample found learns this way that the data has
// more (NewKeys). empty lists the objects the sample saw only empty
// ({}): their keys are not new, but a key inside one is.
func (e *Extractor) WatchNewKeys(empty []jsonpath.Path) {
	e.watching = true
	e.newKeys = map[string]jsonpath.Path{}
	for _, p := range empty {
		n := e.root
		for _, st := range p {
			if st.IsIndex {
				break
			}
			next := n.key([]byte(st.Key))
			if next == nil {
				next = &trie{slot: -1}
				n.keys = append(n.keys, keyEdge{[]byte(st.Key), next})
				if n.keyMap != nil {
					n.keyMap[st.Key] = next
				}
			}
			n = next
		}
		n.empty = true
	}
	var mark func(n *trie)
	mark = func(n *trie) {
		for _, k := range n.keys {
			k.next.parent, k.next.name = n, string(k.key)
			mark(k.next)
		}
	}
	mark(e.root)
}

// NewKeys returns the paths of the keys WatchNewKeys noted, each once, at
// most maxNewKeys of them.
func (e *Extractor) NewKeys() []jsonpath.Path {
	out := make([]jsonpath.Path, 0, len(e.newKeys))
	for _, p := range e.newKeys {
		out = append(out, p)
	}
	return out
}

func (e *Extractor) noteNewKey(n *trie, key []byte) {
	if len(e.newKeys) >= maxNewKeys {
		return
	}
	p := jsonpath.Path{{Key: string(key)}}
	for ; n.parent != nil; n = n.parent {
		p = append(p, jsonpath.Step{Key: n.name})
	}
	slices.Reverse(p)
	if s := p.String(); e.newKeys[s] == nil {
		e.newKeys[s] = p
	}
}

// ErrRejected is returned by Extract when a path given to Require holds a
// value outside its set, so the line cannot be wanted. The rest of the
// line was not validated.
var ErrRejected = errors.New("line rejected by a required value")

// NewExtractor compiles paths into a trie. Paths may repeat or be prefixes of
// one another (an object and one of its fields).
func NewExtractor(paths []jsonpath.Path) *Extractor {
	e := &Extractor{root: &trie{slot: -1}, slotOf: make([]int, len(paths)), nodeOf: make([]*trie, len(paths)), lastKey: make([]string, len(paths)), early: true}
	for i, p := range paths {
		n := e.root
		for _, st := range p {
			var next *trie
			if st.IsIndex {
				if next = n.index(st.Index); next == nil {
					next = &trie{slot: -1}
					n.indexes = append(n.indexes, indexEdge{st.Index, next})
				}
			} else {
				if next = n.key([]byte(st.Key)); next == nil {
					next = &trie{slot: -1}
					n.keys = append(n.keys, keyEdge{[]byte(st.Key), next})
					if len(n.keys) > keyMapThreshold {
						n.keyMap = make(map[string]*trie, len(n.keys))
						for _, k := range n.keys {
							n.keyMap[string(k.key)] = k.next
						}
					}
				}
			}
			n = next
		}
		if len(p) == 0 {
			// An empty path names nothing in an object line; give it a slot
			// that stays Missing.
			e.slotOf[i] = len(e.res)
			e.res = append(e.res, Raw{})
			continue
		}
		e.nodeOf[i] = n
		for _, st := range p {
			if !st.IsIndex {
				e.lastKey[i] = st.Key
			}
		}
		if n.slot < 0 {
			n.slot = len(e.res)
			e.res = append(e.res, Raw{})
		}
		e.slotOf[i] = n.slot
	}
	fillBelow(e.root)
	return e
}

func fillBelow(n *trie) []int {
	var below []int
	if n.slot >= 0 {
		below = append(below, n.slot)
	}
	for _, k := range n.keys {
		below = append(below, fillBelow(k.next)...)
	}
	for _, x := range n.indexes {
		below = append(below, fillBelow(x.next)...)
	}
	n.below = below
	return below
}

// Require declares that only lines whose paths[i] is one of values are
// wanted: Extract may then return ErrRejected as soon as it meets a null or
// an unescaped string outside the set, without reading (or validating) the
// rest of the line. This is how a query's simple filters (event = 'Added
// to Cart') skip most of each line they rule out. The caller must still
// apply its filter to the lines it keeps: values Require cannot judge
// (escaped strings, other JSON types, a missing path) are let through.
func (e *Extractor) Require(i int, values []string) {
	n := e.nodeOf[i]
	if n == nil {
		return
	}
	q := &requirement{values: map[string]struct{}{}}
	for _, v := range values {
		q.values[v] = struct{}{}
	}
	if n.req != nil { // two requirements on one path: only values in both
		for v := range q.values {
			if _, ok := n.req.values[v]; !ok {
				delete(q.values, v)
			}
		}
	}
	key := e.lastKey[i]
	q.key = append(append([]byte{'"'}, key...), '"')
	q.rare = rarestByte(q.key)
	if n.req == nil {
		e.required = append(e.required, n)
	}
	q.anyEscape = strings.ContainsFunc(key, func(r rune) bool { return r == '"' || r == '\\' || r == '/' || r < 0x20 })
	n.req = q
}

// quickRejects rules out a line from its bytes alone, before any parsing,
// when a requirement's key occurs once and its value fails (see
// requirement.quickRejects). Most lines of a query on one event end here,
// unvalidated: like an early stop, but for damage anywhere in the line.
// A line cut short (not ending in '}') and any line with a \u escape,
// which could spell a key, are left to the parse.
func (e *Extractor) quickRejects(line []byte) bool {
	if len(e.required) == 0 || !endsObject(line) {
		return false
	}
	for _, n := range e.required {
		if !n.req.quickRejects(line) {
			continue
		}
		// Checked only for a line about to be dropped: no escape may
		// spell the key somewhere the probe did not see it.
		if !n.req.maySpell(line) {
			return true
		}
	}
	return false
}

// Extract parses line, which must hold exactly one JSON object (surrounding
// whitespace allowed), and records every wanted path for Get. Errors wrap
// ErrMalformed or ErrInvalidUTF8 and give the byte offset, or are
// ErrRejected (see Require). Results alias line.
func (e *Extractor) Extract(line []byte) error {
	clear(e.res)
	e.repeated = false
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return fmt.Errorf("%w at byte %d", errNotObject, i)
	}
	if e.early && e.quickRejects(line) {
		return ErrRejected
	}
	i, err := e.object(line, i+1, e.root, 1)
	if err == errRejected {
		clear(e.res)
		if e.rejected.settled(line, line[i:]) {
			return ErrRejected
		}
		// The key may come again (the last occurrence wins) or the line
		// may be damaged: read it in full, without stopping early.
		e.early = false
		err = e.Extract(line)
		e.early = true
		if err == nil {
			for _, n := range e.required {
				if n.req.rejects(e.res[n.slot]) {
					clear(e.res)
					return ErrRejected
				}
			}
		}
		return err
	}
	if err != nil {
		clear(e.res)
		return fmt.Errorf("%w at byte %d", err, i)
	}
	if i = skipWS(line, i); i != len(line) {
		clear(e.res)
		return fmt.Errorf("%w at byte %d", errTrailing, i)
	}
	return nil
}

// Get returns the value of paths[i] from the last successful Extract, or a
// Raw of type Missing. For a duplicated key the last occurrence wins.
func (e *Extractor) Get(i int) Raw { return e.res[e.slotOf[i]] }

// value validates the value at i and records it (and anything wanted inside
// it) for node n.
func (e *Extractor) value(d []byte, i int, n *trie, depth int) (int, error) {
	if i >= len(d) {
		return i, errEOF
	}
	for _, s := range n.below {
		if r := &e.res[s]; r.Type != Missing || r.Bytes != nil {
			e.repeated = true
		}
		e.res[s] = Raw{}
	}
	start := i
	var err error
	switch c := d[i]; {
	case c == '{' && len(n.keys) > 0:
		i, err = e.object(d, i+1, n, depth+1)
	case c == '[' && len(n.indexes) > 0:
		i, err = e.array(d, i+1, n, depth+1)
	default:
		i, err = skipValue(d, i, depth)
		if err == nil && c != 'n' && (len(n.keys) > 0 || len(n.indexes) > 0) {
			e.block(n, d[start:i])
		}
		if n.empty && c == '{' && err == nil && d[skipWS(d, start+1)] != '}' {
			e.noteNewKey(n, []byte("…")) // something inside what was {}
		}
	}
	if err != nil {
		return i, err
	}
	if n.slot >= 0 {
		r := Raw{Type: typeOf(d[start]), Bytes: d[start:i:i]}
		e.res[n.slot] = r
		if n.req != nil && e.early && n.req.rejects(r) {
			e.rejected = n.req
			return i, errRejected
		}
	}
	return i, nil
}

// block marks the paths below n as missing because n holds v, a value
// that is not the object or array they lead through (a field that is
// sometimes a string): Get returns them as Missing with v's bytes, so the
// scan can tell the user rather than read NULL in silence.
func (e *Extractor) block(n *trie, v []byte) {
	for _, s := range n.below {
		if s != n.slot {
			e.res[s] = Raw{Type: Missing, Bytes: v}
		}
	}
}

func (e *Extractor) object(d []byte, i int, n *trie, depth int) (int, error) {
	if depth > maxDepth {
		return i, errDepth
	}
	i = skipWS(d, i)
	if i < len(d) && d[i] == '}' {
		return i + 1, nil
	}
	var err error
	for {
		if i >= len(d) {
			return i, errEOF
		}
		if d[i] != '"' {
			return i, errChar
		}
		ks := i + 1
		var esc bool
		if i, esc, err = scanString(d, ks); err != nil {
			return i, err
		}
		key := d[ks : i-1]
		if esc {
			e.scratch = appendUnescaped(e.scratch[:0], key)
			key = e.scratch
		}
		next := n.key(key)
		if i, err = colon(d, i); err != nil {
			return i, err
		}
		if next != nil {
			i, err = e.value(d, i, next, depth)
		} else {
			if e.watching {
				e.noteNewKey(n, key)
			}
			i, err = skipValue(d, i, depth)
		}
		if err != nil {
			return i, err
		}
		var done bool
		if i, done, err = afterMember(d, i, '}'); err != nil || done {
			return i, err
		}
	}
}

func (e *Extractor) array(d []byte, i int, n *trie, depth int) (int, error) {
	if depth > maxDepth {
		return i, errDepth
	}
	i = skipWS(d, i)
	if i < len(d) && d[i] == ']' {
		return i + 1, nil
	}
	var err error
	for k := 0; ; k++ {
		if next := n.index(k); next != nil {
			i, err = e.value(d, i, next, depth)
		} else {
			i, err = skipValue(d, i, depth)
		}
		if err != nil {
			return i, err
		}
		var done bool
		if i, done, err = afterMember(d, i, ']'); err != nil || done {
			return i, err
		}
	}
}

// Valid reports whether line is one well-formed JSON object with valid UTF-8,
// returning the same errors as Extract.
func Valid(line []byte) error {
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return fmt.Errorf("%w at byte %d", errNotObject, i)
	}
	i, err := skipObject(line, i+1, 1)
	if err != nil {
		return fmt.Errorf("%w at byte %d", err, i)
	}
	if i = skipWS(line, i); i != len(line) {
		return fmt.Errorf("%w at byte %d", errTrailing, i)
	}
	return nil
}
