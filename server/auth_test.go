package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"golang.org/x/crypto/bcrypt"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/nectar-dev/nectar/listen"
)

// The passwords of the tests' users: distinctive, so that a test can look
// for them in everything the server says.
const (
	alicePassword = "alice-S3cret-Passw0rd"
	bobPassword   = "bob-An0ther-Secret"
	wrongPassword = "wrong-Guess-Passw0rd"
)

// testUsers are alice and bob, hashed at bcrypt's lowest cost so that
// tests stay quick (the server checks any cost).
func testUsers(t testing.TB) (*Users, string) {
	t.Helper()
	var file strings.Builder
	file.WriteString("# test users\n\n")
	for _, u := range []struct{ name, password string }{{"alice", alicePassword}, {"bob", bobPassword}} {
		h, err := bcrypt.GenerateFromPassword([]byte(u.password), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&file, "%s:%s\n", u.name, h)
	}
	users, err := ParseUsers(strings.NewReader(file.String()))
	if err != nil {
		t.Fatal(err)
	}
	return users, file.String()
}

func TestParseUsers(t *testing.T) {
	hash, err := HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	if cost, _ := bcrypt.Cost([]byte(hash)); cost != HashCost {
		t.Errorf("HashPassword's cost %d, want %d", cost, HashCost)
	}
	for _, c := range []struct {
		file, err string
	}{
		{"alice:" + hash + "\n# bob: none\n", ""},
		{"  alice:" + hash + "  \n\n", ""},
		{"alice " + hash, "line 1: want name:bcrypt-hash"},
		{":" + hash, "line 1: want name:bcrypt-hash"},
		{"al ice:" + hash, "line 1: the user name holds a space"},
		{"alice:" + hash + "\nalice:" + hash, `line 2: user "alice" is named twice`},
		{"# nobody\n", "no users"},
		{"alice:plaintext-password", `line 1: user "alice" has no bcrypt hash`},
		{"alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", `line 1: user "alice" has no bcrypt hash`},
	} {
		_, err := ParseUsers(strings.NewReader(c.file))
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: %v, want %q", c.file, err, c.err)
		}
		if err != nil && (strings.Contains(err.Error(), "plaintext-password") || strings.Contains(err.Error(), hash) || strings.Contains(err.Error(), "W6ph5")) {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
	if _, err := HashPassword(""); err == nil {
		t.Error("an empty password was hashed")
	}
	if _, err := HashPassword(strings.Repeat("x", 73)); err == nil {
		t.Error("a password bcrypt would cut at 72 bytes was hashed")
	}
}

func TestUsersCheck(t *testing.T) {
	users, _ := testUsers(t)
	for _, c := range []struct {
		name, password string
		ok             bool
	}{
		{"alice", alicePassword, true},
		{"alice", alicePassword, true}, // remembered
		{"bob", bobPassword, true},
		{"alice", bobPassword, false},
		{"alice", "", false},
		{"Alice", alicePassword, false},
		{"carol", alicePassword, false},
	} {
		if got := users.Check(c.name, c.password); got != c.ok {
			t.Errorf("Check(%s, %s) = %v", c.name, c.password, got)
		}
	}
	// A remembered password is checked again once the memory expires.
	now := time.Now()
	users.now = func() time.Time { return now.Add(2 * rememberPassword) }
	if !users.Check("alice", alicePassword) || users.Check("alice", wrongPassword) {
		t.Error("after the memory expired")
	}
}

func TestTokensExpire(t *testing.T) {
	tk := newTokens()
	now := time.Now()
	tk.now = func() time.Time { return now }
	a := tk.issue("alice")
	if u, ok := tk.check(a); !ok || u != "alice" {
		t.Fatalf("a fresh token: %q %v", u, ok)
	}
	now = now.Add(tokenIdle - time.Minute)
	if _, ok := tk.check(a); !ok {
		t.Error("a token used within tokenIdle expired")
	}
	now = now.Add(tokenIdle)
	if _, ok := tk.check(a); ok {
		t.Error("an idle token was accepted")
	}
	if _, ok := tk.check("made-up"); ok {
		t.Error("a made-up token was accepted")
	}
}

// secretsIn reports which secrets s holds.
func secretsIn(s string, secrets ...string) []string {
	var out []string
	for _, x := range secrets {
		if x != "" && strings.Contains(s, x) {
			out = append(out, x)
		}
	}
	return out
}

func TestFlightSQLAuth(t *testing.T) {
	users, file := testUsers(t)
	ts := start(t, users)
	ctx := context.Background()

	// database/sql sends the password with every call.
	rows, err := ts.db(t, "alice", alicePassword).Query("SELECT count(*) FROM events")
	if err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, rows); len(got) != 1 {
		t.Errorf("alice: %v", got)
	}
	var errs []string
	for _, c := range []struct{ user, password string }{{"alice", wrongPassword}, {"mallory", alicePassword}, {"", ""}} {
		_, err := ts.db(t, c.user, c.password).Query("SELECT count(*) FROM events")
		if status.Code(unwrapStatus(err)) != codes.Unauthenticated {
			t.Errorf("%s/%s: %v, want Unauthenticated", c.user, c.password, err)
		}
		errs = append(errs, fmt.Sprint(err))
	}

	// A login (Handshake) answers with a token, which then stands for the
	// password: as ADBC and the JDBC driver do.
	cl := flightClient(t, ts.flightAddr)
	authed, err := cl.Client.AuthenticateBasicToken(ctx, "bob", bobPassword)
	if err != nil {
		t.Fatal(err)
	}
	md, _ := metadata.FromOutgoingContext(authed)
	token := strings.TrimPrefix(md.Get("authorization")[len(md.Get("authorization"))-1], "Bearer ")
	if token == "" || strings.Contains(token, bobPassword) {
		t.Fatalf("no token from the login: %v", md)
	}
	if _, err := cl.Execute(authed, "CREATE VIEW mine AS SELECT 1 AS one"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.GetTables(authed, &flightsql.GetTablesOpts{}); err != nil {
		t.Errorf("with the token: %v", err)
	}
	_, err = cl.Client.AuthenticateBasicToken(ctx, "bob", wrongPassword)
	if status.Code(err) != codes.Unauthenticated {
		t.Errorf("a login with a wrong password: %v", err)
	}
	errs = append(errs, fmt.Sprint(err))
	forged := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+strings.Repeat("A", 43))
	if _, err := cl.GetTables(forged, &flightsql.GetTablesOpts{}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("a made-up token: %v", err)
	}
	for _, header := range []string{"Basic !!!", "Basic " + "YWxpY2U=", "Digest x", "Bearer"} {
		bad := metadata.AppendToOutgoingContext(ctx, "authorization", header)
		_, err := cl.Execute(bad, "SELECT 1")
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("authorization %q: %v", header, err)
		}
		errs = append(errs, fmt.Sprint(err))
	}

	// Views are the user's: bob's view is not alice's.
	if _, err := ts.db(t, "alice", alicePassword).Query("SELECT * FROM mine"); err == nil {
		t.Error("alice sees bob's view")
	}
	rows, err = ts.db(t, "bob", bobPassword).Query("SELECT * FROM mine")
	if err != nil {
		t.Fatalf("bob's view over the password: %v", err)
	}
	if got := sqlRows(t, rows); !slices.Equal(got, []string{"1"}) {
		t.Errorf("bob's view: %v", got)
	}

	secrets := []string{alicePassword, bobPassword, wrongPassword, token}
	for _, line := range strings.Split(file, "\n") {
		if _, hash, ok := strings.Cut(line, ":"); ok {
			secrets = append(secrets, hash)
		}
	}
	if leaked := secretsIn(strings.Join(errs, "\n"), secrets...); len(leaked) > 0 {
		t.Errorf("errors hold secrets %q:\n%s", leaked, strings.Join(errs, "\n"))
	}
	if leaked := secretsIn(ts.log.String(), secrets...); len(leaked) > 0 {
		t.Errorf("the log holds secrets %q", leaked)
	}
}

