package sparksql

import (
	"fmt"
	"strings"

	"github.com/nectar-dev/nectar/jsonpath"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// Read says where and how Spark reads a source's files.
type Read struct {
	Format     string // Spark data source: json
	Path       string // what Spark opens: a file, a directory or a Hadoop glob
	Recursive  bool   // recursiveFileLookup: walk every directory below Path
	GlobFilter string // pathGlobFilter: keep only file names matching it ("" = all)
}

// Readable is a source Spark can read itself. The Spark engine wraps the
// sources it opens in one; a scan of any other source cannot be compiled.
type Readable interface {
	plan.Source
	SparkRead() (Read, error)
}

// ReadJSON maps a read_json pattern to Spark's JSON source. nectar's `**`
// matches any depth of directories, which Spark's Hadoop globs cannot say:
// `dir/**/*.gz` becomes recursiveFileLookup over dir with pathGlobFilter
// *.gz. A named directory is walked whole, as nectar does. s3:// becomes
// s3a://, the scheme of Hadoop's S3 connector.
func ReadJSON(pattern string, isDir bool) (Read, error) {
	r := Read{Format: "json"}
	p := pattern
	if rest, ok := strings.CutPrefix(p, "s3://"); ok {
		p = "s3a://" + rest
	}
	i := strings.Index(p, "**")
	if i < 0 {
		r.Path = p
		r.Recursive = isDir
		return r, nil
	}
	base, rest := p[:i], strings.TrimPrefix(p[i+2:], "/")
	if base != "" && !strings.HasSuffix(base, "/") {
		return r, unsupported("a ** glob that is not a whole path segment (" + pattern + ")")
	}
	if strings.Contains(rest, "/") || strings.ContainsAny(base, "*?[{") {
		// Only the file name can be filtered below a recursive lookup.
		return r, unsupported("a glob with directories after ** or wildcards before it (" + pattern + ")")
	}
	if base == "" {
		base = "."
	}
	r.Path = strings.TrimSuffix(base, "/")
	if r.Path == "" {
		r.Path = "/"
	}
	r.Recursive = true
	if rest != "" && rest != "*" {
		r.GlobFilter = rest
	}
	return r, nil
}

// View is a temporary view over a source with the schema Spark infers.
type View struct {
	Create string // CREATE OR REPLACE TEMPORARY VIEW …
	Select string // SELECT * from it
}

// InferView is a view over r without a schema, so that Spark infers one
// (for sources nectar cannot sample itself).
func InferView(r Read) (View, error) {
	if r.Format != "json" {
		return View{}, unsupported("source format " + r.Format)
	}
	return View{
		Create: "CREATE OR REPLACE TEMPORARY VIEW `nectar_infer` USING json OPTIONS (" + r.options() + ")",
		Select: "SELECT * FROM `nectar_infer`",
	}, nil
}

// options renders the OPTIONS clause of the view over r.
func (r Read) options() string {
	opts := []string{"path " + quote(r.Path)}
	if r.Recursive {
		opts = append(opts, "recursiveFileLookup 'true'")
	}
	if r.GlobFilter != "" {
		opts = append(opts, "pathGlobFilter "+quote(r.GlobFilter))
	}
	// nectar never infers timestamps or dates from JSON strings; neither
	// must Spark (the schema is given, but keep the intent explicit).
	opts = append(opts, "mode 'PERMISSIVE'")
	return strings.Join(opts, ", ")
}

// field is one node of the schema tree a scan needs from the JSON source.
type field struct {
	key      string
	leaf     bool       // read as a value of kind (objects and arrays as JSON text)
	kind     types.Kind // for leaves
	array    *field     // element type when the field is indexed
	children map[string]*field
	order    []string
}

func newField(key string) *field { return &field{key: key, children: map[string]*field{}} }

func (f *field) child(key string) *field {
	if c, ok := f.children[key]; ok {
		return c
	}
	c := newField(key)
	f.children[key] = c
	f.order = append(f.order, key)
	return c
}

// sparkType is the DDL type of f in the view's schema.
func (f *field) sparkType() (string, error) {
	switch {
	case f.leaf:
		return leafType(f.kind), nil
	case f.array != nil && len(f.children) > 0:
		return "", unsupported("a JSON field used both as an array and as an object (" + f.key + ")")
	case f.array != nil:
		t, err := f.array.sparkType()
		return "ARRAY<" + t + ">", err
	}
	parts := make([]string, 0, len(f.order))
	for _, k := range f.order {
		t, err := f.children[k].sparkType()
		if err != nil {
			return "", err
		}
		parts = append(parts, ident(k)+": "+t)
	}
	return "STRUCT<" + strings.Join(parts, ", ") + ">", nil
}

// leafType is how a leaf of nectar kind k is declared. Dates and
// timestamps are read as text and cast in SQL, so Spark's JSON reader does
// not apply its own datetime formats.
func leafType(k types.Kind) string {
	switch k {
	case types.Bool:
		return "BOOLEAN"
	case types.Int:
		return "BIGINT"
	case types.Float:
		return "DOUBLE"
	}
	if k.IsNested() {
		return k.String()
	}
	return "STRING"
}

// scanSQL compiles a Scan: a view over the source with a schema holding
// exactly the paths the scan reads, and a SELECT naming each column cN.
func (c *compiler) scanSQL(s *plan.Scan) (string, error) {
	src, ok := s.Source.(Readable)
	if !ok {
		return "", unsupported("source " + s.Source.String())
	}
	rd, err := src.SparkRead()
	if err != nil {
		return "", err
	}
	if rd.Format != "json" {
		return "", unsupported("source format " + rd.Format)
	}
	paths := make([]jsonpath.Path, len(s.Columns))
	for i, col := range s.Columns {
		if isHidden(col.Name) {
			continue
		}
		p, err := jsonpath.Parse(col.Name)
		if err != nil {
			return "", fmt.Errorf("column %s: %w", col.Name, err)
		}
		paths[i] = p
	}
	// A path that is also the prefix of another one read by the scan is
	// read as JSON text, and the longer path extracted from that text:
	// Spark's schema cannot declare one field as both text and a struct.
	leafOf := make([]int, len(paths)) // index of the shorter path read as text, or -1
	for i := range paths {
		leafOf[i] = -1
		for j := range paths {
			if i != j && paths[j] != nil && len(paths[j]) < len(paths[i]) && prefix(paths[j], paths[i]) &&
				(leafOf[i] < 0 || len(paths[j]) < len(paths[leafOf[i]])) {
				leafOf[i] = j
			}
		}
	}
	root := newField("")
	for i, p := range paths {
		if p == nil || leafOf[i] >= 0 {
			continue
		}
		f := root
		for _, st := range p {
			if st.IsIndex {
				if f.leaf {
					break
				}
				if f.array == nil {
					f.array = newField(f.key + "[]")
				}
				f = f.array
			} else {
				f = f.child(st.Key)
			}
		}
		f.leaf = true
		f.kind = s.Columns[i].Kind
		if f.array != nil || len(f.children) > 0 {
			return "", unsupported("JSON path " + s.Columns[i].Name + " read both whole and in parts")
		}
	}
	var cols []string
	for _, k := range root.order {
		t, err := root.children[k].sparkType()
		if err != nil {
			return "", err
		}
		cols = append(cols, ident(k)+" "+t)
	}
	// Only hidden columns: any one field keeps the schema valid.
	if len(cols) == 0 {
		cols = []string{"`_nectar_none` STRING"}
	}
	view := fmt.Sprintf("nectar_scan_%d", len(c.views))
	c.views = append(c.views, fmt.Sprintf("CREATE OR REPLACE TEMPORARY VIEW %s (%s) USING %s OPTIONS (%s)",
		ident(view), strings.Join(cols, ", "), rd.Format, rd.options()))
	sel := make([]string, len(s.Columns))
	for i, col := range s.Columns {
		var e string
		switch {
		case paths[i] == nil:
			switch col.Name {
			case "_file":
				e = fileExpr
			case "_received_day":
				e = receivedDayExpr
			default:
				return "", unsupported("hidden column " + col.Name)
			}
		case leafOf[i] >= 0 && s.Columns[leafOf[i]].Kind.IsNested():
			// The shorter path is declared with its nested type, so
			// the longer one is field access inside it.
			e = access(paths[i])
			if col.Kind == types.Timestamp || col.Kind == types.Date {
				e = castTo(e, col.Kind)
			}
		case leafOf[i] >= 0:
			j := leafOf[i]
			e = fmt.Sprintf("get_json_object(%s, %s)", access(paths[j]), quote(jsonPath(paths[i][len(paths[j]):])))
			e = castTo(e, col.Kind)
		default:
			e = access(paths[i])
			if col.Kind == types.Timestamp || col.Kind == types.Date {
				e = castTo(e, col.Kind)
			}
		}
		sel[i] = e + " AS " + colName(i)
	}
	if len(sel) == 0 {
		sel = []string{"1 AS " + ident("_nectar_none")}
	}
	return fmt.Sprintf("SELECT %s FROM %s", strings.Join(sel, ", "), ident(view)), nil
}

func isHidden(name string) bool {
	return name == "_file" || name == "_received_day" || name == "_line"
}

func prefix(short, long jsonpath.Path) bool {
	for i := range short {
		if short[i] != long[i] {
			return false
		}
	}
	return true
}

// access is p as Spark field access. get returns NULL past an array's end
// where [] would fail under ANSI mode, as nectar's subscripts give NULL.
func access(p jsonpath.Path) string {
	var b strings.Builder
	for i, st := range p {
		switch {
		case st.IsIndex:
			s := b.String()
			b.Reset()
			fmt.Fprintf(&b, "get(%s, %d)", s, st.Index)
		case i == 0:
			b.WriteString(ident(st.Key))
		default:
			b.WriteString("." + ident(st.Key))
		}
	}
	return b.String()
}

// jsonPath is p as get_json_object's path, relative to the text it reads.
func jsonPath(p jsonpath.Path) string {
	var b strings.Builder
	b.WriteString("$")
	for _, st := range p {
		if st.IsIndex {
			fmt.Fprintf(&b, "[%d]", st.Index)
		} else {
			fmt.Fprintf(&b, "['%s']", strings.ReplaceAll(st.Key, "'", `\'`))
		}
	}
	return b.String()
}

// fileExpr is nectar's _file: input_file_name() is a URI, nectar's a path.
const fileExpr = `regexp_replace(regexp_replace(input_file_name(), '^file:(//)?', ''), '^s3a://', 's3://')`

// receivedDayExpr is nectar's _received_day (source.DayFromPath): the day
// folder after segment-logs/<source>/, or else a parent folder of 13
// digits that is a UTC midnight in epoch milliseconds.
const receivedDayExpr = `CASE ` +
	`WHEN regexp_extract(input_file_name(), 'segment-logs/[^/]+/([0-9]{13})/', 1) != '' ` +
	`THEN date_from_unix_date(CAST(regexp_extract(input_file_name(), 'segment-logs/[^/]+/([0-9]{13})/', 1) AS BIGINT) DIV 86400000) ` +
	`WHEN regexp_extract(input_file_name(), '/([0-9]{13})/[^/]*$', 1) != '' ` +
	`AND CAST(regexp_extract(input_file_name(), '/([0-9]{13})/[^/]*$', 1) AS BIGINT) % 86400000 = 0 ` +
	`THEN date_from_unix_date(CAST(regexp_extract(input_file_name(), '/([0-9]{13})/[^/]*$', 1) AS BIGINT) DIV 86400000) END`
