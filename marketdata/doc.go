// Package marketdata reads daily price bars, validates them and derives the
// series the models fit: the next-bar log return of the adjusted close.
//
// Sources are a directory of Yahoo-style CSV files (SYMBOL.csv) and the
// PostgreSQL table price_bars. Every validation failure is a *DataError that
// names the symbol, the file and the line or date of the offending bar.
package marketdata
