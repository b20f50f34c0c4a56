package source

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Stores picks the Store that serves a path by its scheme: the local file
// system, or S3 for s3:// and s3a:// paths, built from its options on
// first use (credentials from wherever the AWS tools find them). A program
// makes its own and passes it to whatever reads and writes its files
// (engine.Options.Stores), so two sessions can reach S3 differently; the
// package-level functions (List, Open, Create, …) use Default.
type Stores struct {
	S3Options S3Options

	once sync.Once
	s3   *S3
	err  error

	confine *roots // nil: every path (see Confine)
}

// Confine makes these stores serve only paths below the roots listed:
// local folders and s3://bucket[/prefix] URLs. A server confines the
// stores its queries read through, so that read_json and friends cannot
// reach files or buckets its configuration does not name; neither ".."
// nor a symbolic link leads out (os.Root), and the store's S3 credentials
// serve the listed buckets only.
func (st *Stores) Confine(list []string) error {
	rs, err := newRoots(list)
	if err != nil {
		return err
	}
	st.confine = rs
	return nil
}

// confined wraps s in the confinement, if any.
func (st *Stores) confined(s Store) Store {
	if st.confine == nil {
		return s
	}
	return confined{Store: s, rs: st.confine}
}

// check refuses a path outside the confinement before it is written or
// read at random.
func (st *Stores) check(path string) error {
	if st.confine == nil {
		return nil
	}
	if IsS3(path) {
		return st.confine.checkS3(path)
	}
	_, _, err := st.confine.find(path)
	return err
}

// Default is the Stores the package-level functions use: S3 as the
// environment configures it.
var Default = &Stores{}

// NewStores returns Stores whose S3 store is built from o.
func NewStores(o S3Options) *Stores { return &Stores{S3Options: o} }

// Unconfined returns Stores with st's S3 settings and no confinement, for
// readers the operator configured rather than a client's query (the
// streams nectar serve hosts read the folders nectar.yaml gives them,
// which need not exist when the server starts).
func (st *Stores) Unconfined() *Stores { return &Stores{S3Options: st.S3Options} }

// StoresFor returns Stores that serve S3 paths with s.
func StoresFor(s *S3) *Stores {
	st := &Stores{}
	st.once.Do(func() { st.s3 = s })
	return st
}

// S3 returns the S3 store, building it on first use.
func (st *Stores) S3(ctx context.Context) (*S3, error) {
	st.once.Do(func() { st.s3, st.err = NewS3(ctx, st.S3Options) })
	return st.s3, st.err
}

// For returns the Store that serves path.
func (st *Stores) For(ctx context.Context, path string) (Store, error) {
	if !IsS3(path) {
		return st.confined(Local{}), nil
	}
	if err := st.check(path); err != nil {
		return nil, err // before the S3 client exists: no request at all
	}
	s, err := st.S3(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return st.confined(s), nil
}

// List is the package-level List over these stores; the files it returns
// open through the store that listed them.
func (st *Stores) List(ctx context.Context, pattern string) ([]File, error) {
	s, err := st.For(ctx, pattern)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	return ListStore(ctx, s, pattern)
}

// ListDays is the package-level ListDays over these stores.
func (st *Stores) ListDays(ctx context.Context, pattern string, keep func(day time.Time) bool) ([]File, error) {
	s, err := st.For(ctx, pattern)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	return ListStoreDays(ctx, s, pattern, keep)
}

// Create is the package-level Create over these stores.
func (st *Stores) Create(ctx context.Context, path string) (Writer, error) {
	if err := st.check(path); err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	if IsS3(path) {
		s, err := st.S3(ctx)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		return s.Create(ctx, path)
	}
	return createLocal(ctx, path)
}

// OpenRandom is the package-level OpenRandom over these stores.
func (st *Stores) OpenRandom(ctx context.Context, path string) (RandomReader, error) {
	if err := st.check(path); err != nil {
		return nil, err
	}
	if IsS3(path) {
		s, err := st.S3(ctx)
		if err != nil {
			return nil, err
		}
		return s.OpenRandom(ctx, path)
	}
	if st.confine != nil {
		f, err := st.confine.openLocal(path)
		if err != nil {
			return nil, err
		}
		return newLocalRange(f)
	}
	return openLocalRandom(path)
}

// Open returns f's decompressed content (see the package-level Open),
// through the store that listed f, or the one these stores pick.
func (st *Stores) Open(ctx context.Context, f File) (io.ReadCloser, error) {
	s := f.Store
	if s == nil {
		var err error
		if s, err = st.For(ctx, f.Path); err != nil {
			return nil, fmt.Errorf("open: %w", err)
		}
	}
	return OpenStore(ctx, s, f)
}
