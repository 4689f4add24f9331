"""Exit 0 when the PostgreSQL server named by DATABASE_URL accepts connections."""

import os
import sys

import dj_database_url
import psycopg

cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
try:
    psycopg.connect(
        host=cfg["HOST"] or "localhost", port=cfg["PORT"] or 5432, user=cfg["USER"] or None,
        password=cfg["PASSWORD"] or None, dbname="postgres", connect_timeout=3,
    ).close()
except psycopg.OperationalError as exc:
    print(f"treem: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
