// Package arimagarch is the ARIMA-GARCH model of DESIGN §3: an ARMA(p,q)
// mean with a constant (on a series differenced d in {0,1} times), with
// homoskedastic Gaussian errors or GARCH(1,1) errors with Gaussian or
// Student t innovations.
//
// # Estimation
//
// The ARMA model is fitted by exact Gaussian maximum likelihood. The Kalman
// filter on Harvey's state-space form, started from the stationary prior,
// gives the exact likelihood in O(n) per evaluation. The filter runs over
// the data and over a column of ones together, which yields the GLS mean
// and the likelihood concentrated over the mean and sigma2 in one pass. The
// search therefore runs over the AR and MA coefficients only. Once the
// filter's covariance has converged (change below 1e-13), gain and
// innovation variance are held fixed, so most of the series costs a few
// flops per observation. Models whose state has at most 3 dimensions (every
// order of the search) are padded to exactly 3 and run through an unrolled
// filter on the six distinct covariance elements, with the stationary prior
// solved directly from 6 linear equations. Larger models use the general
// loop and a doubling iteration for the prior.
//
// The coefficients are searched through their partial autocorrelations,
// tanh(u) mapped by the Durbin-Levinson recursion (Monahan 1984), so every
// point is stationary and invertible. Starting values come from Yule-Walker
// for pure AR models and Hannan-Rissanen otherwise. For mixed orders the
// likelihood of weakly dependent series such as daily returns is flat along
// the ridge of cancelling AR and MA roots and has several local maxima, so
// the search also starts from near-cancelling pairs (phi_1 = a, theta_1 =
// -a for a = +-0.5, +-0.9). Each start runs 8 iterations with
// forward-difference gradients, and the best two run to convergence.
// An optimum with an AR or MA root within 1% of the unit circle is rejected,
// as in Hyndman and Khandakar's automatic ARIMA: for an explicit order that
// is an error ("near unit root: difference the series"); in the automatic
// search that order is left out of the AIC comparison and the reason is
// recorded in Result.Search.
//
// Order selection (Config.Auto) fits every (p,q) in {0..2}^2 by exact ML and
// takes the smallest AIC (-2 loglik + 2k, with k counting the constant and
// sigma2, as in R and statsmodels). Config.Workers fits the orders
// concurrently; the forecasting model uses one worker and leaves
// parallelism across symbols to its caller.
//
// # GARCH: two-stage order selection, joint estimation
//
// With GARCH errors the orders are ranked by the exact-likelihood AIC of
// the search above, as in the reference statsmodels pipeline. Then
// ARMA(p,q)-GARCH(1,1) is estimated jointly by (quasi-)maximum likelihood
// of the conditional model, starting from the ARMA estimates, for the
// first order in that ranking whose joint fit is accepted: it converges,
// has no AR or MA root within 1% of the unit circle (as above), and has
// 1 - (alpha + beta) of at least 1e-5 (not integrated GARCH; see
// persistenceEdge). Orders whose joint fit is rejected are skipped, with
// the reason in Result.Search (OrderFit.GARCHErr), as R's auto.arima skips
// orders whose fit fails or has a near-unit root; the model fails only
// when no order's joint fit is accepted. The ranking stays that of the
// ARMA AIC rather than the joint fits' AIC: it is the reference pipeline's
// choice, it costs one joint fit in the usual case instead of nine, and
// the conditional likelihoods of the joint fits condition on the first p
// observations, so their AICs are over different samples for different p.
// Where the AIC-best order's joint fit is accepted, the choice is the one
// made before the fallback existed.
//
// The joint likelihood conditions on the first p observations, sets MA
// residuals before them to zero, and takes the pre-sample values h_0 =
// e_0^2 = mean squared residual (the Fiorentini-Calzolari-Panattoni
// initialisation). Joint rather than two-step:
// the mean is then estimated efficiently, weighting each day by 1/h_t, so a
// high-volatility episode does not dominate the mean as it does in a
// homoskedastic fit. The standard errors of the mean parameters also account
// for the heteroskedasticity. The constant-mean benchmark (DEM/GBP) needs
// the joint fit anyway.
//
// Parameters: omega = s2*exp(u), alpha = P*s, beta = P*(1-s) with P, s
// logistic, so omega > 0, alpha, beta >= 0 and alpha + beta < 1; Student t
// nu = 2 + exp(u). The log-likelihood gradient is analytic. Recursions for
// de_t and dh_t, including the dependence of h_0 on the mean parameters,
// cost O(n k) per gradient.
//
// # Optimisation
//
// Both searches minimise the per-observation negative log-likelihood with
// gonum/optimize (optimize.Minimize); the constraints are handled by the
// transformations above, so the searches are unconstrained. The ARMA
// search uses optimize.BFGS with central-difference gradients (at most 4
// coefficients; the exploratory runs use forward differences from the
// value the search has just computed). The GARCH search uses optimize.LBFGS
// with the analytic gradient: it converges in about half the iterations of
// gonum's BFGS on this likelihood. Both use gonum's Bisection line search.
// One optimize.Problem, Method and Settings serve every search of a fit.
// Settings: GradientThreshold 1e-8 (infinity norm of the gradient);
// MajorIterations Config.MaxIterations plus one (gonum counts the starting
// point), or 8 plus one for the exploratory runs; FuncEvaluations 60 per
// allowed iteration; Converger optimize.NeverTerminate (no function-value
// test); Concurrent 1, so a search is deterministic. Problem.Status
// returns the context's error, which ends a search. When the line search
// can make no more progress (optimize.ErrNoProgress,
// ErrLinesearcherFailure) a gradient below 1e-5 is accepted as converged.
// Any other end, including IterationLimit, is an error wrapping
// "optimisation did not converge". A failed fit is never replaced by a
// simpler one.
//
// # Forecasts and standard errors
//
// ARMA forecasts come from the Kalman filter's final prediction, an exact
// finite-sample forecast like R's predict.Arima. ARMA-GARCH forecasts use
// the psi weights and the GARCH variance forecasts. Standard errors are
// sqrt(diag(-H^-1)), where H is the Hessian of the log-likelihood in the
// original parameters: second differences of the exact likelihood for ARMA,
// central differences of the analytic gradient for GARCH.
//
// # Forecasting later days
//
// Result.OneStep forecasts, with the fitted parameters held fixed, each
// observation of a series that extends the fitted one from the ones before
// it: the Kalman filter from the stationary prior with the fitted mean
// (ARMA), or the residual and variance recursions of the likelihood from
// the pre-sample variance of the fit (ARMA-GARCH; the mean squared
// residual of the fitted series, held fixed so that later data do not
// change it). One pass over the series gives every day's forecast; the
// forecast from the fitted series itself is Forecast's first step bit for
// bit. The same pass gives the in-sample one-step forecasts, from the
// prefixes of the fitted series.
//
// # The forecasting model
//
// Model (registered as "arima_garch") fits the canonical configuration on
// the log returns of the training bars: automatic order, GARCH(1,1),
// Gaussian innovations (NewWithConfig for Student t, NewOrder and Grid for
// the fixed orders of the walk-forward grid). It is a forecast.Model:
// Fit returns a Fitted whose Predict and PredictPath run Result.OneStep
// over the returns of the given bars (the training bars extended by later
// ones, or a prefix of them) and return the one-step predictive
// mean and standard deviation and the class probabilities of the fitted
// innovation distribution. Forecast is Fit then Predict.
package arimagarch
