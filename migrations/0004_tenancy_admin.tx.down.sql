DROP INDEX memberships_org_line_manager_idx;
--bun:split
DROP INDEX invitations_org_created_idx;
--bun:split
DROP INDEX audit_events_org_actor_idx;
