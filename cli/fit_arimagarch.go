package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"runner/forecast"
	"runner/forecast/arimagarch"
)

func init() {
	registerFitter(arimagarch.Name, fitter{
		flags: []cli.Flag{
			intFromTo(&cli.IntFlag{Name: "p", Usage: "arima_garch: AR order (with --q; default: --auto)"}, 0, arimagarch.MaxOrderLimit),
			intFromTo(&cli.IntFlag{Name: "q", Usage: "arima_garch: MA order (with --p; default: --auto)"}, 0, arimagarch.MaxOrderLimit),
			intOneOf(&cli.IntFlag{Name: "d", Usage: "arima_garch: order of differencing, 0 or 1"}, 0, 1),
			&cli.BoolFlag{Name: "auto", Usage: "arima_garch: choose (p,q) in {0,1,2}^2 by AIC (the default without --p/--q)"},
			stringOneOf(&cli.StringFlag{Name: "garch", Value: "11", Usage: "arima_garch: error variance: none or 11 (GARCH(1,1))"}, "none", "11"),
			stringOneOf(&cli.StringFlag{Name: "dist", Value: "normal", Usage: "arima_garch: GARCH innovations: normal or t"}, "normal", "t"),
		},
		multiStep: true,
		run:       fitARIMAGARCH,
		model: func(c *cli.Context, opts forecast.Options) (forecast.Model, error) {
			cfg, err := arimaGARCHConfig(c)
			if err != nil {
				return nil, err
			}
			cfg.StdErrors = false
			if cfg.D != 0 {
				return nil, usageErrorf("fit: --predict-to models log returns: drop --d %d", cfg.D)
			}
			m, err := arimagarch.NewWithConfig(cfg, opts)
			if err != nil {
				return nil, usageErrorf("fit arima_garch: %v", err)
			}
			return m, nil
		},
	})
}

// arimaGARCHConfig turns the flags into a model configuration.
func arimaGARCHConfig(c *cli.Context) (arimagarch.Config, error) {
	cfg := arimagarch.Config{P: c.Int("p"), Q: c.Int("q"), D: c.Int("d"), StdErrors: true}
	explicit := c.IsSet("p") || c.IsSet("q")
	if c.Bool("auto") && explicit {
		return cfg, usageErrorf("fit: --auto chooses the order: drop --p/--q")
	}
	cfg.Auto = !explicit
	switch g := c.String("garch"); g {
	case "none":
	case "11":
		cfg.GARCH = true
	default:
		return cfg, usageErrorf("fit: --garch %q: want none or 11", g)
	}
	switch d := c.String("dist"); d {
	case "normal":
	case "t":
		cfg.Dist = arimagarch.StudentT
	default:
		return cfg, usageErrorf("fit: --dist %q: want normal or t", d)
	}
	if c.IsSet("dist") && !cfg.GARCH && cfg.Dist != arimagarch.Normal {
		return cfg, usageErrorf("fit: --dist t needs --garch 11 (the homoskedastic ARMA is Gaussian)")
	}
	if cfg.D != 0 && cfg.D != 1 {
		return cfg, usageErrorf("fit: --d %d: want 0 or 1", cfg.D)
	}
	if cfg.P < 0 || cfg.Q < 0 || cfg.P > arimagarch.MaxOrderLimit || cfg.Q > arimagarch.MaxOrderLimit {
		return cfg, usageErrorf("fit: --p %d --q %d: want 0..%d", cfg.P, cfg.Q, arimagarch.MaxOrderLimit)
	}
	return cfg, nil
}

