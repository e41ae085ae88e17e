package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"runner/forecast"
	"runner/forecast/naive"
)

func init() {
	registerFitter(naive.Name, fitter{needsBars: true, run: fitNaive,
		model: func(_ *cli.Context, opts forecast.Options) (forecast.Model, error) { return naive.New(opts) }})
}

func fitNaive(c *cli.Context, in fitInput) error {
	m, err := naive.New(in.Opts)
	if err != nil {
		return err
	}
	d, err := forecast.Forecast(c.Context, m, in.Bars)
	if err != nil {
		return fmt.Errorf("fit naive: %s: %w", in.File, err)
	}
	return printDistribution(in, d)
}

// printDistribution prints a next-step predictive distribution.
func printDistribution(in fitInput, d forecast.Distribution) error {
	last := in.Bars[len(in.Bars)-1]
	if in.JSON {
		return writeJSON(in.Out, map[string]any{
			"symbol": last.Symbol, "as_of": last.Date.Format("2006-01-02"), "bars": len(in.Bars),
			"mu": d.Mu, "sigma": d.Sigma, "p_bearish": d.PBear, "p_neutral": d.PNeutral, "p_bullish": d.PBull,
			"label": d.Label(), "confidence": d.Confidence(),
		})
	}
	fmt.Fprintf(in.Out, "%s as of %s (%d bars)\n", last.Symbol, last.Date.Format("2006-01-02"), len(in.Bars))
	fmt.Fprintf(in.Out, "next return  mu %+.6f  sigma %.6f\n", d.Mu, d.Sigma)
	fmt.Fprintf(in.Out, "classes      bearish %.4f  neutral %.4f  bullish %.4f  -> %s (%.4f)\n",
		d.PBear, d.PNeutral, d.PBull, d.Label(), d.Confidence())
	return nil
}
