package bench

import (
	"errors"
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want []string
	}{
		{"empty", "", nil},
		{"header only", "a,b\n", []string{}},
		{"sorted", "v,n\nb,2\na,1\n", []string{"a | 1", "b | 2"}},
		{"null is empty", "v,n\n,3\n", []string{" | 3"}},
		{"float spellings agree", "x\n1.0\n", []string{"1"}},
		{"sum order noise", "x\n18733.779999999995\n", []string{"18733.78"}},
		{"quoted comma", "x,y\n\"a,b\",1\n", []string{"a,b | 1"}},
		{"timestamps untouched", "t\n2019-02-01T00:00:00.000Z\n", []string{"2019-02-01T00:00:00.000Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize([]byte(tt.csv))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("Normalize(%q) = %q, want %q", tt.csv, got, tt.want)
			}
		})
	}
}

func TestNormalizeRejectsBadCSV(t *testing.T) {
	if _, err := Normalize([]byte("a\n\"unterminated\n")); err == nil {
		t.Error("want an error for a broken quote")
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name      string
		want, got []string
		mismatch  bool
	}{
		{"equal", []string{"a | 1"}, []string{"a | 1"}, false},
		{"both empty", []string{}, nil, false},
		{"value differs", []string{"a | 1"}, []string{"a | 2"}, true},
		{"missing row", []string{"a | 1", "b | 2"}, []string{"a | 1"}, true},
		{"extra row", []string{"a | 1"}, []string{"a | 1", "b | 2"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Compare(tt.want, tt.got)
			if got := errors.Is(err, ErrMismatch); got != tt.mismatch {
				t.Errorf("Compare(%q, %q) = %v, want mismatch %v", tt.want, tt.got, err, tt.mismatch)
			}
		})
	}
}
