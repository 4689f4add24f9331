"""The access layer attacked through the register's and the data-quality pages and the API (issue 11, item 1).

A commune worker reaches her commune's records; a record of the neighbouring commune answers 404 (treem.access.fetch:
the scope is in the query, nothing is fetched and then checked); an action her role may not take answers 403, and
the 403 page names the roles that may (treem.access.require)."""

from datetime import date

from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from treem.access import Capability, roles_with
from treem.accounts.models import Role
from treem.registry.models import Household
from treem.registry.quality.models import CleaningRound, LinkageRun, Recheck, RunStatus


def _records(commune):
    run = LinkageRun.objects.create(commune=commune, province_id=commune.province_id, filename="trich-xuat.csv",
                                    content=b"", status=RunStatus.DONE)
    cleaning = CleaningRound.objects.create(commune=commune, province_id=commune.province_id)
    recheck = Recheck.objects.create(commune=commune, province_id=commune.province_id, seed=7, population_count=0,
                                     population_sha256="0" * 64, drawn_on=date(2026, 11, 1))
    household = Household.objects.create(commune=commune)
    return {
        "run": reverse("quality:linkage_run", args=[run.pk]),
        "cleaning": reverse("quality:cleaning_round", args=[cleaning.pk]),
        "recheck": reverse("quality:recheck", args=[recheck.pk]),
        "household": reverse("registry:household", args=[household.pk]),
        "household_api": f"/api/v1/households/{household.pk}/",
    }


def test_the_neighbouring_communes_quality_runs_and_households_are_404(client, worker_x, commune_x, commune_y):
    theirs, mine = _records(commune_y), _records(commune_x)
    client.force_login(worker_x)
    api = APIClient()
    api.force_authenticate(worker_x)
    for name in ("run", "cleaning", "recheck", "household"):
        response = client.get(theirs[name])
        assert response.status_code == 404, name
        assert commune_y.name not in response.content.decode()
    assert api.get(theirs["household_api"]).status_code == 404
    # her own commune's: the 404s above are the scope, not broken pages
    for name in ("run", "household"):
        assert client.get(mine[name]).status_code == 200, name
    assert api.get(mine["household_api"]).status_code == 200


def test_a_province_officer_reaches_every_commune_of_her_province(client, province_officer, commune_y):
    theirs = _records(commune_y)
    client.force_login(province_officer)
    assert client.get(theirs["run"]).status_code == 200


def test_an_unknown_run_is_the_same_404(client, worker_x):
    client.force_login(worker_x)
    unknown = reverse("quality:linkage_run", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(unknown).status_code == 404


def test_the_403_page_names_the_roles_that_may_run_a_check(client, leader, commune_x):
    client.force_login(leader)  # reads the province's register, edits nothing
    response = client.post(reverse("quality:check"), {"unit": commune_x.code})
    page = response.content.decode()
    assert response.status_code == 403
    with translation.override("vi"):
        needed = [str(Role(r).label) for r in roles_with(Capability.EDIT_CHILDREN)]
    assert needed and all(label in page for label in needed)
