package arimagarch

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// readColumn reads one numeric column of a CSV file with a header.
func readColumn(t testing.TB, path, name string) []float64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	col := -1
	for i, h := range recs[0] {
		if h == name {
			col = i
		}
	}
	require.GreaterOrEqual(t, col, 0, "column %s in %s", name, path)
	v := make([]float64, 0, len(recs)-1)
	for _, r := range recs[1:] {
		x, err := strconv.ParseFloat(r[col], 64)
		require.NoError(t, err)
		v = append(v, x)
	}
	return v
}

// smFit is one statsmodels SARIMAX fit of the fixture.
type smFit struct {
	Mean   float64   `json:"mean"`
	AR     []float64 `json:"ar"`
	MA     []float64 `json:"ma"`
	Sigma2 float64   `json:"sigma2"`
	LogLik float64   `json:"loglik"`
	AIC    float64   `json:"aic"`
}

// smFixture is testdata/arimagarch/statsmodels_sarimax.json, written by
// testdata/arimagarch/gen_statsmodels.py.
type smFixture struct {
	Source string `json:"source"`
	Series []struct {
		Symbol          string    `json:"symbol"`
		FirstBar        string    `json:"first_bar"`
		LastBar         string    `json:"last_bar"`
		Returns         []float64 `json:"returns"`
		AICOrderDefault []int     `json:"aic_order_default"`
		AICOrderBest    []int     `json:"aic_order_best"`
		Fits            []struct {
			P       int   `json:"p"`
			Q       int   `json:"q"`
			Default smFit `json:"default"`
			Best    smFit `json:"best"`
		} `json:"fits"`
	} `json:"series"`
	LHAR3 struct {
		AR           []float64 `json:"ar"`
		Mean         float64   `json:"mean"`
		Sigma2       float64   `json:"sigma2"`
		LogLik       float64   `json:"loglik"`
		ForecastMean []float64 `json:"forecast_mean"`
		ForecastSE   []float64 `json:"forecast_se"`
	} `json:"lh_ar3"`
	LHARIMA110 struct {
		AR           []float64 `json:"ar"`
		Drift        float64   `json:"drift"`
		Sigma2       float64   `json:"sigma2"`
		LogLik       float64   `json:"loglik"`
		ForecastMean []float64 `json:"forecast_mean"`
		ForecastSE   []float64 `json:"forecast_se"`
	} `json:"lh_arima110"`
}

func readFixture(t testing.TB) smFixture {
	t.Helper()
	b, err := os.ReadFile("../../testdata/arimagarch/statsmodels_sarimax.json")
	require.NoError(t, err)
	var fx smFixture
	require.NoError(t, json.Unmarshal(b, &fx))
	require.Len(t, fx.Series, 2)
	return fx
}
