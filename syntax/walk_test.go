package syntax

import (
	"errors"
	"go/ast"
	goparser "go/parser"
	gotoken "go/token"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// allNodes makes an empty node of every kind in the package. A kind added
// to the package must be added here and to the walker (walk.go's edit);
// TestEveryNodeKindIsListed fails until both are.
var allNodes = map[string]func() Node{
	"QueryStmt": func() Node { return &QueryStmt{} }, "CreateView": func() Node { return &CreateView{} },
	"Describe": func() Node { return &Describe{} }, "Explain": func() Node { return &Explain{} },
	"DropView": func() Node { return &DropView{} }, "Values": func() Node { return &Values{} },
	"ShowTables": func() Node { return &ShowTables{} }, "SetStmt": func() Node { return &SetStmt{} },
	"ResetStmt": func() Node { return &ResetStmt{} },

	"Select": func() Node { return &Select{} }, "SetOp": func() Node { return &SetOp{} },
	"With": func() Node { return &With{} }, "FromQuery": func() Node { return &FromQuery{} },
	"Pipe": func() Node { return &Pipe{} },

	"PipeWhere": func() Node { return &PipeWhere{} }, "PipeSelect": func() Node { return &PipeSelect{} },
	"PipeExtend": func() Node { return &PipeExtend{} }, "PipeSet": func() Node { return &PipeSet{} },
	"PipeDrop": func() Node { return &PipeDrop{} }, "PipeAs": func() Node { return &PipeAs{} },
	"PipeAggregate": func() Node { return &PipeAggregate{} }, "PipeOrderBy": func() Node { return &PipeOrderBy{} },
	"PipeLimit": func() Node { return &PipeLimit{} }, "PipeJoin": func() Node { return &PipeJoin{} },
	"PipeSetOp": func() Node { return &PipeSetOp{} },

	"TableName": func() Node { return &TableName{} }, "TableFunc": func() Node { return &TableFunc{} },
	"SubqueryTable": func() Node { return &SubqueryTable{} }, "Join": func() Node { return &Join{} },
	"WatermarkTable": func() Node { return &WatermarkTable{} }, "LateralView": func() Node { return &LateralView{} },
	"Pivot": func() Node { return &Pivot{} }, "Unpivot": func() Node { return &Unpivot{} },
	"Lambda": func() Node { return &Lambda{} },

	"Ident": func() Node { return &Ident{} }, "Subscript": func() Node { return &Subscript{} },
	"Field": func() Node { return &Field{} }, "Star": func() Node { return &Star{} },
	"Literal": func() Node { return &Literal{} }, "Interval": func() Node { return &Interval{} },
	"Unary": func() Node { return &Unary{} }, "Binary": func() Node { return &Binary{} },
	"Call": func() Node { return &Call{} }, "Case": func() Node { return &Case{} },
	"Cast": func() Node { return &Cast{} }, "In": func() Node { return &In{} },
	"Like": func() Node { return &Like{} }, "Between": func() Node { return &Between{} },
	"IsNull": func() Node { return &IsNull{} }, "SubqueryExpr": func() Node { return &SubqueryExpr{} },
}

// nodeKinds lists, from the package's source, every type with one of the
// marker methods that make a node kind (stmt, query, pipeOp, tableExpr,
// expr).
func nodeKinds(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := gotoken.NewFileSet()
	markers := map[string]bool{"stmt": true, "query": true, "pipeOp": true, "tableExpr": true, "expr": true}
	seen := map[string]bool{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := goparser.ParseFile(fset, e.Name(), nil, goparser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			// A marker method takes and returns nothing: func (*Select) query() {}.
			if !ok || fn.Recv == nil || !markers[fn.Name.Name] || fn.Type.Params.NumFields() > 0 || fn.Type.Results.NumFields() > 0 {
				continue
			}
			typ := fn.Recv.List[0].Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			if id, ok := typ.(*ast.Ident); ok {
				seen[id.Name] = true
			}
		}
	}
	var out []string
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func TestEveryNodeKindIsListed(t *testing.T) {
	kinds := nodeKinds(t)
	if len(kinds) < 40 {
		t.Fatalf("found only %d node kinds: %v", len(kinds), kinds)
	}
	for _, k := range kinds {
		if allNodes[k] == nil {
			t.Errorf("node kind %s is not in allNodes: add it there and give it a case in walk.go's edit", k)
		}
	}
	for k := range allNodes {
		if !listed(kinds, k) {
			t.Errorf("allNodes lists %s, which is no node kind", k)
		}
	}
}

func listed(s []string, x string) bool {
	i := sort.SearchStrings(s, x)
	return i < len(s) && s[i] == x
}

var (
	exprType  = reflect.TypeFor[Expr]()
	queryType = reflect.TypeFor[Query]()
	tableType = reflect.TypeFor[TableExpr]()
	pipeType  = reflect.TypeFor[PipeOp]()
	stmtType  = reflect.TypeFor[Statement]()
	nodeType  = reflect.TypeFor[Node]()
)

// filler puts a fresh marker node in every child slot of a node: every
// field, slice element (two per slice) and nested part whose type holds
// nodes. The markers are leaves, so a walk that reaches them is done.
type filler struct{ markers []Node }

func (f *filler) marker(t reflect.Type) reflect.Value {
	var n Node
	switch {
	case t == exprType:
		n = &Ident{Parts: []string{"m"}}
	case t == queryType:
		// No query kind is a leaf: FromQuery's own child is checked too.
		n = &FromQuery{From: &TableName{Name: "m"}}
	case t == tableType:
		n = &TableName{Name: "m"}
	case t == pipeType:
		n = &PipeAs{Alias: "m"}
	case t == stmtType:
		n = &QueryStmt{Query: &FromQuery{From: &TableName{Name: "m"}}}
	case t.Kind() == reflect.Pointer && t.Implements(nodeType):
		n = reflect.New(t.Elem()).Interface().(Node)
	default:
		panic("no marker for " + t.String())
	}
	f.markers = append(f.markers, n)
	return reflect.ValueOf(n)
}

func holdsNode(t reflect.Type) bool {
	return t.Implements(nodeType) || (t.Kind() == reflect.Interface && reflect.PointerTo(t).Implements(nodeType)) ||
		t == exprType || t == queryType || t == tableType || t == pipeType || t == stmtType
}

func (f *filler) fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			f.fill(v.Field(i))
		}
	case reflect.Interface:
		if holdsNode(v.Type()) {
			v.Set(f.marker(v.Type()))
		}
	case reflect.Pointer:
		switch {
		case holdsNode(v.Type()):
			v.Set(f.marker(v.Type()))
		case v.Type().Elem().Kind() == reflect.Struct:
			p := reflect.New(v.Type().Elem())
			f.fill(p.Elem())
			if hasNodes(p.Elem().Type()) {
				v.Set(p)
			}
		}
	case reflect.Slice:
		if !hasNodes(v.Type().Elem()) {
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			f.fill(s.Index(i))
		}
		v.Set(s)
	}
}

