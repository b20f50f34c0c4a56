#!/usr/bin/env python3
"""Reference values for experiment/stats_test.go, computed with SciPy and
statsmodels from fixed inputs. Run: python3 reference.py > reference.json
The Go tests read the inputs and expected numbers from reference.json; CI
does not run Python. Versions are recorded in the output."""
import json
import math
import sys

import numpy as np
import scipy
import statsmodels
from scipy import integrate, optimize, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower

rng = np.random.default_rng(20190201)
ALPHA = 0.05


def arr(a):
    return [float(x) for x in a]


def welch_raw(c, t, alpha=ALPHA):
    """Welch from raw data with SciPy's own test."""
    r = stats.ttest_ind(t, c, equal_var=False)
    ci = r.confidence_interval(1 - alpha)
    return {"lift": float(np.mean(t) - np.mean(c)), "p": float(r.pvalue), "df": float(r.df),
            "lo": float(ci.low), "hi": float(ci.high)}


def welch_moments(mc, vc, nc, mt, vt, nt, alpha=ALPHA):
    """Welch from means and per-unit variances, using scipy.stats.t."""
    se2 = vc / nc + vt / nt
    df = se2 ** 2 / ((vc / nc) ** 2 / (nc - 1) + (vt / nt) ** 2 / (nt - 1))
    se = math.sqrt(se2)
    d = mt - mc
    q = stats.t.ppf(1 - alpha / 2, df)
    return {"lift": d, "se": se, "df": df, "lo": d - q * se, "hi": d + q * se,
            "p": float(2 * stats.t.sf(abs(d) / se, df))}


def relative(mc, vc, nc, mt, vt, nt, df, alpha=ALPHA):
    r = mt / mc - 1
    se = math.sqrt(vt / (nt * mc ** 2) + mt ** 2 * vc / (nc * mc ** 4))
    q = stats.t.ppf(1 - alpha / 2, df)
    return {"lift": r, "se": se, "lo": r - q * se, "hi": r + q * se,
            "p": float(2 * stats.t.sf(abs(r) / se, df))}


