package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/apache/arrow-go/v18/arrow/flight"
)

// The users file names the accounts nectar serve accepts, one per line:
//
//	# comments and blank lines are ignored
//	alice:$2a$10$Wc0…            name, a colon, a bcrypt hash of the password
//
// It is the format of Apache's htpasswd -B, so `htpasswd -nbB alice PASS`
// makes a line too; `nectar serve hash-password` makes the hash. Names are
// case-sensitive and hold no colon or space.

// ErrUnauthenticated is wrapped by every refusal of credentials: a missing,
// malformed or wrong password, an unknown user, an unknown or expired
// token. Its messages never hold the credentials given.
var ErrUnauthenticated = errors.New("authentication failed")

// HashCost is bcrypt's cost for new hashes: 2^12 rounds, about a quarter
// of a second on a laptop core (OWASP's 2023 advice is a cost of 10 or
// more). Checking a password costs the same, which is why a password
// checked once is remembered for a while (see Users.Check).
const HashCost = 12

// HashPassword returns the bcrypt hash of password for the users file.
func HashPassword(password string) (string, error) {
	if password == "" {
		return "", errors.New("the password is empty")
	}
	// bcrypt reads 72 bytes at most and refuses longer passwords: better
	// refused here than silently cut.
	h, err := bcrypt.GenerateFromPassword([]byte(password), HashCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Users are the accounts a server accepts. Safe for concurrent use.
type Users struct {
	hashes map[string][]byte

	// A password checked recently is remembered, keyed by a salted
	// SHA-256 of the name and password, so that clients that send them
	// with every request (Go's flightsql driver, HTTP) do not pay a
	// bcrypt check each time. Only successes are remembered: guessing
	// costs a bcrypt check per guess.
	mu     sync.Mutex
	salt   [32]byte
	recent map[[32]byte]time.Time
	now    func() time.Time
}

// rememberPassword is how long a checked password is taken on trust.
const rememberPassword = 5 * time.Minute

// LoadUsers reads the users file at path.
func LoadUsers(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	defer f.Close()
	u, err := ParseUsers(f)
	if err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	return u, nil
}

// ParseUsers reads a users file. Errors name the line, never its hash.
func ParseUsers(r io.Reader) (*Users, error) {
	u := &Users{hashes: map[string][]byte{}, recent: map[[32]byte]time.Time{}, now: time.Now}
	if _, err := rand.Read(u.salt[:]); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, hash, ok := strings.Cut(text, ":")
		switch {
		case !ok || name == "":
			return nil, fmt.Errorf("line %d: want name:bcrypt-hash", line)
		case strings.ContainsAny(name, " \t"):
			return nil, fmt.Errorf("line %d: the user name holds a space", line)
		case u.hashes[name] != nil:
			return nil, fmt.Errorf("line %d: user %q is named twice", line, name)
		}
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return nil, fmt.Errorf("line %d: user %q has no bcrypt hash (make one with nectar serve hash-password)", line, name)
		}
		u.hashes[name] = []byte(hash)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(u.hashes) == 0 {
		return nil, errors.New("no users: add a line name:bcrypt-hash (nectar serve hash-password makes the hash)")
	}
	return u, nil
}

// dummyHash is checked against when the user is unknown, so that a wrong
// name takes as long as a wrong password and timing does not tell which
// names exist. Made on first use: every nectar command links this package.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("nectar: no such user"), HashCost)
	return h
})

