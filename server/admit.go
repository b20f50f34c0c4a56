package server

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/nectar-dev/nectar/exec"
)

// Limits bound what a server takes on at once, so that one heavy user or a
// burst of clients slows the server down instead of bringing it down. The
// zero value of each field means its default.
type Limits struct {
	// MaxQueries is how many queries run at once (default: twice the
	// cores, at least 4). The rest wait in line.
	MaxQueries int
	// MaxQueued is how many wait for a slot; past it a query is refused
	// at once as busy (default 256: a waiter costs next to nothing, and
	// QueueWait bounds the wait).
	MaxQueued int
	// QueueWait is the longest a query waits for a slot before it is
	// refused as busy (default 30s).
	QueueWait time.Duration
	// PerUser is how many slots one user may hold at once when the server
	// has users (default: half of MaxQueries, rounded up). Anonymous
	// loopback use is one user: no cap there.
	PerUser int
	// QueryTimeout ends a query that runs longer (default 30m; negative:
	// none).
	QueryTimeout time.Duration
	// ClientStall ends a query whose client has taken none of its rows
	// for this long (default 1m): a client that stops reading must not
	// hold a slot.
	ClientStall time.Duration
	// Memory is what the running queries' operators share, besides each
	// query's own limit (default: exec.DefaultMemoryLimit; negative:
	// not shared).
	Memory int64
}

func (l Limits) withDefaults(users bool) Limits {
	if l.MaxQueries <= 0 {
		l.MaxQueries = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if l.MaxQueued <= 0 {
		l.MaxQueued = 256
	}
	if l.QueueWait <= 0 {
		l.QueueWait = 30 * time.Second
	}
	if !users {
		l.PerUser = l.MaxQueries
	} else if l.PerUser <= 0 {
		l.PerUser = (l.MaxQueries + 1) / 2
	}
	if l.QueryTimeout == 0 {
		l.QueryTimeout = 30 * time.Minute
	}
	if l.ClientStall <= 0 {
		l.ClientStall = time.Minute
	}
	if l.Memory == 0 {
		l.Memory = exec.DefaultMemoryLimit()
	}
	return l
}

// ErrBusy refuses a query the server has no room for: clients should try
// again later (HTTP 503 with Retry-After, Flight SQL UNAVAILABLE).
var ErrBusy = errors.New("the server is busy")

// errTimeout is the cause of a query that ran past Limits.QueryTimeout;
// errStalled of one whose client stopped taking rows.
var (
	errTimeout = errors.New("query ran past the server's time limit")
	errStalled = errors.New("the client took no rows for too long")
)

// admission hands out query slots first come, first served, skipping a
// waiter whose user already holds PerUser slots so that another user's
// query is not stuck behind them.
type admission struct {
	lim  Limits
	pool *exec.Pool // nil: queries do not share a memory budget

	mu      sync.Mutex
	running int
	perUser map[string]int
	queue   []*waiter
}

type waiter struct {
	user  string
	ready chan struct{} // closed when the waiter holds a slot
}

func newAdmission(lim Limits) *admission {
	a := &admission{lim: lim, perUser: map[string]int{}}
	if lim.Memory > 0 {
		a.pool = exec.NewPool(lim.Memory)
	}
	return a
}

// acquire waits for a slot for user; release gives it back.
func (a *admission) acquire(ctx context.Context, user string) (release func(), err error) {
	a.mu.Lock()
	w := &waiter{user: user, ready: make(chan struct{})}
	a.queue = append(a.queue, w)
	a.grant()
	select {
	case <-w.ready:
		a.mu.Unlock()
		return a.releaser(user), nil
	default:
	}
	if len(a.queue) > a.lim.MaxQueued {
		a.queue = a.queue[:len(a.queue)-1] // w, last: grant took none after it
		running, queued := a.running, len(a.queue)
		a.mu.Unlock()
		return nil, fmt.Errorf("%w: %d queries running and %d waiting; try again shortly", ErrBusy, running, queued)
	}
	a.mu.Unlock()

	timer := time.NewTimer(a.lim.QueueWait)
	defer timer.Stop()
	select {
	case <-w.ready:
		return a.releaser(user), nil
	case <-ctx.Done():
		err = context.Cause(ctx)
	case <-timer.C:
		err = fmt.Errorf("%w: no query slot came free within %s (%d run at once); try again shortly", ErrBusy, a.lim.QueueWait, a.lim.MaxQueries)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case <-w.ready: // granted while giving up: hand the slot on
		a.drop(user)
		a.grant()
	default:
		for i, q := range a.queue {
			if q == w {
				a.queue = append(a.queue[:i], a.queue[i+1:]...)
				break
			}
		}
	}
	return nil, err
}

func (a *admission) releaser(user string) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.drop(user)
			a.grant()
		})
	}
}

// take and drop count a slot; grant hands free slots to the first waiters
// whose users are under their cap. a.mu is held.
func (a *admission) take(user string) { a.running++; a.perUser[user]++ }

func (a *admission) drop(user string) {
	a.running--
	if a.perUser[user]--; a.perUser[user] == 0 {
		delete(a.perUser, user)
	}
}

func (a *admission) grant() {
	for i := 0; i < len(a.queue) && a.running < a.lim.MaxQueries; {
		w := a.queue[i]
		if a.perUser[w.user] >= a.lim.PerUser {
			i++
			continue
		}
		a.queue = append(a.queue[:i], a.queue[i+1:]...)
		a.take(w.user)
		close(w.ready)
	}
}

// Admit is admit for the server's other front ends (the Spark Connect
// endpoint): their queries wait for the same slots, run under the same
// time limit and draw on the same memory budget as Flight SQL's and
// HTTP's. A refusal wraps ErrBusy.
func (s *Server) Admit(ctx context.Context, user string) (context.Context, func(), error) {
	return s.admit(ctx, user)
}

// admit waits for a slot for a query of user and returns the context it
// runs under: bounded by QueryTimeout and drawing on the shared memory
// budget. done ends both.
func (s *Server) admit(ctx context.Context, user string) (qctx context.Context, done func(), err error) {
	release, err := s.admission.acquire(ctx, user)
	if err != nil {
		return nil, nil, err
	}
	cancel := context.CancelFunc(func() {})
	if s.admission.lim.QueryTimeout > 0 {
		ctx, cancel = context.WithTimeoutCause(ctx, s.admission.lim.QueryTimeout, fmt.Errorf("%w (%s)", errTimeout, s.admission.lim.QueryTimeout))
	}
	if s.admission.pool != nil {
		ctx = exec.WithPool(ctx, s.admission.pool)
	}
	return ctx, func() { cancel(); release() }, nil
}
