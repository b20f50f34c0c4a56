package experiment

import (
	"errors"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Sums are the sufficient statistics of one metric over a set of units:
// y is the unit's value (ratio numerator), z the ratio denominator or the
// CUPED covariate. For ratio metrics with CUPED, u and w are the numerator
// and denominator over the pre-exposure window, with every cross product
// the delta method needs (RatioCUPEDEstimate). CapY and CapZ are the
// winsorisation caps the query applied (0 when none).
type Sums struct {
	N                     float64
	Sy, Syy, Sz, Szz, Syz float64
	Su, Suu, Sw, Sww, Suw float64
	Syu, Syw, Szu, Szw    float64
	CapY, CapZ            float64
}

// Add accumulates b into a. Caps are the same for every unit of a query,
// so they combine by max (a cell without units has none).
func (a *Sums) Add(b Sums) {
	a.N += b.N
	a.Sy += b.Sy
	a.Syy += b.Syy
	a.Sz += b.Sz
	a.Szz += b.Szz
	a.Syz += b.Syz
	a.Su += b.Su
	a.Suu += b.Suu
	a.Sw += b.Sw
	a.Sww += b.Sww
	a.Suw += b.Suw
	a.Syu += b.Syu
	a.Syw += b.Syw
	a.Szu += b.Szu
	a.Szw += b.Szw
	a.CapY = math.Max(a.CapY, b.CapY)
	a.CapZ = math.Max(a.CapZ, b.CapZ)
}

// Estimate is a variant's point estimate and the per-unit variance of it,
// so that its squared standard error is Var/N.
type Estimate struct {
	N    float64
	Mean float64
	Var  float64
}

// Errors for comparisons that have no answer; Compare reports them as notes.
var (
	ErrTooFewUnits     = errors.New("fewer than 2 units in a variant")
	ErrNonPositiveBase = errors.New("control mean is zero or negative: relative lift is undefined")
	ErrZeroDenominator = errors.New("ratio denominator sums to zero")
	// ErrZeroPreDenominator: a variant has no pre-exposure denominator, so
	// its pre-exposure ratio, the CUPED covariate, is undefined.
	ErrZeroPreDenominator = errors.New("pre-exposure ratio denominator sums to zero")
)

// sampleCov is the unbiased sample covariance from sums (n−1 divisor).
func sampleCov(n, sa, sb, sab float64) float64 {
	if n < 2 {
		return 0
	}
	v := (sab - sa*sb/n) / (n - 1)
	return v
}

// MeanEstimate treats y as a per-unit value with sample variance.
func MeanEstimate(s Sums) Estimate {
	if s.N == 0 {
		return Estimate{}
	}
	return Estimate{N: s.N, Mean: s.Sy / s.N, Var: math.Max(0, sampleCov(s.N, s.Sy, s.Sy, s.Syy))}
}

// BinomialEstimate uses the Bernoulli variance p(1−p) the issue asks for.
func BinomialEstimate(s Sums) Estimate {
	if s.N == 0 {
		return Estimate{}
	}
	p := s.Sy / s.N
	return Estimate{N: s.N, Mean: p, Var: p * (1 - p)}
}

// RatioEstimate is Σy/Σz with the delta-method per-unit variance
// (σ²_y − 2Rσ_yz + R²σ²_z)/μ_z², which keeps the covariance between
// numerator and denominator of the same unit (Deng, Knoblich & Lu 2018,
// "Applying the Delta Method in Metric Analytics", eq. 4).
func RatioEstimate(s Sums) (Estimate, error) {
	if s.N == 0 {
		return Estimate{}, nil
	}
	if s.Sz == 0 {
		return Estimate{N: s.N}, ErrZeroDenominator
	}
	r := s.Sy / s.Sz
	mz := s.Sz / s.N
	vyy := sampleCov(s.N, s.Sy, s.Sy, s.Syy)
	vzz := sampleCov(s.N, s.Sz, s.Sz, s.Szz)
	vyz := sampleCov(s.N, s.Sy, s.Sz, s.Syz)
	v := (vyy - 2*r*vyz + r*r*vzz) / (mz * mz)
	return Estimate{N: s.N, Mean: r, Var: math.Max(0, v)}, nil
}

// CUPEDTheta is cov(y, x)/var(x) over all units pooled across variants
// (Deng, Xu, Kohavi & Walker 2013, eq. 3); 0 when x does not vary.
func CUPEDTheta(pooled Sums) float64 {
	vx := sampleCov(pooled.N, pooled.Sz, pooled.Sz, pooled.Szz)
	if !(vx > 0) {
		return 0
	}
	return sampleCov(pooled.N, pooled.Sy, pooled.Sz, pooled.Syz) / vx
}

// CUPEDEstimate adjusts a variant's mean by θ times its covariate's
// deviation from the pooled covariate mean, and its variance to
// Var(y − θx). binomial keeps p(1−p) as Var(y).
func CUPEDEstimate(s Sums, theta, pooledXMean float64, binomial bool) Estimate {
	if s.N == 0 {
		return Estimate{}
	}
	vyy := sampleCov(s.N, s.Sy, s.Sy, s.Syy)
	if binomial {
		p := s.Sy / s.N
		vyy = p * (1 - p)
	}
	vzz := sampleCov(s.N, s.Sz, s.Sz, s.Szz)
	vyz := sampleCov(s.N, s.Sy, s.Sz, s.Syz)
	return Estimate{
		N:    s.N,
		Mean: s.Sy/s.N - theta*(s.Sz/s.N-pooledXMean),
		Var:  math.Max(0, vyy-2*theta*vyz+theta*theta*vzz),
	}
}

// ratioParts are one variant's delta-method pieces for a ratio metric with
// CUPED. With per-unit post-exposure numerator Y and denominator Z and
// pre-exposure numerator U and denominator W, the ratios R_Y = ΣY/ΣZ and
// R_X = ΣU/ΣW are linearised around the means (Deng, Knoblich & Lu 2018,
// "Applying the Delta Method in Metric Analytics", §3, eq. 4):
//
//	R_Y − ρ_Y ≈ mean of a_i,  a_i = (Y_i − R_Y Z_i)/μ_Z
//	R_X − ρ_X ≈ mean of b_i,  b_i = (U_i − R_X W_i)/μ_W
//
// so n·Var(R_Y) ≈ Var(a) = (s²_Y − 2R_Y s_YZ + R_Y² s²_Z)/μ_Z²,
// n·Var(R_X) ≈ Var(b) = (s²_U − 2R_X s_UW + R_X² s²_W)/μ_W², and
// n·Cov(R_Y, R_X) ≈ Cov(a, b) = (s_YU − R_X s_YW − R_Y s_ZU + R_Y R_X s_ZW)/(μ_Z μ_W),
// with sample (n−1) covariances s from the sums.
type ratioParts struct {
	n, ry, rx   float64
	va, vb, cab float64
}

func ratioCUPEDParts(s Sums) (ratioParts, error) {
	if s.N == 0 {
		return ratioParts{}, nil
	}
	if s.Sz == 0 {
		return ratioParts{n: s.N}, ErrZeroDenominator
	}
	if s.Sw == 0 {
		return ratioParts{n: s.N}, ErrZeroPreDenominator
	}
	n := s.N
	ry, rx := s.Sy/s.Sz, s.Su/s.Sw
	mz, mw := s.Sz/n, s.Sw/n
	cyy, czz, cyz := sampleCov(n, s.Sy, s.Sy, s.Syy), sampleCov(n, s.Sz, s.Sz, s.Szz), sampleCov(n, s.Sy, s.Sz, s.Syz)
	cuu, cww, cuw := sampleCov(n, s.Su, s.Su, s.Suu), sampleCov(n, s.Sw, s.Sw, s.Sww), sampleCov(n, s.Su, s.Sw, s.Suw)
	cyu, cyw := sampleCov(n, s.Sy, s.Su, s.Syu), sampleCov(n, s.Sy, s.Sw, s.Syw)
	czu, czw := sampleCov(n, s.Sz, s.Su, s.Szu), sampleCov(n, s.Sz, s.Sw, s.Szw)
	return ratioParts{
		n: n, ry: ry, rx: rx,
		va:  (cyy - 2*ry*cyz + ry*ry*czz) / (mz * mz),
		vb:  (cuu - 2*rx*cuw + rx*rx*cww) / (mw * mw),
		cab: (cyu - rx*cyw - ry*czu + ry*rx*czw) / (mz * mw),
	}, nil
}

// RatioCUPEDTheta is the one θ, shared by all variants, that minimises the
// summed variance of the adjusted ratios R_Y − θ(R_X − R̄_X):
//
//	Σ_v (Var(a_v) − 2θ Cov(a_v, b_v) + θ² Var(b_v))/n_v
//
// is a parabola in θ with its minimum at
//
//	θ = Σ_v Cov(a_v, b_v)/n_v ÷ Σ_v Var(b_v)/n_v,
//
// the delta-method form of CUPED's θ = cov(Y, X)/var(X) (Deng, Xu, Kohavi
// & Walker 2013, "Improving the Sensitivity of Online Controlled
// Experiments by Utilizing Pre-Experiment Data", WSDM, §3; Deng, Knoblich &
// Lu 2018, §4.2). For two variants it minimises the variance of the
// difference itself. Variants with fewer than 2 units do not count; θ is 0
// when no pre-exposure ratio varies. A variant whose post- or pre-exposure
// denominator sums to zero makes the adjustment undefined: the error says
// so and θ is 0 (no adjustment).
func RatioCUPEDTheta(variants []Sums) (float64, error) {
	var num, den float64
	for _, s := range variants {
		if s.N == 0 {
			continue
		}
		p, err := ratioCUPEDParts(s)
		if err != nil {
			return 0, err
		}
		if s.N < 2 {
			continue
		}
		num += p.cab / p.n
		den += p.vb / p.n
	}
	if !(den > 0) {
		return 0, nil
	}
	return num / den, nil
}

// RatioCUPEDEstimate is the adjusted ratio R_Y − θ(R_X − pooledRX), where
// pooledRX = ΣU/ΣW over every variant's units, with per-unit variance
// Var(a) − 2θ Cov(a, b) + θ² Var(b) (see ratioParts). The pooled ratio is
// treated as a constant, as CUPED treats the pooled covariate mean.
func RatioCUPEDEstimate(s Sums, theta, pooledRX float64) (Estimate, error) {
	p, err := ratioCUPEDParts(s)
	if err != nil || s.N == 0 {
		return Estimate{N: p.n}, err
	}
	return Estimate{
		N:    p.n,
		Mean: p.ry - theta*(p.rx-pooledRX),
		Var:  math.Max(0, p.va-2*theta*p.cab+theta*theta*p.vb),
	}, nil
}

// Interval is an estimate with its two-sided interval and p-value.
type Interval struct {
	Estimate float64
	SE       float64
	DF       float64 // degrees of freedom of the t reference (+Inf: normal)
	Lo, Hi   float64
	P        float64
}

// Welch compares treatment t with control c: difference of means with the
// Welch–Satterthwaite degrees of freedom (Welch 1947).
func Welch(c, t Estimate, alpha float64) (Interval, error) {
	if c.N < 2 || t.N < 2 {
		return Interval{}, ErrTooFewUnits
	}
	vc, vt := c.Var/c.N, t.Var/t.N
	se2 := vc + vt
	df := c.N + t.N - 2
	if se2 > 0 {
		df = se2 * se2 / (vc*vc/(c.N-1) + vt*vt/(t.N-1))
	}
	return tInterval(t.Mean-c.Mean, math.Sqrt(se2), df, alpha), nil
}

// RelativeLift is t/c − 1 with the delta-method standard error
// sqrt(Var_t/(N_t μ_c²) + μ_t² Var_c/(N_c μ_c⁴)) (Kohavi, Tang & Xu 2020,
// "Trustworthy Online Controlled Experiments", §18), referred to the same
// Welch–Satterthwaite degrees of freedom as the absolute lift.
func RelativeLift(c, t Estimate, alpha float64) (Interval, error) {
	abs, err := Welch(c, t, alpha)
	if err != nil {
		return Interval{}, err
	}
	if !(c.Mean > 0) {
		return Interval{}, ErrNonPositiveBase
	}
	mc2 := c.Mean * c.Mean
	se := math.Sqrt(t.Var/(t.N*mc2) + t.Mean*t.Mean*c.Var/(c.N*mc2*mc2))
	return tInterval(t.Mean/c.Mean-1, se, abs.DF, alpha), nil
}

// tInterval is est ± t_{1−α/2, df}·se with its two-sided p-value. A zero
// standard error gives a point interval and p = 1 (no difference) or 0.
func tInterval(est, se, df, alpha float64) Interval {
	iv := Interval{Estimate: est, SE: se, DF: df, Lo: est, Hi: est}
	if !(se > 0) {
		iv.P = 0
		if est == 0 {
			iv.P = 1
		}
		return iv
	}
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	q := dist.Quantile(1 - alpha/2)
	iv.Lo, iv.Hi = est-q*se, est+q*se
	iv.P = 2 * dist.Survival(math.Abs(est)/se)
	return iv
}

// SRM is the chi-square goodness-of-fit test of observed unit counts
// against designed weights (df = variants − 1).
type SRM struct {
	ChiSquare float64
	DF        int
	P         float64
}

// SRMTest runs the test; with fewer than two variants or no units there is
// nothing to test and P is 1.
func SRMTest(observed, weights []float64) SRM {
	var n, w float64
	for i := range observed {
		n += observed[i]
		w += weights[i]
	}
	if len(observed) < 2 || n == 0 {
		return SRM{P: 1}
	}
	var chi float64
	for i, o := range observed {
		e := n * weights[i] / w
		chi += (o - e) * (o - e) / e
	}
	df := len(observed) - 1
	return SRM{ChiSquare: chi, DF: df, P: distuv.ChiSquared{K: float64(df)}.Survival(chi)}
}

// Bayes is the Gaussian-approximation posterior of the relative lift.
type Bayes struct {
	Mean, SD    float64
	Lo, Hi      float64 // equal-tailed credible interval
	ChanceToWin float64 // P(treatment better than control)
	Risk        float64 // expected relative loss if treatment is chosen
	RiskControl float64 // expected relative loss if control is kept
}

// Bayesian combines the likelihood N(lift, se²) with a flat prior, or with
// prior N(m0, s0²) when s0 > 0 (conjugate normal update; Stucchio 2015,
// "Bayesian A/B Testing at VWO", and GrowthBook's statistics docs).
// Risk is E[max(0, −δ)] = σφ(μ/σ) − μΦ(−μ/σ) for a normal δ.
func Bayesian(lift, se, m0, s0, alpha float64, lowerIsBetter bool) Bayes {
	mu, sd := lift, se
	if s0 > 0 && se > 0 {
		prec := 1/(se*se) + 1/(s0*s0)
		mu = (lift/(se*se) + m0/(s0*s0)) / prec
		sd = math.Sqrt(1 / prec)
	}
	if lowerIsBetter {
		mu = -mu
	}
	b := Bayes{Mean: mu, SD: sd}
	if sd > 0 {
		n := distuv.UnitNormal
		z := mu / sd
		b.ChanceToWin = n.CDF(z)
		b.Risk = sd*n.Prob(z) - mu*n.CDF(-z)
		b.RiskControl = sd*n.Prob(z) + mu*n.CDF(z)
		q := n.Quantile(1 - alpha/2)
		b.Lo, b.Hi = mu-q*sd, mu+q*sd
	} else {
		b.Lo, b.Hi = mu, mu
		switch {
		case mu > 0:
			b.ChanceToWin, b.RiskControl = 1, mu
		case mu < 0:
			b.Risk = -mu
		default:
			b.ChanceToWin = 0.5
		}
	}
	if lowerIsBetter {
		// Report the lift itself, not its negation.
		b.Mean, b.Lo, b.Hi = -b.Mean, -b.Hi, -b.Lo
	}
	return b
}

// SequentialRho is the mixture parameter that makes the confidence sequence
// tightest at n* units (Howard, Ramdas, McAuliffe & Sekhon 2021,
// "Time-uniform, nonparametric, nonasymptotic confidence sequences", eq. 14).
func SequentialRho(nStar, alpha float64) float64 {
	l := -2 * math.Log(alpha)
	return math.Sqrt((l + math.Log(l+1)) / nStar)
}

// SequentialHalfWidth is the half-width of the asymptotic confidence
// sequence for a difference estimated with standard error se from n units
// in total (Waudby-Smith et al. 2023, "Time-uniform central limit theory
// and asymptotic confidence sequences", Thm 2.2, normal mixture):
//
//	σ̂·sqrt( 2(nρ²+1)/(n²ρ²) · log( sqrt(nρ²+1)/α ) ),  σ̂² = n·se².
//
// The interval holds at every sample size at once, so teams may peek.
func SequentialHalfWidth(se, n, nStar, alpha float64) float64 {
	rho := SequentialRho(nStar, alpha)
	r2 := rho * rho
	sigma := math.Sqrt(n) * se
	return sigma * math.Sqrt(2*(n*r2+1)/(n*n*r2)*math.Log(math.Sqrt(n*r2+1)/alpha))
}

// Holm returns Holm–Bonferroni adjusted p-values (Holm 1979), in input order.
func Holm(p []float64) []float64 {
	m := len(p)
	idx := order(p)
	out := make([]float64, m)
	run := 0.0
	for rank, i := range idx {
		run = math.Max(run, math.Min(1, float64(m-rank)*p[i]))
		out[i] = run
	}
	return out
}

// BenjaminiHochberg returns BH step-up adjusted p-values (q-values,
// Benjamini & Hochberg 1995), in input order.
func BenjaminiHochberg(p []float64) []float64 {
	m := len(p)
	idx := order(p)
	out := make([]float64, m)
	run := 1.0
	for rank := m - 1; rank >= 0; rank-- {
		i := idx[rank]
		run = math.Min(run, float64(m)*p[i]/float64(rank+1))
		out[i] = math.Min(1, run)
	}
	return out
}

func order(p []float64) []int {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	return idx
}

// MDE is the smallest absolute difference a two-sided z-test at level alpha
// detects with the given power, for per-unit variance v and nc, nt units.
// The closed form (z_{1−α/2} + z_{power})·sqrt(v/nc + v/nt) (Kohavi et al.
// 2020, §17) ignores the far tail; bisection on Power makes it exact, as
// statsmodels' NormalIndPower.solve_power does.
func MDE(v, nc, nt, alpha, power float64) float64 {
	n := distuv.UnitNormal
	hi := (n.Quantile(1-alpha/2) + n.Quantile(power)) * math.Sqrt(v/nc+v/nt)
	lo := 0.0
	for range 200 {
		mid := (lo + hi) / 2
		if mid == lo || mid == hi {
			break
		}
		if Power(mid, v, nc, nt, alpha) < power {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// Power is the probability that a two-sided z-test at level alpha rejects
// when the true difference is delta (both tails counted, as statsmodels'
// NormalIndPower does).
func Power(delta, v, nc, nt, alpha float64) float64 {
	n := distuv.UnitNormal
	se := math.Sqrt(v/nc + v/nt)
	z := n.Quantile(1 - alpha/2)
	d := math.Abs(delta) / se
	return n.CDF(d-z) + n.CDF(-d-z)
}

// SampleSize is the total number of units needed to detect delta with the
// given power when a share w of them goes to treatment, by the closed form
// (it neglects the far tail, so it errs by well under one unit on the
// safe side).
func SampleSize(delta, v, w, alpha, power float64) float64 {
	n := distuv.UnitNormal
	k := n.Quantile(1-alpha/2) + n.Quantile(power)
	// se² = v/(N(1−w)) + v/(Nw) = v/(N w(1−w)); solve k·se = |delta|.
	return k * k * v / (delta * delta * w * (1 - w))
}
