package cli

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"runner/marketdata"
	"runner/store"
)

func dataCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "data",
		Usage: "manage price bars",
		Subcommands: []*cli.Command{{
			Name:      "import",
			Usage:     "load a directory of SYMBOL.csv files into price_bars (idempotent)",
			UsageText: "runner data import --csv DIR [--symbols A,B]",
			Description: "Every file is validated first; a bad file is reported with its line or date and\n" +
				"skipped, and the other symbols are still imported (exit code 3). Re-importing\n" +
				"updates rows in place.",
			Flags: []cli.Flag{
				pathFlag(&cli.StringFlag{Name: "csv", Required: true, Usage: "directory of SYMBOL.csv files"}, true,
					"a directory of SYMBOL.csv files"),
				symbolsFlag(&cli.StringSliceFlag{Name: "symbols", Usage: "import only these symbols (default: every file)"}),
			},
			Action: func(c *cli.Context) error {
				src := marketdata.CSVSource{Dir: c.String("csv")}
				syms := upper(c.StringSlice("symbols"))
				if len(syms) == 0 {
					var err error
					if syms, err = src.Symbols(c.Context); err != nil {
						return err
					}
				}
				if len(syms) == 0 {
					return fmt.Errorf("data import: %s has no .csv files", c.String("csv"))
				}
				return withStore(c, e, true, func(s store.Store) error {
					var failed []error
					for _, sym := range syms {
						bars, err := src.Bars(c.Context, sym)
						if err == nil {
							err = s.UpsertBars(c.Context, bars)
						}
						if err != nil {
							e.log.Error().Str("symbol", sym).Fields(marketdata.LogFields(err)).Msg("import failed")
							fmt.Fprintf(e.out, "%-6s FAILED %v\n", sym, err)
							failed = append(failed, err)
							continue
						}
						fmt.Fprintf(e.out, "%-6s %5d bars  %s .. %s\n", sym, len(bars),
							bars[0].Date.Format(marketdata.DateLayout), bars[len(bars)-1].Date.Format(marketdata.DateLayout))
					}
					switch {
					case len(failed) == len(syms):
						return fmt.Errorf("data import: every symbol failed: %w", errors.Join(failed...))
					case len(failed) > 0:
						return partialError(fmt.Errorf("data import: %d of %d symbols failed: %w", len(failed), len(syms), errors.Join(failed...)))
					}
					return nil
				})
			},
		}},
	}
}
