"""Checking the rows of a large import on several processes (quality.rows is pure Python and CPU-bound).

No Django here: worker processes are started with "spawn" (safe from a threaded web or task worker) and import only
this module and quality.rows.
"""

from datetime import date
from typing import Any

from .quality.rows import RowResult, validate_row


def validate_chunk(chunk: list[tuple[int, dict[str, Any]]], today: date, headers: dict[str, str]) -> list[RowResult]:
    return [validate_row(raw, today, number, headers) for number, raw in chunk]


def validate_rows(rows: list[tuple[int, dict[str, Any]]], today: date, headers: dict[str, str],
                  processes: int) -> list[RowResult]:
    """validate_row for every (row number, raw) pair, in order, on `processes` worker processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(rows) // (processes * 4))  # a few chunks per process, so a slow one does not hold the rest
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = pool.map(validate_chunk, chunks, [today] * len(chunks), [headers] * len(chunks))
        return [result for chunk in results for result in chunk]
