-- Outcomes (issue 12): check-ins, agreements' review dates, opting out of
-- e-mails by topic, and the proposals to conclude a quiet relationship.
--
-- A check-in is a feedback request without a session, at 30 days and
-- then every 60 days of a relationship; check_in names it (30d, 90d …),
-- once per person and relationship.
ALTER TABLE feedback ADD COLUMN check_in TEXT NOT NULL DEFAULT '';
--bun:split
CREATE UNIQUE INDEX feedback_check_in_once_idx ON feedback (org_id, relationship_id, author_id, check_in) WHERE check_in <> '';
--bun:split
-- The date the two sides agreed to review how it goes (YYYY-MM-DD or '').
ALTER TABLE agreements ADD COLUMN review_date TEXT NOT NULL DEFAULT '';
--bun:split
-- People who want no e-mail of a topic from an organisation: digest (the
-- weekly programme digest), summary (the monthly summary of their own
-- relationship), nudges (check-ins and quiet-relationship nudges).
-- digest_opt_outs (0015, never written) becomes the topic 'digest'.
CREATE TABLE mail_opt_outs (
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id    {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  topic      TEXT NOT NULL,
  created_at {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, user_id, topic)
);
--bun:split
INSERT INTO mail_opt_outs (org_id, user_id, topic, created_at) SELECT org_id, user_id, 'digest', created_at FROM digest_opt_outs;
--bun:split
DROP TABLE digest_opt_outs;
--bun:split
-- A quiet relationship proposed for concluding: concluded at conclude_at
-- unless a participant objects first. spell is the quiet spell it was
-- proposed for (a session booked since starts another).
CREATE TABLE conclusion_proposals (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  spell           TEXT NOT NULL,
  proposed_at     {{.Time}} NOT NULL,
  conclude_at     {{.Time}} NOT NULL,
  objected_by     {{.UUID}} REFERENCES users (id) ON DELETE SET NULL,
  objected_at     {{.Time}},
  concluded_at    {{.Time}}
);
--bun:split
CREATE UNIQUE INDEX conclusion_proposals_once_idx ON conclusion_proposals (org_id, relationship_id, spell);
{{if .Postgres}}
--bun:split
ALTER TABLE mail_opt_outs ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE mail_opt_outs FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON mail_opt_outs
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE conclusion_proposals ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE conclusion_proposals FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON conclusion_proposals
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
-- The programme report's pre-aggregates (PostgreSQL only; the embedded
-- SQLite mode counts from the sessions, as it holds small organisations).
-- Months are the organisation's (date_trunc in its time zone). Kept by
-- statement triggers on calendar_sessions and session_attendees, in the
-- transaction of every change, so that the report reads a few rows per
-- month instead of every session and attendee:
--   report_session_months: sessions and minutes by month, kind, outcome;
--   report_person_months:  how many sessions each person counted in, by
--                          month, kind and outcome (a person counts once:
--                          the row exists while n > 0);
--   report_people_months:  the people of each month, kind and outcome
--                          (the rows of report_person_months, counted).
-- A session counts when completed, no_show or cancelled_late; a person in
-- it when they attended a completed one, or were booked into a missed or
-- late-cancelled one (attended or no_show).
CREATE TABLE report_session_months (
  org_id   uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  month    date NOT NULL,
  kind     text NOT NULL,
  status   text NOT NULL,
  sessions integer NOT NULL,
  minutes  double precision NOT NULL,
  PRIMARY KEY (org_id, month, kind, status)
);
--bun:split
CREATE TABLE report_person_months (
  org_id  uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  month   date NOT NULL,
  kind    text NOT NULL,
  status  text NOT NULL,
  user_id uuid NOT NULL,
  n       integer NOT NULL,
  PRIMARY KEY (org_id, month, kind, status, user_id)
);
--bun:split
CREATE TABLE report_people_months (
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  month  date NOT NULL,
  kind   text NOT NULL,
  status text NOT NULL,
  people integer NOT NULL,
  PRIMARY KEY (org_id, month, kind, status)
);
--bun:split
ALTER TABLE report_session_months ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE report_session_months FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON report_session_months
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
CREATE POLICY totals_maintenance ON report_session_months TO CURRENT_USER USING (true) WITH CHECK (true);
--bun:split
ALTER TABLE report_person_months ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE report_person_months FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON report_person_months
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
CREATE POLICY totals_maintenance ON report_person_months TO CURRENT_USER USING (true) WITH CHECK (true);
--bun:split
ALTER TABLE report_people_months ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE report_people_months FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON report_people_months
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
CREATE POLICY totals_maintenance ON report_people_months TO CURRENT_USER USING (true) WITH CHECK (true);
--bun:split
-- The triggers run as the owner (SECURITY DEFINER, as member_counts'):
-- a session or attendee may change with no tenant set (an account
-- deleted takes its bookings), and the counts must move all the same, so
-- the owner reads the sessions and attendees of every organisation.
CREATE POLICY report_maintenance ON calendar_sessions FOR SELECT TO CURRENT_USER USING (true);
--bun:split
CREATE POLICY report_maintenance ON session_attendees FOR SELECT TO CURRENT_USER USING (true);
--bun:split
-- report_person_delta applies changes to people's counts (a temporary
-- table report_delta of org_id, month, kind, status, user_id, d) and
-- moves the people of a month when a person's count leaves or reaches 0.
CREATE FUNCTION report_person_delta() RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  WITH d AS (
    SELECT org_id, month, kind, status, user_id, SUM(d)::integer AS d FROM report_delta GROUP BY 1, 2, 3, 4, 5 HAVING SUM(d) <> 0),
  up AS (
    INSERT INTO report_person_months AS t (org_id, month, kind, status, user_id, n)
    SELECT org_id, month, kind, status, user_id, d FROM d
    ON CONFLICT (org_id, month, kind, status, user_id) DO UPDATE SET n = t.n + excluded.n
    RETURNING t.org_id, t.month, t.kind, t.status, t.user_id, t.n)
  INSERT INTO report_people_months AS t (org_id, month, kind, status, people)
  SELECT up.org_id, up.month, up.kind, up.status,
         SUM(CASE WHEN up.n > 0 AND up.n - d.d <= 0 THEN 1 WHEN up.n <= 0 AND up.n - d.d > 0 THEN -1 ELSE 0 END)
  FROM up JOIN d USING (org_id, month, kind, status, user_id)
  GROUP BY 1, 2, 3, 4
  ON CONFLICT (org_id, month, kind, status) DO UPDATE SET people = t.people + excluded.people;
  DELETE FROM report_person_months AS t USING (SELECT DISTINCT org_id, month, kind, status, user_id FROM report_delta) AS d
   WHERE t.org_id = d.org_id AND t.month = d.month AND t.kind = d.kind AND t.status = d.status AND t.user_id = d.user_id AND t.n <= 0;
  DROP TABLE report_delta;
