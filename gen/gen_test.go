package gen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

const samples = "../../shared/samples/segment/"

// keyRE is the shape of Segment's archive keys; TestKeyRegexpMatchesRealListing
// proves it against the real bucket listing before it judges ours.
var keyRE = regexp.MustCompile(`^segment-logs/([0-9A-Za-z]{22})/(\d{13})/(\d{13})\.events-archiver-\d+-\d+\.\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(gz|zst|json)$`)

type line struct {
	raw   []byte
	file  int
	valid bool
	ev    *record
}

type record struct {
	AnonymousID       string          `json:"anonymousId"`
	Event             string          `json:"event"`
	Type              string          `json:"type"`
	MessageID         string          `json:"messageId"`
	OriginalTimestamp string          `json:"originalTimestamp"`
	SentAt            string          `json:"sentAt"`
	ReceivedAt        string          `json:"receivedAt"`
	Timestamp         string          `json:"timestamp"`
	UserID            json.RawMessage `json:"userId"`
	Version           int             `json:"version"`
	Properties        struct {
		ExperimentID   string `json:"experiment_id"`
		ExperimentIDCC string `json:"experimentId"`
		VariationID    string `json:"variation_id"`
		VariationIDCC  string `json:"variationId"`
		Vertical       string `json:"vertical"`
		Currency       string `json:"currency"`
		OrderID        string `json:"order_id"`
		Revenue        json.Number
		Shipping       json.Number
		Tax            json.Number
		Total          json.Number
		Price          json.Number
		Recommender    *struct {
			Variant string `json:"variant"`
			Slot    int    `json:"slot"`
		} `json:"recommender"`
		Products []struct {
			Price    json.Number `json:"price"`
			Quantity int         `json:"quantity"`
			Vertical string      `json:"vertical"`
		} `json:"products"`
	} `json:"properties"`
}

