package main

import (
	"context"
	"fmt"
	"io"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// runLibrary runs `toolbox library seed`: every organisation gets the
// library's starter items it does not have yet (new organisations get
// them at sign-up; this is for those created before, and for items added
// to the starter content in a later release). Items an admin edited or
// hid are left alone.
func runLibrary(ctx context.Context, sub string, stdout, stderr io.Writer) error {
	if sub != "seed" {
		return fmt.Errorf("library needs seed")
	}
	_, _, d, err := openForCommand(ctx, stderr)
	if err != nil {
		return err
	}
	defer d.Close()
	items, orgs, err := seedLibraries(ctx, d, clock.System{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %d starter library items in %d organisations\n", items, orgs)
	return nil
}

// seedLibraries seeds every organisation's library, each in its own
// transaction, so an interrupted run can simply be started again.
func seedLibraries(ctx context.Context, d *db.DB, clk clock.Clock) (items, orgs int, err error) {
	svc, err := library.NewService(library.Service{Store: &library.Store{DB: d}, Clock: clk})
	if err != nil {
		return 0, 0, err
	}
	ids, err := tenancy.OrgIDs(ctx, d)
	if err != nil {
		return 0, 0, err
	}
	for _, id := range ids {
		n, err := svc.SeedStarter(ctx, id)
		if err != nil {
			return items, orgs, fmt.Errorf("organisation %s: %w", id, err)
		}
		items += n
	}
	return items, len(ids), nil
}
