package experiment

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"
)

// reference holds testdata/scipy/reference.json, written by reference.py
// with SciPy and statsmodels; CI reads the committed JSON.
type lift struct {
	Lift, SE, DF, Lo, Hi, P float64
}

type reference struct {
	Mean struct {
		Control, Treatment []float64
		Absolute, Relative lift
	}
	Binomial struct {
		NC, XC, NT, XT     float64
		Absolute, Relative lift
	}
	Ratio struct {
		ControlNum     []float64 `json:"control_num"`
		ControlDen     []float64 `json:"control_den"`
		TreatmentNum   []float64 `json:"treatment_num"`
		TreatmentDen   []float64 `json:"treatment_den"`
		ControlRatio   float64   `json:"control_ratio"`
		ControlVar     float64   `json:"control_var"`
		TreatmentRatio float64   `json:"treatment_ratio"`
		TreatmentVar   float64   `json:"treatment_var"`
		Absolute       lift
		Relative       lift
	}
	SRM []struct {
		Observed, Weights []float64
		Chi2, P           float64
	}
	Multitest struct{ P, Holm, BH []float64 }
	Bayes     []struct {
		Lift, SE    float64
		PriorMean   float64 `json:"prior_mean"`
		PriorSD     float64 `json:"prior_sd"`
		Mean, SD    float64
		ChanceToWin float64 `json:"chance_to_win"`
		Risk        float64
		RiskControl float64 `json:"risk_control"`
		Lo, Hi      float64
	}
	CUPED struct {
		ControlY   []float64 `json:"control_y"`
		ControlX   []float64 `json:"control_x"`
		TreatmentY []float64 `json:"treatment_y"`
		TreatmentX []float64 `json:"treatment_x"`
		Theta      float64
		Absolute   lift
	}
	Sequential []struct {
		SE, N     float64
		NStar     float64 `json:"n_star"`
		Alpha     float64
		HalfWidth float64 `json:"half_width"`
	}
	Power []struct {
		SD, NC, NT, Alpha, Power, MDE float64
		PowerAt                       float64 `json:"power_at_0.1sd"`
	}
	RatioCUPED struct {
		Control, Treatment  ratioUnits
		Winsorize           float64
		CapY                float64 `json:"cap_y"`
		CapZ                float64 `json:"cap_z"`
		CUPED               ratioCase
		Winsorized          ratioCase
		WinsorizedBothCUPED ratioCase `json:"winsorized_both_cuped"`
	} `json:"ratio_cuped"`
}

// ratioUnits are per-unit post-exposure clicks y and views z and
// pre-exposure clicks u and views w.
type ratioUnits struct{ Y, Z, U, W []float64 }

type ratioCase struct {
	Theta              float64
	ThetaMinimize      float64 `json:"theta_minimize_scalar"`
	PooledPreRatio     float64 `json:"pooled_pre_ratio"`
	Means, Variances   []float64
	Absolute, Relative lift
}

// sums4 builds the sufficient statistics of a ratio metric with CUPED,
// capping y and z at capY and capZ when they are positive, as the SQL does.
func (r ratioUnits) sums4(capY, capZ float64) Sums {
	s := Sums{N: float64(len(r.Y))}
	for i := range r.Y {
		y, z, u, w := r.Y[i], r.Z[i], r.U[i], r.W[i]
		if capY > 0 {
			y = math.Min(y, capY)
		}
		if capZ > 0 {
			z = math.Min(z, capZ)
		}
		s.Sy, s.Syy, s.Sz, s.Szz, s.Syz = s.Sy+y, s.Syy+y*y, s.Sz+z, s.Szz+z*z, s.Syz+y*z
		s.Su, s.Suu, s.Sw, s.Sww, s.Suw = s.Su+u, s.Suu+u*u, s.Sw+w, s.Sww+w*w, s.Suw+u*w
		s.Syu, s.Syw, s.Szu, s.Szw = s.Syu+y*u, s.Syw+y*w, s.Szu+z*u, s.Szw+z*w
	}
	return s
}

