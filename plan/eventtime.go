package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/nectar-dev/nectar/functions"
	"github.com/nectar-dev/nectar/syntax"
	"github.com/nectar-dev/nectar/types"
)

// Event time: Spark's WATERMARK clause and window(time, size[, slide])
// bind to the two nodes below, as Spark's analyzer makes them an
// EventTimeWatermark and a TimeWindowing projection. A batch query runs
// them like any node; a stream (package stream) reads the delay from the
// Watermark and keeps the TimeWindows' windows as aggregation state.

// Watermark is a FROM item's WATERMARK time DELAY OF interval: the rows of
// Input, with how late an event may arrive, by Time, before a stream
// closes the state it would update. A batch query has no state to close:
// the node passes its input through.
type Watermark struct {
	Input Node
	Time  Expr // the event time, as a TIMESTAMP
	// Named is the name WATERMARK time AS name gives the time, which
	// nothing reads yet (a stream refuses it).
	Named string
	Delay time.Duration
}

// TimeWindows puts each row of Input in every event-time window of Size,
// sliding by Slide (equal for tumbling windows), that holds its Time:
// Input's columns, then the window's start and end (window.start and
// window.end, which a GROUP BY window(…) groups by). Windows start at
// multiples of Slide since the epoch, as in Spark; a row whose Time is
// NULL is in no window.
type TimeWindows struct {
	Input       Node
	Time        Expr // a TIMESTAMP over Input
	Size, Slide time.Duration
}

// The names of the window bounds TimeWindows adds, as Spark's window
// struct spells its fields.
const (
	WindowStart = "window.start"
	WindowEnd   = "window.end"
)

func (w *Watermark) Schema() types.Schema { return w.Input.Schema() }
func (w *TimeWindows) Schema() types.Schema {
	return append(append(types.Schema{}, w.Input.Schema()...),
		types.Column{Name: WindowStart, Kind: types.Timestamp}, types.Column{Name: WindowEnd, Kind: types.Timestamp})
}
func (*Watermark) Streaming() Streaming   { return perBatch }
func (*TimeWindows) Streaming() Streaming { return perBatch }
func (w *Watermark) Children() []Node     { return []Node{w.Input} }
func (w *TimeWindows) Children() []Node   { return []Node{w.Input} }
func (w *Watermark) Describe() string {
	return fmt.Sprintf("Watermark %s DELAY OF %s", w.Time, IntervalText(w.Delay))
}
func (w *TimeWindows) Describe() string {
	if w.Slide == w.Size {
		return fmt.Sprintf("TimeWindows %s SIZE %s", w.Time, IntervalText(w.Size))
	}
	return fmt.Sprintf("TimeWindows %s SIZE %s SLIDE %s", w.Time, IntervalText(w.Size), IntervalText(w.Slide))
}

// IntervalText writes d as Spark's interval text in its largest exact
// unit: 2 HOURS, 90 MINUTES.
func IntervalText(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "DAY"}, {time.Hour, "HOUR"}, {time.Minute, "MINUTE"}, {time.Second, "SECOND"}, {time.Millisecond, "MILLISECOND"}} {
		if d%u.d == 0 {
			n := d / u.d
			if n == 1 {
				return "1 " + u.name
			}
			return fmt.Sprintf("%d %sS", n, u.name)
		}
	}
	return fmt.Sprintf("%d MICROSECONDS", d.Microseconds())
}

// eventTime binds a time expression of a watermark or a window as a
// TIMESTAMP: a STRING (Segment's ISO timestamp) or DATE is cast, as Spark
// casts it.
func eventTime(c *exprCtx, e syntax.Expr, what string) (Expr, error) {
	x, err := c.bind(e)
	if err != nil {
		return nil, err
	}
	switch x.Kind() {
	case types.Timestamp:
		return x, nil
	case types.String, types.Date, types.Null:
		return castExpr(x, types.Timestamp), nil
	}
	return nil, syntax.Errorf(e.Position(), "%s needs a timestamp, got %s", what, x.Kind())
}

// watermark binds FROM item WATERMARK time DELAY OF interval.
func (b *binder) watermark(t *syntax.WatermarkTable) (Node, scope, error) {
	in, sc, err := b.from(t.Unwrap())
	if err != nil {
		return nil, nil, err
	}
	tm, err := eventTime(&exprCtx{b: b, sc: sc, clause: "WATERMARK"}, t.Time, "WATERMARK")
	if err != nil {
		return nil, nil, err
	}
	d, err := intervalDuration(t.Delay)
	if err != nil {
		return nil, nil, fmt.Errorf("WATERMARK delay: %w", err)
	}
	return &Watermark{Input: in, Time: tm, Named: t.TimeName, Delay: d}, sc, nil
}

