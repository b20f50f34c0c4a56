package server

import (
	"context"
	"net/http"
	"time"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/plan"
	"github.com/nectar-dev/nectar/server/dashboard"
	"github.com/nectar-dev/nectar/types"
)

// dashBackend is the server as the dashboard sees it.
type dashBackend struct{ s *Server }

var _ dashboard.Backend = dashBackend{}

func (b dashBackend) User(r *http.Request) string { return userOf(r.Context()) }

func (b dashBackend) Tables(ctx context.Context, user string) []dashboard.Table {
	refs := b.s.tables(user)
	out := make([]dashboard.Table, len(refs))
	for i, t := range refs {
		out[i] = dashboard.Table{Name: t.Name, Kind: t.Kind}
	}
	return out
}

func (b dashBackend) Schema(ctx context.Context, user, name string) (types.Schema, error) {
	return b.s.tableSchema(ctx, user, name)
}

func (b dashBackend) Query(ctx context.Context, user, script string, rows func(*engine.Result) error) error {
	ctx, done := b.s.start(ctx, newID(), user)
	defer done()
	began := time.Now()
	n := 0
	err := b.s.run(ctx, user, script, nil, func(r *engine.Result) error {
		r.Rows = countRows{r.Rows, &n}
		return rows(r)
	})
	b.s.logQuery(ctx, "dashboard", user, script, began, n, err)
	return err
}

func (b dashBackend) QueryError(ctx context.Context, err error, script string) (int, any) {
	return b.s.queryErrorBody(ctx, err, script)
}

func (b dashBackend) Session(user string) *engine.Session { return b.s.session(user) }

// countRows counts the rows a result hands on, for the query log.
type countRows struct {
	plan.BatchReader
	n *int
}

func (c countRows) Next(ctx context.Context) (*types.Batch, error) {
	b, err := c.BatchReader.Next(ctx)
	if b != nil {
		*c.n += b.Len
	}
	return b, err
}

// dashboard is the web dashboard at / (package dashboard), behind the
// same authentication as the API.
func (s *Server) dashboard() http.Handler {
	if s.dash == nil {
		return http.NotFoundHandler()
	}
	return s.dash
}
