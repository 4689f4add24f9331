"""The demo: the Directive 28 cascade for three provinces, every agency's tasks and the rounds' completeness."""

from io import StringIO

from treem.plans import demo
from treem.plans.models import Document, ReportingRound, Submission, Task
from treem.plans.rounds import round_stats

from .conftest import agency


def test_the_demo_is_idempotent(world):
    counts = (Document.objects.count(), Task.objects.count(), ReportingRound.objects.count(),
              Submission.objects.count())
    out = StringIO()
    demo.load(out)
    assert (Document.objects.count(), Task.objects.count(), ReportingRound.objects.count(),
            Submission.objects.count()) == counts
    assert "8 documents, 3 reporting rounds" in out.getvalue()


def test_each_province_has_a_cascade_under_directive_28(world):
    directive = world.document("28-CT/TW")
    for number, province in (("61-CTr/TU", "92"), ("234/KH-UBND", "91"), ("48-CTr/TU", "12")):
        document = world.document(number)
        assert document.province.code == province
        chain, frontier = set(), [document]
        while frontier:
            parents = list(frontier.pop().implements.all())
            chain |= set(parents)
            frontier += parents
        assert directive in chain
    assert world.document("1183/QĐ-TTg").implements.get() == directive


def test_tasks_of_merged_agencies_stay_with_the_old_agency(world):
    molisa_kg = Task.objects.filter(document=world.document("234/KH-UBND"),
                                    assignments__agency__name="Sở Lao động - Thương binh và Xã hội")
    assert molisa_kg.count() == 7
    assert {a.agency.province.name for t in molisa_kg for a in t.assignments.all()} == {"Tỉnh Kiên Giang"}
    education = Task.objects.filter(document=world.document("234/KH-UBND"),
                                    assignments__agency=agency("91", "Sở Giáo dục và Đào tạo"))
    assert education.count() == 4  # a department that continues: linked to today's An Giang department


def test_each_round_has_agencies_on_time_late_and_missing(world):
    for code in ("12", "91", "92"):
        stats = round_stats(world.round(code))
        assert stats.round.deadline.isoformat() == "2026-11-10"
        assert stats.on_time >= 1 and stats.late >= 1 and stats.missing >= 1, (code, stats.as_dict())
