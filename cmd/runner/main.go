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
	// SIGTERM or SIGINT cancels the command, which records its run and
	// exits; a second signal ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := cli.Run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
