package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/sqlconf"
)

// TestSet: Spark's SET, RESET and spark.sql.ansi.doubleQuotedIdentifiers,
// kept in the session's State across scripts and shared with other
// sessions of that State only.
func TestSet(t *testing.T) {
	ctx := context.Background()
	state := engine.NewState(nil)
	e := testEngine()
	e.ShareState(state)
	query := func(e *engine.Session, script string) string {
		t.Helper()
		_, rows, err := engine.QueryRows(ctx, e, script)
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprint(rows)
	}
	steps := []struct{ script, want string }{
		{`SELECT "g" FROM t LIMIT 1`, "[[g]]"}, // a string, by default
		{`SET spark.sql.ansi.doubleQuotedIdentifiers = true`, "[[spark.sql.ansi.doubleQuotedIdentifiers true]]"},
		{`SELECT "g", count(*) FROM "t" WHERE "g" = 'x' GROUP BY "g"`, "[[x 2]]"}, // names, in the next script
		{`SET spark.sql.ansi.doubleQuotedIdentifiers`, "[[spark.sql.ansi.doubleQuotedIdentifiers true]]"},
		{`SET spark.sql.shuffle.partitions=4`, "[[spark.sql.shuffle.partitions 4]]"}, // changes how Spark runs, not answers: kept
		{`SET nectar.no.such.key`, "[[nectar.no.such.key <undefined>]]"},
		{`SET`, "[[spark.sql.ansi.doubleQuotedIdentifiers true] [spark.sql.ansi.enabled true] [spark.sql.session.timeZone UTC] [spark.sql.shuffle.partitions 4]]"},
		{`RESET spark.sql.ansi.doubleQuotedIdentifiers; SELECT "g" FROM t LIMIT 1`, "[[g]]"},
		// In one script, a SET reads the statements after it its way.
		{`SELECT "g" FROM t LIMIT 1; SET spark.sql.ansi.doubleQuotedIdentifiers=TRUE; SELECT "g" FROM t WHERE id = 1`, "[[x]]"},
		{`RESET; SET`, "[[spark.sql.ansi.doubleQuotedIdentifiers false] [spark.sql.ansi.enabled true] [spark.sql.session.timeZone UTC]]"},
		{`SET TIME ZONE 'UTC'`, "[[spark.sql.session.timeZone UTC]]"},
		// A credential is kept but never shown, as Spark redacts it.
		{`SET spark.hadoop.fs.s3a.secret.key = s3cr3t-VALUE`, "[[spark.hadoop.fs.s3a.secret.key *********(redacted)]]"},
		{`SET spark.hadoop.fs.s3a.secret.key`, "[[spark.hadoop.fs.s3a.secret.key *********(redacted)]]"},
		{`SET; RESET spark.hadoop.fs.s3a.secret.key`, "[[spark.hadoop.fs.s3a.secret.key *********(redacted)] [spark.sql.ansi.doubleQuotedIdentifiers false] [spark.sql.ansi.enabled true] [spark.sql.session.timeZone UTC]]"},
	}
	for _, s := range steps {
		if got := query(e, s.script); got != s.want {
			t.Errorf("%s:\n got %s\nwant %s", s.script, got, s.want)
		}
	}

	// Another session sharing the state sees its settings; one that does
	// not share it reads double quotes as strings.
	if got := query(e, `SET spark.sql.ansi.doubleQuotedIdentifiers = true`); !strings.Contains(got, "true") {
		t.Fatal(got)
	}
	b := testEngine()
	b.ShareState(state)
	if got := query(b, `SELECT "g" FROM t WHERE id = 1`); got != "[[x]]" {
		t.Errorf("a session sharing the state: %s", got)
	}
	if got := query(testEngine(), `SELECT "g" FROM t WHERE id = 1`); got != "[[g]]" {
		t.Errorf("a session of its own: %s", got)
	}
	// Describing (a prepared statement) reads as running would.
	d, err := b.Describe(ctx, `SELECT "g" FROM t WHERE "id" = ?`)
	if err != nil || d.Schema.String() != "g STRING" {
		t.Errorf("Describe under the setting: %v, %v", d, err)
	}

	// Refused, the state unchanged: values nectar cannot honour, settings
	// that change Spark's answers which nectar does not have, and values
	// of the wrong type.
	for _, c := range []struct{ script, want string }{
		{"SET spark.sql.session.timeZone = Europe/Paris", "nectar computes with spark.sql.session.timeZone=UTC"},
		{"SET TIME ZONE 'America/Los_Angeles'", "nectar computes with spark.sql.session.timeZone=UTC"},
		{"SET spark.sql.ansi.enabled=false", "nectar computes with spark.sql.ansi.enabled=true"},
		{"SET spark.sql.legacy.timeParserPolicy=LEGACY", "nectar does not have the Spark setting spark.sql.legacy.timeParserPolicy"},
		{"SET spark.sql.caseSensitive=true", "nectar does not have the Spark setting spark.sql.caseSensitive"},
	} {
		err := e.Run(ctx, c.script, func(r *engine.Result) error { return r.Rows.Close() })
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, sqlconf.ErrRefused) {
			t.Errorf("%s: %v, want an ErrSetting saying %q", c.script, err, c.want)
		}
	}
	err = e.Run(ctx, "SET spark.sql.ansi.doubleQuotedIdentifiers = yes", func(r *engine.Result) error { return r.Rows.Close() })
	if err == nil || !strings.Contains(err.Error(), "INVALID_CONF_VALUE.TYPE_MISMATCH") || errors.Is(err, sqlconf.ErrRefused) {
		t.Errorf("a value that is not a boolean: %v", err)
	}
	if got := query(e, "SET"); got != "[[spark.sql.ansi.doubleQuotedIdentifiers true] [spark.sql.ansi.enabled true] [spark.sql.session.timeZone UTC]]" {
		t.Errorf("after refusals: %s", got)
	}
}
