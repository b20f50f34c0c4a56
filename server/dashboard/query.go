package dashboard

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

var quoteIdent = syntax.QuoteIdent

// maxRows is how many rows the query page shows by default: a table of
// more is no longer read by a person, and the browser would hold them
// all; the downloads give the whole result.
const maxRows = 10000

// errEnough stops a query whose shown rows are all sent.
var errEnough = errors.New("the page shows no more rows")

// query runs {"sql": "…", "limit": n} for the query page and answers in
// JSON lines as the rows come:
//
//	{"columns": [{"name": "event", "type": "STRING"}, …]}
//	["Order Completed", 17]        one array per row, in column order
//	{"done": {"rows": 2, "ms": 41, "truncated": false}}
//
// Unlike JSON objects, arrays keep duplicate and numeric column names and
// their order, and the columns line gives the types the chart needs.
// BIGINT outside ±2^53 comes as a string, so JavaScript does not round
// it. An error before the first line is the API's (status and JSON body,
// with line, column and the caret); one after is a last line
// {"error": {…}}.
func (d *Dashboard) query(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SQL   string `json:"sql"`
		Limit int    `json:"limit"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || strings.TrimSpace(req.SQL) == "" {
		writeJSONStatus(w, http.StatusBadRequest, map[string]any{"error": map[string]string{"message": `send JSON {"sql": "SELECT …"}`}})
		return
	}
	limit := req.Limit
	if limit <= 0 || limit > maxRows {
		limit = maxRows
	}
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	user := d.o.Backend.User(r)
	began := time.Now()
	var bw *bufio.Writer
	rows, truncated := 0, false
	rc := http.NewResponseController(w)
	err := d.o.Backend.Query(ctx, user, req.SQL, func(res *engine.Result) error {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		bw = bufio.NewWriter(w)
		cols := make([]map[string]string, len(res.Schema))
		for i, c := range res.Schema {
			cols[i] = map[string]string{"name": c.Name, "type": c.Kind.String()}
		}
		line, _ := json.Marshal(map[string]any{"columns": cols})
		bw.Write(line)
		bw.WriteByte('\n')
		buf := []byte{}
		for {
			b, err := res.Rows.Next(ctx)
			if err != nil {
				return err
			}
			if b == nil || b.Len == 0 {
				return nil
			}
			row := make([]types.Value, 0, len(res.Schema))
			for i := 0; i < b.Len; i++ {
				if rows == limit {
					truncated = true
					return errEnough
				}
				row = b.Row(row[:0], i)
				buf = appendRow(buf[:0], row)
				bw.Write(buf)
				rows++
			}
			// A batch at a time reaches the page, so the first rows show
			// while the query runs on.
			if err := bw.Flush(); err != nil {
				return err
			}
			_ = rc.Flush()
		}
	})
	if errors.Is(err, errEnough) {
		err = nil
	}
	if bw == nil {
		if err == nil {
			// A script of CREATE VIEWs gives no rows.
			writeJSONStatus(w, http.StatusOK, nil)
			return
		}
		if r.Context().Err() != nil {
			return // the page went away
		}
		code, body := d.o.Backend.QueryError(ctx, err, req.SQL)
		writeJSONStatus(w, code, body)
		return
	}
	var last []byte
	if err != nil {
		_, body := d.o.Backend.QueryError(ctx, err, req.SQL)
		last, _ = json.Marshal(body)
	} else {
		last, _ = json.Marshal(map[string]any{"done": map[string]any{"rows": rows, "ms": time.Since(began).Milliseconds(), "truncated": truncated}})
	}
	bw.Write(last)
	bw.WriteByte('\n')
	_ = bw.Flush()
}

func writeJSONStatus(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if body == nil {
		body = map[string]any{"done": map[string]any{"rows": 0}}
	}
	_ = json.NewEncoder(w).Encode(body)
}

// maxSafe is JavaScript's largest exact integer, 2^53 - 1.
const maxSafe = 1<<53 - 1

func appendRow(dst []byte, row []types.Value) []byte {
	dst = append(dst, '[')
	for i, v := range row {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendValue(dst, v)
	}
	return append(dst, ']', '\n')
}

func appendValue(dst []byte, v types.Value) []byte {
	switch v.K {
	case types.Null:
		return append(dst, "null"...)
	case types.Bool:
		return strconv.AppendBool(dst, v.I != 0)
	case types.Int:
		if v.I > maxSafe || v.I < -maxSafe {
			return strconv.AppendQuote(dst, strconv.FormatInt(v.I, 10))
		}
		return strconv.AppendInt(dst, v.I, 10)
	case types.Float:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return types.AppendJSONString(dst, types.FormatFloat(v.F))
		}
		return strconv.AppendFloat(dst, v.F, 'g', -1, 64)
	case types.Timestamp:
		return types.AppendJSONString(dst, v.Time().UTC().Format(time.RFC3339Nano))
	}
	return types.AppendJSONString(dst, v.String())
}