// isWindowCall reports whether e is a call of window(…), which only a
// GROUP BY (and the select items that repeat it) may hold.
func isWindowCall(e syntax.Expr) (*syntax.Call, bool) {
	c, ok := e.(*syntax.Call)
	return c, ok && strings.EqualFold(c.Name, "window")
}

// timeWindows desugars GROUP BY window(time, size[, slide]) as Spark's
// TimeWindowing rule does: the input gains the window's bounds
// (TimeWindows), the GROUP BY groups by them, and a select item that
// repeats the call becomes its two bounds, named window_start and
// window_end (or alias_start and alias_end: nectar has no STRUCT for
// Spark's window column; window.start and window.end name them as in
// Spark). It returns sel unchanged when it groups by no window.
func (b *binder) timeWindows(in Node, sc scope, sel *syntax.Select) (Node, scope, *syntax.Select, error) {
	var call *syntax.Call
	for _, g := range sel.GroupBy {
		c, ok := isWindowCall(g)
		if !ok {
			continue
		}
		if call != nil && c.String() != call.String() {
			return nil, nil, nil, syntax.Errorf(c.Position(), "more than one window(…) in a GROUP BY: each row would be in the product of their windows; group by one")
		}
		call = c
	}
	if call == nil {
		return in, sc, sel, nil
	}
	if len(call.Args) < 2 || len(call.Args) > 3 {
		return nil, nil, nil, syntax.Errorf(call.Position(), "window(time, size[, slide]) takes 2 or 3 arguments")
	}
	tm, err := eventTime(&exprCtx{b: b, sc: sc, clause: "GROUP BY"}, call.Args[0], "window(…)")
	if err != nil {
		return nil, nil, nil, err
	}
	w := &TimeWindows{Input: in, Time: tm}
	if w.Size, err = durationArg(call.Args[1]); err != nil {
		return nil, nil, nil, err
	}
	w.Slide = w.Size
	if len(call.Args) == 3 {
		if w.Slide, err = durationArg(call.Args[2]); err != nil {
			return nil, nil, nil, err
		}
	}
	if w.Slide > w.Size {
		return nil, nil, nil, syntax.Errorf(call.Position(), "window slide %s is longer than its size %s", IntervalText(w.Slide), IntervalText(w.Size))
	}
	sc = append(append(scope{}, sc...), scopeCol{Name: WindowStart, Kind: types.Timestamp, Hidden: true}, scopeCol{Name: WindowEnd, Kind: types.Timestamp, Hidden: true})

	at := syntax.At{P: call.Position()}
	start := &syntax.Ident{At: at, Parts: []string{"window", "start"}}
	end := &syntax.Ident{At: at, Parts: []string{"window", "end"}}
	text := call.String()
	out := *sel
	out.GroupBy = nil
	for _, g := range sel.GroupBy {
		if g.String() == text {
			out.GroupBy = append(out.GroupBy, start, end)
			continue
		}
		out.GroupBy = append(out.GroupBy, g)
	}
	out.Items = nil
	for _, it := range sel.Items {
		if it.Expr.String() != text {
			out.Items = append(out.Items, it)
			continue
		}
		s, e := "window_start", "window_end"
		if it.Alias != "" && !strings.EqualFold(it.Alias, "window") {
			s, e = it.Alias+"_start", it.Alias+"_end"
		}
		out.Items = append(out.Items, syntax.SelectItem{Expr: start, Alias: s}, syntax.SelectItem{Expr: end, Alias: e})
	}
	return w, sc, &out, nil
}

// durationArg reads a window's size or slide: a constant string such as
// '1 hour', or an INTERVAL.
func durationArg(e syntax.Expr) (time.Duration, error) {
	var text string
	switch e := e.(type) {
	case *syntax.Literal:
		if e.Value.K != types.String {
			return 0, syntax.Errorf(e.Position(), "window size and slide must be constant strings such as '1 hour'")
		}
		text = e.Value.S
	case *syntax.Interval:
		return intervalDuration(e)
	default:
		return 0, syntax.Errorf(e.Position(), "window size and slide must be constant strings such as '1 hour'")
	}
	d, err := functions.ParseDuration(text)
	if err != nil {
		return 0, syntax.Errorf(e.Position(), "%v", err)
	}
	return d, nil
}
