"""Siblings in an import: children whose carer has the same name and phone share one carer record and one household,
in the file and with children already on the commune's register; without a phone nobody is grouped."""

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    csv_bytes,
    pid,
    reference_fixture,
    rows_for_file,
    years_ago,
)
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.registry import importing, services
from treem.registry.models import Carer, Child, Household

B1, B2, B3, B4 = years_ago(3), years_ago(6), years_ago(9), years_ago(12)


def commit(rows, commune):
    _plan, summary = importing.import_file(csv_bytes(rows_for_file(rows)), "ds.csv", commune=commune, actor=SYSTEM,
                                           commit=True)
    return summary


def child(folded):
    return Child.objects.select_related("household").get(name_folded=folded)


def test_siblings_of_one_file_share_their_carer_and_a_household(commune_x, reference):
    summary = commit([
        ("Lò Văn An", B1, "Nam", "Thái", "", "Bản Nà", "Lò Thị Hoa", "0912345678"),
        ("Lò Thị Bình", B2, "Nữ", "Thái", "", "Bản Nà", "LÒ THỊ HOA", "0912 345 678"),  # the same mother
        ("Lò Văn Cường", B3, "Nam", "Thái", "", "Bản Nà", "Lò Thị Hoa", ""),  # a Hoa without a phone: not grouped
        ("Lò Văn Dũng", B4, "Nam", "Thái", "", "Bản Pá", "Lò Thị Hoa", "0987654321"),  # another Hoa, alone
    ], commune_x)
    assert summary["create"] == 4
    an, binh, cuong, dung = (child(n) for n in ("lo van an", "lo thi binh", "lo van cuong", "lo van dung"))
    mother = an.carer_links.get().carer
    assert binh.carer_links.get().carer == mother and Carer.objects.count() == 3
    household = Household.objects.get()
    assert an.household == binh.household == household and mother.household == household
    assert household.head_name == "Lò Thị Hoa" and household.village == "Bản Nà" and household.commune == commune_x
    assert household.search_folded == "lo thi hoa ban na"
    assert cuong.household is None and dung.household is None
    assert cuong.carer_links.get().carer != mother != dung.carer_links.get().carer
    event = AuditEvent.objects.get(action="registry.import.commit")
    assert event.summary["households"] == 1


def test_a_new_sibling_joins_the_family_already_on_the_register(commune_x, add_child, reference):
    elder = add_child("Giàng Thị Mai", sex="F", born=B3, village="Bản Hô")
    services.carer_link(actor=SYSTEM, child=elder, full_name="Giàng Thị Dua", phone="0911222333", relation="mother",
                        primary=True)
    version = Child.objects.get(pk=elder.pk).version
    commit([("Giàng A Páo", B1, "Nam", "Mông", "", "Bản Hô", "Giàng Thị Dua", "0911222333")], commune_x)
    pao, elder = child("giang a pao"), child("giang thi mai")
    assert pao.carer_links.get().carer == elder.carer_links.get().carer  # no second record of the mother
    assert pao.household is not None and elder.household == pao.household
    assert elder.version == version + 1
    joined = AuditEvent.objects.get(action="registry.child.household_join", object_id=str(elder.pk))
    assert joined.summary["household"] == [None, str(pao.household_id)] and joined.summary["source"] == "import"

    # A third child of the same mother joins that household; nothing new is created.
    commit([("Giàng Thị Súa", B2, "Nữ", "Mông", pid("F", B2, 7), "Bản Hô", "Giàng Thị Dua", "0911222333")],
           commune_x)
    assert child("giang thi sua").household == pao.household and Household.objects.count() == 1
    assert Carer.objects.count() == 1


def test_reimporting_the_same_family_changes_nothing(commune_x, reference):
    rows = [("Lò Văn An", B1, "Nam", "Thái", "", "Bản Nà", "Lò Thị Hoa", "0912345678"),
            ("Lò Thị Bình", B2, "Nữ", "Thái", "", "Bản Nà", "Lò Thị Hoa", "0912345678")]
    commit(rows, commune_x)
    again = commit(rows, commune_x)
    assert again["unchanged"] == 2 and again["create"] == 0
    assert Household.objects.count() == 1 and Carer.objects.count() == 1
