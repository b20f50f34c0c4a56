package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/output"
	"github.com/nectar-dev/nectar/server/streams"
	"github.com/nectar-dev/nectar/syntax"
)

// The HTTP API:
//
//	POST /v1/query   the SQL as the body (any content type but JSON), or
//	                 JSON {"sql": "…"}; the answer as ?format=json|csv|
//	                 arrow|parquet|table or by the Accept header (JSON
//	                 lines by default), streamed as the rows come; 204 for
//	                 a script that gives no rows (CREATE VIEW)
//	GET  /v1/tables  {"tables": [{"name", "kind", "schema": [{"name", "type"}]}]}
//	GET  /v1/streams {"streams": [status, …]}, each as GET /v1/streams/{name}
//	GET  /v1/streams/{name}         a hosted stream's status: `nectar stream
//	                 status`'s fields and the hosting state (streams.Status)
//	GET  /v1/streams/{name}/events  server-sent events: the status again
//	                 (event "status") whenever a batch commits or the
//	                 state changes
//
// Errors are JSON: {"error": {"message", "line", "column", "hint"}, and
// "detail", the message with the query's line and a caret, as the CLI
// prints it}.

// maxQueryBytes bounds a query's body: a query is text, and a client
// sending megabytes is mistaken or hostile.
const maxQueryBytes = 1 << 20

// mediaTypes are the content types of the formats, and the Accept values
// that ask for them.
var mediaTypes = map[output.Format]string{
	output.JSON:    "application/x-ndjson",
	output.CSV:     "text/csv; charset=utf-8",
	output.Arrow:   "application/vnd.apache.arrow.stream",
	output.Parquet: "application/vnd.apache.parquet",
	output.Table:   "text/plain; charset=utf-8",
}

var acceptFormats = map[string]output.Format{
	"application/x-ndjson":                output.JSON,
	"application/jsonl":                   output.JSON,
	"application/json":                    output.JSON,
	"text/csv":                            output.CSV,
	"application/vnd.apache.arrow.stream": output.Arrow,
	"application/vnd.apache.parquet":      output.Parquet,
	"application/parquet":                 output.Parquet,
	"text/plain":                          output.Table,
	"*/*":                                 output.JSON,
	"application/*":                       output.JSON,
}

func (s *Server) httpHandler() http.Handler {
	mux := http.NewServeMux()
	route := func(path, method string, h http.HandlerFunc) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if r.Method != method {
				w.Header().Set("Allow", method)
				writeError(w, http.StatusMethodNotAllowed, apiError{Message: r.Method + " " + path + ": use " + method})
				return
			}
			h(w, r)
		})
	}
	route("/v1/query", http.MethodPost, s.handleQuery)
	route("/v1/tables", http.MethodGet, s.handleTables)
	route("/v1/streams", http.MethodGet, s.handleStreams)
	route("/v1/streams/{name}", http.MethodGet, s.handleStream)
	route("/v1/streams/{name}/events", http.MethodGet, s.handleStreamEvents)
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, apiError{Message: "no such endpoint: " + r.URL.Path + " (POST /v1/query, GET /v1/tables, GET /v1/streams)"})
	})
	mux.Handle("/", s.dashboard())
	var h http.Handler = mux
	if s.auth != nil {
		h = s.auth.httpAuth(mux, func(w http.ResponseWriter, r *http.Request, err error) {
			s.log.Warn("refused", "protocol", "http", "remote", r.RemoteAddr, "path", r.URL.Path, "error", err)
			writeError(w, http.StatusUnauthorized, apiError{Message: err.Error()})
		})
	}
	if len(s.cfg.Handlers) == 0 {
		return browserGuard(h, s.auth != nil)
	}
	outer := http.NewServeMux()
	for path, extra := range s.cfg.Handlers {
		outer.Handle(path, extra)
	}
	outer.Handle("/", h)
	return browserGuard(outer, s.auth != nil)
}

// apiError is an error as the API reports it.
type apiError struct {
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

type errorBody struct {
	Error apiError `json:"error"`
	// Errors lists every error when the parser found several.
	Errors []apiError `json:"errors,omitempty"`
	// Detail is the CLI's rendering: line:column, the line, a caret.
	Detail string `json:"detail,omitempty"`
}

func writeError(w http.ResponseWriter, code int, e apiError) {
	writeErrorBody(w, code, errorBody{Error: e})
}

func writeErrorBody(w http.ResponseWriter, code int, body errorBody) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// queryErrorBody is an error of a query on src as the API reports it,
// with the HTTP status that says whose fault it is.
func (s *Server) queryErrorBody(ctx context.Context, err error, src string) (int, errorBody) {
	err = withCause(ctx, err)
	var list syntax.ErrorList
	var one *syntax.Error
	switch {
	case errors.As(err, &list) && len(list) > 0:
	case errors.As(err, &one):
		list = syntax.ErrorList{one}
	case errors.Is(err, errStopping):
		return http.StatusServiceUnavailable, errorBody{Error: apiError{Message: "query cancelled: " + err.Error()}}
	case errors.Is(err, ErrBusy):
		return http.StatusServiceUnavailable, errorBody{Error: apiError{Message: err.Error()}}
	case errors.Is(err, errTimeout):
		return http.StatusGatewayTimeout, errorBody{Error: apiError{Message: "query cancelled: " + err.Error()}}
	case errors.Is(err, exec.ErrMemoryLimit):
		return http.StatusInsufficientStorage, errorBody{Error: apiError{Message: err.Error()}}
	case errors.Is(err, streams.ErrNoResultYet):
		// Not the client's fault, nor the server's: ask again later.
		return http.StatusServiceUnavailable, errorBody{Error: apiError{Message: err.Error()}}
	default:
		return http.StatusInternalServerError, errorBody{Error: apiError{Message: err.Error()}}
	}
	body := errorBody{Detail: syntax.Format(src, list)}
	for _, e := range list {
		a := apiError{Message: e.Msg, Hint: e.Hint}
		if e.Pos >= 0 {
			a.Line, a.Column = syntax.LineCol(src, e.Pos)
		}
		body.Errors = append(body.Errors, a)
	}
	body.Error = body.Errors[0]
	if len(body.Errors) == 1 {
		body.Errors = nil
	}
	return http.StatusBadRequest, body
}

// bodyTimeout bounds the time to send a query's body.
const bodyTimeout = 30 * time.Second

// queryText reads the SQL of a POST /v1/query.
func queryText(r *http.Request, w http.ResponseWriter) (string, error) {
	// A body that trickles in (slowloris) gets bodyTimeout. Not the
	// server's ReadTimeout: that would also end long answers and
	// server-sent events once the body is read.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(bodyTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxQueryBytes))
	rc.SetReadDeadline(time.Time{})
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", errors.New("the query is over 1 MiB")
		}
		return "", errors.New("could not read the request body: " + err.Error())
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		var req struct {
			SQL string `json:"sql"`
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return "", errors.New(`the body is not JSON of the form {"sql": "SELECT …"}: ` + err.Error())
		}
		body = []byte(req.SQL)
	}
	if strings.TrimSpace(string(body)) == "" {
		return "", errors.New(`no query: send the SQL as the body, or JSON {"sql": "SELECT …"}`)
	}
	return string(body), nil
}

