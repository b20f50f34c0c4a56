package dashboard

import (
	"errors"
	"net/http"

	"github.com/nectar-dev/nectar/server/streams"
)

// streamsPage lists the hosted streams, as Spark UI's Structured
// Streaming tab lists its queries; its script refreshes the rows from
// GET /v1/streams.
func (d *Dashboard) streamsPage(w http.ResponseWriter, r *http.Request) {
	var list []streams.Status
	if d.o.Streams != nil {
		list = d.o.Streams.Statuses(r.Context())
	}
	d.render(w, r, "streams", "Streams", list)
}

// streamPage is one stream: its state, rates, batches, pending and
// problem files and, for a memory sink, its live table; its script
// follows GET /v1/streams/{name}/events and reloads the table when a
// batch commits.
func (d *Dashboard) streamPage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if d.o.Streams == nil {
		d.errorPage(w, r, http.StatusNotFound, "No stream named "+name+": nectar.yaml declares no streams.")
		return
	}
	st, err := d.o.Streams.Status(r.Context(), name)
	if errors.Is(err, streams.ErrNoStream) {
		d.errorPage(w, r, http.StatusNotFound, "No stream named "+name+".")
		return
	}
	tableQuery := ""
	if st.Table != "" {
		tableQuery = "SELECT * FROM " + quoteIdent(st.Table)
	}
	d.render(w, r, "stream", "Stream "+st.Name, struct {
		streams.Status
		TableQuery string
	}{st, tableQuery})
}
