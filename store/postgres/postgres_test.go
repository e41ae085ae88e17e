package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store"
	"runner/store/postgres"
	"runner/store/storetest"
)

func openSchema(t *testing.T) store.Store {
	url, schema := storetest.Schema(t)
	s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openSchema)
}

func BenchmarkSaveValidationWindows(b *testing.B) {
	storetest.BenchmarkSaveValidationWindows(b, func(b *testing.B) store.Store {
		url, schema := storetest.Schema(b)
		s, err := postgres.Open(context.Background(), postgres.Config{URL: url, Schema: schema})
		require.NoError(b, err)
		b.Cleanup(func() { s.Close() })
		return s
	})
}
