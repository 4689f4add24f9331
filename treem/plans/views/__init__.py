"""Plans pages, by seam: the cascade and documents, uploads, tasks, rounds, submissions, the reporter's own page.

Views only call selectors (reads, scoped: a record outside the reader's scope answers 404) and services (writes, which
check permission and audit). The URL names are those of treem/plans/urls.py, unchanged by the split.
"""

from .documents import document_detail, document_edit, document_file, document_source, index, target_edit
from .mine import my_obligations, reminder_read
from .rounds import report_file, round_compare, round_consolidate, round_detail, round_edit, round_list, round_new
from .submissions import attachment_file, submission_begin, submission_detail, submission_review
from .tasks import agency_overview, task_detail, task_list, task_schedule
from .uploads import draft_discard_view, draft_review, upload

__all__ = [
    "agency_overview", "attachment_file", "document_detail", "document_edit", "document_file", "document_source",
    "draft_discard_view", "draft_review", "index", "my_obligations", "reminder_read", "report_file", "round_compare",
    "round_consolidate", "round_detail", "round_edit", "round_list", "round_new", "submission_begin",
    "submission_detail", "submission_review", "target_edit", "task_detail", "task_list", "task_schedule", "upload",
]
