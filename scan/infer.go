package scan

import (
	"slices"
	"strings"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/types"
)

// InferredColumn is one column found by schema inference.
type InferredColumn struct {
	Name string // Path.String(): dotted, with odd keys backquoted
	Path jsonpath.Path
	Kind types.Kind
}

// Inferrer infers a schema from sample lines. Objects are flattened into
// dotted leaf columns (context.page.url); an array is one ARRAY column,
// its element kind inferred from every element as Spark's JSON inference
// does (objects inside arrays are STRUCTs with their fields in name order,
// elements seen only as null or arrays only empty are STRING); a key seen
// both as an object or array and as something else is one STRING column,
// as Spark widens a struct/scalar conflict. Kinds:
// true/false → BOOLEAN, integers that fit → BIGINT, other numbers → DOUBLE,
// strings → STRING (never TIMESTAMP: Spark's JSON reader keeps ISO strings as
// STRING and nectar casts them implicitly), only nulls → VOID. Conflicts
// widen with types.Widen and are never errors. The zero value is ready.
type Inferrer struct {
	root    inode
	lines   int
	scratch []byte
}

// inode is one key seen in the sample, at one level of nesting.
type inode struct {
	// key is the node's name in its parent. Nodes do not hold their
	// paths: a line nested thousands deep would hold a quadratic number
	// of steps. Walks build the path as they descend.
	key      string
	kind     types.Kind // widened kind of the scalar values seen
	leaf     bool       // seen as a non-null scalar or an array
	scalar   bool       // seen as a non-null scalar
	array    bool       // seen as an array
	elem     *inode     // the elements of the arrays seen (set with array)
	object   bool       // seen as an object
	children []*inode   // first-seen order
	byKey    map[string]*inode
	pos      int // index in the parent's children
}

func (n *inode) child(key []byte) *inode {
	if c, ok := n.byKey[string(key)]; ok {
		return c
	}
	if n.byKey == nil {
		n.byKey = make(map[string]*inode)
	}
	k := string(key)
	c := &inode{key: k, pos: len(n.children)}
	n.byKey[k] = c
	n.children = append(n.children, c)
	return c
}

func (n *inode) see(k types.Kind) {
	if n.scalar {
		n.kind = types.Widen(n.kind, k)
	} else {
		n.scalar, n.kind = true, k
	}
	n.leaf = true
}

func (n *inode) seeArray() *inode {
	n.leaf, n.array = true, true
	if n.elem == nil {
		n.elem = &inode{}
	}
	return n.elem
}

// valueKind is the kind of the values of n other than objects: the
// scalars' widened kind, an ARRAY of the elements' kind, STRING when
// both were seen, VOID for nulls only. Parts of nested kinds are
// canonical (CanonicalKind).
func (n *inode) valueKind() types.Kind {
	return CanonicalKind(n.rawValueKind())
}

func (n *inode) rawValueKind() types.Kind {
	switch {
	case n.array && n.scalar:
		return types.String
	case n.array:
		return types.ArrayOf(n.elem.rawKind())
	}
	return n.kind
}

// rawKind is the kind of n as a part of a nested value (an array's
// element, a struct's field): objects are STRUCTs of their keys in name
// order. Parts seen only as null are VOID and objects seen only empty
// STRUCT<>, so that kinds from several values merge as inference over
// all of them would; CanonicalKind settles them.
func (n *inode) rawKind() types.Kind {
	switch {
	case n.object && n.leaf:
		return types.String
	case n.object:
		fields := make([]types.Field, len(n.children))
		for i, c := range n.children {
			fields[i] = types.Field{Name: c.key, Kind: c.rawKind()}
		}
		slices.SortStableFunc(fields, func(a, b types.Field) int { return strings.Compare(a.Name, b.Name) })
		return types.StructOf(fields...)
	}
	return n.rawValueKind()
}

// CanonicalKind settles what inference leaves untyped inside a nested
// kind, as Spark's canonicalizeType does: a part seen only as null (VOID)
// is STRING, and so is an object seen only empty (Spark drops such a
// field; a STRING keeps its text). A VOID kind itself stays VOID.
func CanonicalKind(k types.Kind) types.Kind {
	if !k.IsNested() {
		return k
	}
	part := func(p types.Kind) types.Kind {
		if p == types.Null || (p.IsStruct() && len(p.Fields()) == 0) {
			return types.String
		}
		return CanonicalKind(p)
	}
	switch {
	case k.IsArray():
		return types.ArrayOf(part(k.Elem()))
	case k.IsMap():
		return types.MapOf(part(k.MapKey()), part(k.MapValue()))
	}
	fs := k.Fields()
	out := make([]types.Field, len(fs))
	for i, f := range fs {
		out[i] = types.Field{Name: f.Name, Kind: part(f.Kind)}
	}
	return types.StructOf(out...)
}

// Add folds one line into the schema. A line that is not one valid JSON
// object is rejected whole with the errors Extract gives and changes nothing.
func (in *Inferrer) Add(line []byte) error {
	if err := Valid(line); err != nil {
		return err
	}
	in.add(line)
	return nil
}

