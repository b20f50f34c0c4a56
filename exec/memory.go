package exec

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nectar-dev/nectar/types"
)

// ErrMemoryLimit is returned when a query's blocking operators (hash
// aggregation, sort, window, join, DISTINCT) would hold more rows than the
// memory budget allows. Failing with a clear message beats being killed by
// the kernel's OOM killer.
var ErrMemoryLimit = errors.New("memory limit exceeded")

// budget counts the bytes a query's operators hold.
type budget struct {
	limit int64
	used  atomic.Int64
	pool  *Pool // shared with other queries; nil if none

	// dir holds the query's spill files: made on the first spill,
	// removed with everything in it when the query ends, so a query
	// that fails or is cancelled mid-spill leaves nothing behind.
	dirMu sync.Mutex
	dir   string
}

type budgetKey struct{}

// Pool is a memory budget that concurrent queries share (a server's):
// what a query reserves counts against its own limit and the pool's,
// and goes back to the pool when the query ends. Without it, each of N
// queries may hold the whole limit, N times the memory there is.
type Pool struct {
	limit int64
	used  atomic.Int64
}

// NewPool makes a pool of limit bytes.
func NewPool(limit int64) *Pool { return &Pool{limit: limit} }

// Used is the bytes the running queries hold.
func (p *Pool) Used() int64 { return p.used.Load() }

type poolKey struct{}

// WithPool makes the queries run under ctx draw from p as well as from
// their own limit.
func WithPool(ctx context.Context, p *Pool) context.Context {
	return context.WithValue(ctx, poolKey{}, p)
}

// WithMemoryLimit returns a context whose queries fail with ErrMemoryLimit
// once their operators hold about limit bytes, or once the queries of
// ctx's pool (WithPool) hold the pool's. limit <= 0 means no limit of the
// query's own. release returns the query's bytes to the pool: call it
// when the query has ended.
func WithMemoryLimit(ctx context.Context, limit int64) (_ context.Context, release func()) {
	pool, _ := ctx.Value(poolKey{}).(*Pool)
	if limit <= 0 && pool == nil {
		return ctx, func() {}
	}
	b := &budget{limit: limit, pool: pool}
	return context.WithValue(ctx, budgetKey{}, b), func() {
		if pool != nil {
			pool.used.Add(-b.used.Swap(0))
		}
		b.dirMu.Lock()
		if b.dir != "" {
			os.RemoveAll(b.dir)
			b.dir = ""
		}
		b.dirMu.Unlock()
	}
}

// spillDir is the directory of the query's spill files, made on first
// use. Without a budget no operator spills, as none runs out of memory,
// but the system's temporary directory serves if one asks.
func spillDir(ctx context.Context) (string, error) {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if b == nil {
		return os.TempDir(), nil
	}
	b.dirMu.Lock()
	defer b.dirMu.Unlock()
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "nectar-spill-*")
		if err != nil {
			return "", fmt.Errorf("make a directory to spill to: %w", err)
		}
		b.dir = dir
	}
	return b.dir, nil
}

// budgeted runs its operator under a memory budget whatever context the
// caller pulls with.
type budgeted struct {
	Operator
	b *budget
}

func (o *budgeted) Next(ctx context.Context) (*types.Batch, error) {
	return o.Operator.Next(context.WithValue(ctx, budgetKey{}, o.b))
}

// reserve accounts n more bytes held by what; it fails once the budget is
// spent. Most operators free their state only when the query ends; those
// that spill give back what they spilled with unreserve.
func reserve(ctx context.Context, n int64, what string) error {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if b == nil {
		return nil
	}
	// Both counts take n before any check can fail, so that unreserve
	// and the query's release give back exactly what was taken.
	used := b.used.Add(n)
	var pooled int64
	if b.pool != nil {
		pooled = b.pool.used.Add(n)
	}
	if err := guard.check(n, what); err != nil {
		return err
	}
	if b.pool != nil && pooled > b.pool.limit {
		return fmt.Errorf("%w: %s needs more than is left of the %s the server's running queries share; try again when fewer run, or narrow the query", ErrMemoryLimit, what, mib(b.pool.limit))
	}
	if b.limit > 0 && used > b.limit {
		return fmt.Errorf("%w: %s needs more than the %s memory limit; narrow the query, or raise --memory-limit", ErrMemoryLimit, what, mib(b.limit))
	}
	return nil
}

