package main

import (
	"context"
	"fmt"
	"io"
	"os/user"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/ops"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// runOperator runs `toolbox operator grant|revoke EMAIL` and `toolbox
// operator list`: the platform role is given from the command line only,
// by whoever can reach the database, and recorded in the platform audit
// log under the system account that ran the command.
func runOperator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	if (sub == "grant" || sub == "revoke") && len(args) != 2 || sub != "grant" && sub != "revoke" && sub != "list" {
		return fmt.Errorf("operator needs grant EMAIL, revoke EMAIL or list")
	}
	_, log, d, err := openForCommand(ctx, stderr)
	if err != nil {
		return err
	}
	defer d.Close()
	svc := &ops.Service{DB: d, Store: &ops.Store{DB: d}, Tenancy: tenancy.NewStore(d), Clock: clock.System{}, Log: log}
	by := "command line"
	if u, err := user.Current(); err == nil {
		by = "command line (" + u.Username + ")"
	}
	switch sub {
	case "list":
		emails, err := svc.Store.Operators(ctx)
		if err != nil {
			return err
		}
		for _, e := range emails {
			fmt.Fprintln(stdout, e)
		}
		return nil
	case "grant":
		fresh, err := svc.GrantByEmail(ctx, args[1], by)
		if err != nil {
			return err
		}
		if fresh {
			fmt.Fprintf(stdout, "%s is now a platform operator: sign in and open /ops\n", args[1])
		} else {
			fmt.Fprintf(stdout, "%s was a platform operator already\n", args[1])
		}
	case "revoke":
		held, err := svc.RevokeByEmail(ctx, args[1], by)
		if err != nil {
			return err
		}
		if held {
			fmt.Fprintf(stdout, "%s is no longer a platform operator\n", args[1])
		} else {
			fmt.Fprintf(stdout, "%s was not a platform operator\n", args[1])
		}
	}
	return nil
}