// unwrapStatus finds the gRPC status in a driver's wrapped error.
func unwrapStatus(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, ok := status.FromError(e); ok {
			return e
		}
	}
	return err
}

func TestHTTPAuth(t *testing.T) {
	users, _ := testUsers(t)
	ts := start(t, users)
	var bodies []string
	for _, c := range []struct {
		user, password string
		code           int
	}{
		{"alice", alicePassword, http.StatusOK},
		{"alice", wrongPassword, http.StatusUnauthorized},
		{"nobody", alicePassword, http.StatusUnauthorized},
		{"", "", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+ts.httpAddr+"/v1/query", strings.NewReader("SELECT count(*) AS n FROM events"))
		if c.user != "" {
			req.SetBasicAuth(c.user, c.password)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		bodies = append(bodies, string(body))
		if resp.StatusCode != c.code {
			t.Errorf("%s/%s: %d %s, want %d", c.user, c.password, resp.StatusCode, body, c.code)
		}
		if c.code == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("a 401 without a Basic challenge: %v", resp.Header)
		}
	}
	if leaked := secretsIn(strings.Join(bodies, "\n")+ts.log.String(), alicePassword, wrongPassword); len(leaked) > 0 {
		t.Errorf("responses or the log hold %q", leaked)
	}
}