func loadReference(t *testing.T) *reference {
	t.Helper()
	data, err := os.ReadFile("testdata/scipy/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// tol is the relative tolerance against SciPy. Quantities that go through
// statsmodels' numerical root finder or SciPy's quad are looser (see
// docs/EXPERIMENTS.md).
const tol = 1e-9

func near(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if d := math.Abs(got - want); !(d <= rel*math.Max(math.Abs(want), 1e-300)) && !(want == 0 && d < 1e-15) {
		t.Errorf("%s = %.15g, want %.15g (rel err %.3g)", what, got, want, d/math.Abs(want))
	}
}

func checkLift(t *testing.T, name string, got Interval, want lift, withSE bool) {
	t.Helper()
	near(t, name+" lift", got.Estimate, want.Lift, tol)
	near(t, name+" lo", got.Lo, want.Lo, tol)
	near(t, name+" hi", got.Hi, want.Hi, tol)
	near(t, name+" p", got.P, want.P, tol)
	if want.DF != 0 {
		near(t, name+" df", got.DF, want.DF, tol)
	}
	if withSE {
		near(t, name+" se", got.SE, want.SE, tol)
	}
}

// sums builds sufficient statistics from per-unit values, as the SQL does.
func sums(y, z []float64) Sums {
	s := Sums{N: float64(len(y))}
	for i := range y {
		s.Sy += y[i]
		s.Syy += y[i] * y[i]
		if z != nil {
			s.Sz += z[i]
			s.Szz += z[i] * z[i]
			s.Syz += y[i] * z[i]
		}
	}
	return s
}

func TestWelchMeanAgainstSciPy(t *testing.T) {
	ref := loadReference(t)
	c, tr := MeanEstimate(sums(ref.Mean.Control, nil)), MeanEstimate(sums(ref.Mean.Treatment, nil))
	abs, err := Welch(c, tr, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	checkLift(t, "absolute", abs, ref.Mean.Absolute, false)
	rel, err := RelativeLift(c, tr, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	checkLift(t, "relative", rel, ref.Mean.Relative, true)
}

func TestBinomialAgainstSciPy(t *testing.T) {
	ref := loadReference(t).Binomial
	c := BinomialEstimate(Sums{N: ref.NC, Sy: ref.XC, Syy: ref.XC})
	tr := BinomialEstimate(Sums{N: ref.NT, Sy: ref.XT, Syy: ref.XT})
	abs, err := Welch(c, tr, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	checkLift(t, "absolute", abs, ref.Absolute, true)
	rel, err := RelativeLift(c, tr, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	checkLift(t, "relative", rel, ref.Relative, true)
}

func TestRatioDeltaMethodAgainstNumPy(t *testing.T) {
	ref := loadReference(t).Ratio
	c, err := RatioEstimate(sums(ref.ControlNum, ref.ControlDen))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := RatioEstimate(sums(ref.TreatmentNum, ref.TreatmentDen))
	if err != nil {
		t.Fatal(err)
	}
	near(t, "control ratio", c.Mean, ref.ControlRatio, tol)
	near(t, "control var", c.Var, ref.ControlVar, tol)
	near(t, "treatment ratio", tr.Mean, ref.TreatmentRatio, tol)
	near(t, "treatment var", tr.Var, ref.TreatmentVar, tol)
	abs, _ := Welch(c, tr, 0.05)
	checkLift(t, "absolute", abs, ref.Absolute, true)
	rel, _ := RelativeLift(c, tr, 0.05)
	checkLift(t, "relative", rel, ref.Relative, true)
}

func TestSRMAgainstSciPy(t *testing.T) {
	for _, c := range loadReference(t).SRM {
		got := SRMTest(c.Observed, c.Weights)
		near(t, "chi2", got.ChiSquare, c.Chi2, tol)
		near(t, "p", got.P, c.P, tol)
		if got.DF != len(c.Observed)-1 {
			t.Errorf("df = %d, want %d", got.DF, len(c.Observed)-1)
		}
	}
}

func TestMultipleComparisonsAgainstStatsmodels(t *testing.T) {
	ref := loadReference(t).Multitest
	holm, bh := Holm(ref.P), BenjaminiHochberg(ref.P)
	for i := range ref.P {
		near(t, "holm", holm[i], ref.Holm[i], tol)
		near(t, "bh", bh[i], ref.BH[i], tol)
	}
}

func TestBayesianAgainstSciPy(t *testing.T) {
	for _, c := range loadReference(t).Bayes {
		b := Bayesian(c.Lift, c.SE, c.PriorMean, c.PriorSD, 0.05, false)
		near(t, "mean", b.Mean, c.Mean, tol)
		near(t, "sd", b.SD, c.SD, tol)
		near(t, "chance to win", b.ChanceToWin, c.ChanceToWin, tol)
		near(t, "lo", b.Lo, c.Lo, tol)
		near(t, "hi", b.Hi, c.Hi, tol)
		// quad integrates numerically: 1e-7 relative.
		near(t, "risk", b.Risk, c.Risk, 1e-7)
		near(t, "risk control", b.RiskControl, c.RiskControl, 1e-7)
	}
}

func TestCUPEDAgainstSciPy(t *testing.T) {
	ref := loadReference(t).CUPED
	sc, st := sums(ref.ControlY, ref.ControlX), sums(ref.TreatmentY, ref.TreatmentX)
	pooled := sc
	pooled.Add(st)
	theta := CUPEDTheta(pooled)
	near(t, "theta", theta, ref.Theta, tol)
	xm := pooled.Sz / pooled.N
	abs, err := Welch(CUPEDEstimate(sc, theta, xm, false), CUPEDEstimate(st, theta, xm, false), 0.05)
	if err != nil {
		t.Fatal(err)
	}
	checkLift(t, "cuped", abs, ref.Absolute, false)
}

// checkRatioCase compares the ratio estimates of control c and treatment tr
// (theta already applied) with a reference case.
func checkRatioCase(t *testing.T, name string, theta float64, c, tr Estimate, want ratioCase) {
	t.Helper()
	near(t, name+" theta", theta, want.Theta, tol)
	// minimize_scalar finds the flat minimum only to ~sqrt(eps).
	near(t, name+" theta (minimize_scalar)", theta, want.ThetaMinimize, 1e-7)
	near(t, name+" control mean", c.Mean, want.Means[0], tol)
	near(t, name+" treatment mean", tr.Mean, want.Means[1], tol)
	near(t, name+" control variance", c.Var, want.Variances[0], tol)
	near(t, name+" treatment variance", tr.Var, want.Variances[1], tol)
	abs, err := Welch(c, tr, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	checkLift(t, name+" absolute", abs, want.Absolute, true)
	rel, err := RelativeLift(c, tr, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	checkLift(t, name+" relative", rel, want.Relative, true)
}

// TestRatioCUPEDAgainstSciPy checks the delta-method CUPED for ratios, with
// and without winsorisation, against NumPy on the per-unit values and θ
// against scipy.optimize.minimize_scalar of the summed variance.
func TestRatioCUPEDAgainstSciPy(t *testing.T) {
	ref := loadReference(t).RatioCUPED
	run := func(name string, capY, capZ float64, cuped bool, want ratioCase) {
		c, tr := ref.Control.sums4(capY, capZ), ref.Treatment.sums4(capY, capZ)
		var ec, et Estimate
		var theta float64
		if cuped {
			var err error
			if theta, err = RatioCUPEDTheta([]Sums{c, tr}); err != nil {
				t.Fatal(err)
			}
			pooled := c
			pooled.Add(tr)
			near(t, name+" pooled pre ratio", pooled.Su/pooled.Sw, want.PooledPreRatio, tol)
			if ec, err = RatioCUPEDEstimate(c, theta, pooled.Su/pooled.Sw); err != nil {
				t.Fatal(err)
			}
			if et, err = RatioCUPEDEstimate(tr, theta, pooled.Su/pooled.Sw); err != nil {
				t.Fatal(err)
			}
		} else {
			var err error
			if ec, err = RatioEstimate(c); err != nil {
				t.Fatal(err)
			}
			if et, err = RatioEstimate(tr); err != nil {
				t.Fatal(err)
			}
		}
		checkRatioCase(t, name, theta, ec, et, want)
	}
	run("cuped", 0, 0, true, ref.CUPED)
	run("winsorized", ref.CapY, 0, false, ref.Winsorized)
	run("winsorized both, cuped", ref.CapY, ref.CapZ, true, ref.WinsorizedBothCUPED)

	// θ = 0 gives back the plain delta-method ratio.
	c := ref.Control.sums4(0, 0)
	plain, _ := RatioEstimate(c)
	adj, _ := RatioCUPEDEstimate(c, 0, 123)
	if plain != adj {
		t.Errorf("theta 0: %+v, plain ratio %+v", adj, plain)
	}
	// A variant without pre-exposure denominator: no θ, and a clear error.
	noPre := c
	noPre.Su, noPre.Sw = 0, 0
	if _, err := RatioCUPEDTheta([]Sums{c, noPre}); !errors.Is(err, ErrZeroPreDenominator) {
		t.Errorf("zero pre-exposure denominator: err = %v", err)
	}
	// Without variation before exposure θ is 0, not NaN.
	flat := Sums{N: 3, Sy: 3, Syy: 5, Sz: 6, Szz: 14, Syz: 8, Su: 3, Suu: 3, Sw: 3, Sww: 3, Suw: 3, Syu: 3, Syw: 3, Szu: 6, Szw: 6}
	if th, err := RatioCUPEDTheta([]Sums{flat, flat}); err != nil || th != 0 {
		t.Errorf("constant pre-exposure ratio: theta %v, err %v", th, err)
	}
}

func TestSequentialHalfWidth(t *testing.T) {
	for _, c := range loadReference(t).Sequential {
		near(t, "half width", SequentialHalfWidth(c.SE, c.N, c.NStar, c.Alpha), c.HalfWidth, tol)
		// Always-valid intervals are wider than the fixed-n one.
		if fixed := 1.959963984540054 * c.SE; c.Alpha == 0.05 && !(SequentialHalfWidth(c.SE, c.N, c.NStar, c.Alpha) > fixed) {
			t.Errorf("sequential half width not wider than fixed %v", fixed)
		}
	}
}

func TestPowerAgainstStatsmodels(t *testing.T) {
	for _, c := range loadReference(t).Power {
		v := c.SD * c.SD
		near(t, "mde", MDE(v, c.NC, c.NT, c.Alpha, c.Power), c.MDE, tol)
		near(t, "power", Power(0.1*c.SD, v, c.NC, c.NT, c.Alpha), c.PowerAt, tol)
		n := SampleSize(c.MDE, v, c.NT/(c.NC+c.NT), c.Alpha, c.Power)
		if got := Power(c.MDE, v, n*c.NC/(c.NC+c.NT), n*c.NT/(c.NC+c.NT), c.Alpha); !(got >= c.Power-1e-12) || got > c.Power+1e-5 {
			t.Errorf("power at SampleSize = %v, want just above %v", got, c.Power)
		}
	}
}

func TestDegenerate(t *testing.T) {
	tests := []struct {
		name    string
		c, t    Estimate
		wantErr error
		wantP   float64
	}{
		{"empty treatment", Estimate{N: 10, Mean: 1, Var: 1}, Estimate{}, ErrTooFewUnits, 0},
		{"one unit", Estimate{N: 1, Mean: 1}, Estimate{N: 10, Mean: 1, Var: 1}, ErrTooFewUnits, 0},
		{"zero variance equal", Estimate{N: 10, Mean: 1}, Estimate{N: 10, Mean: 1}, nil, 1},
		{"zero variance different", Estimate{N: 10, Mean: 1}, Estimate{N: 10, Mean: 2}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iv, err := Welch(tc.c, tc.t, 0.05)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err == nil && (iv.P != tc.wantP || math.IsNaN(iv.Lo) || math.IsNaN(iv.Hi)) {
				t.Errorf("got %+v, want p %v and no NaN", iv, tc.wantP)
			}
		})
	}
	for _, mc := range []float64{0, -3} {
		_, err := RelativeLift(Estimate{N: 10, Mean: mc, Var: 1}, Estimate{N: 10, Mean: 1, Var: 1}, 0.05)
		if !errors.Is(err, ErrNonPositiveBase) {
			t.Errorf("control mean %v: err = %v, want ErrNonPositiveBase", mc, err)
		}
	}
	if _, err := RatioEstimate(Sums{N: 5, Sy: 3}); !errors.Is(err, ErrZeroDenominator) {
		t.Errorf("zero denominator: err = %v", err)
	}
	if s := SRMTest([]float64{100}, []float64{1}); s.P != 1 {
		t.Errorf("single variant SRM p = %v, want 1", s.P)
	}
	if s := SRMTest([]float64{0, 0}, []float64{1, 1}); s.P != 1 {
		t.Errorf("no units SRM p = %v, want 1", s.P)
	}
	b := Bayesian(0, 0, 0, 0, 0.05, false)
	if b.ChanceToWin != 0.5 || math.IsNaN(b.Risk) {
		t.Errorf("zero-se Bayes = %+v", b)
	}
}
