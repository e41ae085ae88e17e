package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"runner/marketdata"
)

// UpsertBars writes bars in one transaction, batched.
func (s *Store) UpsertBars(ctx context.Context, bars []marketdata.Bar) (err error) {
	ctx, end := s.bound(ctx, "upsert bars")
	defer func() { err = end(err) }()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, bar := range bars {
			b.Queue(`INSERT INTO price_bars (symbol, date, open, high, low, close, adj_close, volume)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (symbol, date) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high,
					low = EXCLUDED.low, close = EXCLUDED.close, adj_close = EXCLUDED.adj_close,
					volume = EXCLUDED.volume, updated_at = NOW()`,
				bar.Symbol, bar.Date, bar.Open, bar.High, bar.Low, bar.Close, bar.AdjClose, bar.Volume)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: upsert bars: %w", err)
	}
	return nil
}

// Symbols lists the symbols in price_bars.
func (s *Store) Symbols(ctx context.Context) (_ []string, err error) {
	ctx, end := s.bound(ctx, "symbols")
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT symbol FROM price_bars ORDER BY symbol`)
	if err != nil {
		return nil, fmt.Errorf("postgres: symbols: %w", err)
	}
	syms, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: symbols: %w", err)
	}
	return syms, nil
}

// Bars returns the validated bars of symbol, oldest first.
func (s *Store) Bars(ctx context.Context, symbol string) (_ []marketdata.Bar, err error) {
	ctx, end := s.bound(ctx, "bars %s", symbol)
	defer func() { err = end(err) }()
	rows, err := s.pool.Query(ctx, `SELECT date, open, high, low, close, adj_close, volume
		FROM price_bars WHERE symbol = $1 ORDER BY date`, symbol)
	if err != nil {
		return nil, fmt.Errorf("postgres: bars %s: %w", symbol, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (marketdata.Bar, error) {
		b := marketdata.Bar{Symbol: symbol}
		err := r.Scan(&b.Date, &b.Open, &b.High, &b.Low, &b.Close, &b.AdjClose, &b.Volume)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: bars %s: %w", symbol, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("postgres: bars %s: %w", symbol, marketdata.ErrNoData)
	}
	return out, marketdata.Validate(out)
}
