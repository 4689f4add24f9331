"""Schemathesis over the whole API schema, as a commune worker and as a provincial officer.

For every operation of /api/v1/schema/, Hypothesis generates requests from the schema (valid ones and invalid ones:
wrong types, missing fields, odd strings) and each is sent through the Django WSGI application as both roles. An
operation with an id in its path is also called with the id of a real record of the demo-like data below, so that the
generated bodies reach the code behind the lookup. Checks: no 5xx, the status code is one the schema documents, the
body conforms to the schema of that status.

Bounded and reproducible: `derandomize=True` (the same examples on every run) and FUZZ_EXAMPLES examples per
operation; each example runs in a savepoint rolled back afterwards, so a write (a move, a new carer, a submission)
never uses up the data the next example needs. Runs on SQLite and PostgreSQL (`DATABASE_URL=...`).
"""

import json
import os
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from treem.accounts.models import Agency, AgencyKind, Assignment, Role, User
from treem.geo.models import Unit, UnitLevel, UnitSystem

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

APP = get_wsgi_application()
# The schema /api/v1/schema/ serves, generated in-process: requesting it at collection time would reach the database
# (the throttles' cache lives there), which pytest-django forbids outside a test.
schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(
    SchemaGenerator().get_schema(request=None, public=True))))
schema.app = APP
schema.config.generation.update(modes=["positive", "negative"], database="none")

pytestmark = pytest.mark.django_db


def _unit(level: str, code: str) -> Unit:
    return Unit.objects.get(system=UnitSystem.CURRENT, level=level, code=code)


def _user(username: str, role: str, unit=None, agency=None) -> User:
    user = User.objects.create_user(username=username, password="Mat-khau-2026!", full_name=username)
    Assignment.objects.create(user=user, role=role, unit=unit, agency=agency)
    return user


def _build_world() -> dict:
    """Demo-like data of one Lai Châu commune: children with a household, carer and circumstance, a case, a plan
    with a target and a task, a reporting round with a submission. Returns the tokens and the ids by path prefix."""
    from treem.cases import reference as case_reference
    from treem.cases import services as case_services
    from treem.cases.models import ConcernType
    from treem.core.calendar import seed_calendar
    from treem.plans.models import Document, DocumentType, Target, TargetValue, Task, TaskAgency
    from treem.plans.rounds import round_create, submission_start
    from treem.registry import services as registry
    from treem.registry.reference import load_reference

    load_reference()
    seed_calendar(range(2025, 2029))
    case_reference.load()
    commune, province = _unit(UnitLevel.COMMUNE, "03390"), _unit(UnitLevel.PROVINCE, "12")
    worker = _user("fuzz.canbo.x", Role.COMMUNE_WORKER, commune)
    officer = _user("fuzz.tinh.laichau", Role.FOCAL_OFFICER, province)
    hotline = _user("fuzz.tongdai", Role.HOTLINE_OPERATOR, province)
    children = [registry.child_create(actor=worker, commune=commune, data=data) for data in (
        {"full_name": "Lò Thị Mai", "sex": "F", "birth_date": "12/03/2018", "personal_id": "012318000123"},
        {"full_name": "Lò Văn Páo", "sex": "M", "birth_date": "01/09/2015"},
        {"full_name": "Giàng Thị Say", "sex": "F", "birth_date": "20/11/2012", "village": "Bản Thèn Sin"},
    )]
    link = registry.carer_link(actor=worker, child=children[0], full_name="Lò Văn Chứ", relation="father",
                               phone="0912345678", primary=True)
    household = registry.household_create(actor=worker, child=children[0], commune=None, data={})
    circumstance = registry.circumstance_add(actor=worker, child=children[1], group="a", started_on="01/01/2025")
    case = case_services.intake_record(
        actor=hotline, commune=commune, channel="hotline_111", narrative="Cháu bị bố đánh nhiều lần.",
        concern_types=[ConcernType.VIOLENCE], reporter_name="Bà Lò Thị Xuân", reporter_phone="0912000111",
        children=[{"full_name": "Lò Văn Páo", "sex": "M", "age": 9}])
    agency = Agency.objects.create(name="Sở Y tế tỉnh Lai Châu (thử)", kind=AgencyKind.DEPARTMENT, province=province)
    document = Document.objects.create(doc_type=DocumentType.PLAN, number="99/KH-UBND", issued_on=date(2026, 3, 2),
                                       title="Kế hoạch bảo vệ trẻ em năm 2026", province=province, area=province)
    target = Target.objects.create(document=document, order=1, text="Tỷ lệ trẻ em có hoàn cảnh đặc biệt được hỗ trợ",
                                   unit="%", baseline_value="71.3", baseline_year=2025)
    TargetValue.objects.create(target=target, year=2026, value="80", direction="at_least")
    task = Task.objects.create(document=document, order=1, text="Rà soát trẻ em có hoàn cảnh đặc biệt")
    TaskAgency.objects.create(task=task, agency=agency, name_as_written=agency.name, role="lead")
    round_ = round_create(actor=officer, document=document, province=province, title="Báo cáo năm 2026",
                          period_year=2026, deadline=date(2026, 12, 15), agencies=[agency], focal_agency=agency,
                          reminder_days="7,3,1")
    reporter = _user("fuzz.soyte", Role.AGENCY_REPORTER, agency=agency)
    submission = submission_start(actor=reporter, round_=round_, agency=agency)
    tokens = {role: Token.objects.create(user=user).key for role, user in (("worker", worker), ("officer", officer))}
    ids = {
        "/api/v1/children/": children[0].pk, "/api/v1/carers/": link.carer_id, "/api/v1/households/": household.pk,
        "/api/v1/circumstances/": circumstance.pk, "/api/v1/circumstance-groups/": "a",
        "/api/v1/cases/": case.pk, "/api/v1/case-intakes/": case.pk,
        "/api/v1/plans/documents/": document.pk, "/api/v1/plans/targets/": target.pk, "/api/v1/plans/tasks/": task.pk,
        "/api/v1/plans/rounds/": round_.pk, "/api/v1/plans/submissions/": submission.pk,
        "/api/v1/units/": commune.pk, "/api/v1/agencies/": agency.pk,
    }
    return {"tokens": tokens, "ids": {prefix: str(pk) for prefix, pk in ids.items()}}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end; each test (one operation)
    runs in a savepoint of it."""
    # As Django's test client does: the WSGI handler would close the connection after each request (the test's
    # transaction with it; SQLite's in-memory database does not notice, PostgreSQL does).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield _build_world()
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _real_id(path: str, ids: dict) -> str | None:
    for prefix, pk in ids.items():
        if path.startswith(prefix) and path[len(prefix):].startswith("{"):
            return pk
    return None


def _call(case, token: str, path_parameters: dict | None = None):
    """One request in a savepoint rolled back afterwards: the next example finds the same data."""
    original = dict(case.path_parameters or {})
    if path_parameters is not None:
        case.path_parameters = {**original, **path_parameters}
    try:
        with transaction.atomic():
            response = case.call(app=APP, headers={"Authorization": f"Token {token}"})
            case.validate_response(response, checks=CHECKS)
            transaction.set_rollback(True)
    finally:
        case.path_parameters = original


@schema.parametrize()
@settings(max_examples=FUZZ_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_as_two_roles(case, world):
    real = _real_id(case.path, world["ids"])
    for token in world["tokens"].values():
        _call(case, token)
        if real is not None:
            name = next(iter(case.path_parameters))
            _call(case, token, {name: real})
