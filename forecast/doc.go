// Package forecast defines what every model returns, a predictive
// distribution for the next log return, the Model interface the jobs call, the
// registry of model constructors, the features the learned models share, and
// the mixture combination of component distributions into an ensemble
// forecast (DESIGN §3, §4).
package forecast
