#!/bin/sh
# Run the whole suite on the database named by DATABASE_URL (SQLite when unset).
# A PostgreSQL URL whose server does not answer skips this run with a message: never a failure on a user's machine.
set -e
BIN=.venv/bin
case "${DATABASE_URL:-}" in
  postgres*|pgsql*)
    if ! $BIN/python scripts/pg_ready.py; then
      echo "treem: PostgreSQL at DATABASE_URL does not answer; skipping the PostgreSQL run."
      exit 0
    fi ;;
esac
sh scripts/ensure-chromium.sh || true
$BIN/python scripts/compile_messages.py
exec $BIN/python -m pytest -p no:cacheprovider "$@"
