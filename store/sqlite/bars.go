package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"runner/marketdata"
)

// UpsertBars writes bars in one transaction.
func (s *Store) UpsertBars(ctx context.Context, bars []marketdata.Bar) (err error) {
	ctx, end := s.bound(ctx, "upsert bars")
	defer func() { err = end(err) }()
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO price_bars (symbol, date, open, high, low, close, adj_close, volume)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (symbol, date) DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low,
				close = excluded.close, adj_close = excluded.adj_close, volume = excluded.volume,
				updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, b := range bars {
			if _, err := stmt.ExecContext(ctx, b.Symbol, b.Date.Format(dateLayout), b.Open, b.High, b.Low, b.Close, b.AdjClose, b.Volume); err != nil {
				return fmt.Errorf("%s %s: %w", b.Symbol, b.Date.Format(dateLayout), err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: upsert bars: %w", err)
	}
	return nil
}

// Symbols lists the symbols in price_bars.
func (s *Store) Symbols(ctx context.Context) (_ []string, err error) {
	ctx, end := s.bound(ctx, "symbols")
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT symbol FROM price_bars ORDER BY symbol`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: symbols: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sym string
		if err := rows.Scan(&sym); err != nil {
			return nil, fmt.Errorf("sqlite: symbols: %w", err)
		}
		out = append(out, sym)
	}
	return out, rows.Err()
}

// Bars returns the validated bars of symbol, oldest first.
func (s *Store) Bars(ctx context.Context, symbol string) (_ []marketdata.Bar, err error) {
	ctx, end := s.bound(ctx, "bars %s", symbol)
	defer func() { err = end(err) }()
	rows, err := s.db.QueryContext(ctx, `SELECT date, open, high, low, close, adj_close, volume
		FROM price_bars WHERE symbol = ? ORDER BY date`, symbol)
	if err != nil {
		return nil, fmt.Errorf("sqlite: bars %s: %w", symbol, err)
	}
	defer rows.Close()
	var out []marketdata.Bar
	for rows.Next() {
		b := marketdata.Bar{Symbol: symbol}
		var d string
		if err := rows.Scan(&d, &b.Open, &b.High, &b.Low, &b.Close, &b.AdjClose, &b.Volume); err != nil {
			return nil, fmt.Errorf("sqlite: bars %s: %w", symbol, err)
		}
		if b.Date, err = parseDate(d); err != nil {
			return nil, fmt.Errorf("sqlite: bars %s: date %q: %w", symbol, d, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: bars %s: %w", symbol, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sqlite: bars %s: %w", symbol, marketdata.ErrNoData)
	}
	return out, marketdata.Validate(out)
}
