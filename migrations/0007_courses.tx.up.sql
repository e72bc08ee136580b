-- Mentor training courses (app/courses) and their Stripe billing
-- (app/billing). Every table but stripe_events belongs to one
-- organisation and sits behind row-level security on Postgres.
CREATE TABLE courses (
  id               {{.UUID}} PRIMARY KEY,
  org_id           {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  title            TEXT NOT NULL,
  summary          TEXT NOT NULL DEFAULT '',
  -- price_minor is in the currency's minor unit (pence, cents); 0 is free.
  price_minor      BIGINT NOT NULL DEFAULT 0,
  currency         TEXT NOT NULL DEFAULT 'gbp',
  qualifies_mentor BOOLEAN NOT NULL DEFAULT FALSE,
  status           TEXT NOT NULL DEFAULT 'draft',
  -- seed_key marks a course created from the embedded example, so that
  -- seeding an organisation twice (two first visits at once) is refused.
  seed_key         TEXT,
  created_at       {{.Time}} NOT NULL,
  updated_at       {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX courses_org_status_idx ON courses (org_id, status, title);
--bun:split
CREATE UNIQUE INDEX courses_org_seed_idx ON courses (org_id, seed_key);
--bun:split
CREATE TABLE course_modules (
  id         {{.UUID}} PRIMARY KEY,
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  course_id  {{.UUID}} NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  title      TEXT NOT NULL,
  created_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX course_modules_org_course_idx ON course_modules (org_id, course_id, position);
--bun:split
-- Lessons are Markdown; they are rendered with raw HTML disabled and then
-- sanitised, never shown as the author typed them.
CREATE TABLE course_lessons (
  id         {{.UUID}} PRIMARY KEY,
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  course_id  {{.UUID}} NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  module_id  {{.UUID}} NOT NULL REFERENCES course_modules (id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  title      TEXT NOT NULL,
  body       TEXT NOT NULL DEFAULT '',
  created_at {{.Time}} NOT NULL,
  updated_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX course_lessons_org_course_idx ON course_lessons (org_id, course_id, module_id, position);
--bun:split
-- At most one quiz per module.
CREATE TABLE course_quizzes (
  id         {{.UUID}} PRIMARY KEY,
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  course_id  {{.UUID}} NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  module_id  {{.UUID}} NOT NULL REFERENCES course_modules (id) ON DELETE CASCADE,
  -- pass_mark is the percentage of questions to answer correctly.
  pass_mark  INTEGER NOT NULL DEFAULT 70,
  created_at {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX course_quizzes_org_module_idx ON course_quizzes (org_id, module_id);
--bun:split
CREATE INDEX course_quizzes_org_course_idx ON course_quizzes (org_id, course_id);
--bun:split
CREATE TABLE quiz_questions (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  quiz_id     {{.UUID}} NOT NULL REFERENCES course_quizzes (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  prompt      TEXT NOT NULL,
  -- explanation is the feedback shown after an answer.
  explanation TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX quiz_questions_org_quiz_idx ON quiz_questions (org_id, quiz_id, position);
--bun:split
CREATE TABLE quiz_options (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  question_id {{.UUID}} NOT NULL REFERENCES quiz_questions (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  label       TEXT NOT NULL,
  correct     BOOLEAN NOT NULL DEFAULT FALSE
);
--bun:split
CREATE INDEX quiz_options_org_question_idx ON quiz_options (org_id, question_id, position);
--bun:split
-- One enrolment per person and course. price_minor and currency are what
-- the person paid (or 0 when free, by seat or by grant): a later price
-- change never touches them.
CREATE TABLE enrolments (
  id             {{.UUID}} PRIMARY KEY,
  org_id         {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  course_id      {{.UUID}} NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  user_id        {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  source         TEXT NOT NULL,
  status         TEXT NOT NULL,
  price_minor    BIGINT NOT NULL DEFAULT 0,
  currency       TEXT NOT NULL DEFAULT '',
  last_lesson_id {{.UUID}},
  activated_at   {{.Time}},
  started_at     {{.Time}},
  completed_at   {{.Time}},
  revoked_at     {{.Time}},
  created_at     {{.Time}} NOT NULL,
  updated_at     {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX enrolments_org_course_user_idx ON enrolments (org_id, course_id, user_id);
--bun:split
CREATE INDEX enrolments_org_user_idx ON enrolments (org_id, user_id);
--bun:split
-- Progress belongs to the person, not to the enrolment: a revoked and
-- later restored enrolment finds it again.
CREATE TABLE lesson_progress (
  id           {{.UUID}} PRIMARY KEY,
  org_id       {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id      {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_id    {{.UUID}} NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  lesson_id    {{.UUID}} NOT NULL REFERENCES course_lessons (id) ON DELETE CASCADE,
  completed_at {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX lesson_progress_org_user_lesson_idx ON lesson_progress (org_id, user_id, lesson_id);
--bun:split
CREATE INDEX lesson_progress_org_user_course_idx ON lesson_progress (org_id, user_id, course_id);
--bun:split
CREATE TABLE quiz_attempts (
  id         {{.UUID}} PRIMARY KEY,
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id    {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_id  {{.UUID}} NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  quiz_id    {{.UUID}} NOT NULL REFERENCES course_quizzes (id) ON DELETE CASCADE,
  correct    INTEGER NOT NULL,
  total      INTEGER NOT NULL,
  passed     BOOLEAN NOT NULL,
  answers    {{.JSON}} NOT NULL DEFAULT '{}',
  created_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX quiz_attempts_org_user_quiz_idx ON quiz_attempts (org_id, user_id, quiz_id, created_at);
--bun:split
-- A certificate keeps the holder's name and the course title as they were
-- on the day: it certifies that day. code is random (128 bits), so that the
-- public verification URL cannot be guessed.
CREATE TABLE certificates (
  id           {{.UUID}} PRIMARY KEY,
  org_id       {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id      {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_id    {{.UUID}} NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  code         TEXT NOT NULL,
  holder_name  TEXT NOT NULL,
  course_title TEXT NOT NULL,
  issued_at    {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX certificates_code_idx ON certificates (code);
--bun:split
CREATE UNIQUE INDEX certificates_org_user_course_idx ON certificates (org_id, user_id, course_id);
--bun:split
-- Completing a course that qualifies as mentor training records the person
-- here; matching reads it through courses.Store.IsTrainedMentor.
-- One row per person: the first qualification counts. course_id is the
-- course that qualified them (empty if recorded another way).
CREATE TABLE trained_mentors (
  id           {{.UUID}} PRIMARY KEY,
  org_id       {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id      {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_id    {{.UUID}} REFERENCES courses (id) ON DELETE SET NULL,
  qualified_at {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX trained_mentors_org_user_idx ON trained_mentors (org_id, user_id);
--bun:split
-- One Stripe customer per person per organisation, created once and reused.
CREATE TABLE stripe_customers (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id     {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  customer_id TEXT NOT NULL,
  created_at  {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX stripe_customers_org_user_idx ON stripe_customers (org_id, user_id);
--bun:split
-- A payment is recorded (status open) before its Checkout Session is
-- created, so that the session's idempotency key and metadata can name it.
-- kind is course (one person's enrolment) or seats (quantity seats).
CREATE TABLE payments (
  id                  {{.UUID}} PRIMARY KEY,
  org_id              {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id             {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  course_id           {{.UUID}} NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  enrolment_id        {{.UUID}},
  kind                TEXT NOT NULL,
  quantity            INTEGER NOT NULL DEFAULT 1,
  amount_minor        BIGINT NOT NULL,
  currency            TEXT NOT NULL,
  status              TEXT NOT NULL,
  checkout_session_id TEXT,
  checkout_url        TEXT NOT NULL DEFAULT '',
  payment_intent_id   TEXT,
  customer_id         TEXT NOT NULL DEFAULT '',
  receipt_url         TEXT NOT NULL DEFAULT '',
  paid_at             {{.Time}},
  refunded_at         {{.Time}},
  created_at          {{.Time}} NOT NULL,
  updated_at          {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX payments_org_user_idx ON payments (org_id, user_id, created_at);
--bun:split
CREATE INDEX payments_org_created_idx ON payments (org_id, created_at);
--bun:split
CREATE UNIQUE INDEX payments_org_session_idx ON payments (org_id, checkout_session_id);
--bun:split
CREATE INDEX payments_org_intent_idx ON payments (org_id, payment_intent_id);
--bun:split
CREATE INDEX payments_org_enrolment_idx ON payments (org_id, enrolment_id);
--bun:split
-- Seats bought in one checkout (payment_id); they exist once it is paid.
CREATE TABLE seats (
  id         {{.UUID}} PRIMARY KEY,
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  course_id  {{.UUID}} NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  payment_id {{.UUID}} NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
  quantity   INTEGER NOT NULL,
  revoked_at {{.Time}},
  created_at {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX seats_org_payment_idx ON seats (org_id, payment_id);
--bun:split
CREATE INDEX seats_org_course_idx ON seats (org_id, course_id);
--bun:split
-- A seat given to a member; deleting the row frees the seat.
CREATE TABLE seat_assignments (
  id           {{.UUID}} PRIMARY KEY,
  org_id       {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  course_id    {{.UUID}} NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  user_id      {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  enrolment_id {{.UUID}} NOT NULL,
  assigned_by  {{.UUID}},
  assigned_at  {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX seat_assignments_org_course_user_idx ON seat_assignments (org_id, course_id, user_id);
--bun:split
-- Stripe events, each stored once by its event id. This table is NOT
-- tenant-scoped on purpose: a webhook arrives before any organisation is
-- known (the organisation is read from the event's own metadata, and
-- may be missing, unknown or forged), and the unique event id must hold
-- across all organisations for "process each event once" to mean
-- anything. org_id is filled in when the event named an organisation that
-- exists; admins see their organisation's events, the operator the rest.
-- Rows hold only ids, types and outcomes, never card or personal data.
CREATE TABLE stripe_events (
  id                {{.UUID}} PRIMARY KEY,
  event_id          TEXT NOT NULL,
  type              TEXT NOT NULL,
  org_id            {{.UUID}} REFERENCES organisations (id) ON DELETE SET NULL,
  -- payment_intent_id lets a refund that arrived before its payment be
  -- applied when the payment arrives.
  payment_intent_id TEXT,
  outcome           TEXT NOT NULL DEFAULT '',
  received_at       {{.Time}} NOT NULL,
  processed_at      {{.Time}}
);
--bun:split
CREATE UNIQUE INDEX stripe_events_event_idx ON stripe_events (event_id);
--bun:split
CREATE INDEX stripe_events_org_received_idx ON stripe_events (org_id, received_at);
--bun:split
CREATE INDEX stripe_events_intent_idx ON stripe_events (payment_intent_id);
{{if .Postgres}}
--bun:split
ALTER TABLE courses ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE courses FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON courses
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE course_modules ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE course_modules FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON course_modules
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE course_lessons ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE course_lessons FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON course_lessons
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE course_quizzes ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE course_quizzes FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON course_quizzes
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE quiz_questions ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE quiz_questions FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON quiz_questions
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE quiz_options ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE quiz_options FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON quiz_options
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE enrolments ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE enrolments FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON enrolments
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE lesson_progress ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE lesson_progress FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON lesson_progress
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE quiz_attempts ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE quiz_attempts FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON quiz_attempts
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE certificates ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE certificates FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON certificates
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE trained_mentors ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE trained_mentors FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON trained_mentors
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE payments FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON payments
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE seats ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE seats FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON seats
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE seat_assignments ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE seat_assignments FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON seat_assignments
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE stripe_customers ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE stripe_customers FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON stripe_customers
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
-- The public certificate page knows only the code: this narrow function
-- finds the certificate's organisation, bypassing row-level security as
-- the table owner; the page then reads the certificate in that tenant.
CREATE FUNCTION certificate_org_by_code(p_code text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT org_id FROM certificates WHERE code = p_code
  $$;
--bun:split
-- A charge.refunded webhook names a payment intent, not an organisation:
-- this finds the organisation of the payment that the intent paid.
CREATE FUNCTION payment_org_by_intent(p_intent text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT org_id FROM payments WHERE payment_intent_id = p_intent LIMIT 1
  $$;
{{end}}
