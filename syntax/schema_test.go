package syntax

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSchema(t *testing.T) {
	for _, tc := range []struct{ ddl, want string }{
		{"event STRING", "event STRING"},
		{"a int, b bigint , c Decimal( 10 ,2 )", "a INT, b BIGINT, c DECIMAL(10, 2)"},
		{"properties STRUCT<price: DOUBLE, products: ARRAY<STRUCT<sku: STRING, quantity BIGINT>>>",
			"properties STRUCT<price: DOUBLE, products: ARRAY<STRUCT<sku: STRING, quantity: BIGINT>>>"},
		{"m MAP<STRING, ARRAY<INT>>", "m MAP<STRING, ARRAY<INT>>"},
		{"`a.b` STRING NOT NULL, `select` INT COMMENT 'the id'", "`a.b` STRING NOT NULL, `select` INT COMMENT 'the id'"},
		{"s struct<>", "s STRUCT<>"},
	} {
		f, err := ParseSchema(tc.ddl)
		if err != nil {
			t.Errorf("ParseSchema(%q): %v", tc.ddl, err)
			continue
		}
		if got := SchemaString(f); got != tc.want {
			t.Errorf("ParseSchema(%q) = %q, want %q", tc.ddl, got, tc.want)
			continue
		}
		again, err := ParseSchema(tc.want)
		if err != nil || SchemaString(again) != tc.want {
			t.Errorf("round trip of %q: %q, %v", tc.want, SchemaString(again), err)
		}
	}
}

func TestParseSchemaErrors(t *testing.T) {
	for _, tc := range []struct {
		ddl, msg string
		pos      int
	}{
		{"", "at least one column", 0},
		{"a", "expected a name", 1},
		{"a ARRAY<INT", "expected '>'", 11},
		{"a INT b INT", "expected ',' or the end", 6},
		{"s STRUCT<x: INT", "expected '>'", 15},
		{"`open STRING", "unterminated backquote", 1},
		{"d DECIMAL(x)", "expected a number", 10},
	} {
		_, err := ParseSchema(tc.ddl)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("ParseSchema(%q): %v, want an *Error", tc.ddl, err)
			continue
		}
		if !strings.Contains(e.Msg, tc.msg) || int(e.Pos) != tc.pos {
			t.Errorf("ParseSchema(%q): %q at %d, want %q at %d", tc.ddl, e.Msg, e.Pos, tc.msg, tc.pos)
		}
	}
}
