"""Importing a commune's spreadsheet into the child register, in parts along its seams: `reader` (file -> Table, formula
cells), `planner` (rows -> ImportPlan: column mapping, row checks, matching, duplicates), `writer` (ImportPlan -> the
register, households, audit), `report` (the per-row report for people), `batches` (the web's batches and jobs,
`import_file` for the command line) and `pipeline` (the same parts as an Importer of treem.core.pipeline).

Three steps, the same from the web, the background worker and the command line:

1. read: `read_file` turns XLSX/ODS/CSV bytes into a Table (quality.tabular), or an ImportProblem with a message a
   commune officer can act on (empty, password-protected, malformed, enormous, wrong sheet ...);
2. plan: `plan_import` checks every row (quality.rows.validate_row), matches it against the commune's register
   (personal ID first, else folded name + birth date) and decides create / update / unchanged / reject, with every
   error and warning phrased with the spreadsheet's row number and column. Planning never writes;
3. commit: `import_file(commit=True)` / `batch_commit` plan again inside one transaction holding the commune's lock
   (two imports of one commune take turns), then take the register's personal-ID lock for the writing only: if a
   number the plan gives a child was given to another one meanwhile (a save, or an import in another commune), the
   plan is made again under the lock (`_commit_plan`). Records to update are locked and their versions re-checked;
   the valid rows are written with bulk inserts, one audit event for the import and one per updated child.
   Re-importing the same file finds every row unchanged and writes nothing.
"""

from .batches import (
    batch_columns_set,
    batch_commit,
    batch_commit_start,
    batch_create,
    batch_preview,
    batch_preview_start,
    import_file,
    is_postgresql,
    rejected_rows_xlsx,
    run_commit,
    run_preview,
)
from .common import (
    ACTIONS,
    CHUNK,
    CREATE,
    IMPORTED_FIELDS,
    REJECT,
    UNCHANGED,
    UPDATE,
    AlreadySaved,
    ImportProblem,
    MappingNeeded,
    background_above_bytes,
    max_bytes,
    max_rows,
    parallel_above_rows,
    parallel_processes,
)
from .planner import ImportPlan, RowPlan, plan_import
from .reader import formula_cells, read_file, size_mb
from .report import change_lines, report_rows
from .writer import commit_plan, lock_commune, write_plan

__all__ = [
    "ACTIONS", "CHUNK", "CREATE", "IMPORTED_FIELDS", "REJECT", "UNCHANGED", "UPDATE", "AlreadySaved", "ImportPlan",
    "ImportProblem", "MappingNeeded", "RowPlan", "background_above_bytes", "batch_columns_set", "batch_commit",
    "batch_commit_start", "batch_create", "batch_preview", "batch_preview_start", "change_lines", "commit_plan",
    "formula_cells", "import_file", "is_postgresql", "lock_commune", "max_bytes", "max_rows", "parallel_above_rows",
    "parallel_processes", "plan_import", "read_file", "rejected_rows_xlsx", "report_rows",
    "run_commit", "run_preview", "size_mb", "write_plan",
]
