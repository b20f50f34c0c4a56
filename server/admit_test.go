package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// mustAcquire takes a slot that must be free at once.
func mustAcquire(t *testing.T, a *admission, user string) func() {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	release, err := a.acquire(ctx, user)
	if err != nil {
		t.Fatalf("%s: %v", user, err)
	}
	return release
}

// acquireAsync asks for a slot in the background; the channel gets the
// release function, or nil on an error.
func acquireAsync(ctx context.Context, a *admission, user string) <-chan func() {
	ch := make(chan func(), 1)
	go func() {
		release, err := a.acquire(ctx, user)
		if err != nil {
			release = nil
		}
		ch <- release
	}()
	return ch
}

func waitQueued(t *testing.T, a *admission, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		a.mu.Lock()
		q := len(a.queue)
		a.mu.Unlock()
		if q == n {
			return
		}
	}
	t.Fatalf("queue never reached %d", n)
}

func TestAdmissionPerUserAndOrder(t *testing.T) {
	a := newAdmission(Limits{MaxQueries: 2, PerUser: 1, MaxQueued: 10, QueueWait: time.Minute}.withDefaults(true))
	ctx := context.Background()
	alice1 := mustAcquire(t, a, "alice")
	// alice's second query waits for her own first, not for a free slot…
	alice2 := acquireAsync(ctx, a, "alice")
	waitQueued(t, a, 1)
	// …so bob, who came later, is let in ahead of it.
	bob := mustAcquire(t, a, "bob")
	select {
	case <-alice2:
		t.Fatal("alice holds two slots with PerUser 1")
	case <-time.After(20 * time.Millisecond):
	}
	alice1()
	if r := <-alice2; r == nil {
		t.Fatal("alice's second query was refused")
	} else {
		r()
	}
	bob()
	bob() // releasing twice frees one slot, once
	if a.running != 0 || len(a.perUser) != 0 {
		t.Fatalf("after every release: running %d, per user %v", a.running, a.perUser)
	}
}

func TestAdmissionBusy(t *testing.T) {
	a := newAdmission(Limits{MaxQueries: 1, MaxQueued: 1, QueueWait: 50 * time.Millisecond}.withDefaults(false))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	held := mustAcquire(t, a, "")
	waiting := acquireAsync(ctx, a, "")
	waitQueued(t, a, 1)
	// The line is full: refused at once.
	began := time.Now()
	if _, err := a.acquire(ctx, ""); !errors.Is(err, ErrBusy) || time.Since(began) > 40*time.Millisecond {
		t.Errorf("over MaxQueued: %v after %v, want ErrBusy at once", err, time.Since(began))
	} else if !strings.Contains(err.Error(), "1 queries running and 1 waiting") {
		t.Errorf("busy message: %v", err)
	}
	// The waiter gives up after QueueWait.
	if r := <-waiting; r != nil {
		t.Fatal("got a slot that was held")
	}
	// A waiter whose client leaves is taken out of the line.
	wctx, wcancel := context.WithCancel(ctx)
	left := acquireAsync(wctx, a, "")
	waitQueued(t, a, 1)
	wcancel()
	if r := <-left; r != nil {
		t.Fatal("a cancelled waiter got a slot")
	}
	waitQueued(t, a, 0)
	held()
	mustAcquire(t, a, "")()
}

// heavy is a query that takes a while: every event paired with every
// other of its kind.
const heavy = "SELECT count(*) AS n FROM typed a JOIN typed b ON a.event = b.event"

func TestBusyTimeoutAndStalledClient(t *testing.T) {
	ts := startWith(t, nil, Limits{MaxQueries: 1, MaxQueued: 4, QueueWait: 300 * time.Millisecond, ClientStall: 500 * time.Millisecond})

	// A client asks for every event and reads nothing: once the socket's
	// buffers fill, the server's writes stall, and after ClientStall the
	// query ends and frees the only slot.
	conn, err := net.Dial("tcp", ts.httpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetReadBuffer(4 << 10)
	}
	body := "SELECT * FROM events"
	// (Host names the server as it is reached: a loopback server without
	// users answers no other, see browserGuard.)
	fmt.Fprintf(conn, "POST /v1/query?format=json HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n%s", ts.httpAddr, len(body), body)
	waitFor(t, func() bool { return ts.runningCount() == 1 })

	// Meanwhile another query waits QueueWait and is refused as busy.
	resp, b := post(t, ts, "/v1/query", "", "", "SELECT count(*) AS n FROM typed")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "busy") {
		t.Errorf("while the slot is held: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	_, err = ts.db(t, "", "").Query("SELECT count(*) AS n FROM typed")
	if !strings.Contains(fmt.Sprint(err), "Unavailable") || !strings.Contains(fmt.Sprint(err), "busy") {
		t.Errorf("Flight SQL while the slot is held: %v", err)
	}

	// The stalled query ends and the slot is free again.
	waitFor(t, func() bool { return ts.runningCount() == 0 })
	resp, b = post(t, ts, "/v1/query", "", "", "SELECT count(*) AS n FROM typed")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), fmt.Sprint(testEvents)) {
		t.Errorf("after the stalled client: %d %s", resp.StatusCode, b)
	}
	if log := ts.log.String(); !strings.Contains(log, "i/o timeout") && !strings.Contains(log, errStalled.Error()) {
		t.Errorf("the stalled query's end is not logged:\n%s", log)
	}
	// The client that stopped reading gets a response cut short, never
	// one that looks complete.
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, _ := io.ReadAll(conn)
	if strings.HasSuffix(string(got), "0\r\n\r\n") {
		t.Errorf("the stalled response ended as if complete (%d bytes)", len(got))
	}
}

