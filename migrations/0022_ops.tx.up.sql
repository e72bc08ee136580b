-- Running the service (app/ops): platform operators, their audit log,
-- support access to an organisation, and suspension.
--
-- Operators are a platform role apart from every organisation's roles:
-- granted from the command line (toolbox operator grant EMAIL), never
-- from a page.
CREATE TABLE operators (
  user_id    {{.UUID}} PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  granted_by TEXT NOT NULL DEFAULT '',
  granted_at {{.Time}} NOT NULL
);
--bun:split
-- Every operator action. org_id names the organisation acted on, if any;
-- no foreign key, so that the record outlives a deleted organisation.
CREATE TABLE platform_audit (
  id       {{.UUID}} PRIMARY KEY,
  actor_id {{.UUID}},
  actor    TEXT NOT NULL DEFAULT '',
  action   TEXT NOT NULL,
  org_id   {{.UUID}},
  target   TEXT NOT NULL DEFAULT '',
  detail   TEXT NOT NULL DEFAULT '',
  ip       TEXT NOT NULL DEFAULT '',
  at       {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX platform_audit_at_idx ON platform_audit (at, id);
--bun:split
-- Support access: an operator reads inside one organisation, for a reason,
-- until a time. Tenant-owned (the organisation's owners see it), so behind
-- row-level security like every tenant table.
CREATE TABLE support_access (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  operator_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  operator    TEXT NOT NULL,
  reason      TEXT NOT NULL,
  starts_at   {{.Time}} NOT NULL,
  until       {{.Time}} NOT NULL,
  ended_at    {{.Time}}
);
--bun:split
CREATE INDEX support_access_org_until_idx ON support_access (org_id, until);
--bun:split
-- A suspended organisation: its people see a page saying so, sign-in is
-- refused, and its background work waits until it is resumed.
ALTER TABLE organisations ADD COLUMN suspended_at {{.Time}};
--bun:split
ALTER TABLE organisations ADD COLUMN suspended_reason TEXT NOT NULL DEFAULT '';
{{if .Postgres}}
--bun:split
ALTER TABLE support_access ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE support_access FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON support_access
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
-- The tenant wall needs to know whether each of the viewer's
-- organisations is suspended: the function returns one more column.
DROP FUNCTION viewer_memberships(uuid);
--bun:split
CREATE FUNCTION viewer_memberships(p_user_id uuid)
  RETURNS TABLE (org_id uuid, slug text, name text, time_zone text, role text, kinds text, status text, suspended boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT m.org_id, o.slug, o.name, o.time_zone, m.role, m.kinds, m.status, o.suspended_at IS NOT NULL
    FROM memberships AS m JOIN organisations AS o ON o.id = m.org_id
    WHERE m.user_id = p_user_id
    ORDER BY o.name, o.slug
  $$;
--bun:split
-- The operator's console lists every organisation with a few totals. Only
-- counts, dates and the owners' addresses leave the tenant tables; the
-- caller is checked to be an operator by the application.
CREATE FUNCTION platform_org_totals(p_from timestamptz, p_to timestamptz)
  RETURNS TABLE (org_id uuid, people bigint, active_relationships bigint, sessions_this_month bigint,
                 course_sales bigint, last_activity timestamptz, owners text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT o.id,
      (SELECT count(*) FROM memberships m WHERE m.org_id = o.id AND m.status = 'active'),
      (SELECT count(*) FROM relationships r WHERE r.org_id = o.id AND r.status = 'active'),
      (SELECT count(*) FROM calendar_sessions s WHERE s.org_id = o.id AND s.starts_at >= p_from AND s.starts_at < p_to
         AND s.status NOT IN ('cancelled', 'cancelled_late')),
      (SELECT count(*) FROM payments p WHERE p.org_id = o.id AND p.paid_at IS NOT NULL),
      (SELECT max(a.at) FROM audit_events a WHERE a.org_id = o.id),
      (SELECT coalesce(string_agg(u.email, ', ' ORDER BY u.email), '') FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.org_id = o.id AND m.role = 'owner' AND m.status = 'active')
    FROM organisations AS o
  $$;
{{end}}
