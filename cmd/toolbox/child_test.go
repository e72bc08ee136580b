package main

import (
	"os"
	"strings"
)

// envChild, when set, makes the test binary run as the toolbox binary
// with these arguments (worker, web, migrate up): the chaos tests start,
// kill and restart real processes this way.
const envChild = "TOOLBOX_TEST_CHILD"

func runChildIfAsked() {
	if args := os.Getenv(envChild); args != "" {
		os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
	}
}
