-- The personal-data export lists the events a person did in each
-- organisation, and account deletion anonymises them: both look events up
-- by actor within an organisation.
CREATE INDEX audit_events_org_actor_idx ON audit_events (org_id, actor_id, at);
--bun:split
-- The invitations page lists an organisation's invitations, newest first.
CREATE INDEX invitations_org_created_idx ON invitations (org_id, created_at);
--bun:split
-- Line managers are looked up (and cleared when a person's account is
-- deleted) within an organisation.
CREATE INDEX memberships_org_line_manager_idx ON memberships (org_id, line_manager_id);
