"""A strictly confidential case: the children's names reach only its assigned workers, through every path that reaches
them (issue 12, finding 1): referrals (page, API detail and list), the case API's link to the register, the register's
child page and API, the statutory forms. Attacked as the provincial officer, the commune chair, another worker of the
commune, the referred agency; the assigned worker still sees the names."""

import itertools

import pytest
from django.utils import timezone

from treem.accounts.models import Role
from treem.cases import services
from treem.cases.access import case_access, shows_names
from treem.cases.models import Case, Confidentiality, Distribution, Stage
from treem.cases.selectors import cases_for_child_visible_to

from .conftest import api, version, walk

NAME = "Lò Văn Páo"


@pytest.fixture
def strict_referral(new_case, worker_x, chair_x, social_work_centre):
    case = walk(new_case(confidentiality=Confidentiality.STRICT), worker_x, chair_x, Stage.IMPLEMENTATION)
    item = case.plans.get().items.get()
    referral = services.referral_create(actor=worker_x, case=case, expected_version=version(case),
                                        agency=social_work_centre, kind="social_work", item=item,
                                        shared_information="Cần 8 buổi tư vấn tâm lý.", consent_by="Trẻ và mẹ",
                                        consent_on=timezone.localdate())
    return Case.objects.get(pk=case.pk), referral


@pytest.fixture
def other_worker_x(make_user, commune_x):
    """A worker of the same commune who joined after the report: not assigned to the case."""
    return make_user("canbo.x2", Role.COMMUNE_WORKER, commune_x)


UNASSIGNED = ["provincial_case_worker", "province_officer", "chair_x", "other_worker_x", "centre_user"]


@pytest.mark.parametrize("who", UNASSIGNED)
def test_referral_of_a_strict_case_shows_no_name_to_anyone_not_assigned(request, client, strict_referral, who):
    _case, referral = strict_referral
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(f"/cases/referrals/{referral.pk}/")
    assert page.status_code in (200, 404)
    assert NAME not in page.content.decode()
    detail = api(user).get(f"/api/v1/case-referrals/{referral.pk}/")
    assert detail.status_code in (200, 404)
    assert NAME not in detail.content.decode()
    listing = api(user).get("/api/v1/case-referrals/")
    assert listing.status_code == 200 and NAME not in listing.content.decode()
    assert NAME not in client.get("/cases/referrals/").content.decode()


def test_the_referred_agency_sees_initials_of_a_strict_case_and_names_otherwise(client, strict_referral, centre_user,
                                                                               referred_normal):
    _case, strict = strict_referral
    body = api(centre_user).get(f"/api/v1/case-referrals/{strict.pk}/").json()
    assert body["children"] == ["L. V. P."] and body["shared_information"] == "Cần 8 buổi tư vấn tâm lý."
    normal = api(centre_user).get(f"/api/v1/case-referrals/{referred_normal.pk}/").json()
    assert normal["children"] == ["Giàng Thị Mỷ"]


@pytest.fixture
def referred_normal(new_case, worker_x, chair_x, social_work_centre):
    case = walk(new_case(confidentiality=Confidentiality.NORMAL,
                         children=[{"full_name": "Giàng Thị Mỷ", "sex": "F", "age": 7}]),
                worker_x, chair_x, Stage.IMPLEMENTATION)
    return services.referral_create(actor=worker_x, case=case, expected_version=version(case),
                                    agency=social_work_centre, kind="social_work",
                                    item=case.plans.get().items.get(), shared_information="Tư vấn.",
                                    consent_by="Mẹ", consent_on=timezone.localdate())


def test_the_assigned_worker_sees_the_names_on_the_referral(client, strict_referral, worker_x):
    _case, referral = strict_referral
    client.force_login(worker_x)
    assert NAME in client.get(f"/cases/referrals/{referral.pk}/").content.decode()
    assert api(worker_x).get(f"/api/v1/case-referrals/{referral.pk}/").json()["children"] == [NAME]
    assert api(worker_x).get("/api/v1/case-referrals/").json()["results"][0]["children"] == [NAME]


