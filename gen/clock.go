package gen

import (
	"math"
	"sort"
	"time"
)

const (
	msPerMinute = 60_000
	msPerDay    = 86_400_000
	minutesDay  = 1440
)

// hourWeight is the relative traffic per UTC hour. The shop's visitors are
// mostly in the Americas, so the daily peak sits at 00-03 UTC (US evening),
// with a smaller lunch bump at 16-18 UTC and a trough at 08-11 UTC.
var hourWeight = [24]float64{
	1.00, 1.05, 0.95, 0.80, 0.62, 0.45, 0.32, 0.24, 0.19, 0.17, 0.18, 0.22,
	0.30, 0.40, 0.50, 0.58, 0.66, 0.70, 0.66, 0.64, 0.68, 0.76, 0.86, 0.95,
}

// weekdayWeight scales whole days: shoppers buy food and fashion more at the
// weekend. Indexed by time.Weekday.
var weekdayWeight = [7]float64{1.18, 0.92, 0.94, 0.96, 1.00, 1.08, 1.22}

// dayCDF is the cumulative share of a day's traffic at each minute boundary,
// interpolating hourWeight linearly so the hourly histogram has no steps.
var dayCDF = func() [minutesDay + 1]float64 {
	var c [minutesDay + 1]float64
	for m := 0; m < minutesDay; m++ {
		h := float64(m)/60 - 0.5
		i := int(math.Floor(h))
		f := h - float64(i)
		a, b := hourWeight[(i+24)%24], hourWeight[(i+25)%24]
		c[m+1] = c[m] + a + (b-a)*f
	}
	total := c[minutesDay]
	for i := range c {
		c[i] /= total
	}
	return c
}()

// quantileAt returns the share of a day's traffic before offset ms.
func quantileAt(offset int64) float64 {
	if offset <= 0 {
		return 0
	}
	if offset >= msPerDay {
		return 1
	}
	m := offset / msPerMinute
	f := float64(offset%msPerMinute) / msPerMinute
	return dayCDF[m] + (dayCDF[m+1]-dayCDF[m])*f
}

// offsetAt inverts quantileAt: the ms offset into the day at which share q
// of the day's traffic has happened.
func offsetAt(q float64) int64 {
	m := sort.Search(minutesDay, func(i int) bool { return dayCDF[i+1] > q })
	if m >= minutesDay {
		return msPerDay - 1
	}
	lo, hi := dayCDF[m], dayCDF[m+1]
	f := 0.0
	if hi > lo {
		f = (q - lo) / (hi - lo)
	}
	off := int64(m)*msPerMinute + int64(f*msPerMinute)
	return min(off, msPerDay-1)
}

// appendTime writes epoch ms as Segment's ISO form "2019-02-01T00:00:00.000Z"
// without time.Time, which would cost a division chain and a format parse per
// field; four timestamps per event made it the top profile entry.
func appendTime(b []byte, ms int64) []byte {
	days := floorDiv(ms, msPerDay)
	rem := ms - days*msPerDay
	y, mo, d := civil(days)
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, mo)
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, 'T')
	b = append2(b, int(rem/3_600_000))
	b = append(b, ':')
	b = append2(b, int(rem/60_000%60))
	b = append(b, ':')
	b = append2(b, int(rem/1000%60))
	b = append(b, '.')
	ms3 := int(rem % 1000)
	b = append(b, byte('0'+ms3/100), byte('0'+ms3/10%10), byte('0'+ms3%10), 'Z')
	return b
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days_from_civil inverse, chrono-compatible algorithms).
func civil(z int64) (year, month, day int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

func toMS(t time.Time) int64 { return t.UnixMilli() }