// unreserve gives back n bytes that reserve accounted (failed or not):
// an operator that has spilled rows to disk and freed what it held for
// them makes room for the next part of its work.
func unreserve(ctx context.Context, n int64) {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if b == nil {
		return
	}
	b.used.Add(-n)
	if b.pool != nil {
		b.pool.used.Add(-n)
	}
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

// valueSize is Value's in-memory size; rowSize estimates a materialised
// row's footprint (slice header, values, string bytes).
const valueSize = 40

func rowSize(row []types.Value) int64 {
	n := int64(24 + valueSize*len(row))
	for _, v := range row {
		n += int64(len(v.S))
	}
	return n
}

// The heap guard makes the process's memory, not the operators' estimate
// of it, meet a limit: the estimate counts values and strings but not the
// maps, slices and garbage around them, and peak RSS ran 1.5-2x over
// --memory-limit on estimates alone. GuardHeap sets Go's soft memory
// limit, so the collector works harder as the process nears it, and has
// reservations check the live heap the last collection measured, every
// guardEvery bytes: past guardShare of the limit, the query fails while
// the process is still under it.
var guard heapGuard

const (
	guardEvery = 4 << 20
	guardShare = 0.8
)

type heapGuard struct {
	total    atomic.Int64 // the process's limit; 0: off
	limit    atomic.Int64 // Go's share of it: total less what lies outside Go
	reserved atomic.Int64 // bytes reserved since the last check
}

// GuardHeap bounds the process's memory to limit bytes (<= 0: off). It is
// process-wide, as Go's memory limit is: the CLI and the server call it
// once with their --memory-limit or shared budget. What the process holds
// outside Go's memory when it is called (the executable's pages, some 50
// MiB of nectar's 100 MiB binary) comes off the limit Go is given.
func GuardHeap(limit int64) {
	if limit <= 0 {
		guard.total.Store(0)
		guard.limit.Store(0)
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	guard.total.Store(limit)
	guard.adjust()
}

// adjust gives Go the limit less what is resident outside it now: the
// executable's pages grow as a query runs code it had not run before
// (a join's, a window's), by 10 MiB and more. Go keeps at least a quarter
// of the limit: the cgo build (zlib-ng), which the system's linker lays
// out, ends a query with some 70 MiB of its executable resident, so a
// floor of half let Go's heap take the process 15% past a 120 MiB limit
// (TestMemoryLimitHolds), where a quarter makes the spilling operators
// and the guard hold it.
func (g *heapGuard) adjust() {
	total := g.total.Load()
	goLimit := max(total-outsideGo()-guardSlack, total/4)
	if old := g.limit.Swap(goLimit); old != goLimit {
		debug.SetMemoryLimit(goLimit)
	}
}

// guardSlack leaves room for code first run between two checks and for
// the operating system's own accounting.
const guardSlack = 8 << 20

// outsideGo is the resident memory Go's runtime does not account for
// (mapped executable and library pages); 0 where /proc is not there.
func outsideGo() int64 {
	statm, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(statm))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	mapped := int64(s[0].Value.Uint64() - s[1].Value.Uint64())
	return max(0, pages*int64(os.Getpagesize())-mapped)
}

func (g *heapGuard) check(n int64, what string) error {
	if g.total.Load() == 0 || g.reserved.Add(n) < guardEvery {
		return nil
	}
	return g.checkNow(what)
}

// room fails when n more bytes would take the live heap past the guard:
// for a structure about to be built in one go, which no reservation
// check sees grow (a join's hash table).
func (g *heapGuard) room(n int64, what string) error {
	if g.total.Load() == 0 {
		return nil
	}
	g.adjust()
	if live := liveHeap(); float64(live+n) > guardShare*float64(g.limit.Load()) {
		return fmt.Errorf("%w: %s would bring the process near its memory limit (%s of data held, %s more needed); narrow the query, or raise --memory-limit", ErrMemoryLimit, what, mib(live), mib(n))
	}
	return nil
}

// checkNow compares the live heap with the limit at once: for an
// operator that has just built a large structure it reserved for up
// front (a join's hash table), whose real size the estimate may miss.
func (g *heapGuard) checkNow(what string) error {
	if g.total.Load() == 0 {
		return nil
	}
	g.reserved.Store(0)
	g.adjust()
	limit := g.limit.Load()
	live := liveHeap()
	if float64(live) <= guardShare*float64(limit) {
		return nil
	}
	return fmt.Errorf("%w: %s brought the process near its memory limit (%s of data held); narrow the query, or raise --memory-limit", ErrMemoryLimit, what, mib(live))
}

// collect runs a garbage collection when the guard is on: an operator
// that has just let go of a large structure calls it, or the live heap
// the guard checks would stay the one measured while the structure was
// held, and the operator's next reservations would fail on memory that
// is no longer in use.
func (g *heapGuard) collect() {
	if g.total.Load() != 0 {
		runtime.GC()
	}
}

// liveHeap is the heap the last collection found live.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}