func fitARIMAGARCH(c *cli.Context, in fitInput) error {
	cfg, err := arimaGARCHConfig(c)
	if err != nil {
		return err
	}
	subject := in.File
	if in.Column != "" {
		subject += " column " + in.Column
	} else {
		subject += " log returns"
	}
	res, err := arimagarch.Fit(c.Context, in.Series, cfg)
	if err != nil {
		return fmt.Errorf("fit arima_garch: %s: %w", subject, err)
	}
	steps, err := res.Forecast(in.Horizon)
	if err != nil {
		return fmt.Errorf("fit arima_garch: %s: %w", subject, err)
	}
	model := modelName(res)
	// The class probabilities of the next return make sense for returns only.
	var next map[string]any
	if in.Column == "" && res.D == 0 {
		d := res.Predictive(steps[0], in.Opts.Band())
		if err := d.Check(); err != nil {
			return fmt.Errorf("fit arima_garch: %s: %w", subject, err)
		}
		next = map[string]any{"mu": d.Mu, "sigma": d.Sigma, "p_bearish": d.PBear, "p_neutral": d.PNeutral,
			"p_bullish": d.PBull, "label": d.Label(), "confidence": d.Confidence()}
	}
	if in.JSON {
		out := map[string]any{
			"model": model, "file": in.File, "p": res.P, "q": res.Q, "d": res.D, "garch": res.GARCH,
			"nobs": res.NObs, "params": res.Params, "loglik": res.LogLik, "aic": res.AIC, "sigma2": res.Sigma2,
			"forecast": steps,
		}
		if in.Column != "" {
			out["column"] = in.Column
		}
		if res.GARCH {
			out["dist"] = res.Dist.String()
		}
		if res.Search != nil {
			out["search"] = res.Search
		}
		if next != nil {
			out["next"] = next
		}
		if len(in.Bars) > 0 {
			last := in.Bars[len(in.Bars)-1]
			out["symbol"], out["as_of"] = last.Symbol, last.Date.Format("2006-01-02")
		}
		return writeJSON(in.Out, out)
	}
	w := tabwriter.NewWriter(in.Out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(in.Out, "%s on %s: %d observations in the likelihood\n", model, subject, res.NObs)
	if len(in.Bars) > 0 {
		last := in.Bars[len(in.Bars)-1]
		fmt.Fprintf(in.Out, "%s bars %s to %s\n", last.Symbol, in.Bars[0].Date.Format("2006-01-02"), last.Date.Format("2006-01-02"))
	}
	if res.Search != nil {
		fmt.Fprintln(in.Out, "\norder search (exact Gaussian ARMA likelihood):")
		fmt.Fprintln(w, "p\tq\tloglik\tAIC\t")
		for _, o := range res.Search {
			if o.Err != "" {
				fmt.Fprintf(w, "%d\t%d\t-\t-\t  %s\n", o.P, o.Q, o.Err)
				continue
			}
			mark := ""
			if o.P == res.P && o.Q == res.Q {
				mark = "  <- chosen"
			}
			fmt.Fprintf(w, "%d\t%d\t%.4f\t%.4f\t%s\n", o.P, o.Q, o.LogLik, o.AIC, mark)
		}
		w.Flush()
	}
	fmt.Fprintln(in.Out, "\nestimates:")
	fmt.Fprintln(w, "param\testimate\tstd.err\tz\t")
	for _, p := range res.Params {
		fmt.Fprintf(w, "%s\t%.6g\t%.6g\t%.2f\t\n", p.Name, p.Value, p.SE, p.Value/p.SE)
	}
	w.Flush()
	fmt.Fprintf(in.Out, "\nlog-likelihood %.4f  AIC %.4f  sigma2 %.6g", res.LogLik, res.AIC, res.Sigma2)
	if res.GARCH {
		fmt.Fprintf(in.Out, " (unconditional)  persistence %.4f", res.Alpha+res.Beta)
	}
	fmt.Fprintln(in.Out)
	fmt.Fprintln(in.Out, "\nforecast:")
	fmt.Fprintln(w, "h\tmean\tstd.err\t")
	for k, s := range steps {
		fmt.Fprintf(w, "%d\t%.6g\t%.6g\t\n", k+1, s.Mean, s.SE)
	}
	w.Flush()
	if next != nil {
		fmt.Fprintf(in.Out, "\nnext return: bearish %.4f  neutral %.4f  bullish %.4f  -> %s\n",
			next["p_bearish"], next["p_neutral"], next["p_bullish"], next["label"])
	}
	return nil
}

// modelName describes a fitted model, e.g. "ARMA(1,0)-GARCH(1,1) t".
func modelName(r *arimagarch.Result) string {
	var b strings.Builder
	if r.D > 0 {
		fmt.Fprintf(&b, "ARIMA(%d,%d,%d)", r.P, r.D, r.Q)
	} else {
		fmt.Fprintf(&b, "ARMA(%d,%d)", r.P, r.Q)
	}
	if r.HasMean {
		if r.D > 0 {
			b.WriteString(" with drift")
		} else {
			b.WriteString(" with mean")
		}
	}
	if r.GARCH {
		fmt.Fprintf(&b, ", GARCH(1,1) %s errors", r.Dist)
	} else {
		b.WriteString(", Gaussian errors")
	}
	return b.String()
}
