// Package lstm is the LSTM forecaster of DESIGN §3, registered as "lstm".
//
// Method: the features of forecast.SequenceFeatures (log return, 5- and
// 20-bar realised volatility, volume change), standardised with statistics
// of the training part only, are cut into windows of 20 bars. One LSTM
// layer with 32 hidden units (PyTorch's nn.LSTM equations, gate order
// input, forget, cell, output) reads a window and a linear head maps the
// last hidden state to the next standardised return. Training (package nn)
// is Adam with lr 1e-3 on minibatches of 32, up to 30 epochs, early
// stopping with patience 5 on the time-ordered last 10% of the windows.
//
// The forecast mean is the network's prediction for the window ending at
// the as-of bar. Sigma is the root mean squared error of the trained
// network on the validation tail (validation residuals, not a Gaussian NLL
// head): see package nn. The class probabilities are those of the Gaussian
// with that mean and sigma.
//
// Fit once, predict later days: the model is a forecast.Model
// (nn.SequenceModel); the fitted model keeps the network, the training
// scaler and the validation sigma and predicts any later day from the
// training bars extended by the realised bars, without refitting (package
// nn). NewConfig builds the configurations of the walk-forward grid
// (Grid: hidden {16, 32} x learning rate {1e-3, 3e-3}); New is the
// canonical one.
//
// Initialisation follows PyTorch (every LSTM weight and bias from
// U(±1/sqrt(32)), the head as nn.Linear) from the seed of
// forecast.Options, so a given seed gives a bit-identical forecast.
// forecast.Options.Epochs (0: 30) and NoEarlyStop change the training
// length.
//
// Correctness: the forward pass and every parameter gradient match
// PyTorch's nn.LSTM + nn.Linear on the same weights to 1e-9
// (testdata/nn/lstm_parity.json), and the gradient matches finite
// differences.
//
// Speed: the minibatch is processed as matrices (package nn's FMA kernel).
// The input projection of all 20 steps is one product [20·b×4]·[4×128];
// each step adds [b×32]·[32×128] with the recurrent weights transposed once
// per pass; the gate nonlinearities run vectorised over whole rows; the
// backward pass forms the weight gradients as two products over all steps
// at once. Each minibatch is split over two goroutines (nn.TrainConfig
// Workers), deterministically.
package lstm
