// Package calibration recalibrates a predictive distribution of the next log
// return against out-of-sample one-step forecasts and what followed them
// (DESIGN §6). It is pure computation: the caller gathers the samples (the
// test spans of walk-forward windows and matured live forecasts, oldest
// first) and stores the result.
//
// # The calibrated distribution
//
// Fit standardises each sample's residual, z = (r - mu)/sigma, and keeps the
// n values sorted. For a new raw forecast (mu, sigma) the calibrated
// distribution of the return is r = mu + sigma Z with Z drawn from the
// empirical distribution of those z: n atoms of mass 1/n.
//
// Interval. The calibrated interval is [mu + QLo sigma, mu + QHi sigma] with
// the split-conformal quantiles of z: for miscoverage a = 1 - Level, QHi is
// the k-th smallest z with k = ceil((n+1)(1 - a/2)) and QLo the k-th largest
// (the (n+1-k)-th smallest). The product is taken less 1e-9 before the
// ceiling so that a product that is an integer in exact arithmetic (20·0.95
// at n = 19) is not moved up a rank by rounding. Under exchangeability each
// tail is missed with probability at most a/2. The quantile is finite only
// when k <= n, that is n >= 2/a - 1 (19 at the default 90%), so Fit refuses
// fewer samples.
//
// Classes. With band the neutral half-width, P(bear) = #{z < (-band-mu)/sigma}/n,
// P(bull) = #{z > (band-mu)/sigma}/n and P(neutral) the rest, so an atom
// exactly on a class edge (|r| = band) is neutral, as in forecast.Distribution.
// P(up) = P(r > 0) = #{z > -mu/sigma}/n; an atom at r = 0 is down. These
// probabilities can be exactly 0 or 1 when the forecast lies beyond every
// calibration residual.
//
// # Recalibrating P(up)
//
// P(up) of the calibrated distribution is then mapped to P'(up) by a
// function learned on the calibration samples, each with outcome 1{r > 0} and
// with its leave-one-out P(up), #{j != i : z_j > -mu_i/sigma_i}/(n-1): the
// probability the distribution of the other residuals gives it, as a new
// forecast would get (counting its own residual would leak its outcome).
//
// Platt scaling (the default below IsotonicMin samples) is the logistic
// regression P'(up) = 1/(1 + exp(-(A logit(p) + B))), with p clipped to
// [1/(2n), 1 - 1/(2n)] (half an atom, since an empirical probability cannot
// resolve less) before the logit. A and B are the plain maximum-likelihood
// estimates, found by Newton's method: the fit of scikit-learn's
// LogisticRegression on logit(p) with no penalty, not the smoothed targets of
// Platt (1999) that CalibratedClassifierCV(method="sigmoid") uses. The
// identity is A = 1, B = 0. The estimate does not exist when P(up) separates
// the outcomes (every up at or above every down, or the reverse), and Fit
// says so.
//
// Isotonic regression (from IsotonicMin samples) is the pool adjacent
// violators fit of scikit-learn's IsotonicRegression(increasing=True,
// y_min=0, y_max=1, out_of_bounds="clip"), ported step by step: duplicate p
// pooled, blocks merged on ties, the fitted steps stored as scikit-learn's
// X_thresholds_ and y_thresholds_ (IsoX, IsoY), and P'(up) their linear
// interpolation with p clipped to [IsoX[0], IsoX[last]]. It can return
// exactly 0 or 1.
//
// Base rate (BaseRate) forecasts P'(up) = the share of the samples whose
// return was up, whatever the forecast: the climatological forecast. Auto
// falls back to it when its recalibration has no skill on the held-out
// third: fitted on the first two thirds (isotonic regression too, when the
// whole sample asks for it, though the two thirds are fewer than
// IsotonicMin), it does not score a lower Brier score on the last third
// than the base rate of the first two thirds by more than chance: with
// d_i = (base - y_i)^2 - (p_i - y_i)^2 over the held-out samples, the
// recalibration is kept only when mean(d) / (sd(d)/sqrt(m)) > SkillZ
// (1.645), the one-sided Diebold-Mariano test at 5% (one-step forecasts,
// so no overlap correction). A daily direction that the models cannot
// tell is then forecast at its long-run frequency, not scattered around
// it: on the bundled data, recalibrations that won the held-out third by
// a margin within its noise lost to the base rate out of sample (2021,
// 2023).
//
// The classes follow P'(up): the up part of the distribution (bull and the
// neutral mass above 0) is scaled by P'/P and the down part (bear and the
// neutral mass at or below 0) by (1-P')/(1-P), so the three still sum to 1
// and P(bull) + P(neutral, r > 0) = P'(up). When a part is empty (P = 0 or
// P = 1) the mass it receives goes to neutral, the class of the returns
// nearest the distribution on that side. The label is the most probable
// class, ties to neutral then bullish, and the confidence its probability,
// as forecast.Distribution.Label and Confidence.
//
// # Adaptive conformal inference
//
// With Config.Adaptive, Fit also runs the ACI recursion of Gibbs and Candès
// (2021), alpha_{t+1} = alpha_t + Gamma (a - err_t), over the samples in
// order, starting at alpha = a after a burn-in of the first
// max(2/a - 1, MinConformal) samples (the fewest with a finite nominal
// interval, 19 at 90%). err_t is 1 when z_t falls
// outside the conformal interval of the samples before t at level alpha_t,
// else 0; alpha is clamped to [AlphaMin, AlphaMax]. The final interval uses
// the quantiles of all n residuals at the adapted alpha (Calibration.Alpha).
// Where alpha is so small that the conformal rank passes n, the rank is
// capped at n: the interval stops at the extreme residuals instead of
// becoming the whole line. The recursion restarts at a on every Fit; live
// forecasts continue it (Calibration.Adapt): a forecast applies the
// calibration adapted over the outcomes of the live forecasts issued since
// its samples ended, each a miss when the return fell outside the interval
// that forecast issued. The residuals Z stay the calibration's.
//
// # Scores
//
// Score reports, over samples and their forecasts: the coverage of the
// interval (ends included) and its mean width; the Brier score and log loss
// of P(up) against 1{r > 0} (as sklearn.metrics.brier_score_loss and
// log_loss with probabilities clipped to [1e-15, 1-1e-15]); the expected
// calibration error over ECEBins equal-width bins of P(up), bin
// min(floor(15 p), 14), sum_b (n_b/N) |mean p - mean outcome| over non-empty
// bins; and the mean CRPS. GaussianCRPS is the closed form for the raw
// normal forecast (Gneiting and Raftery 2007); Calibration.CRPS is sigma
// times the CRPS of the empirical z distribution at x = (r - mu)/sigma,
// mean|z_i - x| - (1/(2n^2)) sum_ij |z_i - z_j|, the second term
// sum_k z_(k) (2k - n - 1)/n^2 over the sorted z (k from 1). HeldOut fits on the first
// two thirds of the samples and scores raw and calibrated forecasts on the
// last third.
//
// Caller mistakes (a level outside (0, 1), a non-positive sigma passed to
// Apply, an unknown method) panic with the prefix "calibration: "; data
// conditions (too few samples, a non-finite sample, separated outcomes)
// are errors.
//
// References: V. Vovk, A. Gammerman, G. Shafer, Algorithmic Learning in a
// Random World (2005); I. Gibbs, E. Candès, Adaptive conformal inference
// under distribution shift, NeurIPS 2021; J. Platt, Probabilistic outputs for
// support vector machines (1999); A. Niculescu-Mizil, R. Caruana, Predicting
// good probabilities with supervised learning, ICML 2005; T. Gneiting,
// A. Raftery, Strictly proper scoring rules, prediction, and estimation,
// JASA 2007.
package calibration
