package gbm

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// fixturePath is the scikit-learn reference written by
// testdata/gbm/gen_sklearn.py (scikit-learn 1.2.1, numpy's legacy
// RandomState).
const fixturePath = "../../testdata/gbm/sklearn_gbr.json"

type fixtureTree struct {
	Feature      []int     `json:"feature"`
	Threshold    []float64 `json:"threshold"`
	Left         []int     `json:"left"`
	Right        []int     `json:"right"`
	Value        []float64 `json:"value"`
	NNodeSamples []int     `json:"n_node_samples"`
	Impurity     []float64 `json:"impurity"`
}

type fixtureCase struct {
	Name   string `json:"name"`
	Params struct {
		NEstimators    int     `json:"n_estimators"`
		MaxDepth       int     `json:"max_depth"`
		LearningRate   float64 `json:"learning_rate"`
		Subsample      float64 `json:"subsample"`
		MinSamplesLeaf int     `json:"min_samples_leaf"`
		RandomState    int64   `json:"random_state"`
	} `json:"params"`
	NTrain             int           `json:"n_train"`
	X                  [][]float64   `json:"X"`
	Y                  []float64     `json:"y"`
	Init               float64       `json:"init"`
	TrainScore         []float64     `json:"train_score"`
	FeatureImportances []float64     `json:"feature_importances"`
	Predictions        []float64     `json:"predictions"`
	Trees              []fixtureTree `json:"trees"`
}

type fixture struct {
	SKLearn      string   `json:"sklearn"`
	Bars         int      `json:"bars"`
	FirstDate    string   `json:"first_date"`
	LastDate     string   `json:"last_date"`
	FeatureNames []string `json:"feature_names"`
	Forecast     struct {
		Mu       float64 `json:"mu"`
		Sigma    float64 `json:"sigma"`
		NHoldout int     `json:"n_holdout"`
	} `json:"forecast"`
	RandomState map[string]struct {
		Randint      []uint32  `json:"randint"`
		RandomSample []float64 `json:"random_sample"`
	} `json:"numpy_random_state"`
	Cases []fixtureCase `json:"cases"`
}

func loadFixture(t testing.TB) *fixture {
	t.Helper()
	b, err := os.ReadFile(fixturePath)
	require.NoError(t, err)
	var f fixture
	require.NoError(t, json.Unmarshal(b, &f))
	require.Equal(t, "1.2.1", f.SKLearn)
	return &f
}

func (f *fixture) find(t testing.TB, name string) *fixtureCase {
	t.Helper()
	for i := range f.Cases {
		if f.Cases[i].Name == name {
			return &f.Cases[i]
		}
	}
	t.Fatalf("fixture has no case %s", name)
	return nil
}

func (c *fixtureCase) config() Config {
	return Config{Trees: c.Params.NEstimators, MaxDepth: c.Params.MaxDepth,
		LearningRate: c.Params.LearningRate, Subsample: c.Params.Subsample,
		MinSamplesLeaf: c.Params.MinSamplesLeaf, Seed: c.Params.RandomState}
}
