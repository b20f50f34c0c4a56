package engine

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/sqlconf"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// State is what a session keeps that outlives one request: its views and
// its settings (SET). A server holds one State per user and runs each
// request in a fresh session that shares it: the session lists files
// again and keeps no scans from the last request, and a view created or a
// setting made in one request is still there in the next. Safe for
// concurrent use.
type State struct {
	mu       sync.Mutex
	views    map[string]syntax.Query
	settings map[string]string
	defaults map[string]string
}

// NewState returns a State with no views and no settings made. defaults
// are the values settings show until set (a Spark Connect session's,
// which clients read), over nectar's own (sqlconf.Defaults).
func NewState(defaults map[string]string) *State {
	d := maps.Clone(sqlconf.Defaults)
	maps.Copy(d, defaults)
	return &State{views: map[string]syntax.Query{}, settings: map[string]string{}, defaults: d}
}

// Names lists the views, sorted.
func (v *State) Names() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Sorted(maps.Keys(v.views))
}

// Clone copies the state: a session that must not change the original
// (one that only describes a script) shares the copy.
func (v *State) Clone() *State {
	v.mu.Lock()
	defer v.mu.Unlock()
	return &State{views: maps.Clone(v.views), settings: maps.Clone(v.settings), defaults: v.defaults}
}

func (v *State) lookup(name string) (syntax.Query, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	q, ok := v.views[strings.ToLower(name)]
	return q, ok
}

func (v *State) store(name string, q syntax.Query) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.views[strings.ToLower(name)] = q
}

// Drop removes the view named name and reports whether there was one
// (Spark Connect's spark.catalog.dropTempView).
func (v *State) Drop(name string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	k := strings.ToLower(name)
	_, ok := v.views[k]
	delete(v.views, k)
	return ok
}

// ---- settings ----

// Set gives a setting a value, refusing one nectar cannot honour
// (sqlconf.Check).
func (v *State) Set(key, value string) error {
	if err := sqlconf.Check(key, value); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.settings[key] = value
	return nil
}

// Setting returns key's value, as set or by default, and whether it has
// one.
func (v *State) Setting(key string) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.settings[key]; ok {
		return s, true
	}
	s, ok := v.defaults[key]
	return s, ok
}

// Reset sets key back to its default; "" resets every setting.
func (v *State) Reset(key string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if key == "" {
		clear(v.settings)
		return
	}
	delete(v.settings, key)
}

// Settings returns every setting whose key starts with prefix, with its
// value: those made over the defaults.
func (v *State) Settings(prefix string) map[string]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := map[string]string{}
	for _, m := range []map[string]string{v.defaults, v.settings} {
		for k, s := range m {
			if strings.HasPrefix(k, prefix) {
				out[k] = s
			}
		}
	}
	return out
}

// doubleQuoted reports whether "x" reads as a name under v's settings.
func (v *State) doubleQuoted() bool {
	s, _ := v.Setting(sqlconf.DoubleQuotedIdentifiers)
	dq, _ := sqlconf.Bool(s)
	return dq
}

// ---- the session's side ----

// ShareState makes e keep its views and settings in v, and makes v's
// views visible in e before the sources e names: a shared view may
// replace one of nectar.yaml's sources. Views e made before (a program's
// set-up) stay, as the session's own sources.
func (e *Session) ShareState(v *State) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.state.mu.Lock()
	maps.Copy(e.views, e.state.views)
	e.state.mu.Unlock()
	e.state = v
}

// viewExists reports whether a view or source named name (lower case) is
// the session's.
func (e *Session) viewExists(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.views[name]; ok {
		return true
	}
	_, ok := e.state.lookup(name)
	return ok
}

// set runs SET, answering as Spark does with (key, value) rows: the
// setting made, the one asked for, or every one.
func (e *Session) set(st *syntax.SetStmt, emit func(*Result) error) error {
	var rows [][]types.Value
	row := func(k, v string) {
		if sqlconf.Secret(k) {
			v = sqlconf.Redacted // as Spark shows a credential
		}
		rows = append(rows, []types.Value{types.StringValue(k), types.StringValue(v)})
	}
	switch {
	case st.Key == "":
		all := e.state.Settings("")
		for _, k := range slices.Sorted(maps.Keys(all)) {
			row(k, all[k])
		}
	case st.Assign:
		if err := e.state.Set(st.Key, st.Value); err != nil {
			return &syntax.Error{Pos: st.Position(), Msg: err.Error(), Err: err}
		}
		row(st.Key, st.Value)
	default:
		v, ok := e.state.Setting(st.Key)
		if !ok {
			v = "<undefined>" // Spark's answer for a key it does not know
		}
		row(st.Key, v)
	}
	return emit(&Result{Kind: Rows, Schema: SettingSchema, Rows: exec.Rows(SettingSchema, rows)})
}

// SettingSchema is SET's result: (key, value).
var SettingSchema = types.Schema{{Name: "key", Kind: types.String}, {Name: "value", Kind: types.String}}

// Parse reads script as the session's settings say (how names are
// quoted), with o's parameters.
func (e *Session) Parse(script string, o syntax.Options) ([]syntax.Statement, error) {
	e.mu.Lock()
	st := e.state
	e.mu.Unlock()
	o.DoubleQuotedIdentifiers = st.doubleQuoted()
	return syntax.ParseScriptWith(script, o)
}