type dataset struct {
	opts      Options
	sum       Summary
	keys      []string // relative paths
	fileBytes []int64
	lines     []line
	perFile   [][]int // line indices per file
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	switch filepath.Ext(path) {
	case ".gz":
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		r = zr
	case ".zst":
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		defer zr.Close()
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

func load(t testing.TB, o Options) *dataset {
	t.Helper()
	s, err := Generate(context.Background(), o)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	d := &dataset{opts: o, sum: s}
	err = filepath.Walk(o.Out, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(o.Out, p)
		d.keys = append(d.keys, filepath.ToSlash(rel))
		d.fileBytes = append(d.fileBytes, info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(d.keys) // Walk is lexical already; make it explicit
	for fi, k := range d.keys {
		data := readFile(t, filepath.Join(o.Out, k))
		var idx []int
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			raw := append([]byte(nil), sc.Bytes()...)
			l := line{raw: raw, file: fi, valid: json.Valid(raw)}
			if l.valid {
				l.ev = new(record)
				if err := json.Unmarshal(raw, l.ev); err != nil {
					t.Fatalf("%s: %v in %s", k, err, raw)
				}
			}
			idx = append(idx, len(d.lines))
			d.lines = append(d.lines, l)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		d.perFile = append(d.perFile, idx)
	}
	return d
}

var (
	bigOnce sync.Once
	bigData *dataset
	bigDir  string
)

// big is one shared, realistic data set (≈5,000 users, a week, gzip, with
// malformed and duplicate lines) that most tests inspect from one angle each.
func big(t *testing.T) *dataset {
	t.Helper()
	bigOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nectar-gen-test")
		if err != nil {
			t.Fatal(err)
		}
		bigDir = dir
		bigData = load(t, Options{Out: dir, Events: 120_000, Files: 14, Seed: 42, Users: 5_000,
			Malformed: 0.004, Duplicates: 0.01})
	})
	if bigData == nil {
		t.Fatal("shared data set failed to build")
	}
	return bigData
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

func parseTS(t *testing.T, s string) int64 {
	t.Helper()
	tm, err := time.Parse("2006-01-02T15:04:05.000Z", s)
	if err != nil {
		t.Fatalf("timestamp %q: %v", s, err)
	}
	return tm.UnixMilli()
}

func TestKeyRegexpMatchesRealListing(t *testing.T) {
	f, err := os.Open(samples + "real-s3-listing.jsonl")
	if err != nil {
		t.Skipf("real listing not available: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var obj struct{ Key string }
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(obj.Key, "dummy-object.txt") {
			continue
		}
		if !keyRE.MatchString(obj.Key) {
			t.Errorf("real key %q does not match", obj.Key)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no keys read")
	}
}

func TestSummaryMatchesFiles(t *testing.T) {
	d := big(t)
	if d.sum.Files != d.opts.Files || len(d.keys) != d.opts.Files {
		t.Errorf("files: summary %d, on disk %d, want %d", d.sum.Files, len(d.keys), d.opts.Files)
	}
	if d.sum.Events != d.opts.Events || int64(len(d.lines)) != d.opts.Events {
		t.Errorf("events: summary %d, lines %d, want %d", d.sum.Events, len(d.lines), d.opts.Events)
	}
	var raw, disk int64
	for i, l := range d.lines {
		_ = i
		raw += int64(len(l.raw)) + 1
	}
	for _, b := range d.fileBytes {
		disk += b
	}
	if raw != d.sum.Bytes || disk != d.sum.CompressedBytes {
		t.Errorf("bytes: summary %d/%d, measured %d/%d", d.sum.Bytes, d.sum.CompressedBytes, raw, disk)
	}
}

func TestLayoutAndDayFolder(t *testing.T) {
	d := big(t)
	days := map[string]bool{}
	for fi, k := range d.keys {
		m := keyRE.FindStringSubmatch(k)
		if m == nil || m[4] != "gz" {
			t.Fatalf("key %q does not look like Segment's", k)
		}
		day, _ := strconv.ParseInt(m[2], 10, 64)
		flush, _ := strconv.ParseInt(m[3], 10, 64)
		days[m[2]] = true
		if day%msPerDay != 0 {
			t.Errorf("%s: day folder is not a UTC midnight", k)
		}
		var maxRecv int64
		for _, li := range d.perFile[fi] {
			l := d.lines[li]
			if !l.valid {
				continue
			}
			recv := parseTS(t, l.ev.ReceivedAt)
			if got := recv - recv%msPerDay; got != day {
				t.Fatalf("%s: receivedAt %s is not in day folder %d", k, l.ev.ReceivedAt, day)
			}
			maxRecv = max(maxRecv, recv)
		}
		if flush < maxRecv || flush >= day+msPerDay {
			t.Errorf("%s: flush time %d not in [last receivedAt %d, end of day)", k, flush, maxRecv)
		}
	}
	if len(days) != 7 {
		t.Errorf("got %d day folders, want 7", len(days))
	}
}

func TestValidJSONExceptMalformed(t *testing.T) {
	d := big(t)
	var bad int64
	for _, l := range d.lines {
		if !l.valid {
			bad++
		}
	}
	if bad != d.sum.Malformed {
		t.Errorf("invalid lines %d, summary says %d malformed", bad, d.sum.Malformed)
	}
	want := int64(float64(d.opts.Events) * d.opts.Malformed)
	if math.Abs(float64(bad-want)) > float64(d.opts.Files) {
		t.Errorf("malformed %d, want about %d", bad, want)
	}
}

func TestTimestampRule(t *testing.T) {
	d := big(t)
	start := toMS(DefaultStart)
	crossDay := 0
	for _, l := range d.lines {
		if !l.valid {
			continue
		}
		e := l.ev
		orig, sent, recv, ts := parseTS(t, e.OriginalTimestamp), parseTS(t, e.SentAt), parseTS(t, e.ReceivedAt), parseTS(t, e.Timestamp)
		if ts != recv-(sent-orig) {
			t.Fatalf("timestamp %s != receivedAt - (sentAt - originalTimestamp) in %s", e.Timestamp, l.raw)
		}
		if recv < ts {
			t.Fatalf("received before it happened: %s", l.raw)
		}
		if ts < start-msPerDay {
			t.Fatalf("timestamp %s long before the start", e.Timestamp)
		}
		if ts/msPerDay != recv/msPerDay {
			crossDay++
		}
		if e.Version != 2 {
			t.Fatalf("version %d", e.Version)
		}
	}
	if crossDay == 0 {
		t.Error("no event whose timestamp and receivedAt fall on different days")
	}
}

func TestKeyOrderIsAlphabetical(t *testing.T) {
	d := big(t)
	for i, l := range d.lines {
		if !l.valid || i%7 != 0 {
			continue
		}
		keys, vals := objectKeys(t, l.raw)
		if !sort.StringsAreSorted(keys) {
			t.Fatalf("top-level keys not sorted: %v", keys)
		}
		for _, nested := range []string{"context", "properties", "traits"} {
			if v, ok := vals[nested]; ok {
				if k, _ := objectKeys(t, v); !sort.StringsAreSorted(k) {
					t.Fatalf("%s keys not sorted: %v", nested, k)
				}
			}
		}
	}
}

func objectKeys(t *testing.T, raw []byte) ([]string, map[string][]byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	vals := map[string][]byte{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		k := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
		vals[k] = v
	}
	return keys, vals
}

func TestDuplicatesShareMessageID(t *testing.T) {
	d := big(t)
	first := map[string][]byte{}
	seen := map[string]int{}
	for _, l := range d.lines {
		if !l.valid {
			continue
		}
		id := l.ev.MessageID
		seen[id]++
		if prev, ok := first[id]; ok && !bytes.Equal(prev, l.raw) {
			t.Fatalf("messageId %s delivered twice with different content", id)
		}
		first[id] = l.raw
	}
	var twice int64
	for id, n := range seen {
		switch {
		case n == 2:
			twice++
		case n > 2:
			t.Errorf("messageId %s seen %d times", id, n)
		}
	}
	if twice != d.sum.Duplicates || twice == 0 {
		t.Errorf("messageIds seen twice: %d, summary says %d", twice, d.sum.Duplicates)
	}
}

func TestArrivalOrderWithinFile(t *testing.T) {
	d := big(t)
	for fi, idx := range d.perFile {
		seen := map[string]bool{}
		var last int64
		for _, li := range idx {
			l := d.lines[li]
			if !l.valid || seen[l.ev.MessageID] {
				continue // a duplicate arrives late by design
			}
			seen[l.ev.MessageID] = true
			recv := parseTS(t, l.ev.ReceivedAt)
			if recv < last {
				t.Fatalf("%s: receivedAt goes back from %d to %d", d.keys[fi], last, recv)
			}
			last = recv
		}
	}
}

func TestEventMixAndSize(t *testing.T) {
	d := big(t)
	types := map[string]int{}
	var size, n int
	msgShapes := map[string]int{}
	userIDs := map[string]int{}
	shapes := []struct {
		name string
		re   *regexp.Regexp
	}{
		{"ajs-next", regexp.MustCompile(`^ajs-next-[0-9a-f]{32}$`)},
		{"ajs", regexp.MustCompile(`^ajs-[0-9a-f]{32}$`)},
		{"uuid", regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)},
	}
	for _, l := range d.lines {
		if !l.valid {
			continue
		}
		types[l.ev.Type]++
		size += len(l.raw) + 1
		n++
		shape := "other"
		for _, s := range shapes {
			if s.re.MatchString(l.ev.MessageID) {
				shape = s.name
				break
			}
		}
		msgShapes[shape]++
		switch {
		case l.ev.UserID == nil:
			userIDs["absent"]++
		case string(l.ev.UserID) == "null":
			userIDs["null"]++
		default:
			userIDs["string"]++
		}
	}
	for _, c := range []struct {
		typ    string
		lo, hi float64
	}{{"track", 0.70, 0.80}, {"page", 0.15, 0.25}, {"identify", 0.03, 0.07}} {
		if share := float64(types[c.typ]) / float64(n); share < c.lo || share > c.hi {
			t.Errorf("%s share %.3f not in [%.2f, %.2f]", c.typ, share, c.lo, c.hi)
		}
	}
	if avg := float64(size) / float64(n); avg < 900 || avg > 1500 {
		t.Errorf("average event size %.0f bytes, want 0.9-1.5 KB", avg)
	}
	for _, s := range []string{"ajs-next", "ajs", "uuid"} {
		if msgShapes[s] == 0 {
			t.Errorf("no %s messageIds", s)
		}
	}
	if msgShapes["other"] != 0 {
		t.Errorf("%d messageIds of unknown shape", msgShapes["other"])
	}
	for _, k := range []string{"absent", "null", "string"} {
		if userIDs[k] == 0 {
			t.Errorf("no events with userId %s", k)
		}
	}
}

// userVariants maps anonymousId to the variant its Experiment Viewed events
// announce, failing on users that announce two.
func userVariants(t *testing.T, d *dataset) (variant map[string]string, camel map[string]bool) {
	variant, camel = map[string]string{}, map[string]bool{}
	for _, l := range d.lines {
		if !l.valid || l.ev.Event != "Experiment Viewed" {
			continue
		}
		p := &l.ev.Properties
		exp, v := p.ExperimentID, p.VariationID
		if p.ExperimentIDCC != "" {
			exp, v = p.ExperimentIDCC, p.VariationIDCC
			camel[l.ev.AnonymousID] = true
		}
		if exp != Experiment.ID {
			t.Fatalf("experiment id %q", exp)
		}
		if old, ok := variant[l.ev.AnonymousID]; ok && old != v {
			t.Fatalf("user %s in %s and %s", l.ev.AnonymousID, old, v)
		}
		variant[l.ev.AnonymousID] = v
	}
	return variant, camel
}

func TestExperimentAssignment(t *testing.T) {
	d := big(t)
	variant, camel := userVariants(t, d)
	if len(variant) < 3_000 {
		t.Fatalf("only %d users saw the experiment", len(variant))
	}
	counts := map[string]int{}
	for _, v := range variant {
		counts[v]++
	}
	for i, name := range Experiment.Variants {
		share := float64(counts[name]) / float64(len(variant))
		if math.Abs(share-Experiment.Weights[i]) > 0.02 {
			t.Errorf("%s: %.3f of users, want %.2f ± 0.02", name, share, Experiment.Weights[i])
		}
		if got := d.sum.Variants[name]; got < int64(counts[name]) || got > int64(counts[name])+d.sum.Malformed {
			t.Errorf("summary says %d users in %s, data has %d", got, name, counts[name])
		}
	}
	if share := float64(len(camel)) / float64(len(variant)); share < 0.06 || share > 0.14 {
		t.Errorf("camelCase experimentId share %.3f, want about 0.10", share)
	}
	if len(camel) == len(variant) {
		t.Error("no snake_case experiment_id events")
	}
}

func TestSessionsStartWithExperimentViewed(t *testing.T) {
	d := big(t)
	type firstEv struct {
		t    int64
		name string
	}
	first := map[string]firstEv{}
	for _, l := range d.lines {
		if !l.valid {
			continue
		}
		// originalTimestamp carries one clock per user, so it orders a
		// user's events even when that clock is wrong.
		ts := parseTS(t, l.ev.OriginalTimestamp)
		if f, ok := first[l.ev.AnonymousID]; !ok || ts < f.t {
			first[l.ev.AnonymousID] = firstEv{ts, l.ev.Event}
		}
	}
	miss := 0
	for _, f := range first {
		if f.name != "Experiment Viewed" {
			miss++
		}
	}
	// A malformed line can swallow a user's first event.
	if limit := int(d.sum.Malformed); miss > limit {
		t.Errorf("%d of %d users do not start with Experiment Viewed", miss, len(first))
	}
}

func TestRecommenderEffect(t *testing.T) {
	d := big(t)
	variant, _ := userVariants(t, d)
	views, clicks := map[string]float64{}, map[string]float64{}
	verticals := map[string]int{}
	for _, l := range d.lines {
		if !l.valid {
			continue
		}
		p := &l.ev.Properties
		if p.Vertical != "" {
			verticals[p.Vertical]++
		}
		if p.Recommender == nil {
			continue
		}
		if v := variant[l.ev.AnonymousID]; v != "" && v != p.Recommender.Variant {
			t.Fatalf("user in %s got a %s recommendation", v, p.Recommender.Variant)
		}
		switch l.ev.Event {
		case "Product Viewed":
			views[p.Recommender.Variant]++
		case "Product Clicked":
			clicks[p.Recommender.Variant]++
		}
	}
	ctrA, ctrB := clicks["Model_A"]/views["Model_A"], clicks["Model_B"]/views["Model_B"]
	if !(ctrB > ctrA*1.1) {
		t.Errorf("click-through A %.3f, B %.3f: want B modestly higher", ctrA, ctrB)
	}
	if ctrB > ctrA*2 {
		t.Errorf("click-through A %.3f, B %.3f: lift is not modest", ctrA, ctrB)
	}
	for v := range verticals {
		if !strings.Contains("Food Fashion Electronics Home Beauty", v) {
			t.Errorf("unknown vertical %q", v)
		}
	}
	for v, n := range verticals {
		if n > verticals["Food"] {
			t.Errorf("vertical %s (%d) more common than Food (%d)", v, n, verticals["Food"])
		}
	}
}

func cents(t *testing.T, n json.Number) int64 {
	t.Helper()
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		t.Fatalf("amount %q: %v", n, err)
	}
	if s := string(n); strings.Contains(s, ".") && len(s)-strings.Index(s, ".") != 3 {
		t.Fatalf("amount %q does not have 2 decimals", s)
	}
	return int64(math.Round(f * 100))
}

func TestOrders(t *testing.T) {
	d := big(t)
	orders := 0
	for _, l := range d.lines {
		if !l.valid || l.ev.Event != "Order Completed" {
			continue
		}
		orders++
		p := &l.ev.Properties
		if len(p.Products) < 1 || len(p.Products) > 4 {
			t.Fatalf("order with %d products", len(p.Products))
		}
		var sum int64
		for _, pr := range p.Products {
			sum += cents(t, pr.Price) * int64(pr.Quantity)
		}
		rev := cents(t, p.Revenue)
		if rev != sum {
			t.Fatalf("revenue %s != sum of products %d cents", p.Revenue, sum)
		}
		if tot := cents(t, p.Total); tot != rev+cents(t, p.Shipping)+cents(t, p.Tax) {
			t.Fatalf("total %s != revenue + shipping + tax", p.Total)
		}
		if p.Currency != "USD" || p.OrderID == "" {
			t.Fatalf("order without currency or id: %s", l.raw)
		}
	}
	if orders < 100 {
		t.Errorf("only %d orders", orders)
	}
}

func TestHourOfDayPeak(t *testing.T) {
	d := big(t)
	var hours [24]int
	for _, l := range d.lines {
		if l.valid {
			hours[parseTS(t, l.ev.Timestamp)%msPerDay/3_600_000]++
		}
	}
	lo, hi, peak := hours[0], hours[0], 0
	for h, n := range hours {
		lo = min(lo, n)
		if n > hi {
			hi, peak = n, h
		}
	}
	if float64(hi) < 3*float64(lo) {
		t.Errorf("hourly counts %v: peak %d not 3x trough %d", hours, hi, lo)
	}
	if peak > 3 && peak < 22 {
		t.Errorf("peak at %02d UTC, want the US evening (22-03 UTC)", peak)
	}
}

func dirContents(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	base := Options{Events: 12_000, Files: 5, Days: 3, Seed: 7, Malformed: 0.01, Duplicates: 0.02}
	run := func(workers int, seed int64) (map[string][]byte, Summary) {
		o := base
		o.Out, o.Workers, o.Seed = t.TempDir(), workers, seed
		s, err := Generate(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		return dirContents(t, o.Out), s
	}
	a, sa := run(1, 7)
	b, sb := run(3, 7)
	if len(a) != 5 || len(a) != len(b) {
		t.Fatalf("file counts %d and %d", len(a), len(b))
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			t.Errorf("%s differs between 1 and 3 workers", k)
		}
	}
	if sa.Bytes != sb.Bytes || sa.Duplicates != sb.Duplicates || sa.Variants["Model_B"] != sb.Variants["Model_B"] {
		t.Errorf("summaries differ: %+v vs %+v", sa, sb)
	}
	c, _ := run(2, 8)
	for k := range c {
		if _, ok := a[k]; ok {
			t.Errorf("seed 8 produced the same file name %s as seed 7", k)
		}
	}
}

func TestCompressModes(t *testing.T) {
	for _, c := range []struct{ mode, ext string }{{"", ".gz"}, {CompressGzip, ".gz"}, {CompressZstd, ".zst"}, {CompressNone, ".json"}} {
		t.Run(c.mode, func(t *testing.T) {
			o := Options{Out: t.TempDir(), Events: 3_000, Files: 3, Days: 2, Seed: 3, Compress: c.mode}
			d := load(t, o)
			for _, k := range d.keys {
				if filepath.Ext(k) != c.ext {
					t.Errorf("%s: want extension %s", k, c.ext)
				}
			}
			if int64(len(d.lines)) != o.Events {
				t.Errorf("read %d lines, want %d", len(d.lines), o.Events)
			}
			for _, l := range d.lines {
				if !l.valid {
					t.Fatalf("invalid line with Malformed=0: %.200s", l.raw)
				}
			}
			if c.mode == CompressNone && d.sum.Bytes != d.sum.CompressedBytes {
				t.Errorf("uncompressed: Bytes %d != CompressedBytes %d", d.sum.Bytes, d.sum.CompressedBytes)
			}
			if c.mode != CompressNone && d.sum.CompressedBytes*4 > d.sum.Bytes {
				t.Errorf("compressed %d of %d bytes: ratio too poor", d.sum.CompressedBytes, d.sum.Bytes)
			}
		})
	}
}

func TestInvalidOptions(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		o    Options
	}{
		{"no out", Options{Events: 10, Files: 1}},
		{"no files", Options{Out: dir, Events: 10}},
		{"fewer events than files", Options{Out: dir, Events: 2, Files: 3}},
		{"malformed 1", Options{Out: dir, Events: 10, Files: 1, Malformed: 1}},
		{"negative duplicates", Options{Out: dir, Events: 10, Files: 1, Duplicates: -0.1}},
		{"too many duplicates", Options{Out: dir, Events: 10, Files: 1, Duplicates: 0.4, Malformed: 0.3}},
		{"nan", Options{Out: dir, Events: 10, Files: 1, Malformed: math.NaN()}},
		{"compression", Options{Out: dir, Events: 10, Files: 1, Compress: "brotli"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Generate(context.Background(), c.o); !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("got %v, want ErrInvalidOptions", err)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Generate(ctx, Options{Out: dir, Events: 200_000, Files: 4, Compress: CompressNone})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	for k := range dirContents(t, dir) {
		if strings.HasSuffix(k, ".tmp") {
			t.Errorf("left temporary file %s", k)
		}
	}
}

func TestSmallOptions(t *testing.T) {
	// Fewer files than days: days shrink to fit; tiny totals still exact.
	o := Options{Out: t.TempDir(), Events: 5, Files: 2, Days: 7, Seed: 1, Start: time.Date(2020, 3, 1, 18, 30, 0, 0, time.UTC)}
	d := load(t, o)
	if len(d.keys) != 2 || len(d.lines) != 5 {
		t.Fatalf("got %d files and %d lines", len(d.keys), len(d.lines))
	}
	start := toMS(o.Start)
	for _, l := range d.lines {
		if ts := parseTS(t, l.ev.Timestamp); ts < start {
			t.Errorf("timestamp %s before Start", l.ev.Timestamp)
		}
	}
}

// BenchmarkGenerate reports JSON throughput (uncompressed bytes per second).
// The 1-worker cases give the per-core rate; "none" isolates generation
// from compression.
func BenchmarkGenerate(b *testing.B) {
	for _, c := range []struct {
		compress string
		workers  int
	}{{CompressNone, 1}, {CompressGzip, 1}, {CompressZstd, 1}, {CompressGzip, 0}} {
		name := c.compress + "/workers=" + strconv.Itoa(c.workers)
		b.Run(name, func(b *testing.B) {
			o := Options{Events: 100_000, Files: 4, Seed: 1, Compress: c.compress, Workers: c.workers, Duplicates: 0.01}
			b.ReportAllocs()
			var total int64
			for b.Loop() {
				o.Out = b.TempDir()
				s, err := Generate(context.Background(), o)
				if err != nil {
					b.Fatal(err)
				}
				total = s.Bytes
			}
			b.SetBytes(total)
		})
	}
}
