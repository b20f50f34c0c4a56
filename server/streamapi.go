package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nectar-dev/nectar/server/streams"
)

// sseKeepAlive is how often an idle event stream sends a comment, so that
// proxies keep the connection and a client that went away is noticed.
var sseKeepAlive = 15 * time.Second

func (s *Server) handleStreams(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Streams []streams.Status `json:"streams"`
	}{Streams: []streams.Status{}}
	if s.cfg.Streams != nil {
		out.Streams = s.cfg.Streams.Statuses(r.Context())
	}
	writeJSON(w, out)
}

func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	st, err := s.streamStatus(r)
	if err != nil {
		writeError(w, http.StatusNotFound, apiError{Message: err.Error()})
		return
	}
	writeJSON(w, st)
}

func (s *Server) streamStatus(r *http.Request) (streams.Status, error) {
	name := r.PathValue("name")
	if s.cfg.Streams == nil {
		return streams.Status{}, fmt.Errorf("%w: %s (nectar.yaml declares no streams)", streams.ErrNoStream, name)
	}
	st, err := s.cfg.Streams.Status(r.Context(), name)
	if errors.Is(err, streams.ErrNoStream) {
		return st, err
	}
	// Another error (the checkpoint could not be read) is in the
	// status's error field.
	return st, nil
}

// handleStreamEvents streams a stream's status as server-sent events
// (text/event-stream, WHATWG HTML §9.2): one "status" event at once, then
// one after every change. A client that goes away ends the handler at the
// next write or keep-alive, and its watch with it.
func (s *Server) handleStreamEvents(w http.ResponseWriter, r *http.Request) {
	st, err := s.streamStatus(r)
	if err != nil {
		writeError(w, http.StatusNotFound, apiError{Message: err.Error()})
		return
	}
	changed, stop, err := s.cfg.Streams.Watch(st.Name)
	if err != nil {
		writeError(w, http.StatusNotFound, apiError{Message: err.Error()})
		return
	}
	defer stop()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	ctx := r.Context()
	// A client that stops reading (its socket's buffers full) would hold
	// a write, and this handler and its watch, until the server stops:
	// each write gets the time a query's client gets to take rows.
	deadline := func() { _ = rc.SetWriteDeadline(time.Now().Add(s.admission.lim.ClientStall)) }
	send := func(st streams.Status) error {
		data, err := json.Marshal(st)
		if err != nil {
			return err
		}
		deadline()
		// JSON holds no newline, so one data line carries it.
		if _, err := fmt.Fprintf(w, "event: status\ndata: %s\n\n", data); err != nil {
			return err
		}
		return rc.Flush()
	}
	if send(st) != nil {
		return
	}
	tick := time.NewTicker(sseKeepAlive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			st, err := s.cfg.Streams.Status(ctx, st.Name)
			if err != nil && ctx.Err() != nil {
				return
			}
			if send(st) != nil {
				return
			}
		case <-tick.C:
			deadline()
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_ = json.NewEncoder(w).Encode(v)
}
