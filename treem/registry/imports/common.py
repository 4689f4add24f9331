"""What the parts of the register import share: the row actions, the fields an import sets, the limits (settings),
and the problems that stop a whole file."""

import functools
import gc
import os

from django.conf import settings
from django.utils.translation import gettext as _

from treem.core import pipeline

from ..models import ChildStatus
from ..quality import columns as cols
from ..quality.tabular import DEFAULT_MAX_ROWS

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
ACTIONS = (CREATE, UPDATE, UNCHANGED, REJECT)
# The fields an import may set, from quality.rows' normalised data.
IMPORTED_FIELDS = ("full_name", "sex", "birth_date", "ethnicity", "personal_id", "birth_registered", "village",
                   "address", "school", "grade", "disability", "notes")
_LIMITS = {"full_name": 150, "ethnicity": 40, "village": 120, "address": 250, "school": 150, "grade": 20}
_NO_WORDS = {"khong", "no", "0", "chua", "false", "k"}
_CLOSED = (ChildStatus.MERGED, ChildStatus.IN_ERROR)
CHUNK = 5000
_FLAGGED = {"ethnicity_unknown"}


def max_bytes() -> int:
    return getattr(settings, "REGISTRY_IMPORT_MAX_BYTES", 25 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def parallel_processes() -> int:
    """Processes that check the rows of a large file (1: in the calling process). One CPU is left to the database:
    on two CPUs, starting a second process and sending it the rows costs about what it saves."""
    return getattr(settings, "REGISTRY_IMPORT_PROCESSES", max(1, min(4, (os.cpu_count() or 1) - 1)))


def parallel_above_rows() -> int:
    return getattr(settings, "REGISTRY_IMPORT_PARALLEL_ROWS", 20_000)


def background_above_bytes() -> int:
    """Files larger than this are checked and saved by a background job with a progress bar."""
    return getattr(settings, "REGISTRY_IMPORT_SYNC_BYTES", 300_000)


def _gc_paused(function):
    """Planning and writing a large file build hundreds of thousands of small objects without reference cycles; the
    cyclic garbage collector would walk them again and again (a tenth of the import's time) and free nothing.
    It is paused while they run (reference counting still frees everything) and resumed after."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


class ImportProblem(pipeline.ImportProblem):
    """The file as a whole cannot be imported; the message says why, in the user's language."""


class AlreadySaved(ImportProblem):
    """The batch was saved already (by an earlier run of the same job, or by someone else)."""


class MappingNeeded(ImportProblem):
    def __init__(self, headers: list[str], unknown: list[str], missing: list[str]):
        self.headers, self.unknown, self.missing = headers, unknown, missing
        labels = ", ".join(cols.FIELD_LABELS[f] for f in missing)
        super().__init__(_("Some columns the register needs were not found (%(fields)s). Say which column holds "
                           "them.") % {"fields": labels} if missing else
                         _("Some column headers are not known. Say what they hold, or ignore them."))

