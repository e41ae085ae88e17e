package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"runner/store"
	"runner/store/sqlite"
	"runner/store/storetest"
)

func openTemp(t *testing.T) store.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "runner.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openTemp)
}

func BenchmarkSaveValidationWindows(b *testing.B) {
	storetest.BenchmarkSaveValidationWindows(b, func(b *testing.B) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "runner.db"))
		require.NoError(b, err)
		b.Cleanup(func() { s.Close() })
		return s
	})
}