// add folds a line that Valid accepted.
func (in *Inferrer) add(line []byte) {
	i := skipWS(line, 0)
	in.object(line, i+1, &in.root)
	in.lines++
}

// Lines is how many lines Add accepted.
func (in *Inferrer) Lines() int { return in.lines }

// object and value walk a line already checked by Valid, so they skip error
// handling.
func (in *Inferrer) object(d []byte, i int, n *inode) int {
	i = skipWS(d, i)
	if d[i] == '}' {
		return i + 1
	}
	// Lines of one source mostly repeat their keys in one order: the
	// child after the last one met is tried before the map, which was
	// half of inference's time (and inference, all of a schema probe's).
	next := 0
	for {
		ks := i + 1
		end, esc, _ := scanString(d, ks)
		key := d[ks : end-1]
		if esc {
			in.scratch = appendUnescaped(in.scratch[:0], key)
			key = in.scratch
		}
		var c *inode
		if next < len(n.children) && n.children[next].key == string(key) {
			c = n.children[next]
		} else {
			c = n.child(key)
		}
		next = c.pos + 1
		i, _ = colon(d, end)
		i = in.value(d, i, c)
		i = skipWS(d, i)
		if d[i] == '}' {
			return i + 1
		}
		i = skipWS(d, i+1) // ','
	}
}

func (in *Inferrer) value(d []byte, i int, n *inode) int {
	switch d[i] {
	case '{':
		n.object = true
		return in.object(d, i+1, n)
	case '[':
		elem := n.seeArray()
		i = skipWS(d, i+1)
		if d[i] == ']' {
			return i + 1
		}
		for {
			i = skipWS(d, in.value(d, i, elem))
			if d[i] == ']' {
				return i + 1
			}
			i = skipWS(d, i+1) // ','
		}
	case '"':
		n.see(types.String)
		end, _, _ := scanString(d, i+1)
		return end
	case 't':
		n.see(types.Bool)
		return i + 4
	case 'f':
		n.see(types.Bool)
		return i + 5
	case 'n':
		if !n.scalar {
			n.kind = types.Null
		}
		return i + 4
	}
	end, integral, _ := scanNumber(d, i)
	k := types.Float
	if integral {
		if _, ok := parseInt(d[i:end]); ok {
			k = types.Int
		}
	}
	n.see(k)
	return end
}

// Merge folds o, inferred from lines that follow in's, into in: the
// result is what one Inferrer fed in's lines and then o's would hold, so
// files can be inferred in parallel and merged in order.
func (in *Inferrer) Merge(o *Inferrer) {
	in.root.merge(&o.root)
	in.lines += o.lines
}

func (n *inode) merge(o *inode) {
	if o.scalar {
		n.see(o.kind)
	}
	if o.array {
		n.seeArray().merge(o.elem)
	}
	n.object = n.object || o.object
	for _, oc := range o.children {
		n.child([]byte(oc.key)).merge(oc)
	}
}

// EmptyObjects returns the paths of the objects only ever seen empty (as
// Segment's integrations: {}), which make no column but are in the data:
// a read that notes new keys (Options.NewKeys) must know them.
func (in *Inferrer) EmptyObjects() []jsonpath.Path {
	var out []jsonpath.Path
	in.root.walk(nil, func(c *inode, path jsonpath.Path) bool {
		switch {
		case c.object && !c.leaf && len(c.children) == 0:
			out = append(out, slices.Clone(path))
		case c.object && !c.leaf:
			return true
		}
		return false
	})
	return out
}

// Schema returns the inferred columns, depth first with keys in first-seen
// order at each level, so the fields of one object stay together. Objects
// only ever seen empty yield no column, as in Spark.
func (in *Inferrer) Schema() []InferredColumn {
	var out []InferredColumn
	in.root.walk(nil, func(c *inode, path jsonpath.Path) bool {
		switch {
		case c.object && c.leaf:
			out = append(out, InferredColumn{Name: path.String(), Path: slices.Clone(path), Kind: types.String})
		case c.object:
			return true
		default:
			out = append(out, InferredColumn{Name: path.String(), Path: slices.Clone(path), Kind: c.valueKind()})
		}
		return false
	})
	return out
}

// walk calls fn on each child of n, depth first in first-seen order, with
// its path (valid during the call only: one slice serves the whole walk),
// and descends into the children for which fn returns true.
func (n *inode) walk(path jsonpath.Path, fn func(c *inode, path jsonpath.Path) bool) jsonpath.Path {
	for _, c := range n.children {
		path = append(path, jsonpath.Step{Key: c.key})
		if fn(c, path) {
			path = c.walk(path, fn)
		}
		path = path[:len(path)-1]
	}
	return path
}

// ValueKind is the kind inference gives one JSON value (validated JSON
// text): BOOLEAN, BIGINT for an integer that fits, DOUBLE for any other
// number, STRING, an ARRAY or STRUCT typed from its contents (see
// Inferrer), VOID for null.
//
// Parts seen only as null are VOID and empty objects STRUCT<>, so that
// the kinds of several values Merge as inference over all of them would;
// CanonicalKind settles them.
func ValueKind(v []byte) types.Kind {
	var in Inferrer
	var n inode
	in.value(v, skipWS(v, 0), &n)
	return n.rawKind()
}
