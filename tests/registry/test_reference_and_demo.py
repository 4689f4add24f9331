"""Reference data as data (idempotent, versioned, ended not deleted) and the demo register."""

from io import StringIO

from treem.audit.models import AuditEvent
from treem.registry import demo, reference
from treem.registry.models import (
    Child,
    ChildCircumstance,
    ChildStatus,
    CircumstanceGroup,
    CircumstanceSubgroup,
    RiskFlag,
)
from treem.registry.selectors import incoming_children


def test_reference_loads_the_fourteen_groups_of_article_10(db):
    counts = reference.load_reference()
    assert counts["created"] > 14
    groups = list(CircumstanceGroup.objects.order_by("order"))
    assert [g.code for g in groups] == ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o"]
    assert groups[0].name == "Trẻ em mồ côi cả cha và mẹ" and "Điều 3" in groups[0].legal_basis
    assert groups[-1].name.startswith("Trẻ em di cư") and "Điều 16" in groups[-1].legal_basis
    assert CircumstanceSubgroup.objects.filter(group__code="c").count() >= 5
    assert RiskFlag.objects.exists()
    assert reference.load_reference() == {"created": 0, "updated": 0, "ended": 0}  # idempotent


def test_reference_changes_update_and_end_rows(db):
    reference.load_reference()
    data = reference.fixture()
    data["version"] = "test"
    data["groups"][0]["name"] = "Trẻ em mồ côi (sửa)"
    data["groups"] = [g for g in data["groups"] if g["code"] != "o"]
    counts = reference.load_reference(data)
    assert counts["updated"] >= 1 and counts["ended"] == 1
    assert CircumstanceGroup.objects.get(code="a").name == "Trẻ em mồ côi (sửa)"
    assert CircumstanceGroup.objects.get(code="o").valid_to is not None  # ended, kept for the children it names
    event = AuditEvent.objects.filter(action="registry.reference.load").latest("at")
    assert event.summary["version"] == "test"


def test_demo_register_is_realistic_and_idempotent(db):
    from treem.accounts import demo as accounts_demo

    accounts_demo.load(StringIO())
    demo.load(StringIO())
    total = Child.objects.filter(source="demo").count()
    assert 6 * 280 <= total <= 6 * 425
    assert set(Child.objects.values_list("commune__code", flat=True)) == {
        "03390", "03394", "30742", "30307", "31507", "31135"}
    share = ChildCircumstance.objects.count() / total
    assert 0.004 < share < 0.03
    moving = Child.objects.filter(status=ChildStatus.MOVED)
    assert moving.exists() and all(c.moved_to.province_id == c.province_id for c in moving)
    assert Child.objects.filter(personal_id="").exists() and Child.objects.filter(has_quality_issues=True).exists()
    lai_chau = Child.objects.filter(commune__code="03390")
    assert lai_chau.filter(ethnicity__in=["Mông", "Dao", "Thái"]).count() > lai_chau.filter(ethnicity="Kinh").count()
    assert incoming_children_for_demo(moving.first())
    demo.load(StringIO())
    assert Child.objects.filter(source="demo").count() == total


def incoming_children_for_demo(child) -> bool:
    from treem.accounts.models import User

    receiver = User.objects.get(username__startswith="canbo.", assignments__unit=child.moved_to)
    return child in incoming_children(receiver)
