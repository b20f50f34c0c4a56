package memory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/nectar-dev/nectar/listen"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/types"
)

// tableJSON is the wire form of a memory table: the schema, then rows of
// values as Value.String text (NULL as null), which types.Cast reads back.
type tableJSON struct {
	Name    string       `json:"name"`
	Batch   int64        `json:"batch"`
	Columns []columnJSON `json:"columns"`
	Rows    [][]*string  `json:"rows"`
}

type columnJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Handler serves GET /tables/<name> as JSON.
func Handler(sinks ...*Sink) http.Handler {
	mux := http.NewServeMux()
	for _, m := range sinks {
		m := m
		mux.HandleFunc("GET /tables/"+strings.ToLower(m.name), func(w http.ResponseWriter, r *http.Request) {
			schema, rows, batch := m.Table()
			t := tableJSON{Name: m.name, Batch: batch, Rows: make([][]*string, len(rows))}
			for _, c := range schema {
				t.Columns = append(t.Columns, columnJSON{Name: c.Name, Type: c.Kind.String()})
			}
			for i, row := range rows {
				cells := make([]*string, len(row))
				for j, v := range row {
					if !v.IsNull() {
						s := v.String()
						cells[j] = &s
					}
				}
				t.Rows[i] = cells
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(t)
		})
	}
	return mux
}

// Serve serves the memory tables on addr, a loopback address such as
// 127.0.0.1:0 (any other is refused, wrapping listen.ErrNotLoopback),
// until ctx ends. It returns the address actually bound.
func Serve(ctx context.Context, addr string, sinks ...*Sink) (string, error) {
	// The endpoint has no authentication: it must not be reachable from
	// the network (nectar serve is for that).
	if err := listen.Loopback(addr); err != nil {
		return "", fmt.Errorf("stream endpoint: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("stream endpoint: %w", err)
	}
	srv := &http.Server{Handler: Handler(sinks...)}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go srv.Serve(ln)
	return ln.Addr().String(), nil
}

// ErrNoTable is wrapped when an endpoint has no table of the asked name.
var ErrNoTable = errors.New("no such stream table")

// FetchTable reads a memory table from a stream's endpoint (host:port or
// http://host:port), for `nectar query --stream-endpoint`.
func FetchTable(ctx context.Context, endpoint, name string) (types.Schema, [][]types.Value, error) {
	base := endpoint
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	url := strings.TrimRight(base, "/") + "/tables/" + strings.ToLower(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil, fmt.Errorf("fetch %s: %w %s", url, ErrNoTable, name)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, nil, fmt.Errorf("fetch %s: %s: %s", url, resp.Status, body)
	}
	var t tableJSON
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
		return nil, nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	schema := make(types.Schema, len(t.Columns))
	for i, c := range t.Columns {
		k, ok := types.ParseKind(c.Type)
		if !ok {
			return nil, nil, fmt.Errorf("fetch %s: column %s has unknown type %s", url, c.Name, c.Type)
		}
		schema[i] = types.Column{Name: c.Name, Kind: k}
	}
	rows := make([][]types.Value, len(t.Rows))
	for i, cells := range t.Rows {
		if len(cells) != len(schema) {
			return nil, nil, fmt.Errorf("fetch %s: row %d has %d cells, want %d", url, i, len(cells), len(schema))
		}
		row := make([]types.Value, len(cells))
		for j, c := range cells {
			if c == nil {
				continue
			}
			v, err := types.Cast(types.StringValue(*c), schema[j].Kind)
			if err != nil {
				return nil, nil, fmt.Errorf("fetch %s: row %d column %s: %w", url, i, schema[j].Name, err)
			}
			row[j] = v
		}
		rows[i] = row
	}
	return schema, rows, nil
}

// RemoteTable is a memory table of another process's stream as a
// plan.Source: the integrator registers it under the table's name, and
// each query reads the table as it is at that moment.
type RemoteTable struct {
	Endpoint, Table string
	schema          types.Schema
}

// OpenRemoteTable fetches the table once to learn its schema.
func OpenRemoteTable(ctx context.Context, endpoint, name string) (*RemoteTable, error) {
	schema, _, err := FetchTable(ctx, endpoint, name)
	if err != nil {
		return nil, err
	}
	return &RemoteTable{Endpoint: endpoint, Table: name, schema: schema}, nil
}

func (t *RemoteTable) Columns() []plan.SourceColumn      { return columnsOf(t.schema) }
func (t *RemoteTable) Resolve(string) (types.Kind, bool) { return 0, false }
func (t *RemoteTable) String() string                    { return "stream table " + t.Table + " at " + t.Endpoint }
func (t *RemoteTable) Open(ctx context.Context, cols []plan.SourceColumn, _ []plan.Expr) (plan.BatchReader, error) {
	schema, rows, err := FetchTable(ctx, t.Endpoint, t.Table)
	if err != nil {
		return nil, err
	}
	return project(schema, rows, cols)
}
