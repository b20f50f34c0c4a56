package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzTicket feeds the Flight SQL ticket decoder what a client may send
// as a ticket: it is refused as "not a ticket of this server" or read,
// never a panic, and every value it yields has a kind nectar knows.
func FuzzTicket(f *testing.F) {
	good, _ := encodeTicket(ticket{ID: "q1", Query: "SELECT ?", Params: ticketValues(nil)})
	f.Add(good)
	f.Add([]byte(`{"id":"x","p":[{"k":99}]}`))
	f.Add([]byte(`{"id":"x","p":[{"k":3,"f":9221120237041090561}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tk, err := decodeTicket(data)
		if err != nil {
			return
		}
		vs, err := tk.values()
		if err != nil && !strings.Contains(err.Error(), "not a ticket of this server") {
			t.Fatalf("values: %v", err)
		}
		for _, v := range vs {
			if v.K.String() == "" {
				t.Fatalf("a value of no kind: %+v", v)
			}
		}
	})
}

// FuzzQueryRequest feeds POST /v1/query's reader any body and content
// type: the SQL is read, or refused with a message, never a panic.
func FuzzQueryRequest(f *testing.F) {
	f.Add("text/plain", []byte("SELECT 1"))
	f.Add("application/json", []byte(`{"sql": "SELECT 1"}`))
	f.Add("application/json; charset=utf-8", []byte(`{"sql": 1}`))
	f.Add("multipart/form-data; boundary=", []byte("--\r\n"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/v1/query", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		sql, err := queryText(r, httptest.NewRecorder())
		if err == nil && strings.TrimSpace(sql) == "" {
			t.Fatal("an empty query accepted")
		}
		if err != nil && err.Error() == "" {
			t.Fatal("an error without a message")
		}
	})
}
