package engine_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/engine"
	"github.com/nectar-dev/nectar/gen"
	"github.com/nectar-dev/nectar/types"
)

// layoutReal writes the repository's real Segment events into their
// bucket's layout under a temporary directory and returns the glob of
// the objects and every line, by file.
func layoutReal(t *testing.T) (glob string, lines map[string][]string) {
	t.Helper()
	events, listing, err := gen.OpenSamples("..")
	if err != nil {
		t.Fatal(err)
	}
	defer events.Close()
	defer listing.Close()
	dir := t.TempDir()
	paths, err := gen.LayoutSamples(dir, events, listing)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "segment-logs", "**", "*.gz"), readLines(t, paths)
}

func readLines(t *testing.T, paths []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			out[p] = append(out[p], sc.Text())
		}
		f.Close()
	}
	return out
}

// jsonPath returns the value at a dotted path of a decoded line.
func jsonPath(v any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// sparkDouble is a JSON value as Spark's sum reads it from a column that
// holds numbers and strings (a STRING column cast to DOUBLE).
func sparkDouble(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// TestRealSamplesDrift checks answers over the real events against plain
// Go over every line. In them properties.lead_count, opp_count and
// created_month are numbers in some events and strings in others; with a
// schema sampled from a few lines (as the issue saw with a real bucket's
// many files) the later files drift from the sample, and the answer must
// not change.
func TestRealSamplesDrift(t *testing.T) {
	glob, files := layoutReal(t)
	// Plain Go over every line: per day folder, the count, the sums of
	// lead_count and opp_count read as Spark reads a STRING column, and
	// how many events have lead_count.
	type dayAgg struct {
		n, leads        int64
		leadSum, oppSum float64
		maxMonth        string
		anons           map[string]bool
		sawMonth        bool
	}
	days := map[string]*dayAgg{}
	for path, lines := range files {
		day := filepath.Base(filepath.Dir(path))
		d := days[day]
		if d == nil {
			d = &dayAgg{anons: map[string]bool{}}
			days[day] = d
		}
		for _, l := range lines {
			dec := json.NewDecoder(strings.NewReader(l))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			d.n++
			if x, ok := jsonPath(v, "properties.lead_count"); ok && x != nil {
				d.leads++
				f, _ := sparkDouble(x)
				d.leadSum += f
			}
			if x, ok := jsonPath(v, "properties.opp_count"); ok && x != nil {
				f, _ := sparkDouble(x)
				d.oppSum += f
			}
			if x, ok := jsonPath(v, "properties.created_month"); ok && x != nil {
				// A STRING column holds a number as its JSON text.
				s := fmt.Sprint(x)
				if !d.sawMonth || s > d.maxMonth {
					d.maxMonth, d.sawMonth = s, true
				}
			}
			if a, ok := jsonPath(v, "anonymousId"); ok {
				d.anons[a.(string)] = true
			}
		}
	}
	var want []string
	var dayNames []string
	for day := range days {
		dayNames = append(dayNames, day)
	}
	sort.Strings(dayNames)
	for _, day := range dayNames {
		d := days[day]
		want = append(want, fmt.Sprintf("%s|%d|%d|%s|%s|%s|%d", day, d.n, d.leads, types.FormatFloat(d.leadSum), types.FormatFloat(d.oppSum), d.maxMonth, len(d.anons)))
	}
	if !strings.Contains(strings.Join(want, " "), "|519|519|519.0|") {
		t.Fatalf("the layout no longer holds the issue's 519 lead_count day: %v", want)
	}
	q := fmt.Sprintf(`SELECT date_format(_received_day, 'yyyyMMdd') AS day, count(*) AS n, count(properties.lead_count) AS leads,
		sum(properties.lead_count) AS lead_sum, sum(properties.opp_count) AS opp_sum, max(properties.created_month) AS max_month,
		count(DISTINCT anonymousId) AS users
		FROM read_json('%s') GROUP BY _received_day ORDER BY _received_day`, glob)
	for _, sample := range []int{0, 20, 1} {
		t.Run(fmt.Sprintf("sample=%d", sample), func(t *testing.T) {
			e := engine.New(engine.Options{SampleLines: sample, Strict: true})
			_, rows, err := engine.QueryRows(t.Context(), e, q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, r := range rows {
				if len(r) != 7 {
					t.Fatalf("row %v", r)
				}
				// The day folder is the epoch millisecond of its midnight.
				day := dayNames[min(i, len(dayNames)-1)]
				got = append(got, fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s", day, r[1], r[2], r[3], r[4], r[5], r[6]))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	// The query, on the day folder it read.
	var dayDir string
	for p := range files {
		if strings.Contains(p, "1701561600000") {
			dayDir = filepath.Dir(p)
		}
	}
	// The query, on the day folder it read: the default sample of
	// 16 of its 77 objects misses the one whose lead_counts are strings.
	e := engine.New(engine.Options{})
	_, rows, err := engine.QueryRows(t.Context(), e, "SELECT sum(properties.lead_count) AS s FROM read_json('"+dayDir+"')")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][0].K != types.Float || math.Abs(rows[0][0].F-519) > 0 {
		t.Errorf("sum(properties.lead_count) = %v, want 519.0", rows)
	}
	if got, want := e.Reads().Notes(), "properties.lead_count: 492 strings in 1 file among integers; read as STRING"; len(got) != 1 || got[0] != want {
		t.Errorf("notes %q, want %q", got, want)
	}
}
