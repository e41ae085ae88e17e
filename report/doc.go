// Package report writes the HTML report of DESIGN §10: one self-contained
// page (no scripts, stylesheets, fonts or images fetched from anywhere) that
// shows the canary stage and its event timeline; per symbol, the realised
// returns against both ensembles' forecasts and their calibrated 90% bands,
// the rolling RMSE of the candidate relative to legacy, the divergence of
// each walk-forward window with the 15/20/30% levels and the weight
// reversions, the rolling coverage of the 90% interval, the reliability
// diagram of P(up) and the weights history; and the latest runs.
//
// Load reads a Data from a store; Write renders a Data. Charts are drawn by
// gonum/plot and inlined as SVG. A chart with nothing to draw is an empty
// state that says which command produces its data.
package report
