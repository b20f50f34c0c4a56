package engine_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/exec"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

func TestDescribe(t *testing.T) {
	cases := []struct {
		script string
		schema string // types.Schema's text; "" for none
		params []types.Kind
	}{
		{"SELECT id, g FROM t WHERE v > ? AND g = ?", "id BIGINT, g STRING", []types.Kind{types.Int, types.String}},
		{"SELECT count(*) AS n FROM events WHERE CAST(timestamp AS TIMESTAMP) >= ? AND properties.vertical IN (?, ?)", "n BIGINT",
			[]types.Kind{types.Timestamp, types.String, types.String}},
		{"SELECT id + ? AS x FROM t WHERE (SELECT max(v) FROM t WHERE id < ?) > 1", "x DOUBLE", []types.Kind{types.Float, types.Int}},
		{"SELECT ? AS anything", "anything STRING", []types.Kind{types.String}},
		{"CREATE VIEW big AS SELECT * FROM t WHERE v > ?; SELECT id FROM big WHERE s LIKE ? AND f < ?", "id BIGINT", []types.Kind{types.Int, types.String, types.Float}},
		{"CREATE VIEW big AS SELECT * FROM t", "", []types.Kind{}},
		{"DESCRIBE SELECT * FROM t", "col_name STRING, data_type STRING", []types.Kind{}},
		{"EXPLAIN SELECT * FROM t WHERE id = ?", "plan STRING", []types.Kind{types.Int}},
		// A placeholder no cast reaches binds as NULL, and stays STRING.
		{"SELECT id FROM t WHERE ? AND id > ?", "id BIGINT", []types.Kind{types.String, types.String}},
		// dbplyr's probe and LIMIT 0 have columns too.
		{"SELECT * FROM (SELECT g, v FROM t) AS q01 WHERE (0 = 1)", "g STRING, v BIGINT", []types.Kind{}},
	}
	ctx := context.Background()
	for _, c := range cases {
		views := engine.NewState(nil)
		e := testEngine()
		e.ShareState(views.Clone())
		d, err := e.Describe(ctx, c.script)
		if err != nil {
			t.Errorf("%s: %v", c.script, err)
			continue
		}
		if got := d.Schema.String(); got != c.schema && !(c.schema == "" && d.Schema == nil) {
			t.Errorf("%s: schema %q, want %q", c.script, got, c.schema)
		}
		if fmt.Sprint(d.Params) != fmt.Sprint(c.params) {
			t.Errorf("%s: params %v, want %v", c.script, d.Params, c.params)
		}
		if n := len(e.Reads().Scans()); n != 0 {
			t.Errorf("%s: Describe opened %d scans; it must not read the data", c.script, n)
		}
		if names := views.Names(); len(names) != 0 {
			t.Errorf("%s: the original views changed: %v", c.script, names)
		}
	}
}

func TestDescribeErrors(t *testing.T) {
	for script, pos := range map[string]syntax.Pos{
		"SELECT nope FROM t WHERE id = ?": 7,
		"SELECT id FROM t WHERE id = ? +": 31,
		"SELECT * FROM missing":           14,
	} {
		_, err := testEngine().Describe(context.Background(), script)
		var se *syntax.Error
		var list syntax.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			se = list[0]
		}
		if se == nil && !errors.As(err, &se) || se.Pos != pos {
			t.Errorf("%s: %v, want a positioned error at %d", script, err, pos)
		}
	}
}

// A prepared statement's answer is the answer of the query with its
// values written as literals.
func TestRunParams(t *testing.T) {
	ctx := context.Background()
	e := testEngine()
	run := func(script string, params []types.Value) string {
		var rows [][]types.Value
		err := e.RunParams(ctx, script, params, func(r *engine.Result) error {
			got, err := exec.Collect(ctx, r.Rows)
			rows = got
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		return fmt.Sprint(rows)
	}
	got := run("SELECT id FROM t WHERE g = ? AND id > ? ORDER BY id", []types.Value{types.StringValue("x"), types.FloatValue(1)})
	_, want, err := engine.QueryRows(ctx, e, "SELECT id FROM t WHERE g = 'x' AND id > 1 ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if got != fmt.Sprint(want) {
		t.Errorf("with parameters %s, with literals %v", got, want)
	}
	// A string is a string: quotes in it cannot end the literal.
	if got := run("SELECT count(*) FROM t WHERE g = ?", []types.Value{types.StringValue("x' OR '1' = '1")}); got != "[[0]]" {
		t.Errorf("a quote in a parameter changed the query: %s", got)
	}
	if err := e.RunParams(ctx, "SELECT ? + ?", []types.Value{types.IntValue(1)}, func(*engine.Result) error { return nil }); err == nil {
		t.Error("a missing parameter value was accepted")
	}
}

func TestShareState(t *testing.T) {
	ctx := context.Background()
	views := engine.NewState(nil)
	a, b := testEngine(), testEngine()
	a.ShareState(views)
	b.ShareState(views)
	noRows := func(*engine.Result) error { return nil }
	if err := a.Run(ctx, "CREATE VIEW xs AS SELECT id FROM t WHERE g = 'x'", noRows); err != nil {
		t.Fatal(err)
	}
	_, rows, err := engine.QueryRows(ctx, b, "SELECT count(*) FROM xs")
	if err != nil || fmt.Sprint(rows) != "[[2]]" {
		t.Errorf("another session sharing the views: %v, %v", rows, err)
	}
	if err := b.Run(ctx, "CREATE VIEW xs AS SELECT 1 AS one", noRows); err == nil {
		t.Error("a shared view was created twice without OR REPLACE")
	}
	// A shared view may replace a source of nectar.yaml, in every session.
	if err := b.Run(ctx, "CREATE OR REPLACE VIEW t AS SELECT 1 AS one", noRows); err != nil {
		t.Fatal(err)
	}
	c := testEngine()
	c.ShareState(views)
	if _, rows, err := engine.QueryRows(ctx, c, "SELECT * FROM t"); err != nil || fmt.Sprint(rows) != "[[1]]" {
		t.Errorf("t replaced by a shared view: %v, %v", rows, err)
	}
	if got := fmt.Sprint(views.Names()); got != "[t xs]" {
		t.Errorf("Names() = %s", got)
	}
	// A session that does not share them does not see them.
	if _, _, err := engine.QueryRows(ctx, testEngine(), "SELECT * FROM xs"); err == nil {
		t.Error("a session without the shared views saw xs")
	}
}