// Check reports whether password is name's.
func (u *Users) Check(name, password string) bool {
	key := u.key(name, password)
	u.mu.Lock()
	at, ok := u.recent[key]
	u.mu.Unlock()
	if ok && u.now().Sub(at) < rememberPassword {
		return true
	}
	hash, known := u.hashes[name]
	if !known {
		hash = dummyHash()
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !known {
		return false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	now := u.now()
	for k, t := range u.recent {
		if now.Sub(t) >= rememberPassword {
			delete(u.recent, k)
		}
	}
	u.recent[key] = now
	return true
}

func (u *Users) key(name, password string) [32]byte {
	h := sha256.New()
	h.Write(u.salt[:])
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(password))
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// tokens are the bearer tokens handed to clients after a password check:
// Flight SQL clients (ADBC, JDBC) log in once with a password and send the
// token after. A token unused for tokenIdle expires.
type tokens struct {
	mu  sync.Mutex
	m   map[string]tokenEntry
	now func() time.Time
}

type tokenEntry struct {
	user string
	used time.Time
}

const tokenIdle = 12 * time.Hour

func newTokens() *tokens { return &tokens{m: map[string]tokenEntry{}, now: time.Now} }

func (t *tokens) issue(user string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for k, e := range t.m {
		if now.Sub(e.used) >= tokenIdle {
			delete(t.m, k)
		}
	}
	t.m[tok] = tokenEntry{user: user, used: now}
	return tok
}

func (t *tokens) check(tok string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[tok]
	if !ok {
		return "", false
	}
	now := t.now()
	if now.Sub(e.used) >= tokenIdle {
		delete(t.m, tok)
		return "", false
	}
	e.used = now
	t.m[tok] = e
	return e.user, true
}

// authenticator checks an Authorization header (RFC 7617 Basic or RFC
// 6750 Bearer), the same on both protocols.
type authenticator struct {
	users  *Users
	tokens *tokens
}

// check returns the user the header names, and with login set, after a
// password, a new token for the client to send instead. Only a login
// (the Flight Handshake) makes one: clients that send their password with
// every request would otherwise leave a token behind each time.
func (a *authenticator) check(header string, login bool) (user, token string, err error) {
	scheme, cred, _ := strings.Cut(strings.TrimSpace(header), " ")
	cred = strings.TrimSpace(cred)
	switch {
	case header == "":
		return "", "", fmt.Errorf("%w: no credentials (give a user and password)", ErrUnauthenticated)
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			// Go's Flight client leaves the padding out.
			if raw, err = base64.RawStdEncoding.DecodeString(cred); err != nil {
				return "", "", fmt.Errorf("%w: malformed Basic credentials", ErrUnauthenticated)
			}
		}
		name, password, ok := strings.Cut(string(raw), ":")
		if !ok {
			return "", "", fmt.Errorf("%w: malformed Basic credentials", ErrUnauthenticated)
		}
		if !a.users.Check(name, password) {
			return "", "", fmt.Errorf("%w: wrong user name or password", ErrUnauthenticated)
		}
		if login {
			token = a.tokens.issue(name)
		}
		return name, token, nil
	case strings.EqualFold(scheme, "Bearer"):
		if user, ok := a.tokens.check(cred); ok {
			return user, "", nil
		}
		return "", "", fmt.Errorf("%w: unknown or expired token (log in again)", ErrUnauthenticated)
	}
	return "", "", fmt.Errorf("%w: unsupported authorization scheme (use Basic or Bearer)", ErrUnauthenticated)
}

type userKey struct{}

// withUser records the authenticated user in ctx.
func withUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, userKey{}, user)
}

// userOf is the user ctx's request authenticated as ("" without
// authentication: every client is the same anonymous user).
func userOf(ctx context.Context) string {
	u, _ := ctx.Value(userKey{}).(string)
	return u
}

// grpcAuth is the Flight SQL server's authentication. arrow-go's
// flight.CreateServerBasicAuthMiddleware takes Basic credentials only in
// the Handshake and Bearer tokens on every other call; Go's flightsql
// driver sends Basic credentials on every call and never shakes hands.
// This middleware takes either on any call, and answers a password given
// in the Handshake with a token in the authorization response header and
// trailer (where arrow-go's own middleware puts it), which ADBC and the
// JDBC driver read and send back instead of the password.
func (a *authenticator) grpcAuth() flight.ServerMiddleware {
	authorize := func(ctx context.Context, login bool) (context.Context, metadata.MD, error) {
		var header string
		if md, ok := metadata.FromIncomingContext(ctx); ok {
			if v := md.Get("authorization"); len(v) > 0 {
				header = v[0]
			}
		}
		user, token, err := a.check(header, login)
		if err != nil {
			return nil, nil, status.Error(codes.Unauthenticated, err.Error())
		}
		var out metadata.MD
		if token != "" {
			out = metadata.Pairs("authorization", "Bearer "+token)
		}
		return withUser(ctx, user), out, nil
	}
	return flight.ServerMiddleware{
		Unary: func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			ctx, _, err := authorize(ctx, false)
			if err != nil {
				return nil, err
			}
			return handler(ctx, req)
		},
		Stream: func(srv any, stream grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
			login := strings.HasSuffix(info.FullMethod, "/Handshake")
			ctx, out, err := authorize(stream.Context(), login)
			if err != nil {
				return err
			}
			if out != nil {
				if err := stream.SetHeader(out); err != nil {
					return err
				}
				stream.SetTrailer(out)
			}
			return handler(srv, &userStream{ServerStream: stream, ctx: ctx})
		},
	}
}

// userStream is a server stream whose context carries the user.
type userStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *userStream) Context() context.Context { return s.ctx }

// httpAuth wraps h so that every request must authenticate; a refusal is
// 401 with a WWW-Authenticate challenge, so browsers and curl know to ask.
func (a *authenticator) httpAuth(h http.Handler, refuse func(w http.ResponseWriter, r *http.Request, err error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _, err := a.check(r.Header.Get("Authorization"), false)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="nectar", charset="UTF-8"`)
			refuse(w, r, err)
			return
		}
		h.ServeHTTP(w, r.WithContext(withUser(r.Context(), user)))
	})
}
