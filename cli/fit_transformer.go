package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"runner/forecast/transformer"
)

func init() {
	registerFitter(transformer.Name, fitter{needsBars: true, run: fitTransformer})
}

func fitTransformer(c *cli.Context, in fitInput) error {
	m, err := transformer.New(in.Opts)
	if err != nil {
		return err
	}
	f, err := m.(*transformer.Model).Fit(c.Context, in.Bars)
	if err != nil {
		return fmt.Errorf("fit transformer: %s: %w", in.File, err)
	}
	return printTraining(in, f.FitResult, f.Distribution)
}
