package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"runner/forecast"
	"runner/forecast/lstm"
	"runner/forecast/nn"
	"runner/forecast/transformer"
)

func init() {
	registerFitter(lstm.Name, fitter{needsBars: true, run: fitSequence(lstm.New), model: sequenceModel(lstm.New)})
	registerFitter(transformer.Name, fitter{needsBars: true, run: fitSequence(transformer.New), model: sequenceModel(transformer.New)})
}

func sequenceModel(newModel forecast.Constructor) func(*cli.Context, forecast.Options) (forecast.Model, error) {
	return func(_ *cli.Context, opts forecast.Options) (forecast.Model, error) { return newModel(opts) }
}

// fitSequence is the fitter of a model built on nn.SequenceModel.
func fitSequence(newModel forecast.Constructor) func(c *cli.Context, in fitInput) error {
	return func(c *cli.Context, in fitInput) error {
		m, err := newModel(in.Opts)
		if err != nil {
			return err
		}
		f, err := m.(*nn.SequenceModel).Train(c.Context, in.Bars)
		if err != nil {
			return fmt.Errorf("fit %s: %s: %w", m.Name(), in.File, err)
		}
		d, err := f.Predict(c.Context, in.Bars)
		if err != nil {
			return fmt.Errorf("fit %s: %s: %w", m.Name(), in.File, err)
		}
		return printTraining(in, f.FitResult, d)
	}
}

// printTraining prints a sequence model's training record (loss per epoch,
// stopping epoch) and its next-step forecast; shared by the LSTM and
// Transformer fitters.
func printTraining(in fitInput, r nn.FitResult, d forecast.Distribution) error {
	h := r.History
	if in.JSON {
		last := in.Bars[len(in.Bars)-1]
		return writeJSON(in.Out, map[string]any{
			"symbol": last.Symbol, "as_of": last.Date.Format("2006-01-02"), "bars": len(in.Bars),
			"train_windows": r.TrainWindows, "val_windows": r.ValWindows,
			"train_loss": h.TrainLoss, "val_loss": h.ValLoss, "epochs": h.Epochs,
			"best_epoch": h.BestEpoch, "early_stopped": h.Stopped, "early_stop": !in.Opts.NoEarlyStop,
			"mu": d.Mu, "sigma": d.Sigma, "p_bearish": d.PBear, "p_neutral": d.PNeutral, "p_bullish": d.PBull,
			"label": d.Label(), "confidence": d.Confidence(),
		})
	}
	fmt.Fprintf(in.Out, "windows      %d train, %d validation (time-ordered tail)\n", r.TrainWindows, r.ValWindows)
	fmt.Fprintf(in.Out, "epoch  train_mse  val_mse   (standardised units)\n")
	for i, l := range h.TrainLoss {
		if i < len(h.ValLoss) {
			fmt.Fprintf(in.Out, "%5d  %.6f   %.6f\n", i+1, l, h.ValLoss[i])
		} else {
			fmt.Fprintf(in.Out, "%5d  %.6f\n", i+1, l)
		}
	}
	switch {
	case h.Stopped:
		fmt.Fprintf(in.Out, "stopped      early at epoch %d, weights of best epoch %d restored\n", h.Epochs, h.BestEpoch)
	case in.Opts.NoEarlyStop:
		fmt.Fprintf(in.Out, "stopped      after %d epochs (early stopping off; best validation epoch %d)\n", h.Epochs, h.BestEpoch)
	default:
		fmt.Fprintf(in.Out, "stopped      after %d epochs, weights of best epoch %d restored\n", h.Epochs, h.BestEpoch)
	}
	return printDistribution(in, d)
}
