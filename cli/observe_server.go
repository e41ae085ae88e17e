package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"runner/observe"
	"runner/store"
)

// listenFlag is --listen of runner schedule and runner worker, defaulting
// to addr.
func listenFlag(addr string) cli.Flag {
	return stringNotEmpty(&cli.StringFlag{Name: "listen", Value: addr,
		Usage: "address of the /healthz and /metrics server (host:port; :0 picks a free port)"}, "host:port")
}

// startObserve starts the /healthz and /metrics server on --listen; it
// serves until ctx ends, and the returned function waits for it to stop.
// health is asked first; then the store must answer.
func startObserve(ctx context.Context, c *cli.Context, e *env, m *observe.Metrics, s store.Store, health func() error) (func(), error) {
	srv, err := observe.NewServer(observe.ServerConfig{Listen: c.String("listen"), Metrics: m, Log: e.log,
		Health: func(ctx context.Context) error {
			if err := health(); err != nil {
				return err
			}
			if _, err := s.MigrationStatus(ctx); err != nil {
				return fmt.Errorf("database: %w", err)
			}
			return nil
		}})
	if err != nil {
		return nil, usageErrorf("--listen: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ctx); err != nil {
			e.log.Error().Str("component", "observe").Err(err).Msg("the /healthz and /metrics server stopped")
		}
	}()
	return func() { <-done }, nil
}
