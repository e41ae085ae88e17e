package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every flag value outside its range, given on the command line, is a usage
// error (exit 2) that names the command, the flag and the allowed range;
// none falls back to the default. So are extra positional arguments and
// flags the chosen model does not use.
func TestFlagValues(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "runner.db")
	spy := filepath.Join(prices, "SPY.csv")
	fc := []string{"forecast", "--ensemble", "naive", "--dry-run"}
	fit := []string{"fit", "--model", "naive", "--csv", spy}
	gb := []string{"fit", "--model", "gb", "--csv", spy}
	ag := []string{"fit", "--model", "arima_garch", "--csv", spy}
	for _, tc := range []struct {
		args []string
		want string // in stderr after "runner: "
	}{
		// forecast
		{[]string{"forecast", "--mode", ""}, `forecast: --mode (CANARY_MODE) "": want canary, production or shadow`},
		{[]string{"forecast", "--ensemble", ""}, `forecast: --ensemble "": want candidate, legacy or naive`},
		{[]string{"forecast", "--model-count", "0"}, `forecast: --model-count (ENSEMBLE_MODEL_COUNT) 0: want 2 or 4`},
		{[]string{"forecast", "--model-count", "3"}, `forecast: --model-count (ENSEMBLE_MODEL_COUNT) 3: want 2 or 4`},
		{append(fc, "--symbols", ""), `forecast: --symbols "": want a comma-separated list of symbols`},
		{append(fc, "--symbols", "AAPL,,MSFT"), `forecast: --symbols "AAPL,,MSFT": want a comma-separated list of symbols`},
		{append(fc, "--symbols", "../AAPL"), `forecast: --symbols "../AAPL": want a comma-separated list of symbols (letters, digits and . - _ ^ =)`},
		{append(fc, "--canary-symbols", ""), `forecast: --canary-symbols (CANARY_SYMBOLS) "": want a comma-separated list of symbols`},
		{append(fc, "--weights", ""), `forecast: --weights (ENSEMBLE_OPTIMIZATION_METHOD) "": want default, simple_avg, inverse_rmse, ridge or calibrated`},
		{append(fc, "--weight-lookback", "0"), `forecast: --weight-lookback 0: want an integer of at least 20`},
		{append(fc, "--horizon", "5D"), `forecast: --horizon "5D": want 1D`},
		{append(fc, "--as-of", ""), `forecast: --as-of "": want a date, YYYY-MM-DD`},
		{append(fc, "--as-of", "2023-12-32"), `forecast: --as-of "2023-12-32": want a date, YYYY-MM-DD`},
		{append(fc, "--train-bars", "0"), `forecast: --train-bars 0: want an integer of at least 2`},
		{append(fc, "--train-bars", "-5"), `forecast: --train-bars -5: want an integer of at least 2`},
		{append(fc, "--seed", "-1"), `forecast: --seed -1: want an integer from 0 to 4294967295`},
		{append(fc, "--epochs", "0"), `forecast: --epochs 0: want an integer of at least 1`},
		{append(fc, "--epochs", "-1"), `forecast: --epochs -1: want an integer of at least 1`},
		{append(fc, "--neutral-band", "-1"), `forecast: --neutral-band -1: want a number > 0 and < 1`},
		{append(fc, "--neutral-band", "0"), `forecast: --neutral-band 0: want a number > 0 and < 1`},
		{append(fc, "--neutral-band", "NaN"), `forecast: --neutral-band NaN: want a number > 0 and < 1`},
		{append(fc, "--neutral-band", "Inf"), `forecast: --neutral-band +Inf: want a number > 0 and < 1`},
		{append(fc, "--workers", "0"), `forecast: --workers 0: want an integer of at least 1`},
		{append(fc, "--early-stop=maybe"), `invalid boolean value "maybe" for -early-stop`},
		{append(fc, "--enable-gb=maybe"), `invalid boolean value "maybe" for -enable-gb`},
		{append(fc, "--dry-run=maybe"), `invalid boolean value "maybe" for -dry-run`},
		{append(fc, "AAPL"), `forecast: unexpected argument "AAPL": forecast takes flags only`},

		// fit
		{[]string{"fit", "--model", "", "--csv", spy}, `fit: --model "": want arima_garch, gb, lstm, naive or transformer`},
		{[]string{"fit", "--model", "naive", "--csv", ""}, `fit: --csv "": want a CSV file`},
		{[]string{"fit", "--model", "naive", "--csv", "no/such.csv"}, `fit: --csv "no/such.csv": want a CSV file: stat no/such.csv: no such file or directory`},
		{[]string{"fit", "--model", "naive", "--csv", prices}, `fit: --csv "../testdata/prices": want a CSV file: it is a directory`},
		{append(ag, "--column", ""), `fit: --column "": want a column name of the CSV file`},
		{append(fit, "--as-of", ""), `fit: --as-of "": want a date, YYYY-MM-DD`},
		{append(fit, "--train-bars", "0"), `fit: --train-bars 0: want an integer of at least 2`},
		{append(fit, "--train-bars", "-5"), `fit: --train-bars -5: want an integer of at least 2`},
		{append(fit, "--horizon", "0"), `fit: --horizon 0: want an integer of at least 1`},
		{append(fit, "--seed", "4294967296"), `fit: --seed 4294967296: want an integer from 0 to 4294967295`},
		{append(fit, "--epochs", "0"), `fit: --epochs 0: want an integer of at least 1`},
		{append(fit, "--neutral-band", "NaN"), `fit: --neutral-band NaN: want a number > 0 and < 1`},
		{append(fit, "--json=maybe"), `invalid boolean value "maybe" for -json`},
		{append(ag, "--p", "-1"), `fit: --p -1: want an integer from 0 to 10`},
		{append(ag, "--q", "11"), `fit: --q 11: want an integer from 0 to 10`},
		{append(ag, "--d", "2"), `fit: --d 2: want 0 or 1`},
		{append(ag, "--garch", "21"), `fit: --garch "21": want none or 11`},
		{append(ag, "--dist", "cauchy"), `fit: --dist "cauchy": want normal or t`},
		{append(gb, "--gb-trees", "0"), `fit: --gb-trees 0: want an integer of at least 1`},
		{append(gb, "--gb-max-depth", "0"), `fit: --gb-max-depth 0: want an integer of at least 1`},
		{append(gb, "--gb-min-leaf", "0"), `fit: --gb-min-leaf 0: want an integer of at least 1`},
		{append(gb, "--gb-learning-rate", "0"), `fit: --gb-learning-rate 0: want a finite number > 0`},
		{append(gb, "--gb-learning-rate", "Inf"), `fit: --gb-learning-rate +Inf: want a finite number > 0`},
		{append(gb, "--gb-subsample", "0"), `fit: --gb-subsample 0: want a number > 0 and <= 1`},
		{append(gb, "--gb-subsample", "1.5"), `fit: --gb-subsample 1.5: want a number > 0 and <= 1`},
		{append(gb, "--gb-holdout", "1"), `fit: --gb-holdout 1: want a number > 0 and < 1`},
		{append(fit, "--gb-trees", "10"), `fit: --gb-trees applies to model gb, not naive`},
		{append(fit, "--p", "1"), `fit: --p applies to model arima_garch, not naive`},
		{append(fit, "--horizon", "2"), `fit: --horizon 2: model naive forecasts one step; only arima_garch forecasts more`},
		{append(ag, "--column", "Close", "--train-bars", "100"), `fit: --train-bars applies to a price file read as bars; drop it with --column`},
		{append(ag, "--column", "Close", "--as-of", "2023-12-29"), `fit: --as-of applies to a price file read as bars; drop it with --column`},
		{append(fit, "extra"), `fit: unexpected argument "extra": fit takes flags only`},

		// calibrate: --samples below what the method's held-out report
		// needs (calibration.MinSamples: two thirds of 50 for Platt, of 19
		// for the interval; 1000 for isotonic)
		{[]string{"calibrate", "--samples", "28"}, `calibrate: --samples 28: want an integer of at least 29`},
		{[]string{"calibrate", "--samples", "74"}, `calibrate: --method auto needs --samples of at least 75 (have 74)`},
		{[]string{"calibrate", "--samples", "74", "--method", "platt"}, `calibrate: --method platt needs --samples of at least 75 (have 74)`},
		{[]string{"calibrate", "--samples", "999", "--method", "isotonic"}, `calibrate: --method isotonic needs --samples of at least 1000 (have 999)`},

		// status
		{[]string{"status", "--window", "0"}, `status: --window 0: want an integer of at least 1`},
		{[]string{"status", "--horizon", "5D"}, `status: --horizon "5D": want 1D`},
		{[]string{"status", "--symbols", ""}, `status: --symbols "": want a comma-separated list of symbols`},
		{[]string{"status", "AAPL"}, `status: unexpected argument "AAPL": status takes flags only`},

		// data import
		{[]string{"data", "import", "--csv", ""}, `data import: --csv "": want a directory of SYMBOL.csv files`},
		{[]string{"data", "import", "--csv", "no/such/dir"}, `data import: --csv "no/such/dir": want a directory of SYMBOL.csv files: stat no/such/dir: no such file or directory`},
		{[]string{"data", "import", "--csv", spy}, `data import: --csv "../testdata/prices/SPY.csv": want a directory of SYMBOL.csv files: it is a file`},
		{[]string{"data", "import", "--csv", prices, "--symbols", ""}, `data import: --symbols "": want a comma-separated list of symbols`},
		{[]string{"data", "import", "--csv", prices, "AAPL"}, `data import: unexpected argument "AAPL": data import takes flags only`},
		{[]string{"data", "export"}, `No help topic for 'export'`},

		// migrate
		{[]string{"migrate", "up", "down"}, `migrate: want one of up, down, status; got [up down]`},
		{[]string{"migrate", "sideways"}, `migrate: unknown action "sideways": want up, down or status`},

		// global
		{[]string{"--data", "", "status"}, `--data "": want a directory of SYMBOL.csv files, or postgres`},
		{[]string{"--config", "", "status"}, `--config "": want a YAML config file`},
		{[]string{"--log-format", "xml", "status"}, `--log-format "xml": want console or json`},
		{[]string{"--log-level", "", "status"}, `--log-level "": want debug, info, warn or error`},
		{[]string{"--log-level", "loud", "status"}, `--log-level "loud": want debug, info, warn or error`},
		{[]string{"--database-url", "mysql://x", "status"}, `--database-url: want a PostgreSQL URL (postgres://... or postgresql://...), PostgreSQL keyword=value pairs (host=... dbname=...) or sqlite:PATH (the value is not shown: it may hold a password)`},
		{[]string{"bogus"}, `No help topic for 'bogus'`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"--database-url", db}, tc.args...)
			if tc.args[0] == "--database-url" {
				args = tc.args
			}
			code, out, stderr := run(t, args...)
			require.Equal(t, ExitUsage, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
			require.True(t, strings.HasPrefix(stderr, "runner: "), stderr)
			require.Contains(t, stderr, tc.want)
			require.NotContains(t, stderr, "runner: runner:")
		})
	}
}

