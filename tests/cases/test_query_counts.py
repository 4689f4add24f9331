"""Query-count guards (issue 11): the case lists cost the same number of queries for 2 cases as for 8."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import api

PAGES = ["/cases/", "/cases/list/", "/cases/due/", "/api/v1/cases/", "/api/v1/case-referrals/"]


def _queries(http, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.mark.parametrize("url", PAGES)
def test_case_lists_cost_the_same_queries_for_more_cases(client, new_case, worker_x, url):
    for _ in range(2):
        new_case()
    http = api(worker_x) if url.startswith("/api/") else client
    if http is client:
        client.force_login(worker_x)
    _queries(http, url)
    few = _queries(http, url)
    for _ in range(6):
        new_case()
    many = _queries(http, url)
    assert many <= few, f"{url}: {few} queries for 2 cases, {many} for 8"
