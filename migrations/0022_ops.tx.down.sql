{{if .Postgres}}
DROP FUNCTION platform_org_totals(timestamptz, timestamptz);
--bun:split
DROP FUNCTION viewer_memberships(uuid);
--bun:split
CREATE FUNCTION viewer_memberships(p_user_id uuid)
  RETURNS TABLE (org_id uuid, slug text, name text, time_zone text, role text, kinds text, status text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT m.org_id, o.slug, o.name, o.time_zone, m.role, m.kinds, m.status
    FROM memberships AS m JOIN organisations AS o ON o.id = m.org_id
    WHERE m.user_id = p_user_id
    ORDER BY o.name, o.slug
  $$;
--bun:split
{{end}}
ALTER TABLE organisations DROP COLUMN suspended_reason;
--bun:split
ALTER TABLE organisations DROP COLUMN suspended_at;
--bun:split
DROP TABLE support_access;
--bun:split
DROP TABLE platform_audit;
--bun:split
DROP TABLE operators;