out = {"versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                    "scipy": scipy.__version__, "statsmodels": statsmodels.__version__}}

# 1. Mean metric: Welch on raw revenue-like data (log-normal, many zeros).
c = np.round(rng.lognormal(3, 1, 60) * (rng.random(60) < 0.4), 2)
t = np.round(rng.lognormal(3.2, 1, 45) * (rng.random(45) < 0.45), 2)
w = welch_raw(c, t)
rel = relative(np.mean(c), np.var(c, ddof=1), len(c), np.mean(t), np.var(t, ddof=1), len(t), w["df"])
out["mean"] = {"control": arr(c), "treatment": arr(t), "absolute": w, "relative": rel}

# 2. Binomial metric: per-unit variance p(1-p), as the issue specifies.
nc, xc, nt, xt = 9012, 279, 988, 35
pc, pt = xc / nc, xt / nt
ab = welch_moments(pc, pc * (1 - pc), nc, pt, pt * (1 - pt), nt)
out["binomial"] = {"nc": nc, "xc": xc, "nt": nt, "xt": xt, "absolute": ab,
                   "relative": relative(pc, pc * (1 - pc), nc, pt, pt * (1 - pt), nt, ab["df"])}

# 3. Ratio metric (clicks / views per user), delta method with covariance.
def ratio_est(num, den):
    n = len(num)
    cov = np.cov(np.vstack([num, den]), ddof=1)
    r = num.sum() / den.sum()
    mz = den.mean()
    v = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / mz ** 2
    return r, v, n

vc_ = rng.poisson(8, 80) + 1
cc_ = rng.binomial(vc_, 0.10)
vt_ = rng.poisson(8, 70) + 1
ct_ = rng.binomial(vt_, 0.13)
rc, vrc, nrc = ratio_est(cc_.astype(float), vc_.astype(float))
rt, vrt, nrt = ratio_est(ct_.astype(float), vt_.astype(float))
ab = welch_moments(rc, vrc, nrc, rt, vrt, nrt)
out["ratio"] = {"control_num": arr(cc_), "control_den": arr(vc_), "treatment_num": arr(ct_), "treatment_den": arr(vt_),
                "control_ratio": rc, "control_var": vrc, "treatment_ratio": rt, "treatment_var": vrt,
                "absolute": ab, "relative": relative(rc, vrc, nrc, rt, vrt, nrt, ab["df"])}

# 4. SRM: chi-square goodness of fit against designed weights.
srm = []
for obs, wts in [([9012, 988], [0.9, 0.1]), ([8800, 1200], [0.9, 0.1]), ([3300, 3350, 3100], [1, 1, 1]),
                 ([5000, 2600, 2400], [0.5, 0.25, 0.25])]:
    n = sum(obs)
    exp = [n * x / sum(wts) for x in wts]
    r = stats.chisquare(obs, f_exp=exp)
    srm.append({"observed": obs, "weights": wts, "chi2": float(r.statistic), "p": float(r.pvalue)})
out["srm"] = srm

# 5. Multiple comparisons.
ps = [0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.5, 0.0001]
out["multitest"] = {"p": ps, "holm": arr(multipletests(ps, method="holm")[1]),
                    "bh": arr(multipletests(ps, method="fdr_bh")[1])}

# 6. Bayesian normal approximation; risk by numerical integration.
bayes = []
for lift, se, m0, s0 in [(0.05, 0.03, 0, 0), (-0.02, 0.01, 0, 0), (0.05, 0.03, 0, 0.1), (0.1, 0.05, 0.02, 0.03)]:
    if s0 > 0:
        prec = 1 / se ** 2 + 1 / s0 ** 2
        mu, sd = (lift / se ** 2 + m0 / s0 ** 2) / prec, math.sqrt(1 / prec)
    else:
        mu, sd = lift, se
    post = stats.norm(mu, sd)
    risk = integrate.quad(lambda d: max(0.0, -d) * post.pdf(d), mu - 12 * sd, mu + 12 * sd, points=[0.0], epsabs=1e-14, epsrel=1e-12)[0]
    risk_c = integrate.quad(lambda d: max(0.0, d) * post.pdf(d), mu - 12 * sd, mu + 12 * sd, points=[0.0], epsabs=1e-14, epsrel=1e-12)[0]
    bayes.append({"lift": lift, "se": se, "prior_mean": m0, "prior_sd": s0, "mean": mu, "sd": sd,
                  "chance_to_win": float(post.sf(0)), "risk": risk, "risk_control": risk_c,
                  "lo": float(post.ppf(ALPHA / 2)), "hi": float(post.ppf(1 - ALPHA / 2))})
out["bayes"] = bayes

# 7. CUPED: theta pooled over both variants, then Welch on y - theta (x - mean x).
xc = rng.gamma(2, 10, 70)
yc = 0.8 * xc + rng.normal(0, 5, 70)
xt = rng.gamma(2, 10, 65)
yt = 0.8 * xt + 3 + rng.normal(0, 5, 65)
x = np.concatenate([xc, xt]); y = np.concatenate([yc, yt])
theta = np.cov(y, x, ddof=1)[0, 1] / np.var(x, ddof=1)
adj_c = yc - theta * (xc - x.mean())
adj_t = yt - theta * (xt - x.mean())
out["cuped"] = {"control_y": arr(yc), "control_x": arr(xc), "treatment_y": arr(yt), "treatment_x": arr(xt),
                "theta": float(theta), "absolute": welch_raw(adj_c, adj_t)}

# 8. Always-valid sequential interval (Waudby-Smith et al. 2023, normal mixture;
# rho optimised for n* as in Howard et al. 2021 eq. 14).
seq = []
for se, n, nstar, alpha in [(0.01, 10000, 5000, 0.05), (2.5, 500, 5000, 0.05), (0.003, 200000, 10000, 0.01)]:
    rho2 = (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / nstar
    sigma = math.sqrt(n) * se
    hw = sigma * math.sqrt(2 * (n * rho2 + 1) / (n * n * rho2) * math.log(math.sqrt(n * rho2 + 1) / alpha))
    seq.append({"se": se, "n": n, "n_star": nstar, "alpha": alpha, "half_width": hw})
out["sequential"] = seq

# 9. Power and minimum detectable effect (statsmodels NormalIndPower).
pw = []
for sd, nc, nt, alpha, power in [(1.0, 1000, 1000, 0.05, 0.8), (25.0, 9000, 1000, 0.05, 0.9)]:
    # solve_power's default tolerance leaves the power 1e-6 off target, so
    # solve statsmodels' own power function tightly with brentq instead.
    es = optimize.brentq(lambda e: NormalIndPower().power(e, nc, alpha, ratio=nt / nc) - power, 1e-9, 10,
                         xtol=1e-15, rtol=1e-15)
    p_at = NormalIndPower().power(effect_size=0.1, nobs1=nc, alpha=alpha, ratio=nt / nc)
    pw.append({"sd": sd, "nc": nc, "nt": nt, "alpha": alpha, "power": power, "mde": es * sd,
               "power_at_0.1sd": float(p_at)})
out["power"] = pw

# 10. Ratio metrics (clicks / views per user) with CUPED and winsorisation.
# Per unit: post-exposure clicks y and views z, pre-exposure clicks u and
# views w. The adjusted ratio is R_y - theta (R_x - pooled R_x); theta is
# the one value minimising the summed delta-method variance of the
# variants (Deng, Knoblich & Lu 2018; Deng et al. 2013). Counts only, so
# experiment/e2e_test.go can turn them into events.
def ratio_units(n, rate):
    w = rng.poisson(5, n)
    u = rng.binomial(w, 0.12)
    z = rng.poisson(0.7 * w + 2)
    y = rng.binomial(z, rate) + (u > 1)  # heavy clickers stay heavy
    return y, z, u, w

yc, zc, uc, wc = ratio_units(60, 0.12)
yt, zt, ut, wt = ratio_units(50, 0.15)
yt[3], zt[3] = 25, 30  # a heavy unit for the caps to bite on
P_WINS = 0.95          # 0.95 * 110 = 104.5: no rounding question


def cap(values, p):
    """Spark/nectar percentile_approx: the smallest value whose rank is at
    least p n, which is NumPy's inverted_cdf."""
    q = float(np.quantile(values, p, method="inverted_cdf"))
    s = np.sort(values)
    assert q == s[math.ceil(p * len(s)) - 1]
    return q


def linearised(y, z, u, w):
    """Per-unit delta-method influence values a_i and b_i."""
    ry, rx = y.sum() / z.sum(), u.sum() / w.sum()
    return (y - ry * z) / z.mean(), (u - rx * w) / w.mean(), ry, rx


def ratio_case(arms, cuped):
    """arms: [(y, z, u, w)] control first. Returns theta, per-arm mean and
    per-unit variance, and the lifts of the second arm."""
    parts = [linearised(*a) for a in arms]
    ns = [len(a[0]) for a in arms]

    def summed_var(th):
        return sum(np.var(a - th * b, ddof=1) / n for (a, b, _, _), n in zip(parts, ns))

    theta, theta_min = 0.0, 0.0
    if cuped:
        theta = (sum(np.cov(a, b, ddof=1)[0, 1] / n for (a, b, _, _), n in zip(parts, ns))
                 / sum(np.var(b, ddof=1) / n for (a, b, _, _), n in zip(parts, ns)))
        # The closed form, cross-checked by minimising the summed variance
        # numerically. The variance is flat at its minimum, so Brent's
        # method finds theta only to about sqrt(machine epsilon): 1e-7.
        theta_min = float(optimize.minimize_scalar(summed_var, bracket=(-5, 5), tol=1e-14).x)
        assert abs(theta - theta_min) <= 1e-7 * max(1, abs(theta)), (theta, theta_min)
    pooled_rx = sum(a[2].sum() for a in arms) / sum(a[3].sum() for a in arms)
    means = [ry - theta * (rx - pooled_rx) for (_, _, ry, rx) in parts]
    vs = [float(np.var(a - theta * b, ddof=1)) for (a, b, _, _) in parts]
    ab = welch_moments(means[0], vs[0], ns[0], means[1], vs[1], ns[1])
    return {"theta": float(theta), "theta_minimize_scalar": theta_min, "pooled_pre_ratio": float(pooled_rx),
            "means": [float(m) for m in means], "variances": vs, "absolute": ab,
            "relative": relative(means[0], vs[0], ns[0], means[1], vs[1], ns[1], ab["df"])}


both_y = np.concatenate([yc, yt]).astype(float)
both_z = np.concatenate([zc, zt]).astype(float)
cap_y, cap_z = cap(both_y, P_WINS), cap(both_z, P_WINS)
f = lambda a: a.astype(float)
raw = [(f(yc), f(zc), f(uc), f(wc)), (f(yt), f(zt), f(ut), f(wt))]
capped = [(np.minimum(y, cap_y), z, u, w) for y, z, u, w in raw]
capped_both = [(np.minimum(y, cap_y), np.minimum(z, cap_z), u, w) for y, z, u, w in raw]
out["ratio_cuped"] = {
    "control": {"y": arr(yc), "z": arr(zc), "u": arr(uc), "w": arr(wc)},
    "treatment": {"y": arr(yt), "z": arr(zt), "u": arr(ut), "w": arr(wt)},
    "winsorize": P_WINS, "cap_y": cap_y, "cap_z": cap_z,
    "cuped": ratio_case(raw, True),
    "winsorized": ratio_case(capped, False),
    "winsorized_both_cuped": ratio_case(capped_both, True),
}

json.dump(out, sys.stdout, indent=1)
print()
