package graph

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// serveLineage starts a real HTTP server on loopback with the handler.
func serveLineage(t *testing.T, s Store, token string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(LineagePath, LineageHandler(s, token))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + LineagePath
}

func post(t *testing.T, url string, body []byte, hdr map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestLineageHandler(t *testing.T) {
	stores(t, func(t *testing.T, open func(t *testing.T) Store) {
		s := open(t)
		url := serveLineage(t, s, "")
		data, _ := os.ReadFile("testdata/recsys/openlineage.jsonl")
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		for _, l := range lines {
			if code, body := post(t, url, []byte(l), nil); code != http.StatusCreated {
				t.Fatalf("post: %d %s", code, body)
			}
		}
		// The same event again: accepted, nothing changes.
		code, body := post(t, url, []byte(lines[1]), nil)
		if code != http.StatusCreated || !strings.Contains(body, `"duplicate":true`) {
			t.Fatalf("again: %d %s", code, body)
		}
		// gzip, as openlineage-python's compression option sends it.
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write([]byte(strings.Replace(lines[0], "0190c2a1-7d2e-7b6e-9c1a-3f5e2d4c6b8a", "0190c2a1-7d2e-7b6e-9c1a-3f5e2d4c6b8b", 1)))
		zw.Close()
		if code, body := post(t, url, zb.Bytes(), map[string]string{"Content-Encoding": "gzip"}); code != http.StatusCreated {
			t.Fatalf("gzip: %d %s", code, body)
		}
		if _, err := s.Node(context.Background(), "run:airflow-prod:0190c2a1-7d2e-7b6e-9c1a-3f5e2d4c6b8b"); err != nil {
			t.Fatal(err)
		}
		before := dump(t, s)
		for _, c := range []struct {
			body []byte
			hdr  map[string]string
			code int
			want string
		}{
			{[]byte(`{"eventType":"START"`), nil, 400, "not JSON"},
			{[]byte(strings.Replace(lines[0], `"job":{"namespace":"airflow-prod"`, `"job":{"namespace":""`, 1)), nil, 400, "$.job.namespace: missing"},
			{[]byte("x"), map[string]string{"Content-Encoding": "br"}, 415, "Content-Encoding"},
			{bytes.Repeat([]byte(" "), MaxEventBytes+10), nil, 413, "at most"},
		} {
			code, body := post(t, url, c.body, c.hdr)
			if code != c.code || !strings.Contains(body, c.want) {
				t.Errorf("got %d %s, want %d with %q", code, body, c.code, c.want)
			}
		}
		if dump(t, s) != before {
			t.Fatal("a refused event changed the graph")
		}
		req, _ := http.NewRequest(http.MethodDelete, url, nil)
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 405 {
			t.Fatalf("DELETE: %v %v", resp, err)
		}

		// GET, Marquez's lineage shape.
		resp, err := http.Get(url + "?nodeId=job:airflow-prod:food_recs_features.build&depth=2")
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Graph []marquezNode `json:"graph"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET: %d %v", resp.StatusCode, err)
		}
		resp.Body.Close()
		types := map[string]string{}
		for _, n := range got.Graph {
			types[n.ID] = n.Type
		}
		if types["dataset:s3://recsys-data:features/food-recs/2019-02-01.parquet"] != "DATASET" || types["job:airflow-prod:food_recs_features.build"] != "JOB" {
			t.Fatalf("GET graph: %v", types)
		}
		for q, code := range map[string]int{"": 400, "?nodeId=job:x:y": 404, "?nodeId=job:airflow-prod:food_recs_features.build&depth=0": 400} {
			resp, err := http.Get(url + q)
			if err != nil || resp.StatusCode != code {
				t.Errorf("GET %q: %v %v, want %d", q, resp.StatusCode, err, code)
			}
			resp.Body.Close()
		}
	})
}

func TestLineageHandlerToken(t *testing.T) {
	s := openSQLite(t)
	url := serveLineage(t, s, "tok3n")
	data, _ := os.ReadFile("testdata/recsys/openlineage.jsonl")
	ev := []byte(strings.SplitN(string(data), "\n", 2)[0])
	if code, _ := post(t, url, ev, nil); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	if code, _ := post(t, url, ev, map[string]string{"Authorization": "Bearer wrong"}); code != 401 {
		t.Fatalf("wrong token: %d", code)
	}
	if code, body := post(t, url, ev, map[string]string{"Authorization": "Bearer tok3n"}); code != 201 {
		t.Fatalf("token: %d %s", code, body)
	}
	// PostLineage is the client nectar experiment --record uses.
	if err := PostLineage(context.Background(), nil, url, "tok3n", ev); err != nil {
		t.Fatal(err)
	}
	if err := PostLineage(context.Background(), nil, url, "", ev); !errors.Is(err, ErrPost) || !strings.Contains(err.Error(), "401") {
		t.Fatalf("PostLineage without the token: %v", err)
	}
}
