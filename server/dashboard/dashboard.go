package dashboard

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/server/streams"
	"github.com/nectar-dev/nectar/stream"
	"github.com/nectar-dev/nectar/types"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Backend is what the dashboard needs of the server: the catalog as a
// user sees it, queries run as the API runs them, and sessions for the
// experiments.
type Backend interface {
	// User is who made r, as the server's authentication found ("" when
	// the server has no users).
	User(r *http.Request) string
	// Tables lists what user may query, sorted by name.
	Tables(ctx context.Context, user string) []Table
	// Schema is the columns of SELECT * FROM name, from the sources'
	// samples.
	Schema(ctx context.Context, user, name string) (types.Schema, error)
	// Query runs a script for user as POST /v1/query does (cancelled when
	// ctx ends or the server stops, logged) and hands its last result to
	// rows.
	Query(ctx context.Context, user, script string, rows func(*engine.Result) error) error
	// QueryError is err, the failure of script, as the API reports it:
	// the HTTP status and a JSON body with the message, line, column,
	// hint and the caret rendering.
	QueryError(ctx context.Context, err error, script string) (int, any)
	// Session is a fresh session of user's, to run experiments in.
	Session(user string) *engine.Session
}

// Table is a table of the catalog.
type Table struct {
	Name string
	Kind string
}

// Options configure the dashboard.
type Options struct {
	Backend Backend
	// Streams are the hosted streams (nil: none).
	Streams *streams.Host
	// ProjectDir is where experiment specs are looked for (its YAML files
	// and its experiments/ folder); Specs are further spec files.
	ProjectDir string
	Specs      []string
	// Log receives what goes wrong in pages (nil: slog.Default()).
	Log *slog.Logger
}

// ContentSecurityPolicy is every dashboard response's policy: scripts,
// styles, images and connections from the server itself only, no inline
// script or style, no plug-ins, no framing, forms posting nowhere else.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Dashboard serves the pages.
type Dashboard struct {
	o     Options
	log   *slog.Logger
	pages map[string]*template.Template
	exps  *experiments
	mux   *http.ServeMux
}

// New makes the dashboard's handler.
func New(o Options) (*Dashboard, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	d := &Dashboard{o: o, log: o.Log, pages: map[string]*template.Template{}, exps: newExperiments(o.ProjectDir, o.Specs)}
	funcs := template.FuncMap{
		"path":     url.PathEscape,
		"duration": humanDuration,
		"ms":       func(ms int64) string { return humanDuration(time.Duration(ms) * time.Millisecond) },
		"rate":     rate,
		"count":    thousands,
		"time":     func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") },
		"day":      func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
		"prop":     propText,
		"isModel":  func(id string) bool { return strings.HasPrefix(id, "model:") },
		"props":    propList,
		"sig":      significant,
		"pct":      percent,
		"share":    share,
		"lastBatch": func(b []stream.BatchStats) *stream.BatchStats {
			if len(b) == 0 {
				return nil
			}
			return &b[len(b)-1]
		},
	}
	pages, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", p)
		if err != nil {
			return nil, fmt.Errorf("dashboard template %s: %w", name, err)
		}
		d.pages[name] = t
	}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", d.queryPage)
	mux.HandleFunc("GET /sources", d.sourcesPage)
	mux.HandleFunc("GET /sources/{name}", d.sourcePage)
	mux.HandleFunc("GET /streams", d.streamsPage)
	mux.HandleFunc("GET /streams/{name}", d.streamPage)
	mux.HandleFunc("GET /experiments", d.experimentsPage)
	mux.HandleFunc("GET /experiments/{id}", d.experimentPage)
	mux.HandleFunc("GET /models", d.modelsPage)
	mux.HandleFunc("GET /models/{id}", d.modelPage)
	mux.HandleFunc("GET /graph/walk", d.walkPage)
	mux.HandleFunc("POST /ui/query", d.query)
	mux.HandleFunc("GET /static/report.css", d.reportCSS)
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Embedded files have no modification time: ask the browser to
		// revalidate rather than keep an old script after an upgrade.
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		d.errorPage(w, r, http.StatusNotFound, "No such page: "+r.URL.Path)
	})
	d.mux = mux
	return d, nil
}

