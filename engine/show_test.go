package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/nectar-dev/nectar/engine"
)

func TestShowTables(t *testing.T) {
	e := testEngine() // sources events, users, t
	ctx := context.Background()
	if err := e.Run(ctx, "CREATE VIEW orders AS SELECT * FROM events WHERE event = 'Order Completed'; CREATE OR REPLACE VIEW t AS SELECT 1 AS one", func(*engine.Result) error { return nil }); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ stmt, want string }{
		// t was a source, and a view replaced it.
		{"SHOW TABLES", "[[events source] [orders view] [t view] [users source]]"},
		{"show tables like 'E*'", "[[events source]]"},
		{"SHOW TABLES 'u*|t'", "[[t view] [users source]]"},
		{"SHOW TABLES LIKE 'nothing'", "[]"},
	}
	for _, c := range cases {
		schema, rows, err := engine.QueryRows(ctx, e, c.stmt)
		if err != nil {
			t.Fatalf("%s: %v", c.stmt, err)
		}
		if len(schema) != 2 || schema[0].Name != "tableName" || schema[1].Name != "kind" {
			t.Errorf("%s: columns %v", c.stmt, schema)
		}
		var got [][]string
		for _, r := range rows {
			got = append(got, []string{r[0].S, r[1].S})
		}
		if g := fmt.Sprint(got); g != c.want {
			t.Errorf("%s = %s, want %s", c.stmt, g, c.want)
		}
	}
	var names []string
	for _, ti := range e.Tables() {
		names = append(names, ti.Name)
	}
	if fmt.Sprint(names) != "[events orders t users]" {
		t.Errorf("Tables() = %v", names)
	}
}
