// Command egide is Égide's single binary: the API server, its dev mode and
// its administration subcommands. main only wires; Program.Run is what the
// end-to-end tests boot.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := &Program{Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr}
	if err := p.Run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "egide:", err)
		os.Exit(1)
	}
}