// format picks the answer's format: ?format= first, then Accept.
func format(r *http.Request) (output.Format, int, error) {
	if f := r.URL.Query().Get("format"); f != "" {
		fm, err := output.ParseFormat(f)
		if err != nil {
			return "", http.StatusBadRequest, err
		}
		if _, ok := mediaTypes[fm]; !ok {
			return "", http.StatusBadRequest, errors.New("format " + f + ": want json, csv, arrow, parquet or table")
		}
		return fm, 0, nil
	}
	accept := r.Header.Get("Accept")
	if accept == "" {
		return output.JSON, 0, nil
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if f, ok := acceptFormats[mt]; ok {
			return f, 0, nil
		}
	}
	return "", http.StatusNotAcceptable, errors.New("Accept " + accept + ": nectar answers application/x-ndjson, text/csv, application/vnd.apache.arrow.stream, application/vnd.apache.parquet or text/plain")
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	src, err := queryText(r, w)
	if err != nil {
		writeError(w, http.StatusBadRequest, apiError{Message: err.Error()})
		return
	}
	f, code, err := format(r)
	if err != nil {
		writeError(w, code, apiError{Message: err.Error()})
		return
	}
	user := userOf(r.Context())
	ctx, done := s.start(r.Context(), newID(), user)
	defer done()
	began := time.Now()
	rows := 0
	started := false
	rc := http.NewResponseController(w)
	err = s.run(ctx, user, src, nil, func(res *engine.Result) error {
		// The status line waits for the first rows, so that a query that
		// fails before it has any (a time limit, a memory limit, a file
		// gone) gets its own status instead of a 200 broken off.
		b, err := res.Rows.Next(ctx)
		if err != nil {
			return err
		}
		// The headers go before the writer: some (Parquet's magic bytes)
		// write as they start.
		w.Header().Set("Content-Type", mediaTypes[f])
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		started = true
		ow, err := output.New(f, w, res.Schema)
		if err != nil {
			return err
		}
		for {
			// A client that stops reading fails the write once its
			// deadline passes, which ends the query and frees its slot.
			rc.SetWriteDeadline(time.Now().Add(s.admission.lim.ClientStall))
			if b == nil || b.Len == 0 {
				return ow.Close()
			}
			if err := ow.Write(b); err != nil {
				return err
			}
			rows += b.Len
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			if b, err = res.Rows.Next(ctx); err != nil {
				return err
			}
		}
	})
	s.logQuery(ctx, "http", user, src, began, rows, err)
	switch {
	case err != nil && started:
		// The status line is gone: break the response off, so that no
		// client takes the rows before the error for the whole answer
		// (chunked encoding never gets its last chunk).
		panic(http.ErrAbortHandler)
	case err != nil:
		if r.Context().Err() != nil {
			return // the client has gone: nobody to tell
		}
		code, body := s.queryErrorBody(ctx, err, src)
		if errors.Is(err, ErrBusy) {
			w.Header().Set("Retry-After", "1")
		}
		writeErrorBody(w, code, body)
	case !started:
		w.WriteHeader(http.StatusNoContent)
	}
}

// tableJSON is one table of GET /v1/tables.
type tableJSON struct {
	Name   string       `json:"name"`
	Kind   string       `json:"kind"`
	Schema []columnJSON `json:"schema"`
	Error  string       `json:"error,omitempty"`
}

type columnJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func (s *Server) handleTables(w http.ResponseWriter, r *http.Request) {
	user := userOf(r.Context())
	out := struct {
		Tables []tableJSON `json:"tables"`
	}{Tables: []tableJSON{}}
	for _, t := range s.tables(user) {
		tj := tableJSON{Name: t.Name, Kind: t.Kind, Schema: []columnJSON{}}
		cols, err := s.tableSchema(r.Context(), user, t.Name)
		if err != nil {
			tj.Error = err.Error()
		}
		for _, c := range cols {
			tj.Schema = append(tj.Schema, columnJSON{Name: c.Name, Type: c.Kind.String()})
		}
		out.Tables = append(out.Tables, tj)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
