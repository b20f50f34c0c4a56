package server

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/server/streams"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Tables is a catalog of tables the server shows beside nectar.yaml's
// sources and the users' views: the seam where tables kept outside the
// engine plug in (a hosted stream's memory tables, graph tables). Every
// session finds them through engine.Session.LookupTables; the catalog
// calls (Flight SQL GetTables, GET /v1/tables) list them.
type Tables interface {
	// Lookup finds a table by name, case-insensitively.
	Lookup(name string) (plan.Source, bool)
	// List names the tables and their kinds as catalogs show them (for
	// example "STREAM TABLE").
	List() []TableRef
}

// TableRef names a table and its kind.
type TableRef struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// The kinds of tables nectar itself has, as Flight SQL's table_type and
// JDBC's TABLE_TYPE show them.
const (
	KindTable = "TABLE" // a source nectar.yaml names
	KindView  = "VIEW"  // a view a user created (CREATE VIEW)
)

// joinedTables are several catalogs of extra tables (the model graph's
// and the hosted streams'), looked up in order.
type joinedTables []Tables

func (j joinedTables) Lookup(name string) (plan.Source, bool) {
	for _, t := range j {
		if src, ok := t.Lookup(name); ok {
			return src, true
		}
	}
	return nil, false
}

func (j joinedTables) List() []TableRef {
	var out []TableRef
	for _, t := range j {
		out = append(out, t.List()...)
	}
	return out
}

// streamTables are the hosted streams' memory tables as a catalog.
type streamTables struct{ h *streams.Host }

func (t streamTables) Lookup(name string) (plan.Source, bool) { return t.h.Lookup(name) }

func (t streamTables) List() []TableRef {
	var out []TableRef
	for _, tb := range t.h.Tables() {
		out = append(out, TableRef{Name: tb.Name, Kind: streams.KindStreamTable})
	}
	return out
}

// session returns a fresh session for one request of user: nectar.yaml's
// sources, the user's views and settings and the extra tables, and nothing opened yet,
// so that a query lists its files anew however long the server has run.
func (s *Server) session(user string) *engine.Session {
	e := s.newSession()
	e.ShareState(s.state(user))
	return e
}

// scratch is a session whose CREATE VIEWs and SETs touch a copy of the
// user's state: for describing a script without running it.
func (s *Server) scratch(user string) *engine.Session {
	e := s.newSession()
	e.ShareState(s.state(user).Clone())
	return e
}

func (s *Server) newSession() *engine.Session {
	e := engine.New(s.cfg.Engine)
	if s.cfg.Project != nil {
		s.cfg.Project.Apply(e)
	}
	if s.extra != nil {
		e.LookupTables(s.extra.Lookup)
	}
	if s.cfg.Prepare != nil {
		s.cfg.Prepare(e)
	}
	return e
}

// state returns user's views and settings. They belong to a user, not
// to a connection: clients differ in what a connection is (the Go driver
// sends a password with every call and keeps no session; ADBC and JDBC
// log in once), and a user's views and settings are then the same in
// every client and over HTTP. Without authentication every client is one
// user.
func (s *Server) state(user string) *engine.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.userState[user]
	if !ok {
		v = engine.NewState(nil)
		s.userState[user] = v
	}
	return v
}

// describe says what script would give without running a query.
func (s *Server) describe(ctx context.Context, user, script string) (*engine.Description, error) {
	// Describing infers schemas, which reads files: it takes a slot too.
	ctx, done, err := s.admit(ctx, user)
	if err != nil {
		return nil, err
	}
	defer done()
	return s.scratch(user).Describe(ctx, script)
}

// tables lists what user may query, sorted by name: nectar.yaml's
// sources, the extra tables, and the user's views, a view hiding a table
// of its name as it does in queries.
func (s *Server) tables(user string) []TableRef {
	kinds := map[string]string{}
	if s.cfg.Project != nil {
		for name := range s.cfg.Project.Sources {
			kinds[strings.ToLower(name)] = KindTable
		}
	}
	if s.extra != nil {
		for _, t := range s.extra.List() {
			kinds[strings.ToLower(t.Name)] = t.Kind
		}
	}
	for _, name := range s.state(user).Names() {
		kinds[name] = KindView
	}
	out := make([]TableRef, 0, len(kinds))
	for _, name := range slices.Sorted(maps.Keys(kinds)) {
		out = append(out, TableRef{Name: name, Kind: kinds[name]})
	}
	return out
}

// tableKinds lists the kinds tables has, for GetTableTypes.
func tableKinds(tables []TableRef) []string {
	set := map[string]bool{KindTable: true, KindView: true}
	for _, t := range tables {
		set[t.Kind] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// tableSchema is the columns SELECT * FROM name gives, from the sources'
// samples (nothing beyond what schema inference reads).
func (s *Server) tableSchema(ctx context.Context, user, name string) (types.Schema, error) {
	d, err := s.describe(ctx, user, "SELECT * FROM "+syntax.QuoteIdent(name))
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", name, err)
	}
	return d.Schema, nil
}

// like reports whether s matches the SQL LIKE pattern (% any text, _ one
// character, \ escapes), as Flight SQL's catalog filters are written.
func like(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	// Iterative matching with one backtrack point for the last %.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '\\' && pi+1 < len(p) && p[pi+1] == t[ti]:
			pi, ti = pi+2, ti+1
		case pi < len(p) && (p[pi] == '_' || p[pi] != '%' && p[pi] != '\\' && p[pi] == t[ti]):
			pi, ti = pi+1, ti+1
		case pi < len(p) && p[pi] == '%':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi, mark = star+1, mark+1
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}
