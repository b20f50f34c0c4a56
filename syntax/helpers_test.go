package syntax

import (
	"reflect"
	"strings"
	"testing"
)

var atType = reflect.TypeOf(At{})

// clearPositions zeroes every At in the tree reachable from v, so that trees
// parsed from differently laid-out text compare equal.
func clearPositions(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearPositions(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == atType {
			if v.CanSet() {
				v.Set(reflect.Zero(atType))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			clearPositions(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			clearPositions(v.Index(i))
		}
	}
}

// sameTree reports whether a and b are equal apart from positions. It
// clears positions in both.
func sameTree(a, b any) bool {
	clearPositions(reflect.ValueOf(a))
	clearPositions(reflect.ValueOf(b))
	return reflect.DeepEqual(a, b)
}

// printScript renders statements the way a script is written.
func printScript(stmts []Statement) string {
	parts := make([]string, len(stmts))
	for i, s := range stmts {
		parts[i] = s.String()
	}
	return strings.Join(parts, ";\n")
}

// checkRoundTrip parses src, prints it, and checks that the printed text
// parses to the same tree and prints identically. It returns the printed
// text.
func checkRoundTrip(t testing.TB, src string) string {
	t.Helper()
	stmts, err := ParseScript(src)
	if err != nil {
		t.Fatalf("parse %q:\n%s", src, Format(src, err))
	}
	printed := printScript(stmts)
	again, err := ParseScript(printed)
	if err != nil {
		t.Fatalf("reparse of printed text failed\nsource:  %s\nprinted: %s\n%s", src, printed, Format(printed, err))
	}
	if printed2 := printScript(again); printed2 != printed {
		t.Fatalf("printing is not idempotent\nfirst:  %s\nsecond: %s", printed, printed2)
	}
	if !sameTree(stmts, again) {
		t.Fatalf("reparsed tree differs\nsource:  %s\nprinted: %s", src, printed)
	}
	return printed
}
