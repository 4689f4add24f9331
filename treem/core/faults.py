"""Pause points for the fault tests (tests/core/test_faults.py): a runner that reaches `checkpoint(name)` while the
environment variable TREEM_FAULT_PAUSE names that point waits there, in the middle of its transaction, on a
PostgreSQL advisory lock the test holds, so the test can kill the process (or cut its database connection) at a
known point of the writing. Without the variable (always, outside those tests) it does nothing."""

import os
import zlib

from django.db import connection

ENV = "TREEM_FAULT_PAUSE"
LOCK_CLASS = 0x666C74  # "flt": the first key of the two-key advisory lock


def lock_key(name: str) -> tuple[int, int]:
    return LOCK_CLASS, zlib.crc32(name.encode()) - 2**31


def checkpoint(name: str) -> None:
    if os.environ.get(ENV) == name and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(lock_key(name)))
