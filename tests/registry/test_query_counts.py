"""Query-count guards (issue 11): a list page or API list costs the same number of queries for 3 children as for 12,
so that a page never makes one query per row (N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.registry.registry_fixtures import add_child_fixture, api, reference_fixture  # noqa: F401 - fixtures
from treem.core.actors import SYSTEM
from treem.registry import services
from treem.registry.models import CarerRelation

PAGES = ["/children/", "/children/?q=lo", "/children/households/?q=lo", "/api/v1/children/",
         "/api/v1/children/?paging=cursor", "/api/v1/carers/", "/api/v1/households/", "/api/v1/circumstances/"]


def _add(add_child, first: int, count: int) -> None:
    for i in range(first, first + count):
        child = add_child(f"Lò Văn Số {i}", village=f"Bản {i % 3}")
        services.carer_link(actor=SYSTEM, child=child, relation=CarerRelation.MOTHER, primary=True,
                            full_name=f"Lò Thị Mẹ {i}", phone=f"09120000{i:02d}")
        services.household_create(actor=SYSTEM, child=child)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.mark.parametrize("url", PAGES)
def test_a_list_costs_the_same_queries_for_more_rows(client, worker_x, add_child, url):
    _add(add_child, 0, 3)
    http = api(worker_x) if url.startswith("/api/") else client
    if http is client:
        client.force_login(worker_x)
    _queries(http, url)  # warm the caches (scope, content types, sessions)
    few = _queries(http, url)
    _add(add_child, 3, 9)
    many = _queries(http, url)
    assert many <= few, f"{url}: {few} queries for 3 children, {many} for 12"
