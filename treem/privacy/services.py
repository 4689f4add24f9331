"""Writes of the privacy module: each checks the scope and leaves an audit event in its own transaction."""

from django.db import transaction

from treem.access import Capability, forbid_unless, scope_for
from treem.audit.services import changes, record
from treem.core.jobs import job_start
from treem.core.protect import seal
from treem.registry.models import Child
from treem.registry.selectors import children_visible_to

from . import subject
from .models import AccessRequest, RetentionRule

RULE_FIELDS = ["years", "active", "description", "legal_basis", "confirmed_by", "confirmed_on"]


@transaction.atomic
def access_request_create(*, actor, child_id, data: dict, password: str, request=None) -> AccessRequest:
    """Record a parent's or guardian's request for the child's data and start the job that makes the file.

    Only for a child of the worker's own communes (Child.DoesNotExist otherwise: the view answers 404)."""
    cap = Capability.HANDLE_SUBJECT_ACCESS
    forbid_unless(scope_for(actor), scope_for(actor).has(cap), needs=cap)
    child = child_in_scope(actor, child_id)
    access = AccessRequest.objects.create(child=child, commune=child.commune, handled_by=actor, **data)
    record(actor, "privacy.accessrequest.create", access, unit=child.commune, request=request,
           summary={"child": str(child.pk), "relation": access.relation, "requested_on": str(access.requested_on),
                    "id_document": access.id_document, "id_checked": access.id_checked})
    access.job = job_start(actor=actor, kind=subject.KIND, runner=subject.RUNNER, unit=child.commune, total=1,
                           params={"request_id": str(access.pk), "sealed_password": seal(password)})
    access.save(update_fields=["job"])
    return access


@transaction.atomic
def retention_rule_update(*, actor, rule: RetentionRule, data: dict, request=None) -> RetentionRule:
    # The retention rules are the country's: a province's administrator may read them, not change them.
    scope = scope_for(actor)
    forbid_unless(scope, scope.is_national(Capability.MANAGE_PRIVACY), needs=Capability.MANAGE_PRIVACY)
    before = {name: getattr(rule, name) for name in RULE_FIELDS}
    for name in RULE_FIELDS:
        setattr(rule, name, data[name])
    rule.save()
    record(actor, "privacy.retentionrule.update", rule, request=request,
           summary=changes(before, {name: getattr(rule, name) for name in RULE_FIELDS}))
    return rule


def child_in_scope(actor, child_id) -> Child:
    """The child, if the worker may handle requests about it; Child.DoesNotExist otherwise (404)."""
    return children_visible_to(actor, Capability.HANDLE_SUBJECT_ACCESS).select_related("commune").get(pk=child_id)