// hasNodes reports whether a value of type t can hold a node.
func hasNodes(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface:
		return holdsNode(t)
	case reflect.Pointer:
		return holdsNode(t) || (t.Elem().Kind() == reflect.Struct && hasNodes(t.Elem()))
	case reflect.Slice:
		return hasNodes(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasNodes(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// filled is a node of the named kind with a marker in each child slot.
func filled(kind string) (Node, []Node) {
	n := allNodes[kind]()
	f := &filler{}
	f.fill(reflect.ValueOf(n).Elem())
	return n, f.markers
}

func visited(n Node) map[Node]bool {
	seen := map[Node]bool{}
	Inspect(n, func(x Node) bool { seen[x] = true; return true })
	return seen
}

// TestWalkersReachEveryChild builds each node kind with a marker in every
// slot that can hold a node and checks that Inspect visits each marker and
// that Rewrite and RewriteInPlace replace each one.
func TestWalkersReachEveryChild(t *testing.T) {
	for _, kind := range nodeKinds(t) {
		t.Run(kind, func(t *testing.T) {
			if allNodes[kind] == nil {
				t.Skip("not in allNodes (TestEveryNodeKindIsListed fails)")
			}
			n, markers := filled(kind)
			seen := visited(n)
			if !seen[n] {
				t.Errorf("Inspect did not visit the root")
			}
			for _, m := range markers {
				if !seen[m] {
					t.Errorf("Inspect did not reach the child %T", m)
				}
			}

			// Rewrite replaces every marker with a copy, leaving n alone.
			isMarker := map[Node]bool{}
			for _, m := range markers {
				isMarker[m] = true
			}
			replaced := map[Node]bool{}
			swap := func(x Node) (Node, error) {
				if !isMarker[x] {
					return x, nil
				}
				c := reflect.New(reflect.TypeOf(x).Elem())
				c.Elem().Set(reflect.ValueOf(x).Elem())
				y := c.Interface().(Node)
				replaced[y] = true
				return y, nil
			}
			out, err := Rewrite(n, swap)
			if err != nil {
				t.Fatal(err)
			}
			if len(markers) > 0 && out == n {
				t.Errorf("Rewrite changed children but returned the same node")
			}
			after := visited(out)
			for _, m := range markers {
				if after[m] {
					t.Errorf("Rewrite left the child %T in place", m)
				}
			}
			for y := range replaced {
				if !after[y] {
					t.Errorf("Rewrite lost the replacement %T", y)
				}
			}
			for _, m := range markers {
				if !visited(n)[m] {
					t.Errorf("Rewrite changed the original: %T is gone", m)
				}
			}

			// RewriteInPlace puts the replacements into n itself.
			replaced = map[Node]bool{}
			out, err = RewriteInPlace(n, swap)
			if err != nil {
				t.Fatal(err)
			}
			if out != n {
				t.Errorf("RewriteInPlace returned another root")
			}
			after = visited(n)
			for _, m := range markers {
				if after[m] {
					t.Errorf("RewriteInPlace left the child %T in place", m)
				}
			}
			if len(replaced) != len(markers) {
				t.Errorf("RewriteInPlace replaced %d children of %d", len(replaced), len(markers))
			}
		})
	}
}

func TestInspectSkipsChildren(t *testing.T) {
	q, err := ParseQuery("SELECT a + (SELECT max(b) FROM t) AS x FROM u WHERE c IN (SELECT d FROM v)")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	Inspect(q, func(n Node) bool {
		switch n := n.(type) {
		case Query:
			// Stay out of subqueries, as the binder's name collection does.
			return n == q
		case *Ident:
			names = append(names, n.String())
		}
		return true
	})
	if got := strings.Join(names, " "); got != "a c" {
		t.Errorf("identifiers outside subqueries: %q, want \"a c\"", got)
	}
}

func TestRewriteByCopyAndInPlace(t *testing.T) {
	src := "SELECT a FROM read_json('x') WATERMARK ts DELAY OF INTERVAL 1 HOUR AS e JOIN t ON e.a = t.a"
	q, err := ParseQuery(src)
	if err != nil {
		t.Fatal(err)
	}
	strip := func(n Node) (Node, error) {
		if w, ok := n.(*WatermarkTable); ok {
			return w.Unwrap(), nil
		}
		return n, nil
	}
	out, err := Rewrite(q, strip)
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT a FROM read_json('x') AS e JOIN t ON e.a = t.a"
	if out.String() != want {
		t.Errorf("Rewrite gave\n%s\nwant\n%s", out, want)
	}
	if q.String() == want {
		t.Errorf("Rewrite changed its input")
	}
	if _, err := RewriteInPlace(q, strip); err != nil {
		t.Fatal(err)
	}
	if q.String() != want {
		t.Errorf("RewriteInPlace left\n%s\nwant\n%s", q, want)
	}

	// A node of the wrong kind is refused.
	_, err = Rewrite(q, func(n Node) (Node, error) {
		if _, ok := n.(*Ident); ok {
			return &TableName{Name: "x"}, nil
		}
		return n, nil
	})
	if !errors.Is(err, ErrRewrite) {
		t.Errorf("a table in place of an expression: %v, want ErrRewrite", err)
	}
}
