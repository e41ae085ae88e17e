package marketdata

import "context"

// Source supplies validated, date-sorted bars per symbol.
type Source interface {
	// Symbols lists the symbols the source has, sorted.
	Symbols(ctx context.Context) ([]string, error)
	// Bars returns every bar of symbol, oldest first. It returns an error
	// wrapping ErrNoData when the source has none.
	Bars(ctx context.Context, symbol string) ([]Bar, error)
}
