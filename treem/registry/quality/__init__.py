"""Data quality of the child register (Django app label "quality").

The pure-Python core imports nothing from Django, so the command line (``python -m treem.registry.quality``) and the
benchmarks use it outside any database: text, dates, personal_id, sex, ethnicity, columns, tabular, rows, export,
dedupe (Splink) and synthetic. The app around it (models, findings, duplicates, linkage, cleaning, services,
selectors, views, api) stores findings, duplicate pairs, proposed corrections, cleaning rounds and re-checks.
"""
