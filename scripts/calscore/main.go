// Command calscore scores stored forecasts against what followed, raw and
// calibrated side by side, per ensemble over the symbols together: the
// acceptance figures of issue 12 (coverage and width of the 90% interval,
// Brier score, ECE and log loss of P(up), the Brier score of always
// forecasting the base rate of up days (the scored period's own, known only
// in hindsight, and the climatological one each forecast's calibration
// learned from its samples), and CRPS). The raw CRPS is that of
// the Gaussian with the forecast's mean and volatility; the calibrated one
// that of the calibrated distribution of the calibration the forecast
// applied. See scripts/calibration_acceptance.sh.
//
// With -skill it also asks whether the raw P(up) of each ensemble says
// anything about the outcomes: the Brier score of the best non-decreasing
// recalibration of it fitted on the scored period's own outcomes
// (calibration.HindsightBrier), its gain over that period's base rate, and
// the permutation p-value of the gain (calibration.PermutationSkill, 999
// shuffles).
//
//	go run ./scripts/calscore -db runner.db -symbols AAPL,MSFT,SPY -from 2023-01-01 -to 2023-12-31 [-skill]
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"runner/calibration"
	"runner/jobs"
	"runner/store"
	"runner/store/sqlite"
)

func main() {
	db := flag.String("db", "runner.db", "SQLite file")
	syms := flag.String("symbols", "AAPL,MSFT,SPY", "symbols")
	fromS := flag.String("from", "2023-01-01", "first as-of date")
	toS := flag.String("to", "2023-12-31", "last as-of date")
	reapply := flag.Bool("reapply", false, "score each forecast with the latest calibration usable as of its date (the store's LatestCalibration) instead of the one it recorded, from its raw mean and volatility")
	skill := flag.Bool("skill", false, "also test the raw P(up) for skill: hindsight isotonic gain over the base rate and its permutation p-value")
	flag.Parse()
	if err := run(*db, strings.Split(*syms, ","), *fromS, *toS, *reapply, *skill); err != nil {
		fmt.Fprintln(os.Stderr, "calscore:", err)
		os.Exit(1)
	}
}

func run(db string, syms []string, fromS, toS string, reapply, skill bool) error {
	ctx := context.Background()
	from, err := time.Parse(time.DateOnly, fromS)
	if err != nil {
		return err
	}
	to, err := time.Parse(time.DateOnly, toS)
	if err != nil {
		return err
	}
	s, err := sqlite.Open(ctx, db)
	if err != nil {
		return err
	}
	defer s.Close()
	cals := map[int64]*calibration.Calibration{}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ensemble\t\tn\tcalibrated\tcoverage\tmean width\tBrier\tbase-rate Brier\tclim. Brier\tlog loss\tECE\tCRPS\t")
	var skills []string
	for _, ens := range []string{"candidate", "legacy"} {
		var samples []calibration.Sample
		var raw, cal []calibration.Applied
		var rawCRPS, calCRPS []float64
		nCal, ups := 0, 0
		var clim float64 // sum of (base rate of the calibration's samples - outcome)^2
		for _, sym := range syms {
			yes := true
			fs, err := s.Forecasts(ctx, store.ForecastFilter{Symbol: sym, Ensemble: ens, Matured: &yes, From: from, To: to})
			if err != nil {
				return err
			}
			for _, f := range fs {
				if f.PUp == nil || f.PUpRaw == nil || f.CILowerRaw == nil {
					return fmt.Errorf("%s %s %s: forecast without raw interval or P(up)", sym, ens, f.AsOf.Format(time.DateOnly))
				}
				smp := calibration.Sample{Mu: f.Return, Sigma: f.Volatility, Realised: *f.RealisedReturn}
				samples = append(samples, smp)
				if smp.Realised > 0 {
					ups++
				}
				raw = append(raw, calibration.Applied{CILower: *f.CILowerRaw, CIUpper: *f.CIUpperRaw, PUp: *f.PUpRaw})
				if reapply {
					row, err := s.LatestCalibration(ctx, sym, f.Horizon, ens, f.AsOf)
					if err != nil {
						return fmt.Errorf("%s %s %s: %w", sym, ens, f.AsOf.Format(time.DateOnly), err)
					}
					id := row.ID
					f.CalibrationID = &id
					c, err := jobs.RestoreCalibration(row)
					if err != nil {
						return err
					}
					a := c.Apply(f.Return, f.Volatility)
					f.CILower, f.CIUpper, f.PUp = a.CILower, a.CIUpper, &a.PUp
				}
				cal = append(cal, calibration.Applied{CILower: f.CILower, CIUpper: f.CIUpper, PUp: *f.PUp})
				rawCRPS = append(rawCRPS, calibration.GaussianCRPS(smp))
				c, base := calCRPSOf(ctx, s, cals, f, smp)
				if f.CalibrationID != nil {
					nCal++
				}
				y := 0.0
				if smp.Realised > 0 {
					y = 1
				}
				clim += (base - y) * (base - y)
				calCRPS = append(calCRPS, c)
			}
		}
		if len(samples) == 0 {
			continue
		}
		base := float64(ups) / float64(len(samples))
		if skill {
			p, up := make([]float64, len(raw)), make([]bool, len(raw))
			for i, a := range raw {
				p[i], up[i] = a.PUp, samples[i].Realised > 0
			}
			k := calibration.PermutationSkill(p, up, 999, 1)
			skills = append(skills, fmt.Sprintf("%s\t%d\t%.4f\t%.5f\t%.5f\t%.5f\t%.3f\t", ens, k.N, k.Base,
				k.Base*(1-k.Base), calibration.HindsightBrier(p, up), k.Gain, k.P))
		}
		for k, as := range [][]calibration.Applied{raw, cal} {
			crps := rawCRPS
			label := "raw"
			if k == 1 {
				crps, label = calCRPS, "calibrated"
			}
			i, j := 0, 0
			r := calibration.Score(samples, func(calibration.Sample) calibration.Applied { a := as[i]; i++; return a },
				func(calibration.Sample) float64 { c := crps[j]; j++; return c })
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.2f%%\t%.4f%%\t%.5f\t%.5f\t%.5f\t%.5f\t%.4f\t%.6f\t\n", ens, label, r.N, nCal,
				100*r.Coverage, 100*r.MeanWidth, r.Brier, base*(1-base), clim/float64(len(samples)), r.LogLoss, r.ECE, r.CRPS)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !skill {
		return nil
	}
	fmt.Println("\nraw P(up), recalibrated with hindsight (isotonic regression on the period's own outcomes):")
	tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ensemble\tn\tup share\tbase-rate Brier\thindsight Brier\tgain\tpermutation p\t")
	for _, l := range skills {
		fmt.Fprintln(tw, l)
	}
	return tw.Flush()
}

// calCRPSOf is the CRPS of the forecast's calibrated distribution, the
// Gaussian one when no calibration was applied, and the base rate of up
// days in the calibration's samples (NaN without a calibration).
func calCRPSOf(ctx context.Context, s store.Store, cals map[int64]*calibration.Calibration, f store.Forecast, smp calibration.Sample) (float64, float64) {
	if f.CalibrationID == nil {
		return calibration.GaussianCRPS(smp), math.NaN()
	}
	c, ok := cals[*f.CalibrationID]
	if !ok {
		row, err := s.Calibration(ctx, *f.CalibrationID)
		if err != nil {
			panic(err)
		}
		if c, err = jobs.RestoreCalibration(row); err != nil {
			panic(err)
		}
		cals[*f.CalibrationID] = c
	}
	return c.CRPS(smp), c.Base
}
