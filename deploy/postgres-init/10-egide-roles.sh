#!/bin/sh
# Run by the postgres image once, when it initialises an empty data
# directory (compose.yaml mounts this directory at /docker-entrypoint-initdb.d).
#
# POSTGRES_USER (egide) is the superuser that owns the schema and runs the
# migrations (EGIDE_MIGRATE_DATABASE_URL). The server logs in as
# egide_server, a member of egide_app, the role the migrations grant the
# application's privileges to: it may not alter audit records, and egide
# serve refuses a superuser. egide_app is created here so that egide_server
# can join it before the first migration (which creates it only if missing).
: "${SERVER_DB_PASSWORD:?set SERVER_DB_PASSWORD in deploy/.env}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
	--set=server_password="$SERVER_DB_PASSWORD" <<'SQL'
CREATE ROLE egide_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE ROLE egide_server LOGIN PASSWORD :'server_password' IN ROLE egide_app;
SQL
