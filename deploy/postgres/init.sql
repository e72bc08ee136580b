-- Run once by the postgres image when its data directory is new
-- (docker-compose.yml mounts it into /docker-entrypoint-initdb.d), as the
-- image's superuser. Two roles, neither a superuser:
--   toolbox_migrate  owns the database and runs `toolbox migrate up`;
--   toolbox_app      is what web and worker log in as: it owns nothing, so
--                    row-level security applies to it, and migration 0020
--                    grants it only what the code does (migrations/grants.txt).
-- CHANGE BOTH PASSWORDS (here and in docker-compose.yml) for anything but
-- local development.
CREATE ROLE toolbox_app LOGIN PASSWORD 'toolbox_app' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE ROLE toolbox_migrate LOGIN PASSWORD 'toolbox_migrate' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
-- The migrations grant the application role its privileges and make the
-- migrating role a member of it.
GRANT toolbox_app TO toolbox_migrate WITH ADMIN OPTION;
ALTER DATABASE toolbox OWNER TO toolbox_migrate;
\connect toolbox
ALTER SCHEMA public OWNER TO toolbox_migrate;
