package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/nectar-dev/nectar/types"
)

var (
	str  = types.StringValue
	num  = types.IntValue
	null = types.NullValue
)

func day(s string) types.Value {
	v, err := types.Cast(types.StringValue(s), types.Date)
	if err != nil {
		panic(err)
	}
	return v
}

// hourByVariant is the team's chart: GROUP BY hour, variant.
var hourByVariant = struct {
	schema types.Schema
	rows   [][]types.Value
}{
	types.Schema{{Name: "hour_of_day", Kind: types.Int}, {Name: "variant", Kind: types.String}, {Name: "added_to_cart", Kind: types.Int}},
	[][]types.Value{
		{num(1), str("Model_B"), num(4)}, {num(0), str("Model_A"), num(10)}, {num(0), str("Model_B"), num(2)},
		{num(1), str("Model_A"), num(12)}, {num(2), str("Model_A"), num(9)}, {num(0), null, num(1)},
	},
}

func TestFromRows(t *testing.T) {
	ch, err := FromRows(hourByVariant.schema, hourByVariant.rows)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Bars || ch.TimeX || ch.Title != "added_to_cart by hour_of_day and variant" || ch.XLabel != "hour_of_day" || ch.YLabel != "added_to_cart" {
		t.Errorf("layout %+v", ch)
	}
	// Series by key, sorted, NULL last; points sorted by x.
	if got := fmt.Sprint(ch.Series); got != "[{Model_A [0 1 2] [10 12 9]} {Model_B [0 1] [2 4]} {NULL [0] [1]}]" {
		t.Errorf("series %s", got)
	}

	wide := types.Schema{{Name: "day", Kind: types.Date}, {Name: "events", Kind: types.Int}, {Name: "revenue", Kind: types.Float}}
	ch, err = FromRows(wide, [][]types.Value{{day("2019-02-02"), num(5), types.FloatValue(2.5)}, {day("2019-02-01"), num(3), null}})
	if err != nil {
		t.Fatal(err)
	}
	if !ch.TimeX || !ch.DateX || ch.Title != "events, revenue by day" || len(ch.Series) != 2 ||
		fmt.Sprint(ch.Series[0]) != "{events [1.5489792e+09 1.5490656e+09] [3 5]}" || fmt.Sprint(ch.Series[1]) != "{revenue [1.5490656e+09] [2.5]}" {
		t.Errorf("wide by day: %+v", ch)
	}

	bars := types.Schema{{Name: "event", Kind: types.String}, {Name: "n", Kind: types.Int}}
	ch, err = FromRows(bars, [][]types.Value{{str("Viewed"), num(9)}, {null, num(2)}, {str("Clicked"), num(3)}})
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Bars || fmt.Sprint(ch.Categories) != "[Viewed NULL Clicked]" || fmt.Sprint(ch.Series) != "[{n [0 1 2] [9 2 3]}]" {
		t.Errorf("bars: %+v", ch)
	}
}

func TestFromRowsRefuses(t *testing.T) {
	s := func(kinds ...types.Kind) types.Schema {
		var out types.Schema
		for i, k := range kinds {
			out = append(out, types.Column{Name: fmt.Sprintf("c%d", i+1), Kind: k})
		}
		return out
	}
	one := [][]types.Value{{str("a"), str("b"), str("c")}}
	var many [][]types.Value
	for i := range 13 {
		many = append(many, []types.Value{num(int64(i)), str(fmt.Sprint("v", i)), num(1)})
	}
	cases := []struct {
		name   string
		schema types.Schema
		rows   [][]types.Value
		hint   string
	}{
		{"one column", s(types.Int), [][]types.Value{{num(1)}}, "a chart needs two columns, x then the numbers to draw; the result has 1"},
		{"no rows", s(types.Int, types.Int), nil, "the result has no rows"},
		{"text to draw", s(types.String, types.String), one, "column 2, c2, is STRING: after x (and a column naming the series) a chart takes numbers"},
		{"text after the key", s(types.String, types.String, types.String), one, "column 3, c3, is STRING"},
		{"only NULLs", s(types.String, types.Int), [][]types.Value{{str("a"), null}}, "every value to draw is NULL"},
		{"too many series", s(types.Int, types.String, types.Int), many, "13 series (values of c2), more than the 12 a chart keeps readable: filter or group them first"},
	}
	for _, c := range cases {
		_, err := FromRows(c.schema, c.rows)
		if !errors.Is(err, ErrNotPlottable) || !strings.Contains(err.Error(), c.hint) {
			t.Errorf("%s: %v, want ErrNotPlottable saying %q", c.name, err, c.hint)
		}
	}
	if _, err := FormatFor("out.jpg"); err == nil || !strings.Contains(err.Error(), ".png or .svg") {
		t.Errorf("FormatFor(out.jpg): %v", err)
	}
	if f, err := FormatFor("dir/Out.SVG"); f != "svg" || err != nil {
		t.Errorf("FormatFor(Out.SVG) = %q, %v", f, err)
	}
}

