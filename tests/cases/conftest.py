"""Fixtures of the cases tests: the real holiday calendar and deadline rules, the people of two communes, an agency."""

from datetime import date, datetime

import pytest
from rest_framework.test import APIClient

from treem.accounts.models import Agency, AgencyKind, Role
from treem.cases import reference, services
from treem.cases.models import Case, ConcernType
from treem.core.calendar import seed_calendar
from treem.core.workdays import VN_TZ


@pytest.fixture(autouse=True)
def case_reference_data(db):
    seed_calendar(range(2025, 2029))
    reference.load()


@pytest.fixture(autouse=True)
def vietnamese():
    """Services speak the language of the request; tests run them in Vietnamese, the default language."""
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture
def chair_x(make_user, commune_x):
    return make_user("chutich.x", Role.COMMUNE_CHAIR, commune_x)


@pytest.fixture
def worker_y(make_user, commune_y):
    return make_user("canbo.y", Role.COMMUNE_WORKER, commune_y)


@pytest.fixture
def chair_y(make_user, commune_y):
    return make_user("chutich.y", Role.COMMUNE_CHAIR, commune_y)


@pytest.fixture
def hotline(make_user, lai_chau):
    return make_user("tongdai.laichau", Role.HOTLINE_OPERATOR, lai_chau)


@pytest.fixture
def provincial_case_worker(make_user, lai_chau):
    return make_user("canbo.tinh.laichau", Role.CASE_WORKER, lai_chau)


@pytest.fixture
def leader_an_giang(make_user, an_giang):
    return make_user("lanhdao.angiang", Role.LEADER, an_giang)


@pytest.fixture
def leader_lai_chau(make_user, lai_chau):
    return make_user("lanhdao.laichau", Role.LEADER, lai_chau)


@pytest.fixture
def social_work_centre(lai_chau):
    return Agency.objects.create(name="Trung tâm Công tác xã hội tỉnh Lai Châu", name_folded="trung tam ctxh",
                                 kind=AgencyKind.SERVICE_PROVIDER, province=lai_chau, valid_from=date(2025, 7, 1))


@pytest.fixture
def hospital(lai_chau):
    return Agency.objects.create(name="Bệnh viện Đa khoa tỉnh Lai Châu", name_folded="benh vien",
                                 kind=AgencyKind.SERVICE_PROVIDER, province=lai_chau, valid_from=date(2025, 7, 1))


@pytest.fixture
def centre_user(make_user, social_work_centre):
    return make_user("ctxh.laichau", Role.CASE_WORKER, agency=social_work_centre)


@pytest.fixture
def hospital_user(make_user, hospital):
    return make_user("benhvien.laichau", Role.CASE_WORKER, agency=hospital)


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@pytest.fixture
def new_case(hotline, worker_x, commune_x):
    """A report recorded by the province's hotline about a child of commune X (worker X is assigned)."""

    def make(received_at=None, **extra) -> Case:
        values = {"actor": hotline, "commune": commune_x, "channel": "hotline_111",
                  "narrative": "Cháu bị bố đánh nhiều lần, có vết bầm trên tay.",
                  "concern_types": [ConcernType.VIOLENCE], "received_at": received_at,
                  "reporter_name": "Bà Lò Thị Xuân", "reporter_phone": "0912000111",
                  "children": [{"full_name": "Lò Văn Páo", "sex": "M", "age": 9}]}
        values.update(extra)
        return services.intake_record(**values)

    return make


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def version(case) -> int:
    return Case.objects.get(pk=case.pk).version


def walk(case, worker, chair, until: str):
    """Move a case through the statutory steps with the services, up to `until` (a Stage value)."""
    from datetime import timedelta

    from django.utils import timezone

    from treem.cases.models import Stage

    order = [Stage.ASSESSMENT, Stage.PLANNING, Stage.APPROVAL, Stage.IMPLEMENTATION, Stage.REVIEW, Stage.CLOSED]
    services.initial_assessment_record(actor=worker, case=case, expected_version=version(case), risk_level="medium")
    if until == Stage.ASSESSMENT:
        return case
    services.detailed_assessment_record(actor=worker, case=case, expected_version=version(case),
                                        needs_summary="Cần hỗ trợ tâm lý.", factors={"mental": "lo âu"})
    if until == Stage.PLANNING:
        return case
    plan = services.plan_create(actor=worker, case=case, expected_version=version(case), goals="An toàn cho trẻ.")
    today = timezone.localdate()
    services.plan_item_add(actor=worker, plan=plan, expected_version=version(case), kind="psychosocial",
                           description="Tư vấn tâm lý", starts_on=today, ends_on=today + timedelta(days=30),
                           assignee="Cán bộ xã", cost=1_000_000)
    services.plan_submit(actor=worker, plan=plan, expected_version=version(case))
    if until == Stage.APPROVAL:
        return case
    services.plan_decide(actor=chair, plan=plan, expected_version=version(case), approve=True)
    if order.index(until) <= order.index(Stage.IMPLEMENTATION):
        return case
    for item in plan.items.all():
        services.service_record(actor=worker, item=item, expected_version=version(case), delivered_on=today,
                                note="Đã tư vấn.", done=True)
    services.review_record(actor=worker, case=case, expected_version=version(case), progress="Tốt.",
                           outcome="close")
    if until == Stage.REVIEW:
        return case
    services.case_close(actor=worker, case=case, expected_version=version(case), reason="Trẻ an toàn.")
    return case