// Beyond loopback, a server needs TLS and users both; the tests never
// listen there, so only refusals are tried (listen.Check's tests cover
// the rule).
func TestListenRefusesTheNetwork(t *testing.T) {
	users, _ := testUsers(t)
	for _, cfg := range []Config{{}, {Users: users}} {
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ln, err := s.Listen("0.0.0.0:0")
		if err == nil {
			ln.Close()
		}
		if !errors.Is(err, listen.ErrNotLoopback) {
			t.Errorf("users %v: %v, want a refusal", cfg.Users != nil, err)
		}
	}
}

// TestSettingsPerUser: SET spark.sql.ansi.doubleQuotedIdentifiers = true,
// as a JDBC tool sends it, holds for the user who sent it, in every later
// request and protocol (Flight SQL with a login's token, database/sql
// with the password, prepared statements, HTTP), and for nobody else.
func TestSettingsPerUser(t *testing.T) {
	users, _ := testUsers(t)
	ts := start(t, users)
	ctx := context.Background()
	const quoted = `SELECT "event" AS e, count(*) AS n FROM events WHERE "event" = 'Added to Cart' GROUP BY "event"`
	want := ts.engineRows(t, "SELECT event AS e, count(*) AS n FROM events WHERE event = 'Added to Cart' GROUP BY event")

	cl := flightClient(t, ts.flightAddr)
	bob, err := cl.Client.AuthenticateBasicToken(ctx, "bob", bobPassword)
	if err != nil {
		t.Fatal(err)
	}
	// A statement with rows runs when they are fetched (DoGet), as
	// clients do.
	execute := func(sql string) error {
		info, err := cl.Execute(bob, sql)
		if err != nil {
			return err
		}
		if len(info.Endpoint) == 0 {
			return nil // no rows (RESET): it ran when asked for its info
		}
		r, err := cl.DoGet(bob, info.Endpoint[0].Ticket)
		if err != nil {
			return err
		}
		defer r.Release()
		for r.Next() {
		}
		return r.Err()
	}
	// ADBC's cursor.execute asks for the statement's info and reads no
	// rows: the setting must be made all the same.
	if _, err := cl.Execute(bob, "SET spark.sql.ansi.doubleQuotedIdentifiers = true"); err != nil {
		t.Fatal(err)
	}
	rows, err := ts.db(t, "bob", bobPassword).Query(quoted)
	if err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, rows); !slices.Equal(got, want) {
		t.Errorf("bob's query after his SET: %v, want %v", got, want)
	}
	stmt, err := ts.db(t, "bob", bobPassword).Prepare(`SELECT count(*) FROM events WHERE "event" = ?`)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	if rows, err = stmt.Query("Added to Cart"); err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, rows); len(got) != 1 || !strings.HasSuffix(want[0], "|"+got[0]) {
		t.Errorf("bob's prepared statement: %v, want the count of %v", got, want)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+ts.httpAddr+"/v1/query?format=csv", strings.NewReader(`SELECT count("event") AS n FROM events WHERE "event" = 'Added to Cart'`))
	req.SetBasicAuth("bob", bobPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(want[0], "|"+strings.TrimSpace(strings.TrimPrefix(string(body), "n\n"))) {
		t.Errorf("bob over HTTP: %d %q, want the count of %v", resp.StatusCode, body, want)
	}

	// alice never set it: her double quotes are strings, so the column
	// "event" is the text 'event', which no row's event equals.
	rows, err = ts.db(t, "alice", alicePassword).Query(quoted)
	if err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, rows); len(got) != 0 {
		t.Errorf("alice's query read double quotes as names: %v", got)
	}

	// A value nectar cannot honour is refused, and nothing changes.
	if err := execute("SET spark.sql.session.timeZone = Europe/Paris"); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "computes with spark.sql.session.timeZone=UTC") {
		t.Errorf("a time zone: %v", err)
	}
	// A credential set with SET never reaches the server's log.
	if err := execute("SET spark.hadoop.fs.s3a.secret.key = Sup3r-S3cret-Value"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ts.log.String(), "Sup3r-S3cret-Value") {
		t.Errorf("the log holds a SET's secret:\n%s", ts.log.String())
	}
	if err := execute("RESET spark.sql.ansi.doubleQuotedIdentifiers"); err != nil {
		t.Fatal(err)
	}
	if rows, err = ts.db(t, "bob", bobPassword).Query(quoted); err != nil {
		t.Fatal(err)
	}
	if got := sqlRows(t, rows); len(got) != 0 {
		t.Errorf("after RESET, bob's double quotes are still names: %v", got)
	}
}
