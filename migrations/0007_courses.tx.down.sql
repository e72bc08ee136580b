{{if .Postgres}}
DROP FUNCTION IF EXISTS payment_org_by_intent(text);
--bun:split
DROP FUNCTION IF EXISTS certificate_org_by_code(text);
--bun:split
{{end}}
DROP TABLE stripe_events;
--bun:split
DROP TABLE seat_assignments;
--bun:split
DROP TABLE seats;
--bun:split
DROP TABLE payments;
--bun:split
DROP TABLE stripe_customers;
--bun:split
DROP TABLE trained_mentors;
--bun:split
DROP TABLE certificates;
--bun:split
DROP TABLE quiz_attempts;
--bun:split
DROP TABLE lesson_progress;
--bun:split
DROP TABLE enrolments;
--bun:split
DROP TABLE quiz_options;
--bun:split
DROP TABLE quiz_questions;
--bun:split
DROP TABLE course_quizzes;
--bun:split
DROP TABLE course_lessons;
--bun:split
DROP TABLE course_modules;
--bun:split
DROP TABLE courses;
