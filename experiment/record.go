package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"
)

// Recording is what `nectar experiment --record` keeps of a report: one
// score per variant and metric for the report's data window, and the
// model version each variant ran. A Recorder stores it (the model graph,
// wired in by cmd/nectar); this package knows nothing of the store.
type Recording struct {
	Experiment  string
	SpecHash    string // sha256 of the spec file: scores from different specs stay apart
	Source      string // the logs read, as the spec names them
	WindowStart time.Time
	WindowEnd   time.Time // exclusive
	SRMP        float64
	Variants    []RecordedVariant
	Scores      []Score
}

// RecordedVariant is a variant and the model version it ran ("" if the
// spec names none).
type RecordedVariant struct {
	Name   string
	Weight float64
	Model  string
}

// Score is one metric of one variant. Nil values are those the report
// does not have: the control has no lift; a comparison that could not be
// made (no units) has none either.
type Score struct {
	Variant, Metric, MetricType                          string
	Control                                              bool
	Units                                                int64
	Mean                                                 float64
	AbsLift, AbsCILow, AbsCIHigh, AbsP, AbsPHolm, AbsPBH *float64
	RelLift, RelCILow, RelCIHigh, RelP, RelPHolm, RelPBH *float64
	ChanceToWin                                          *float64
}

// Recorder stores recordings.
type Recorder interface {
	Record(ctx context.Context, r *Recording) error
}

// ErrRecord is wrapped by NewRecording's errors.
var ErrRecord = errors.New("cannot record the experiment")

// NewRecording turns a report into a recording. The window is the spec's
// start and end; when the spec leaves them open, the days units were
// first exposed on (the report's daily rows), from the first day's
// midnight to the end of the last day, so recording the same data again
// gives the same window and replaces its scores.
func NewRecording(spec *Spec, rep *Report, specText []byte) (*Recording, error) {
	if spec.Name == "" {
		return nil, fmt.Errorf("%w: the spec has no name, and a recorded experiment is found by it", ErrRecord)
	}
	sum := sha256.Sum256(specText)
	r := &Recording{Experiment: spec.Name, SpecHash: hex.EncodeToString(sum[:]), Source: spec.Source, SRMP: rep.SRM.PValue,
		WindowStart: spec.start, WindowEnd: spec.end}
	if len(rep.Daily) > 0 {
		if r.WindowStart.IsZero() {
			d, err := time.Parse(time.DateOnly, rep.Daily[0].Day)
			if err != nil {
				return nil, fmt.Errorf("%w: first exposure day %q: %v", ErrRecord, rep.Daily[0].Day, err)
			}
			r.WindowStart = d
		}
		if r.WindowEnd.IsZero() {
			d, err := time.Parse(time.DateOnly, rep.Daily[len(rep.Daily)-1].Day)
			if err != nil {
				return nil, fmt.Errorf("%w: last exposure day %q: %v", ErrRecord, rep.Daily[len(rep.Daily)-1].Day, err)
			}
			r.WindowEnd = d.AddDate(0, 0, 1)
		}
	}
	if r.WindowStart.IsZero() || r.WindowEnd.IsZero() {
		return nil, fmt.Errorf("%w: no data window: give the spec start and end", ErrRecord)
	}
	for _, v := range spec.Variants {
		r.Variants = append(r.Variants, RecordedVariant(v))
	}
	for _, m := range rep.Metrics {
		for _, v := range m.Variants {
			s := Score{Variant: v.Name, Metric: m.Name, MetricType: m.Type, Control: v.Control, Units: v.Units, Mean: v.Mean, ChanceToWin: finitePtr(v.ChanceToWin)}
			if a := v.Absolute; a != nil {
				s.AbsLift, s.AbsCILow, s.AbsCIHigh, s.AbsP = stored(a.Lift), stored(a.CI[0]), stored(a.CI[1]), stored(a.PValue)
				s.AbsPHolm, s.AbsPBH = finitePtr(a.PHolm), finitePtr(a.PBH)
			}
			if l := v.Relative; l != nil {
				s.RelLift, s.RelCILow, s.RelCIHigh, s.RelP = stored(l.Lift), stored(l.CI[0]), stored(l.CI[1]), stored(l.PValue)
				s.RelPHolm, s.RelPBH = finitePtr(l.PHolm), finitePtr(l.PBH)
			}
			if math.IsNaN(s.Mean) || math.IsInf(s.Mean, 0) {
				s.Mean = 0
			}
			r.Scores = append(r.Scores, s)
		}
	}
	return r, nil
}

// stored is f as a stored value: NaN and infinities (an interval a tiny
// sample leaves open) are missing rather than numbers JSON cannot hold.
func stored(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

func finitePtr(p *float64) *float64 {
	if p == nil {
		return nil
	}
	return stored(*p)
}