@pytest.mark.parametrize("who", ["provincial_case_worker", "chair_x"])
def test_the_case_api_gives_no_register_link_to_a_strict_case_child(request, new_case, worker_x, who):
    case = new_case(confidentiality=Confidentiality.STRICT)
    child = case.case_children.get().child
    user = request.getfixturevalue(who)
    body = api(user).get(f"/api/v1/cases/{case.pk}/").json()
    assert body["access"] == "full"  # they may open the file, not know the child
    assert [c["registry_id"] for c in body["children"]] == [None] and NAME not in str(body)
    assert str(child.pk) not in api(user).get(f"/api/v1/cases/{case.pk}/").content.decode()
    assigned = api(worker_x).get(f"/api/v1/cases/{case.pk}/").json()
    assert assigned["children"][0]["registry_id"] == str(child.pk)


@pytest.mark.parametrize("who", ["chair_x", "other_worker_x", "province_officer"])
def test_the_register_does_not_tell_a_strict_case_exists(request, client, new_case, worker_x, who):
    case = new_case(confidentiality=Confidentiality.STRICT)
    child = case.case_children.get().child
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(f"/children/{child.pk}/")
    page = response.content.decode()
    assert response.status_code == 200 and NAME in page  # the child is on the commune's register ...
    assert case.reference not in page and f"/cases/{case.pk}/" not in page  # ... but no case is linked
    # nor does the record say it came from a report
    assert "từ tin báo" not in page and "tiếp nhận tin báo" not in page and "case intake" not in page
    body = api(user).get(f"/api/v1/children/{child.pk}/").json()
    assert body["source"] == "manual" and "tin báo" not in body["notes"]
    client.force_login(worker_x)
    assigned_page = client.get(f"/children/{child.pk}/").content.decode()
    assert case.reference in assigned_page and "Ghi nhận từ tin báo về bảo vệ trẻ em" in assigned_page
    assert api(worker_x).get(f"/api/v1/children/{child.pk}/").json()["source"] == "case intake"


def test_a_normal_case_stays_linked_from_the_register_for_its_full_readers(new_case, chair_x):
    case = new_case(confidentiality=Confidentiality.NORMAL)
    child = case.case_children.get().child
    assert list(cases_for_child_visible_to(chair_x, child)) == [case]


def test_statutory_form_of_a_strict_case_shows_initials_to_the_chair(client, new_case, chair_x):
    import io

    from docx import Document

    case = new_case(confidentiality=Confidentiality.STRICT, children=[],
                    children_description="Lò Văn Páo, 9 tuổi")
    client.force_login(chair_x)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert NAME not in page
    response = client.get(f"/cases/{case.pk}/forms/1.docx")
    assert response.status_code == 200
    text = "\n".join(cell.text for table in Document(io.BytesIO(response.content)).tables
                     for row in table.rows for cell in row.cells)
    assert NAME not in text


def test_names_rule_in_python_and_sql_agree(new_case, worker_x, chair_x, other_worker_x, provincial_case_worker,
                                            province_officer, leader_lai_chau, worker_y, hotline):
    """`names_q` is the SQL form of `shows_names(..., in_list=False)`: for every confidentiality level, distribution
    scope and kind of reader, the two give the same cases."""
    from treem.cases.access import names_q

    cases = [new_case(confidentiality=c, distribution=d)
             for c, d in itertools.product(Confidentiality.values, Distribution.values)]
    for user in (worker_x, chair_x, other_worker_x, provincial_case_worker, province_officer, leader_lai_chau,
                 worker_y, hotline):
        in_python = {c.pk for c in cases if shows_names(case_access(user, c), c, in_list=False)}
        in_sql = set(Case.objects.filter(names_q(user), pk__in=[c.pk for c in cases]).values_list("pk", flat=True))
        assert in_python == in_sql, user.username
    assert {c.pk for c in cases} == set(Case.objects.filter(names_q(worker_x)).values_list("pk", flat=True))