END
$$;
--bun:split
CREATE FUNCTION report_sessions_apply() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  CREATE TEMPORARY TABLE report_delta (org_id uuid, month date, kind text, status text, user_id uuid, d integer) ON COMMIT DROP;
  CREATE TEMPORARY TABLE report_session_delta (org_id uuid, month date, kind text, status text, sessions integer, minutes double precision) ON COMMIT DROP;
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO report_delta
    SELECT s.org_id, date_trunc('month', s.starts_at AT TIME ZONE g.time_zone)::date, s.kind, s.status, a.user_id, -1
    FROM old_rows AS s JOIN organisations AS g ON g.id = s.org_id
    JOIN session_attendees AS a ON a.org_id = s.org_id AND a.session_id = s.id AND a.status IN ('attended', 'no_show')
    WHERE s.status IN ('completed', 'no_show', 'cancelled_late') AND (s.status <> 'completed' OR a.status = 'attended');
    INSERT INTO report_session_delta
    SELECT s.org_id, date_trunc('month', s.starts_at AT TIME ZONE g.time_zone)::date, s.kind, s.status,
           -COUNT(*), -SUM(EXTRACT(EPOCH FROM (s.ends_at - s.starts_at)) / 60)
    FROM old_rows AS s JOIN organisations AS g ON g.id = s.org_id
    WHERE s.status IN ('completed', 'no_show', 'cancelled_late') GROUP BY 1, 2, 3, 4;
  END IF;
  INSERT INTO report_delta
  SELECT s.org_id, date_trunc('month', s.starts_at AT TIME ZONE g.time_zone)::date, s.kind, s.status, a.user_id, 1
  FROM new_rows AS s JOIN organisations AS g ON g.id = s.org_id
  JOIN session_attendees AS a ON a.org_id = s.org_id AND a.session_id = s.id AND a.status IN ('attended', 'no_show')
  WHERE s.status IN ('completed', 'no_show', 'cancelled_late') AND (s.status <> 'completed' OR a.status = 'attended');
  INSERT INTO report_session_delta
  SELECT s.org_id, date_trunc('month', s.starts_at AT TIME ZONE g.time_zone)::date, s.kind, s.status,
         COUNT(*), SUM(EXTRACT(EPOCH FROM (s.ends_at - s.starts_at)) / 60)
  FROM new_rows AS s JOIN organisations AS g ON g.id = s.org_id
  WHERE s.status IN ('completed', 'no_show', 'cancelled_late') GROUP BY 1, 2, 3, 4;
  PERFORM report_person_delta();
  INSERT INTO report_session_months AS t (org_id, month, kind, status, sessions, minutes)
  SELECT org_id, month, kind, status, SUM(sessions), SUM(minutes) FROM report_session_delta GROUP BY 1, 2, 3, 4
  HAVING SUM(sessions) <> 0 OR SUM(minutes) <> 0
  ON CONFLICT (org_id, month, kind, status) DO UPDATE SET sessions = t.sessions + excluded.sessions, minutes = t.minutes + excluded.minutes;
  DROP TABLE report_session_delta;
  RETURN NULL;
