#!/bin/sh
# Run the whole suite on the database named by DATABASE_URL (SQLite when unset).
# A PostgreSQL URL whose server does not answer skips this run with a message on a user's machine; under CI
# (CI=true) it fails: a green CI run must have run the PostgreSQL suite (concurrency, COPY, advisory locks).
set -e
BIN=.venv/bin
case "${DATABASE_URL:-}" in
  postgres*|pgsql*)
    if ! $BIN/python scripts/pg_ready.py; then
      if [ -n "${CI:-}" ] && [ "${CI}" != "false" ]; then
        echo "treem: PostgreSQL at DATABASE_URL does not answer, and this is CI: failing." >&2
        exit 1
      fi
      echo "treem: PostgreSQL at DATABASE_URL does not answer; skipping the PostgreSQL run."
      exit 0
    fi ;;
esac
if ! sh scripts/ensure-chromium.sh && [ -n "${CI:-}" ] && [ "${CI}" != "false" ]; then
  echo "treem: Chromium is missing and could not be installed, and this is CI: failing." >&2
  exit 1
fi
$BIN/python scripts/compile_messages.py
exec $BIN/python -m pytest -p no:cacheprovider "$@"
