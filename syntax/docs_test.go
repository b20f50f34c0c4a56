package syntax

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestReservedWordsDocumented keeps the reserved-word list in
// docs/LANGUAGE.md equal to the parser's.
func TestReservedWordsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/LANGUAGE.md")
	if err != nil {
		t.Skipf("read language reference: %v", err)
	}
	_, rest, ok := strings.Cut(string(doc), "Only these words are reserved")
	if !ok {
		t.Fatal("LANGUAGE.md has no reserved-word section")
	}
	_, rest, _ = strings.Cut(rest, "```\n")
	block, _, _ := strings.Cut(rest, "```")
	documented := strings.Fields(block)
	var want []string
	for w := range reserved {
		want = append(want, w)
	}
	slices.Sort(want)
	slices.Sort(documented)
	if !slices.Equal(documented, want) {
		t.Errorf("LANGUAGE.md lists reserved words\n%v\nthe parser reserves\n%v", documented, want)
	}
}
