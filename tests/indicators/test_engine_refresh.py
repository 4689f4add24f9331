"""Incremental refresh after edits gives the same values and roll-ups as a full refresh; the command and the job."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.indicators.engine_data import catalogue  # noqa: F401 (the fixture)
from treem.audit.models import AuditEvent
from treem.indicators.models import Refresh, Rollup, Value
from treem.indicators.refresh import refresh_province
from treem.registry.reference import load_reference

from . import engine_data as data

AS_OF = date(2026, 6, 15)


def snapshot(province):
    values = sorted(((v.indicator_id, v.unit_id, v.year, v.disaggregation, v.numerator, v.denominator, v.value,
                     v.source) for v in Value.objects.all()), key=str)
    rollups = sorted(((r.indicator_id, r.unit_id, r.year, r.disaggregation, r.hierarchy_on, r.numerator,
                      r.denominator, r.value, r.units_total, r.units_with_data) for r in Rollup.objects.all()), key=str)
    return values, rollups


edits_st = st.lists(st.tuples(st.sampled_from(["add", "move", "die", "circumstance", "end", "case", "close"]),
                              st.integers(0, 50)), min_size=1, max_size=8)


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(edits=edits_st)
def test_incremental_refresh_after_edits_equals_a_full_refresh(edits, commune_x, commune_y, lai_chau):
    load_reference()
    communes = [commune_x, commune_y]
    with transaction.atomic():
        kids = [data.child(communes[i % 2], birth=AS_OF - timedelta(days=200 + 97 * i), sex="MF"[i % 2],
                           personal_id="01234567890" + str(i % 10) if i % 3 else "") for i in range(12)]
        data.circumstance(kids[0], "a", supported=True)
        data.circumstance(kids[3], "d")
        cases = [data.case(communes[i % 2], received=data.aware(AS_OF - timedelta(days=10 + i)),
                           concerns=["violence"], children=[kids[i]]) for i in range(3)]
        refresh_province(lai_chau, as_of=AS_OF, full=True)
        for what, n in edits:
            kid, case = kids[n % len(kids)], cases[n % len(cases)]
            if what == "add":
                kids.append(data.child(communes[n % 2], birth=AS_OF - timedelta(days=30 * n + 1), sex="F"))
            elif what == "move":  # a correction of the commune: the commune left must be recomputed too
                kid.commune = communes[(communes.index(kid.commune) + 1) % 2]
                kid.save()
            elif what == "die":
                kid.status, kid.status_on = "deceased", AS_OF
                kid.save()
            elif what == "circumstance":
                data.circumstance(kid, "i", supported=bool(n % 2))
            elif what == "end":
                for c in kid.circumstances.all():
                    c.ended_on = AS_OF - timedelta(days=1)
                    c.save()
            elif what == "case":
                cases.append(data.case(communes[n % 2], received=data.aware(AS_OF - timedelta(days=1)),
                                       concerns=["neglect"], children=[kid]))
            elif what == "close":
                case.stage, case.closed_at = "closed", data.aware(AS_OF - timedelta(days=1))
                case.save()
        run = refresh_province(lai_chau, as_of=AS_OF, full=False)
        assert not run.full and run.communes <= 2
        incremental = snapshot(lai_chau)
        refresh_province(lai_chau, as_of=AS_OF, full=True)
        assert snapshot(lai_chau) == incremental
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_incremental_with_nothing_changed_writes_nothing_and_another_day_runs_in_full(commune_x, lai_chau):
    data.child(commune_x, birth=AS_OF - timedelta(days=400))
    refresh_province(lai_chau, as_of=AS_OF, full=True)
    run = refresh_province(lai_chau, as_of=AS_OF, full=False)
    assert (run.full, run.communes, run.values_written) == (False, 0, 0)
    run = refresh_province(lai_chau, as_of=AS_OF + timedelta(days=1), full=False)
    assert run.full  # ages are counted on the day: a new day counts everyone again


@pytest.mark.django_db
def test_the_command_prints_a_vietnamese_summary_and_records_the_run(commune_x, capsys):
    data.child(commune_x, birth=AS_OF - timedelta(days=400))
    call_command("indicators_refresh", "--province", "12", "--full", "--as-of", "15/06/2026")
    out = capsys.readouterr().out
    assert "Chỉ tiêu tính đến ngày 15/06/2026: 1 tỉnh, thành phố (1 tính toàn bộ" in out
    assert Refresh.objects.get().as_of == AS_OF
    assert AuditEvent.objects.filter(action="indicators.refresh.run").exists()
    assert Value.objects.get(indicator__code="child_population", unit=commune_x, disaggregation="").value == 1
    with pytest.raises(Exception, match="Không có tỉnh"):
        call_command("indicators_refresh", "--province", "99")


@pytest.mark.django_db(transaction=True)
def test_a_refresh_started_from_the_web_runs_as_a_job(commune_x, lai_chau, province_officer, worker_x, settings):
    from treem.core.exceptions import NotAllowed
    from treem.core.models import Job
    from treem.indicators.tasks import refresh_start

    data.child(commune_x, birth=timezone.localdate() - timedelta(days=400))
    with pytest.raises(NotAllowed):
        refresh_start(actor=worker_x, province=lai_chau)
    with transaction.atomic():
        job = refresh_start(actor=province_officer, province=lai_chau, full=True)
    job = Job.objects.get(pk=job.pk)
    assert job.status == "done", job.error
    assert job.result["provinces"] == [lai_chau.name]
    assert Value.objects.filter(indicator__code="child_population", unit=commune_x).exists()
