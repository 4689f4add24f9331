"""No domain record is hard-deleted through the admin, not even by a superuser, and records with a status are only
shown there (their services change them, with their checks and audit events)."""

import pytest
from django.apps import apps
from django.contrib import admin

from treem.accounts.models import Agency, AgencyKind
from treem.core.models import Job

pytestmark = pytest.mark.django_db

TREEM_APPS = {config.label for config in apps.get_app_configs() if config.name.startswith("treem.")}
STATUSED = {"plans.Document", "plans.Target", "plans.Task", "plans.ReportingRound", "plans.Submission", "core.Job"}


@pytest.fixture
def superuser_request(rf, national_admin):
    request = rf.get("/admin/")
    request.user = national_admin
    return request


def test_no_domain_model_can_be_deleted_in_the_admin(superuser_request):
    request, checked = superuser_request, set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in TREEM_APPS:
            continue  # Django's groups, API tokens (revoking one is deleting it), the task queue
        label = model._meta.label
        assert not model_admin.has_delete_permission(request), label
        assert not model_admin.has_delete_permission(request, model()), label
        assert "delete_selected" not in model_admin.get_actions(request), label
        for inline in model_admin.get_inline_instances(request):
            assert not (inline.can_delete and inline.has_delete_permission(request, None)), (label, inline)
        checked.add(label)
    assert checked >= {"accounts.User", "accounts.Agency", "geo.Unit", "audit.AuditEvent", "cases.DeadlineRule",
                       "registry.CircumstanceGroup", *STATUSED}


def test_records_with_a_status_are_read_only_in_the_admin(superuser_request):
    for label in STATUSED:
        model_admin = admin.site._registry[apps.get_model(label)]
        assert not model_admin.has_add_permission(superuser_request), label
        assert not model_admin.has_change_permission(superuser_request), label
        assert model_admin.has_view_permission(superuser_request), label
        for inline in model_admin.get_inline_instances(superuser_request):
            assert not inline.has_change_permission(superuser_request), (label, inline)


def test_the_admin_refuses_a_delete_and_a_status_change_over_http(client, national_admin, lai_chau):
    agency = Agency.objects.create(name="Sở Y tế", name_folded="so y te", kind=AgencyKind.DEPARTMENT,
                                   province=lai_chau)
    job = Job.objects.create(kind="test", actor=None, runner="x", total=2)
    client.force_login(national_admin)
    assert client.get(f"/admin/accounts/agency/{agency.pk}/delete/").status_code == 403
    assert client.post(f"/admin/accounts/agency/{agency.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post("/admin/accounts/agency/", {"action": "delete_selected", "_selected_action": [agency.pk],
                                                       "post": "yes"})
    assert response.status_code in (200, 302)
    assert Agency.objects.filter(pk=agency.pk).exists()
    assert client.post(f"/admin/core/job/{job.pk}/change/", {"status": "done", "done": 2}).status_code == 403
    job.refresh_from_db()
    assert job.status != "done"
