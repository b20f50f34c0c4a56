package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// The model graph's pages read it as any client does: graph_walk,
// graph_nodes and graph_scores queries through Backend.Query, in the
// user's session, logged and limited as the API's are.

// graphTable is the graph table whose presence in the user's catalog says
// the server has a model graph (nectar serve registers its tables only
// when one is configured).
const graphTable = "graph_nodes"

// Walk bounds of the impact page. A walk passes through every node within
// its depth; the page shows at most walkMaxRows of them, since a page of
// more is read by nobody and a hub (a shared dataset) can reach thousands.
const (
	walkDefaultDepth = 6  // graph_walk's own default
	walkMaxDepth     = 32 // graph_walk's own bound
	walkMaxRows      = 2000
)

// gnode is a node a walk reached.
type gnode struct {
	ID, Kind, Namespace, Name, Version string
	Props                              map[string]any
	Distance                           int
	Hops                               []hop // the walk's path to it from the start, one step each
}

// hop is one step of a walk's path: to node To along relation Rel, with
// the edge's direction (Down) or against it.
type hop struct {
	Rel  string
	Down bool
	To   string
}

// answer is a query's result, its columns found by name.
type answer struct {
	cols map[string]int
	rows [][]types.Value
}

func (a answer) val(row []types.Value, col string) types.Value {
	i, ok := a.cols[col]
	if !ok {
		return types.Value{}
	}
	return row[i]
}

// str is a column's text, "" for NULL.
func (a answer) str(row []types.Value, col string) string {
	v := a.val(row, col)
	if v.IsNull() {
		return ""
	}
	return v.String()
}

// ask runs sql as the user who made r and collects its rows.
func (d *Dashboard) ask(r *http.Request, sql string) (answer, error) {
	a := answer{cols: map[string]int{}}
	err := d.o.Backend.Query(r.Context(), d.o.Backend.User(r), sql, func(res *engine.Result) error {
		for i, c := range res.Schema {
			a.cols[c.Name] = i
		}
		var err error
		a.rows, err = exec.Collect(r.Context(), res.Rows)
		return err
	})
	return a, err
}

// hasGraph reports whether the user's catalog has the graph's tables.
func (d *Dashboard) hasGraph(r *http.Request) bool {
	for _, t := range d.o.Backend.Tables(r.Context(), d.o.Backend.User(r)) {
		if strings.EqualFold(t.Name, graphTable) {
			return true
		}
	}
	return false
}

// noGraph is the page a graph page shows on a server without a graph.
func (d *Dashboard) noGraph(w http.ResponseWriter, r *http.Request, title string) {
	d.render(w, r, "nograph", title, nil)
}

// errNoNode is walk's error for a start id the graph does not have.
type errNoNode struct{ id string }

func (e errNoNode) Error() string { return e.id + " is not in the model graph" }

// walk runs graph_walk from id, nearest nodes first; kinds, if not empty,
// keeps only those kinds in the answer (the walk passes through all).
// At most limit nodes come back, and whether there were more.
func (d *Dashboard) walk(r *http.Request, id, direction string, depth int, kinds string, limit int) ([]gnode, bool, error) {
	args := fmt.Sprintf("%s, direction => %s, depth => %d", syntax.QuoteString(id), syntax.QuoteString(direction), depth)
	if kinds != "" {
		args += ", kinds => " + syntax.QuoteString(kinds)
	}
	a, err := d.ask(r, "SELECT id, kind, namespace, name, version, properties, distance, path, path_ids FROM graph_walk("+args+
		") ORDER BY distance, id LIMIT "+strconv.Itoa(limit+1))
	if err != nil {
		// The walk of an id the graph lacks fails; a second, rarer query
		// tells that apart from a failing store, without the dashboard
		// knowing the graph package's errors.
		if n, cerr := d.ask(r, "SELECT count(*) AS n FROM graph_nodes WHERE id = "+syntax.QuoteString(id)); cerr == nil && len(n.rows) == 1 && n.rows[0][0].I == 0 {
			return nil, false, errNoNode{id}
		}
		return nil, false, fmt.Errorf("walk from %s: %w", id, err)
	}
	more := len(a.rows) > limit
	if more {
		a.rows = a.rows[:limit]
	}
	out := make([]gnode, 0, len(a.rows))
	for _, row := range a.rows {
		n := gnode{ID: a.str(row, "id"), Kind: a.str(row, "kind"), Namespace: a.str(row, "namespace"), Name: a.str(row, "name"),
			Version: a.str(row, "version"), Distance: int(a.val(row, "distance").I)}
		if p := a.str(row, "properties"); p != "" {
			_ = json.Unmarshal([]byte(p), &n.Props) // a node without readable properties still shows
		}
		var ids []string
		if err := json.Unmarshal([]byte(a.str(row, "path_ids")), &ids); err == nil {
			n.Hops = parseHops(a.str(row, "path"), ids)
		}
		out = append(out, n)
	}
	return out, more, nil
}

