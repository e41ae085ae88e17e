// Package transformer is the Transformer forecaster of DESIGN §3,
// registered as "transformer".
//
// Method: the features of forecast.SequenceFeatures (log return, 5- and
// 20-bar realised volatility, volume change), standardised with statistics
// of the training part only, are cut into windows of 20 bars. A linear
// projection maps each bar's features to d_model = 16, sinusoidal position
// encodings are added (sin on even, cos on odd dimensions, no scaling of
// the projection), and one encoder layer follows: PyTorch's
// nn.TransformerEncoderLayer with 2 heads, feed-forward 32, ReLU, dropout 0
// and post-norm (x = LN1(x + SA(x)); x = LN2(x + FF(x))). A linear head maps
// the last token to the next standardised return. Training (package nn) is
// Adam with lr 1e-3 on minibatches of 32, up to 30 epochs, early stopping
// with patience 5 on the time-ordered last 10% of the windows.
//
// The forecast mean is the prediction for the window ending at the as-of
// bar. Sigma is the root mean squared error of the trained network on the
// validation tail (validation residuals, not a Gaussian NLL head): see
// package nn. The class probabilities are those of the Gaussian with that
// mean and sigma.
//
// Last-token evaluation: only the last token reaches the head, so the
// network computes keys and values for all tokens but queries, attention
// output, feed-forward block and layer norms for the last token only. This
// is the same function with the same gradients as the full layer (checked
// against PyTorch running the full layer) at a fraction of the cost.
//
// Fit once, predict later days: the model is a forecast.Model
// (nn.SequenceModel); the fitted model keeps the network, the training
// scaler and the validation sigma and predicts any later day from the
// training bars extended by the realised bars, without refitting (package
// nn). NewConfig builds the configurations of the walk-forward grid
// (Grid: d_model {8, 16} x learning rate {1e-3, 3e-3}); New is the
// canonical one.
//
// Initialisation follows PyTorch (nn.Linear layers U(±1/sqrt(fan_in)),
// Xavier-uniform attention in_proj with zero bias, zero out_proj bias,
// unit layer norms) from the seed of forecast.Options, so a given seed
// gives a bit-identical forecast. forecast.Options.Epochs (0: 30) and
// NoEarlyStop change the training length.
//
// Each minibatch is split over two goroutines (nn.TrainConfig Workers)
// with a fixed summation order, so results stay deterministic.
//
// Correctness: forward pass and every parameter gradient match PyTorch to
// 1e-9 (testdata/nn/transformer_parity.json), and the gradient matches
// finite differences.
package transformer