func TestQueryTimeout(t *testing.T) {
	ts := startWith(t, nil, Limits{QueryTimeout: 30 * time.Millisecond})
	resp, b := post(t, ts, "/v1/query", "", "", heavy)
	if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(b), "time limit") {
		t.Errorf("HTTP: %d %s", resp.StatusCode, b)
	}
	rows, err := ts.db(t, "", "").Query(heavy)
	if err == nil { // the error may come with the rows' stream
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if !strings.Contains(fmt.Sprint(err), "time limit") {
		t.Errorf("Flight SQL: %v", err)
	}
}

// TestLoad: 49 light clients and one heavy user whose four connections
// run the heaviest query they can, against a server with 4 slots. The
// heavy user holds at most half of them, so every light query is answered
// (correctly) while the heavy load goes on; the latencies are logged for
// the record, not asserted (this machine is shared and noisy).
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	users, _ := testUsers(t)
	ts := startWith(t, users, Limits{MaxQueries: 4})
	want := strings.Join(ts.engineRows(t, "SELECT event, count(*) AS n FROM typed GROUP BY event ORDER BY event"), "\n")

	light := "SELECT event, count(*) AS n FROM typed GROUP BY event ORDER BY event"
	var alone []time.Duration
	lightDB := ts.db(t, "bob", bobPassword)
	for range 10 {
		began := time.Now()
		rows, err := lightDB.Query(light)
		if err != nil {
			t.Fatal(err)
		}
		sqlRows(t, rows)
		alone = append(alone, time.Since(began))
	}
	slices.Sort(alone)

	ctx, stop := context.WithCancel(context.Background())
	var heavyWG sync.WaitGroup
	heavyRuns := make(chan time.Duration, 1000)
	heavyDB := ts.db(t, "alice", alicePassword)
	for range 4 {
		heavyWG.Add(1)
		go func() {
			defer heavyWG.Done()
			for ctx.Err() == nil {
				began := time.Now()
				rows, err := heavyDB.QueryContext(ctx, heavy)
				if err != nil {
					continue
				}
				for rows.Next() {
				}
				if rows.Err() == nil {
					heavyRuns <- time.Since(began)
				}
				rows.Close()
			}
		}()
	}

	const clients, each = 49, 3
	var mu sync.Mutex
	var lat []time.Duration
	var failures []string
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := ts.db(t, "bob", bobPassword)
			for range each {
				began := time.Now()
				rows, err := db.Query(light)
				var got []string
				for err == nil && rows.Next() {
					var event sql.NullString
					var n int64
					if err = rows.Scan(&event, &n); err == nil {
						got = append(got, fmt.Sprintf("%s|%d", goText(nullText(event)), n))
					}
				}
				if err == nil {
					err = rows.Err()
					rows.Close()
				}
				mu.Lock()
				lat = append(lat, time.Since(began))
				if err != nil || strings.Join(got, "\n") != want {
					failures = append(failures, fmt.Sprintf("%v %q", err, got))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	stop()
	heavyWG.Wait()
	close(heavyRuns)
	if len(failures) > 0 {
		t.Fatalf("%d of %d light queries failed or differed, first: %s", len(failures), clients*each, failures[0])
	}
	slices.Sort(lat)
	p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))].Round(time.Millisecond) }
	heavyDone := len(heavyRuns)
	t.Logf("%d light queries by %d clients beside 4 heavy connections (%d heavy queries done): p50 %v, p99 %v, max %v; alone: p50 %v",
		len(lat), clients, heavyDone, p(0.5), p(0.99), lat[len(lat)-1].Round(time.Millisecond), alone[len(alone)/2].Round(time.Millisecond))
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition never held")
}

func nullText(s sql.NullString) any {
	if !s.Valid {
		return nil
	}
	return s.String
}