END
$$;
--bun:split
-- A session deleted: its sessions and its people leave the counts
-- before its attendees go (by the cascade, when the session is no longer
-- there to join).
CREATE FUNCTION report_sessions_delete() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF OLD.status IN ('completed', 'no_show', 'cancelled_late') THEN
    CREATE TEMPORARY TABLE report_delta ON COMMIT DROP AS
    SELECT OLD.org_id::uuid AS org_id, date_trunc('month', OLD.starts_at AT TIME ZONE g.time_zone)::date AS month, OLD.kind AS kind, OLD.status AS status, a.user_id, -1 AS d
    FROM organisations AS g JOIN session_attendees AS a ON a.org_id = OLD.org_id AND a.session_id = OLD.id AND a.status IN ('attended', 'no_show')
    WHERE g.id = OLD.org_id AND (OLD.status <> 'completed' OR a.status = 'attended');
    PERFORM report_person_delta();
    UPDATE report_session_months AS t SET sessions = t.sessions - 1, minutes = t.minutes - EXTRACT(EPOCH FROM (OLD.ends_at - OLD.starts_at)) / 60
    FROM organisations AS g
    WHERE g.id = OLD.org_id AND t.org_id = OLD.org_id AND t.month = date_trunc('month', OLD.starts_at AT TIME ZONE g.time_zone)::date
      AND t.kind = OLD.kind AND t.status = OLD.status;
  END IF;
  RETURN OLD;
