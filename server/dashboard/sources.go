package dashboard

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/types"
)

// glimpseRows is how many first values a glimpse shows per column, as
// `nectar glimpse` reads them.
const glimpseRows = 20

type column struct {
	Name, Type string
	Values     []string // first values, NULL as "NA" as dplyr's glimpse shows it
}

type tableInfo struct {
	Name, Kind string
	Columns    []column
	Error      string
}

// sourcesPage lists every table the user may query with its columns and
// types, from the sources' samples (no query runs).
func (d *Dashboard) sourcesPage(w http.ResponseWriter, r *http.Request) {
	user := d.o.Backend.User(r)
	var out []tableInfo
	for _, t := range d.o.Backend.Tables(r.Context(), user) {
		ti := tableInfo{Name: t.Name, Kind: t.Kind}
		schema, err := d.o.Backend.Schema(r.Context(), user, t.Name)
		if err != nil {
			ti.Error = err.Error()
		}
		for _, c := range schema {
			ti.Columns = append(ti.Columns, column{Name: c.Name, Type: c.Kind.String()})
		}
		out = append(out, ti)
	}
	d.render(w, r, "sources", "Sources", out)
}

// sourcePage is one table's glimpse: every column, its type and first
// values, as `nectar glimpse` shows them; the row count is asked for on
// the page, since counting reads every file.
func (d *Dashboard) sourcePage(w http.ResponseWriter, r *http.Request) {
	user := d.o.Backend.User(r)
	name := r.PathValue("name")
	var kind string
	for _, t := range d.o.Backend.Tables(r.Context(), user) {
		if strings.EqualFold(t.Name, name) {
			name, kind = t.Name, t.Kind
		}
	}
	if kind == "" {
		d.errorPage(w, r, http.StatusNotFound, "No table or view named "+name+".")
		return
	}
	ti := tableInfo{Name: name, Kind: kind}
	var schema types.Schema
	var rows [][]types.Value
	err := d.o.Backend.Query(r.Context(), user, "SELECT * FROM "+quoteIdent(name)+" LIMIT "+strconv.Itoa(glimpseRows), func(res *engine.Result) error {
		var err error
		schema = res.Schema
		rows, err = exec.Collect(r.Context(), res.Rows)
		return err
	})
	if err != nil {
		ti.Error = err.Error()
	}
	for j, c := range schema {
		col := column{Name: c.Name, Type: c.Kind.String()}
		for _, row := range rows {
			v := row[j]
			if v.IsNull() {
				col.Values = append(col.Values, "NA")
				continue
			}
			col.Values = append(col.Values, v.String())
		}
		ti.Columns = append(ti.Columns, col)
	}
	d.render(w, r, "source", name, struct {
		tableInfo
		Shown int
		Count string
	}{ti, len(rows), "SELECT count(*) AS n FROM " + quoteIdent(name)})
}
