package dashboard

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/nectar-dev/nectar/experiment"
	"github.com/nectar-dev/nectar/project"
)

// Where specs are looked for: the project folder's own YAML files and
// its experiments/ folder, a few levels down. The project folder may hold
// the logs too, so nothing else is walked, and the walk is bounded.
const (
	specsFolder   = "experiments"
	specsMaxDepth = 3
	specsMaxFiles = 2000
)

// experiments finds the project's experiment specs and keeps the report
// each last gave.
type experiments struct {
	dir   string
	extra []string

	mu      sync.Mutex
	reports map[string]*reportEntry // by user and spec id
}

type reportEntry struct {
	mu       sync.Mutex // held while the report runs: one run at a time
	html     template.HTML
	warnings []string
	err      string
	at       time.Time
	took     time.Duration
	modTime  time.Time // the spec's when the report ran
}

// specFile is a spec the dashboard lists.
type specFile struct {
	ID   string // how the page names it: its path from the project folder
	Path string
	Name string // the spec's name:, when it parses
	Err  string // why it does not
}

func newExperiments(dir string, extra []string) *experiments {
	if dir == "" {
		dir = "."
	}
	return &experiments{dir: dir, extra: extra, reports: map[string]*reportEntry{}}
}

// list finds the specs now: a YAML file whose top level has exposure and
// metrics, as every spec has.
func (x *experiments) list() []specFile {
	var paths []string
	if ents, err := os.ReadDir(x.dir); err == nil {
		for _, e := range ents {
			if !e.IsDir() && isYAML(e.Name()) && !strings.EqualFold(e.Name(), project.ConfigFile) {
				paths = append(paths, filepath.Join(x.dir, e.Name()))
			}
		}
	}
	root := filepath.Join(x.dir, specsFolder)
	seen := 0
	_ = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		seen++
		if seen > specsMaxFiles {
			return fs.SkipAll
		}
		if e.IsDir() {
			rel, _ := filepath.Rel(root, p)
			if p != root && (strings.HasPrefix(e.Name(), ".") || strings.Count(rel, string(filepath.Separator)) >= specsMaxDepth-1) {
				return fs.SkipDir
			}
			return nil
		}
		if isYAML(e.Name()) {
			paths = append(paths, p)
		}
		return nil
	})
	var out []specFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil || !looksLikeSpec(data) {
			continue
		}
		out = append(out, x.describe(p, data))
	}
	for _, p := range x.extra {
		data, err := os.ReadFile(p)
		if err != nil {
			out = append(out, specFile{ID: x.id(p), Path: p, Err: err.Error()})
			continue
		}
		out = append(out, x.describe(p, data))
	}
	slices.SortFunc(out, func(a, b specFile) int { return strings.Compare(a.ID, b.ID) })
	return slices.CompactFunc(out, func(a, b specFile) bool { return a.ID == b.ID })
}

func (x *experiments) describe(p string, data []byte) specFile {
	sf := specFile{ID: x.id(p), Path: p}
	sp, err := experiment.ParseSpec(data, filepath.Dir(p))
	if err != nil {
		sf.Err = err.Error()
		return sf
	}
	sf.Name = sp.Name
	return sf
}

// id names p by its path from the project folder, with forward slashes.
func (x *experiments) id(p string) string {
	if rel, err := filepath.Rel(x.dir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	abs, _ := filepath.Abs(p)
	return filepath.ToSlash(abs)
}

func isYAML(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

func looksLikeSpec(data []byte) bool {
	var top map[string]any
	if yaml.Unmarshal(data, &top) != nil {
		return false
	}
	_, exposure := top["exposure"]
	_, metrics := top["metrics"]
	return exposure && metrics
}

func (d *Dashboard) experimentsPage(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, "experiments", "Experiments", d.exps.list())
}

// experimentPage shows a spec's report, computed as `nectar experiment`
// computes it, in the user's session. The report is kept and shown again
// until the spec changes or the page asks for a new run (?run=1): a report
// reads every event of its window.
func (d *Dashboard) experimentPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var spec *specFile
	for _, s := range d.exps.list() {
		if s.ID == id {
			spec = &s
			break
		}
	}
	if spec == nil {
		// Only listed specs are read: the id never becomes a path.
		d.errorPage(w, r, http.StatusNotFound, "No experiment spec "+id+" in the project.")
		return
	}
	user := d.o.Backend.User(r)
	x := d.exps
	x.mu.Lock()
	key := user + "\x00" + id
	entry, ok := x.reports[key]
	if !ok {
		entry = &reportEntry{}
		x.reports[key] = entry
	}
	x.mu.Unlock()

	entry.mu.Lock()
	var mod time.Time
	if fi, err := os.Stat(spec.Path); err == nil {
		mod = fi.ModTime()
	}
	if entry.at.IsZero() || r.URL.Query().Get("run") != "" || !mod.Equal(entry.modTime) {
		began := time.Now()
		entry.html, entry.warnings, entry.err = d.runExperiment(r, user, spec)
		entry.at, entry.took, entry.modTime = time.Now(), time.Since(began), mod
	}
	view := struct {
		specFile
		Report   template.HTML
		Warnings []string
		Error    string
		At       time.Time
		Took     time.Duration
	}{*spec, entry.html, entry.warnings, entry.err, entry.at, entry.took}
	entry.mu.Unlock()
	title := spec.Name
	if title == "" {
		title = spec.ID
	}
	d.render(w, r, "experiment", "Experiment "+title, view)
}

func (d *Dashboard) runExperiment(r *http.Request, user string, spec *specFile) (template.HTML, []string, string) {
	if spec.Err != "" {
		return "", nil, spec.Err
	}
	data, err := os.ReadFile(spec.Path)
	if err != nil {
		return "", nil, err.Error()
	}
	sp, err := experiment.ParseSpec(data, filepath.Dir(spec.Path))
	if err != nil {
		return "", nil, err.Error()
	}
	rep, err := experiment.Run(r.Context(), d.o.Backend.Session(user), sp)
	if err != nil {
		if errors.Is(err, experiment.ErrSpec) || errors.Is(err, experiment.ErrNoExposures) {
			return "", nil, spec.ID + ": " + err.Error()
		}
		return "", nil, err.Error()
	}
	var b bytes.Buffer
	if err := rep.WriteHTMLFragment(&b); err != nil {
		return "", nil, err.Error()
	}
	var warnings []string
	for _, w := range rep.Warnings {
		warnings = append(warnings, w.String())
	}
	// The experiment package escapes every value it writes (its own
	// tests hold it to that), so its fragment is trusted as HTML here.
	return template.HTML(b.String()), warnings, ""
}

// reportCSS serves the report's styles, scoped to the report's element so
// that they do not restyle the dashboard around it.
func (d *Dashboard) reportCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write([]byte(scopeCSS(experiment.ReportCSS, ".report")))
}

// scopeCSS prefixes every selector of css (plain rules, no at-rules) with
// scope; body becomes scope itself.
func scopeCSS(css, scope string) string {
	var b strings.Builder
	for _, rule := range strings.SplitAfter(css, "}") {
		sel, decl, ok := strings.Cut(rule, "{")
		if !ok {
			b.WriteString(rule)
			continue
		}
		parts := strings.Split(sel, ",")
		for i, p := range parts {
			p = strings.TrimSpace(p)
			if p == "body" {
				parts[i] = scope
			} else {
				parts[i] = scope + " " + p
			}
		}
		b.WriteString(strings.Join(parts, ",") + "{" + decl + "\n")
	}
	return b.String()
}
