package cli

import (
	"fmt"
	"math"
	"sort"

	"github.com/urfave/cli/v2"

	"runner/forecast"
	"runner/forecast/gbm"
)

func init() {
	registerFitter(gbm.Name, fitter{needsBars: true, run: fitGB, model: gbModel, flags: []cli.Flag{
		intAtLeast(&cli.IntFlag{Name: "gb-trees", Value: gbm.DefaultTrees, Usage: "gb: boosting stages"}, 1),
		intAtLeast(&cli.IntFlag{Name: "gb-max-depth", Value: gbm.DefaultMaxDepth, Usage: "gb: maximum tree depth"}, 1),
		floatIn(&cli.Float64Flag{Name: "gb-learning-rate", Value: gbm.DefaultLearningRate, Usage: "gb: shrinkage per tree"},
			interval{lo: 0, hi: math.Inf(1), loOpen: true, hiOpen: true}),
		intAtLeast(&cli.IntFlag{Name: "gb-min-leaf", Value: gbm.DefaultMinSamplesLeaf, Usage: "gb: minimum training rows per leaf"}, 1),
		floatIn(&cli.Float64Flag{Name: "gb-subsample", Value: gbm.DefaultSubsample, Usage: "gb: fraction of rows drawn for each tree (1: all)"},
			interval{lo: 0, hi: 1, loOpen: true}),
		floatIn(&cli.Float64Flag{Name: "gb-holdout", Value: gbm.DefaultHoldout, Usage: "gb: fraction of the most recent rows held out to measure sigma"},
			interval{lo: 0, hi: 1, loOpen: true, hiOpen: true}),
	}})
}

// gbConfig is the model configuration of the gb flags.
func gbConfig(c *cli.Context, opts forecast.Options) gbm.ModelConfig {
	return gbm.ModelConfig{
		Boost: gbm.Config{Trees: c.Int("gb-trees"), MaxDepth: c.Int("gb-max-depth"),
			LearningRate: c.Float64("gb-learning-rate"), MinSamplesLeaf: c.Int("gb-min-leaf"),
			Subsample: c.Float64("gb-subsample"), Seed: opts.Seed},
		Holdout:     c.Float64("gb-holdout"),
		NeutralBand: opts.Band(),
	}
}

func gbModel(c *cli.Context, opts forecast.Options) (forecast.Model, error) {
	m, err := gbm.NewModel(gbConfig(c, opts))
	if err != nil {
		return nil, usageErrorf("fit gb: %v", err)
	}
	return m, nil
}

func fitGB(c *cli.Context, in fitInput) error {
	m, err := gbm.NewModel(gbConfig(c, in.Opts))
	if err != nil {
		return usageErrorf("fit gb: %v", err)
	}
	f, err := m.Train(c.Context, in.Bars)
	if err != nil {
		return fmt.Errorf("fit gb: %s: %w", in.File, err)
	}
	d, err := f.Predict(c.Context, in.Bars)
	if err != nil {
		return fmt.Errorf("fit gb: %s: %w", in.File, err)
	}
	names := gbm.FeatureNames()
	imp := f.Full.FeatureImportances()
	loss := f.Full.TrainLoss
	if in.JSON {
		last := in.Bars[len(in.Bars)-1]
		importances := map[string]float64{}
		for i, n := range names {
			importances[n] = imp[i]
		}
		return writeJSON(in.Out, map[string]any{
			"symbol": last.Symbol, "as_of": last.Date.Format("2006-01-02"), "bars": len(in.Bars),
			"train_rows": f.Rows, "holdout_rows": f.HoldoutRows, "trees": len(f.Full.Trees),
			"init": f.Full.Init, "train_loss": loss, "feature_importances": importances,
			"mu": d.Mu, "sigma": d.Sigma, "p_bearish": d.PBear, "p_neutral": d.PNeutral, "p_bullish": d.PBull,
			"label": d.Label(), "confidence": d.Confidence(),
		})
	}
	fmt.Fprintf(in.Out, "rows         %d training (features: %d lagged returns, %d- and %d-bar realised vol)\n",
		f.Rows, gbm.Lags, gbm.VolShort, gbm.VolLong)
	fmt.Fprintf(in.Out, "sigma        RMSE of a model fitted without the last %d rows, on those rows\n", f.HoldoutRows)
	fmt.Fprintf(in.Out, "tree  train_mse\n")
	step := max(1, len(loss)/20)
	for i, l := range loss {
		if i == 0 || (i+1)%step == 0 || i == len(loss)-1 {
			fmt.Fprintf(in.Out, "%4d  %.8e\n", i+1, l)
		}
	}
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return imp[order[a]] > imp[order[b]] })
	fmt.Fprintf(in.Out, "feature importance (mean impurity decrease, sums to 1)\n")
	for _, i := range order {
		fmt.Fprintf(in.Out, "  %-9s %.4f\n", names[i], imp[i])
	}
	return printDistribution(in, d)
}
