"""Who reaches a case at all: by its commune or province (treem.access.rules).

Whether the reader may also know the child's name is the confidentiality rule of `treem.cases.access` (shows_names /
names_q), proved equal in Python and SQL by tests/cases/test_confidentiality.py.
"""

from treem.access import ByUnit, register

from .models import Case

register(Case, ByUnit("commune", "province"))
