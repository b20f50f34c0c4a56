package bench

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrMismatch is wrapped by Compare when two engines disagree.
var ErrMismatch = errors.New("results differ")

// Normalize turns a CSV result (header first) into its data rows as text,
// sorted, so results compare regardless of row order. Numbers are
// reprinted with 12 significant digits: the engines sum doubles in
// different orders, and spell 1.0 as 1 or 1.0.
func Normalize(csvText []byte) ([]string, error) {
	r := csv.NewReader(bytes.NewReader(csvText))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parse CSV result: %w", err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	rows := make([]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		for i, cell := range rec {
			rec[i] = normalizeCell(cell)
		}
		rows = append(rows, strings.Join(rec, " | "))
	}
	slices.Sort(rows)
	return rows, nil
}

func normalizeCell(s string) string {
	if s == "" {
		return s
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(n, 10)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatFloat(f, 'g', 12, 64)
	}
	return s
}

// Compare reports (wrapping ErrMismatch) how got differs from want, both
// normalised rows; the message names the first few differing rows.
func Compare(want, got []string) error {
	if slices.Equal(want, got) {
		return nil
	}
	var onlyWant, onlyGot []string
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j == len(got) || (i < len(want) && want[i] < got[j]):
			onlyWant = append(onlyWant, want[i])
			i++
		case i == len(want) || got[j] < want[i]:
			onlyGot = append(onlyGot, got[j])
			j++
		default:
			i++
			j++
		}
	}
	return fmt.Errorf("%w: %d vs %d rows; only in reference: %s; only in this engine: %s",
		ErrMismatch, len(want), len(got), firstFew(onlyWant), firstFew(onlyGot))
}

func firstFew(rows []string) string {
	const n = 3
	if len(rows) == 0 {
		return "none"
	}
	s := "[" + strings.Join(rows[:min(n, len(rows))], "], [") + "]"
	if len(rows) > n {
		s += fmt.Sprintf(" and %d more", len(rows)-n)
	}
	return s
}
