package functions

import "testing"

// TestLowerSpecialCasing checks Lower against the answers of Spark 4's
// lower() (ICU root locale), which differ from strings.ToLower for a final
// capital sigma and for İ.
func TestLowerSpecialCasing(t *testing.T) {
	for in, want := range map[string]string{
		"SparkSQL":   "sparksql",
		"ÄÖÜ":        "äöü",
		"ǅ":          "ǆ",
		"ΣΑΣ":        "σας",
		"Σ":          "σ",
		"ΣA":         "σa",
		"AΣ'B":       "aσ'b", // an apostrophe is case-ignorable: B follows
		"A.Σ":        "a.ς",
		"1Σ":         "1σ", // a digit is not cased: nothing precedes
		"ΑΣ1":        "ας1",
		"ΑΣ\u0301":   "ας\u0301",
		"ΑΣ\u0301Β":  "ασ\u0301β",
		"A\u0301Σ":   "a\u0301ς",
		"ΑΣ-Β":       "ας-β",
		"ΣΑΣ ΣΑΣ.":   "σας σας.",
		"xİy":        "xi\u0307y",
		"İ":          "i\u0307",
		"":           "",
		"\xffΣ\xffA": "\uFFFDσ\uFFFDa",
	} {
		if got := Lower(in); got != want {
			t.Errorf("Lower(%q) = %q, want %q", in, got, want)
		}
	}
}
