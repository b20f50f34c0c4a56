package syntax

import "testing"

// FuzzParse feeds arbitrary text to the parser. It must never panic, and
// whatever it accepts must print to text that parses to the same tree and
// prints the same again.
func FuzzParse(f *testing.F) {
	for _, tc := range acceptedCases {
		f.Add(tc.src)
	}
	for _, tc := range rejectedCases {
		f.Add(tc.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := ParseScript(src)
		if err != nil {
			// Errors must render, pointing inside the text.
			_ = Format(src, err)
			return
		}
		printed := printScript(stmts)
		again, err := ParseScript(printed)
		if err != nil {
			t.Fatalf("printed text does not parse\nsource:  %q\nprinted: %q\n%s", src, printed, Format(printed, err))
		}
		if p2 := printScript(again); p2 != printed {
			t.Fatalf("printing is not idempotent\nsource: %q\nfirst:  %q\nsecond: %q", src, printed, p2)
		}
		if !sameTree(stmts, again) {
			t.Fatalf("reparsed tree differs\nsource:  %q\nprinted: %q", src, printed)
		}
	})
}