// parseHops reads graph_walk's path text, `a -REL-> b <-REL- c`, knowing
// its ids (path_ids): an id may hold spaces and arrows, a relation is one
// word. nil when the text does not read as expected.
func parseHops(text string, ids []string) []hop {
	if len(ids) == 0 || !strings.HasPrefix(text, ids[0]) {
		return nil
	}
	rest := text[len(ids[0]):]
	hops := make([]hop, 0, len(ids)-1)
	for _, id := range ids[1:] {
		var h hop
		var ok bool
		switch {
		case strings.HasPrefix(rest, " -"):
			h.Down = true
			h.Rel, rest, ok = strings.Cut(rest[2:], "-> ")
		case strings.HasPrefix(rest, " <-"):
			h.Rel, rest, ok = strings.Cut(rest[3:], "- ")
		}
		if !ok || h.Rel == "" || strings.ContainsAny(h.Rel, " -") || !strings.HasPrefix(rest, id) {
			return nil
		}
		h.To = id
		rest = rest[len(id):]
		hops = append(hops, h)
	}
	if rest != "" {
		return nil
	}
	return hops
}

// walkGroup is the nodes a walk reached at one distance.
type walkGroup struct {
	Distance int
	Nodes    []gnode
}

type walkView struct {
	Start     gnode
	ID        string
	Direction string
	Depth     int
	Groups    []walkGroup
	Reached   int
	More      bool
	Error     string
}

// walkPage is the impact walk from any node: what it reaches, grouped by
// distance, each with the path that reaches it. Down answers "what does
// this affect?", up "where does it come from?" (docs/GRAPH.md).
func (d *Dashboard) walkPage(w http.ResponseWriter, r *http.Request) {
	if !d.hasGraph(r) {
		d.noGraph(w, r, "Impact walk")
		return
	}
	q := r.URL.Query()
	v := walkView{ID: strings.TrimSpace(q.Get("id")), Direction: q.Get("direction"), Depth: walkDefaultDepth}
	if v.Direction == "" {
		v.Direction = "both"
	}
	if v.ID == "" {
		d.errorPage(w, r, http.StatusBadRequest, "Name the node to walk from: /graph/walk?id=model:recsys:food-recs.")
		return
	}
	switch v.Direction {
	case "down", "up", "both":
	default:
		d.errorPage(w, r, http.StatusBadRequest, "direction is down, up or both, not "+strconv.Quote(v.Direction)+".")
		return
	}
	if s := q.Get("depth"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > walkMaxDepth {
			d.errorPage(w, r, http.StatusBadRequest, fmt.Sprintf("depth is a whole number from 1 to %d, not %q.", walkMaxDepth, s))
			return
		}
		v.Depth = n
	}
	nodes, more, err := d.walk(r, v.ID, v.Direction, v.Depth, "", walkMaxRows)
	if errors.As(err, new(errNoNode)) {
		d.errorPage(w, r, http.StatusNotFound, err.Error()+".")
		return
	}
	if err != nil {
		d.log.Warn("dashboard: walk", "id", v.ID, "error", err)
		v.Error = err.Error()
	}
	for _, n := range nodes {
		if n.Distance == 0 {
			v.Start = n
			continue
		}
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].Distance != n.Distance {
			v.Groups = append(v.Groups, walkGroup{Distance: n.Distance})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Nodes = append(g.Nodes, n)
		v.Reached++
	}
	v.More = more
	if v.Start.ID == "" {
		v.Start.ID = v.ID
	}
	d.render(w, r, "walk", "Impact of "+v.ID, v)
}

// propText is a property as one line of text: strings as they are, lists
// joined with commas, anything else as JSON; "" when absent.
func propText(props map[string]any, key string) string {
	v, ok := props[key]
	if !ok || v == nil {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = propText(map[string]any{"": e}, "")
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// propPair is a property for a list of them.
type propPair struct{ Key, Value string }

// propList is every property but those named, sorted by key.
func propList(props map[string]any, except ...string) []propPair {
	keys := slices.Sorted(maps.Keys(props))
	var out []propPair
	for _, k := range keys {
		if !slices.Contains(except, k) {
			out = append(out, propPair{k, propText(props, k)})
		}
	}
	return out
}
