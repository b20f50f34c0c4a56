package graph

import (
	"compress/gzip"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// LineagePath is where OpenLineage clients post events: Marquez's path,
// the one Airflow's OpenLineage provider and openlineage-python's HTTP
// transport use by default.
const LineagePath = "/api/v1/lineage"

// MaxEventBytes bounds one posted event. OpenLineage events with schema
// facets of wide tables reach hundreds of kilobytes; 16 MiB refuses only
// what is not an event.
const MaxEventBytes = 16 << 20

// LineageHandler serves LineagePath for a store:
//
//   - POST: one OpenLineage event (JSON; gzip Content-Encoding accepted),
//     kept in the raw log and merged into the graph; 201 with what changed,
//     400 naming the JSON path of what is wrong (nothing is stored), 413
//     past MaxEventBytes;
//   - GET ?nodeId=ID&depth=N: the lineage around a node in Marquez's shape
//     ({"graph": [{"id", "type", "data", "inEdges", "outEdges"}]}), the
//     walk going both ways (depth 20 by default, at most MaxDepth).
//
// With a token, requests must carry "Authorization: Bearer TOKEN", as
// openlineage-python's api_key auth sends it. nectar serve mounts it;
// tests serve it alone.
func LineageHandler(s Store, token string) http.Handler {
	return &lineageHandler{s: s, token: token}
}

type lineageHandler struct {
	s     Store
	token string
}

func (h *lineageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(h.token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="nectar"`)
			httpError(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
	}
	switch r.Method {
	case http.MethodPost:
		h.post(w, r)
	case http.MethodGet, http.MethodHead:
		h.get(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		httpError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed: POST an OpenLineage event, or GET ?nodeId=ID&depth=N")
	}
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg})
}

func (h *lineageHandler) post(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = http.MaxBytesReader(w, r.Body, MaxEventBytes)
	switch enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			httpError(w, http.StatusBadRequest, "Content-Encoding gzip: "+err.Error())
			return
		}
		defer zr.Close()
		body = io.LimitReader(zr, MaxEventBytes+1)
	default:
		httpError(w, http.StatusUnsupportedMediaType, "Content-Encoding "+enc+": want gzip or none")
		return
	}
	data, err := io.ReadAll(body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || len(data) > MaxEventBytes {
		httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("an event is at most %d bytes", MaxEventBytes))
		return
	}
	if err != nil {
		httpError(w, http.StatusBadRequest, "read the event: "+err.Error())
		return
	}
	const origin = "POST " + LineagePath
	b, err := parseOpenLineage(data, origin, 0)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	rep, err := h.s.Apply(r.Context(), []Raw{{Kind: KindOpenLineage, Origin: origin, Body: data}}, b)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{
		"nodes": rep.Nodes, "edges": rep.Edges, "duplicate": rep.RawDuplicate > 0,
	})
}

// marquezNode is one entry of Marquez's lineage response.
type marquezNode struct {
	ID       string         `json:"id"`
	Type     string         `json:"type"`
	Data     map[string]any `json:"data"`
	InEdges  []marquezEdge  `json:"inEdges"`
	OutEdges []marquezEdge  `json:"outEdges"`
}

type marquezEdge struct {
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
	Relation    string `json:"relation"`
}

func (h *lineageHandler) get(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("nodeId")
	if id == "" {
		httpError(w, http.StatusBadRequest, "nodeId is required: GET "+LineagePath+"?nodeId=model:recsys:food-recs&depth=6")
		return
	}
	depth := 20
	if d := r.URL.Query().Get("depth"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > MaxDepth {
			httpError(w, http.StatusBadRequest, fmt.Sprintf("depth %q: want 1 to %d", d, MaxDepth))
			return
		}
		depth = n
	}
	steps, err := h.s.Walk(r.Context(), id, Walk{Direction: Both, Depth: depth})
	if errors.Is(err, ErrNotFound) {
		httpError(w, http.StatusNotFound, err.Error())
		return
	}
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	in := map[string]bool{}
	for _, s := range steps {
		in[s.Node.ID()] = true
	}
	out := make([]marquezNode, 0, len(steps))
	for _, s := range steps {
		n := s.Node
		data := map[string]any{"namespace": n.Namespace, "name": n.Name, "kind": string(n.Kind), "properties": n.Props, "distance": s.Distance}
		if n.Version != "" {
			data["version"] = n.Version
		}
		mn := marquezNode{ID: n.ID(), Type: strings.ToUpper(string(n.Kind)), Data: data, InEdges: []marquezEdge{}, OutEdges: []marquezEdge{}}
		edges, err := h.s.Edges(r.Context(), n.ID())
		if err != nil {
			httpError(w, http.StatusInternalServerError, err.Error())
			return
		}
		for _, e := range edges {
			if !in[e.Src] || !in[e.Dst] {
				continue
			}
			me := marquezEdge{Origin: e.Src, Destination: e.Dst, Relation: string(e.Rel)}
			if e.Dst == n.ID() {
				mn.InEdges = append(mn.InEdges, me)
			}
			if e.Src == n.ID() {
				mn.OutEdges = append(mn.OutEdges, me)
			}
		}
		out = append(out, mn)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"graph": out})
}
