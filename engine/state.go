package engine

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/nectar-dev/nectar/exec"
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
// which clients read), over nectar's own (SettingDefaults).
func NewState(defaults map[string]string) *State {
	d := maps.Clone(SettingDefaults)
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

// SettingDefaults are the settings nectar honours, at their defaults.
// Time zone and ANSI mode can only be set to these values (see Set).
var SettingDefaults = map[string]string{
	syntax.DoubleQuotedIdentifiers: "false",
	"spark.sql.session.timeZone":   "UTC",
	"spark.sql.ansi.enabled":       "true",
}

// fixedSettings are computed one way only: setting another value is
// refused, so that no answer silently differs from Spark's with it.
var fixedSettings = map[string]bool{"spark.sql.session.timeZone": true, "spark.sql.ansi.enabled": true}

// answerSettings are the families of Spark settings that change answers
// (legacy behaviours, ANSI variants, type and parser choices). Setting
// one nectar does not honour is refused rather than kept without effect;
// settings outside them (shuffle partitions, codegen, an application's
// own keys) only change how Spark runs and are kept as Spark keeps them.
var answerSettings = regexp.MustCompile(`^spark\.sql\.(legacy\.|ansi\.|parser\.|datetime\.|json\.|csv\.|decimalOperations\.|caseSensitive$|timestampType$|mapKeyDedupPolicy$|storeAssignmentPolicy$|variable\.substitute$)`)

// ErrSetting is wrapped by the error of a SET nectar refuses: a value it
// cannot honour.
var ErrSetting = errors.New("setting refused")

type refusedSetting string

func (r refusedSetting) Error() string      { return string(r) }
func (refusedSetting) Is(target error) bool { return target == ErrSetting }

// Modifiable reports whether SET may give key another value than its
// default, as Spark Connect's isModifiable asks.
func Modifiable(key string) bool { return !fixedSettings[key] }

// Set gives a setting a value, refusing one nectar cannot honour.
func (v *State) Set(key, value string) error {
	if err := checkSetting(key, value); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.settings[key] = value
	return nil
}

func checkSetting(key, value string) error {
	_, honoured := SettingDefaults[key]
	switch {
	case fixedSettings[key]:
		if !sameSetting(key, value, SettingDefaults[key]) {
			return refusedSetting(fmt.Sprintf("%s=%s: nectar computes with %s=%s, and cannot answer as Spark would with another value", key, value, key, SettingDefaults[key]))
		}
	case key == syntax.DoubleQuotedIdentifiers:
		if !strings.EqualFold(value, "true") && !strings.EqualFold(value, "false") {
			return fmt.Errorf("[INVALID_CONF_VALUE.TYPE_MISMATCH] the value '%s' in the config %q is invalid: it requires a boolean value (true or false)", value, key)
		}
	case !honoured && answerSettings.MatchString(key):
		return refusedSetting(fmt.Sprintf("nectar does not have the Spark setting %s: it answers as Spark does with that setting's default, so it refuses to set it rather than ignore it (settings it has: %s)",
			key, strings.Join(slices.Sorted(maps.Keys(SettingDefaults)), ", ")))
	}
	return nil
}

func sameSetting(key, value, want string) bool {
	if key == "spark.sql.session.timeZone" {
		switch strings.ToUpper(value) {
		case "UTC", "Z", "GMT", "ETC/UTC", "+00:00", "UTC+00:00", "GMT+00:00":
			return true
		}
	}
	return strings.EqualFold(value, want)
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
	s, _ := v.Setting(syntax.DoubleQuotedIdentifiers)
	return strings.EqualFold(s, "true")
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

// dropView forgets a view CREATE VIEW made, reporting whether there was
// one. Sources named in nectar.yaml are not views and stay.
func (e *Session) dropView(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state.Drop(name)
}

// storeView keeps a view CREATE VIEW made.
func (e *Session) storeView(name string, q syntax.Query) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.state.store(name, q)
}

// set runs SET, answering as Spark does with (key, value) rows: the
// setting made, the one asked for, or every one.
func (e *Session) set(st *syntax.SetStmt, emit func(*Result) error) error {
	var rows [][]types.Value
	row := func(k, v string) { rows = append(rows, []types.Value{types.StringValue(k), types.StringValue(v)}) }
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