// The environment variables bound to flags are checked like the flags.
func TestFlagValuesFromEnvironment(t *testing.T) {
	for _, tc := range []struct{ env, value, want string }{
		{"ENSEMBLE_MODEL_COUNT", "abc", `could not parse "abc" as int value from environment variable "ENSEMBLE_MODEL_COUNT"`},
		{"ENSEMBLE_MODEL_COUNT", "0", `forecast: --model-count (ENSEMBLE_MODEL_COUNT) 0: want 2 or 4`},
		{"CANARY_MODE", "", `forecast: --mode (CANARY_MODE) "": want canary, production or shadow`},
		{"CANARY_SYMBOLS", "AAPL,", `forecast: --canary-symbols (CANARY_SYMBOLS) "AAPL,": want a comma-separated list of symbols`},
		{"ENABLE_GB", "maybe", `could not parse "maybe" as bool value from environment variable "ENABLE_GB"`},
	} {
		t.Run(tc.env+"="+tc.value, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			code, out, stderr := run(t, "--data", prices, "forecast", "--dry-run")
			require.Equal(t, ExitUsage, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
			require.Contains(t, stderr, tc.want)
		})
	}
}

// Valid explicit values, the bounds where a model takes them, are accepted.
func TestFlagValuesInRange(t *testing.T) {
	code, out, stderr := run(t, "--data", prices, "forecast", "--ensemble", "naive", "--dry-run", "--symbols", "spy",
		"--train-bars", "30", "--seed", "0", "--epochs", "1", "--neutral-band", "0.01", "--workers", "1",
		"--weight-lookback", "20", "--horizon", "1D", "--as-of", "2023-12-29")
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	require.Contains(t, out, "SPY     2023-12-29")
	code, out, stderr = run(t, "fit", "--model", "naive", "--csv", filepath.Join(prices, "SPY.csv"), "--train-bars", "30", "--horizon", "1")
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
}
