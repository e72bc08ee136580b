package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"

	"github.com/leadershiptoolbox/toolbox/app/busy"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// runNotes runs `toolbox notes reseal`: after a new key was put first in
// TOOLBOX_NOTES_KEYS, every private note sealed with an older key is
// sealed again with the new one, organisation by organisation; the old
// key can be removed afterwards.
func runNotes(ctx context.Context, sub string, stdout, stderr io.Writer) error {
	if sub != "reseal" && sub != "derived-key" {
		return fmt.Errorf("notes needs reseal or derived-key")
	}
	cfg, log, err := loadConfig(stderr)
	if err != nil {
		return err
	}
	if sub == "derived-key" {
		// Before the secret key changes, the notes key derived from it
		// must be listed explicitly (docs/operations.md, key rotation).
		raw, err := relationships.DeriveNotesKey(cfg.SecretKey)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s:%s\n", relationships.DerivedKeyID, base64.StdEncoding.EncodeToString(raw))
		return nil
	}
	keys, err := relationships.NewKeyring(cfg.NotesKeys, cfg.SecretKey)
	if err != nil {
		return configError{fmt.Errorf("TOOLBOX_NOTES_KEYS: %w", err)}
	}
	if cfg.Embedded() {
		if err := migrateUp(ctx, cfg, log); err != nil {
			return err
		}
	}
	d, err := openDB(ctx, cfg, cfg.DatabaseURL, "TOOLBOX_DATABASE_URL", appRole(cfg))
	if err != nil {
		return err
	}
	defer d.Close()
	notes, orgs, err := resealNotes(ctx, d, keys)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "resealed %d private notes in %d organisations with key %s\n", notes, orgs, keys.Newest())
	// Practitioners' calendar addresses and passwords are sealed with the
	// same keys (app/busy).
	cals, err := resealCalendars(ctx, d, keys)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "resealed %d connected calendars with key %s\n", cals, keys.Newest())
	return nil
}

// resealCalendars reseals the connected calendars' credentials of every
// organisation with the newest key, each organisation its own transaction.
func resealCalendars(ctx context.Context, d *db.DB, keys *relationships.Keyring) (int, error) {
	ids, err := tenancy.OrgIDs(ctx, d)
	if err != nil {
		return 0, err
	}
	store, n := &busy.Store{DB: d}, 0
	for _, id := range ids {
		c, err := store.Reseal(ctx, keys, id)
		if err != nil {
			return n, fmt.Errorf("organisation %s: %w", id, err)
		}
		n += c
	}
	return n, nil
}

// resealNotes reseals the private notes of every organisation with the
// newest key; it returns how many notes changed, and in how many
// organisations it looked. Each organisation is its own transaction, so
// an interrupted run can simply be started again.
func resealNotes(ctx context.Context, d *db.DB, keys *relationships.Keyring) (notes, orgs int, err error) {
	ids, err := tenancy.OrgIDs(ctx, d)
	if err != nil {
		return 0, 0, err
	}
	store := &relationships.Store{DB: d}
	for _, id := range ids {
		n, err := store.Reseal(ctx, keys, id)
		if err != nil {
			return notes, orgs, fmt.Errorf("organisation %s: %w", id, err)
		}
		notes += n
	}
	return notes, len(ids), nil
}
