// Command runner runs the forecast, validation and canary jobs. See the
// README and `runner --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"runner/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
