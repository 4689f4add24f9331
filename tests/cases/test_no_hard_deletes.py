"""A protection case keeps its timeline and its attachments: even a bulk delete of cases (which skips Case.delete)
is refused by the database layer while the case has history."""

import pytest
from django.db.models import ProtectedError

from treem.cases.models import Case, CaseEvent


def test_a_bulk_delete_of_cases_is_refused(new_case):
    case = new_case()
    with pytest.raises(ProtectedError):
        Case.objects.filter(pk=case.pk).delete()
    assert Case.objects.filter(pk=case.pk).exists() and CaseEvent.objects.filter(case=case).exists()
