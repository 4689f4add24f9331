"""Reads of the privacy module, filtered by the reader's scope."""

from treem.access import Capability, fetch, forbid_unless, require, restrict, scope_for
from treem.registry.selectors import SearchResults, children_visible_to, search_children

from .models import AccessRequest, ProcessingActivity, RetentionRule


def processing_record(user):
    scope = scope_for(user)
    forbid_unless(scope, scope.has(Capability.VIEW_PROCESSING_RECORD), needs=Capability.VIEW_PROCESSING_RECORD)
    return ProcessingActivity.objects.all()


def retention_rules(user):
    scope = scope_for(user)
    forbid_unless(scope, scope.has(Capability.VIEW_PROCESSING_RECORD), needs=Capability.VIEW_PROCESSING_RECORD)
    return RetentionRule.objects.all()


def children_for_request(user, text: str) -> SearchResults | list:
    """Children of the worker's communes whose name (or personal ID) matches: whom a request may be about."""
    scope = scope_for(user)
    forbid_unless(scope, scope.has(Capability.HANDLE_SUBJECT_ACCESS), needs=Capability.HANDLE_SUBJECT_ACCESS)
    if not text.strip():
        return []
    return SearchResults(search_children(children_visible_to(user, Capability.HANDLE_SUBJECT_ACCESS), text))


def access_request_for(user, pk) -> AccessRequest:
    """One request, 404 outside the worker's communes (or province)."""
    scope = require(user, Capability.HANDLE_SUBJECT_ACCESS)
    qs = AccessRequest.objects.select_related("child", "commune", "handled_by", "job")
    return fetch(qs, scope, Capability.HANDLE_SUBJECT_ACCESS, pk=pk)


def access_requests_visible_to(user):
    """Requests about children of the worker's communes (or province)."""
    scope = require(user, Capability.HANDLE_SUBJECT_ACCESS)
    return restrict(AccessRequest.objects.select_related("child", "commune", "handled_by", "job"), scope,
                    Capability.HANDLE_SUBJECT_ACCESS)