// svgText parses an SVG document and returns its text elements.
func svgText(t *testing.T, svg []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var out []string
	inText, root := false, ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			inText = tok.Name.Local == "text"
		case xml.CharData:
			if inText {
				out = append(out, string(tok))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q", root)
	}
	return out
}

func hex(i int) string {
	c := Color(i)
	return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B)
}

// TestDraw renders charts as SVG and PNG and checks what a reader sees:
// the title and axis labels, the tick labels, one legend entry and one
// coloured line (with a segment per point after the first) or set of bars
// per series; and that the PNG decodes at the chart's size.
func TestDraw(t *testing.T) {
	ch, err := FromRows(hourByVariant.schema, hourByVariant.rows)
	if err != nil {
		t.Fatal(err)
	}
	var svg bytes.Buffer
	if err := ch.Write(&svg, "svg"); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(svgText(t, svg.Bytes()), "|")
	for _, want := range []string{"added_to_cart by hour_of_day and variant", "hour_of_day", "added_to_cart", "Model_A", "Model_B", "NULL", "|0|", "|2|"} {
		if !strings.Contains("|"+text+"|", want) {
			t.Errorf("SVG text lacks %q: %s", want, text)
		}
	}
	for i, s := range ch.Series {
		if len(s.X) < 2 {
			continue // a point alone is its glyph
		}
		// The line: a path in the series' colour, 2 points wide, with a
		// segment to each point after the first.
		line := regexp.MustCompile(`<path d="M[^"]*" style="fill:none;stroke:` + hex(i) + `;stroke-width:2"`)
		paths := line.FindAllString(svg.String(), -1)
		found := false
		for _, p := range paths {
			if strings.Count(p, "L") == len(s.X)-1 {
				found = true
			}
		}
		if !found {
			t.Errorf("series %s: no %s line of %d points in %q", s.Name, hex(i), len(s.X), paths)
		}
	}

	var pngBuf bytes.Buffer
	if err := ch.Write(&pngBuf, "png"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&pngBuf)
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 8*DPI || b.Dy() != 4.5*DPI {
		t.Errorf("PNG is %dx%d", b.Dx(), b.Dy())
	}
	// Each series' colour is drawn.
	seen := map[int]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 2 {
		for x := 0; x < img.Bounds().Dx(); x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			for i := range ch.Series {
				c := Color(i)
				if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(b>>8) == c.B {
					seen[i] = true
				}
			}
		}
	}
	if len(seen) != len(ch.Series) {
		t.Errorf("PNG shows the colours of series %v of %d", seen, len(ch.Series))
	}

	// Bars: grouped by category, the categories labelled on x.
	schema := types.Schema{{Name: "event", Kind: types.String}, {Name: "variant", Kind: types.String}, {Name: "n", Kind: types.Int}}
	rows := [][]types.Value{{str("Viewed"), str("A"), num(9)}, {str("Viewed"), str("B"), num(4)}, {str("Clicked"), str("A"), num(3)}}
	bars, err := FromRows(schema, rows)
	if err != nil {
		t.Fatal(err)
	}
	svg.Reset()
	if err := bars.Write(&svg, "svg"); err != nil {
		t.Fatal(err)
	}
	text = strings.Join(svgText(t, svg.Bytes()), "|")
	for _, want := range []string{"n by event and variant", "Viewed", "Clicked", "A", "B"} {
		if !strings.Contains(text, want) {
			t.Errorf("bar SVG text lacks %q: %s", want, text)
		}
	}
	for i, want := range []int{2, 1} { // A has two bars, B one (its Clicked is empty: height 0)
		fills := strings.Count(svg.String(), "fill:"+hex(i)) - 1 // one is the legend's box
		if fills < want {
			t.Errorf("series %d: %d bars, want %d", i, fills, want)
		}
	}
}