END
$$;
--bun:split
CREATE FUNCTION report_attendees_apply() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  CREATE TEMPORARY TABLE report_delta (org_id uuid, month date, kind text, status text, user_id uuid, d integer) ON COMMIT DROP;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO report_delta
    SELECT s.org_id, date_trunc('month', s.starts_at AT TIME ZONE g.time_zone)::date, s.kind, s.status, a.user_id, -1
    FROM old_rows AS a JOIN calendar_sessions AS s ON s.org_id = a.org_id AND s.id = a.session_id JOIN organisations AS g ON g.id = s.org_id
    WHERE a.status IN ('attended', 'no_show') AND s.status IN ('completed', 'no_show', 'cancelled_late')
      AND (s.status <> 'completed' OR a.status = 'attended');
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO report_delta
    SELECT s.org_id, date_trunc('month', s.starts_at AT TIME ZONE g.time_zone)::date, s.kind, s.status, a.user_id, 1
    FROM new_rows AS a JOIN calendar_sessions AS s ON s.org_id = a.org_id AND s.id = a.session_id JOIN organisations AS g ON g.id = s.org_id
    WHERE a.status IN ('attended', 'no_show') AND s.status IN ('completed', 'no_show', 'cancelled_late')
      AND (s.status <> 'completed' OR a.status = 'attended');
  END IF;
  PERFORM report_person_delta();
  RETURN NULL;
END
$$;
--bun:split
-- report_rebuild counts an organisation's months afresh (at migration, and
-- when its time zone changes, which moves its months).
CREATE FUNCTION report_rebuild(org uuid) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM report_session_months WHERE org_id = org;
  DELETE FROM report_person_months WHERE org_id = org;
  DELETE FROM report_people_months WHERE org_id = org;
  INSERT INTO report_session_months (org_id, month, kind, status, sessions, minutes)
  SELECT s.org_id, date_trunc('month', s.starts_at AT TIME ZONE g.time_zone)::date, s.kind, s.status, COUNT(*), SUM(EXTRACT(EPOCH FROM (s.ends_at - s.starts_at)) / 60)
  FROM calendar_sessions AS s JOIN organisations AS g ON g.id = s.org_id
  WHERE s.org_id = org AND s.status IN ('completed', 'no_show', 'cancelled_late') GROUP BY 1, 2, 3, 4;
  INSERT INTO report_person_months (org_id, month, kind, status, user_id, n)
  SELECT s.org_id, date_trunc('month', s.starts_at AT TIME ZONE g.time_zone)::date, s.kind, s.status, a.user_id, COUNT(*)
  FROM calendar_sessions AS s JOIN organisations AS g ON g.id = s.org_id
  JOIN session_attendees AS a ON a.org_id = s.org_id AND a.session_id = s.id AND a.status IN ('attended', 'no_show')
  WHERE s.org_id = org AND s.status IN ('completed', 'no_show', 'cancelled_late') AND (s.status <> 'completed' OR a.status = 'attended')
  GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO report_people_months (org_id, month, kind, status, people)
  SELECT org_id, month, kind, status, COUNT(*) FROM report_person_months WHERE org_id = org GROUP BY 1, 2, 3, 4;
END
$$;
--bun:split
CREATE FUNCTION report_zone_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM report_rebuild(NEW.id);
  RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER calendar_sessions_report_insert AFTER INSERT ON calendar_sessions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_sessions_apply();
--bun:split
CREATE TRIGGER calendar_sessions_report_update AFTER UPDATE ON calendar_sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_sessions_apply();
--bun:split
CREATE TRIGGER calendar_sessions_report_delete BEFORE DELETE ON calendar_sessions
  FOR EACH ROW EXECUTE FUNCTION report_sessions_delete();
--bun:split
CREATE TRIGGER session_attendees_report_insert AFTER INSERT ON session_attendees
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_attendees_apply();
--bun:split
CREATE TRIGGER session_attendees_report_update AFTER UPDATE ON session_attendees
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_attendees_apply();
--bun:split
CREATE TRIGGER session_attendees_report_delete AFTER DELETE ON session_attendees
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_attendees_apply();
--bun:split
CREATE TRIGGER organisations_report_zone AFTER UPDATE OF time_zone ON organisations
  FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION report_zone_changed();
--bun:split
SELECT report_rebuild(id) FROM organisations;
{{end}}