// ServeHTTP sets the security headers every response carries and refuses
// a request another site's page makes the browser send: the dashboard's
// POSTs run queries with the user's credentials, which a browser attaches
// to any request to this origin (cross-site request forgery).
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	if r.Method != http.MethodGet && r.Method != http.MethodHead && CrossSite(r) {
		http.Error(w, "refused: a request from another site's page", http.StatusForbidden)
		return
	}
	d.mux.ServeHTTP(w, r)
}

// CrossSite reports whether a browser sent r on behalf of another origin's
// page: its Sec-Fetch-Site says so (Fetch Metadata, sent by every current
// browser), or its Origin names another host than the one it was sent to.
// Clients that are not browsers send neither header.
func CrossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	case "same-origin", "none":
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || !strings.EqualFold(u.Host, r.Host)
}

// page is what every template gets.
type page struct {
	Title string
	Nav   string // which tab is current
	User  string
	Data  any
}

func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, name, title string, data any) {
	d.renderStatus(w, r, http.StatusOK, name, title, data)
}

func (d *Dashboard) renderStatus(w http.ResponseWriter, r *http.Request, code int, name, title string, data any) {
	t := d.pages[name]
	nav := name
	switch name {
	case "source":
		nav = "sources"
	case "stream":
		nav = "streams"
	case "experiment":
		nav = "experiments"
	case "model", "walk", "nograph":
		nav = "models"
	}
	var b bytes.Buffer
	// Rendered whole before anything is sent, so that a template error
	// gives an error page, not half a page.
	if err := t.Execute(&b, page{Title: title, Nav: nav, User: d.o.Backend.User(r), Data: data}); err != nil {
		d.log.Error("dashboard: render", "page", name, "error", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(b.Bytes())
}

func (d *Dashboard) errorPage(w http.ResponseWriter, r *http.Request, code int, msg string) {
	d.renderStatus(w, r, code, "error", http.StatusText(code), msg)
}

func (d *Dashboard) queryPage(w http.ResponseWriter, r *http.Request) {
	sql := r.URL.Query().Get("sql")
	if sql == "" {
		sql = defaultQuery(d.o.Backend.Tables(r.Context(), d.o.Backend.User(r)))
	}
	d.render(w, r, "query", "Query", sql)
}

// defaultQuery is the editor's text on a first visit: a query of the
// first table, so that Run shows something at once.
func defaultQuery(tables []Table) string {
	for _, t := range tables {
		if t.Kind == "TABLE" {
			return "SELECT event, count(*) AS n\nFROM " + quoteIdent(t.Name) + "\nGROUP BY event\nORDER BY n DESC"
		}
	}
	if len(tables) > 0 {
		return "SELECT * FROM " + quoteIdent(tables[0].Name) + " LIMIT 100"
	}
	return "SELECT 1 AS one"
}

func humanDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

func rate(f float64) string {
	switch {
	case f == 0:
		return "0"
	case f < 10:
		return fmt.Sprintf("%.2f", f)
	}
	return thousands(int64(f + 0.5))
}

// thousands writes n with thin separators: 1 234 567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// percent writes a share as a signed percentage, – when there is none.
func percent(f *float64) string {
	if f == nil {
		return "–"
	}
	return fmt.Sprintf("%+.2f%%", 100**f)
}

// share writes a probability as a percentage, – when there is none.
func share(f *float64) string {
	if f == nil {
		return "–"
	}
	return strconv.FormatFloat(100**f, 'f', 1, 64) + "%"
}

// significant writes a number (or a *float64, – when nil) to 4
// significant digits, as the experiment report prints them.
func significant(v any) string {
	switch f := v.(type) {
	case float64:
		return strconv.FormatFloat(f, 'g', 4, 64)
	case *float64:
		if f != nil {
			return strconv.FormatFloat(*f, 'g', 4, 64)
		}
	}
	return "–"
}
