"""Computed indicators equal a direct count of the records (hypothesis-generated children, circumstances, cases)."""

import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.indicators.engine_data import catalogue  # noqa: F401 (the fixture)
from treem.core.ages import age_band, age_on
from treem.indicators.dimensions import key
from treem.indicators.models import Rollup, Value
from treem.indicators.refresh import refresh_province
from treem.registry.reference import load_reference

from . import engine_data as data

AS_OF = date(2026, 6, 15)
GROUPS = ["a", "d", "i", "l"]
ABUSE = ["violence", "sexual_abuse", "neglect", "other"]

children_st = st.lists(st.fixed_dictionaries({
    "commune": st.integers(0, 1),
    "age_days": st.integers(-30, 17 * 366),  # a few not yet born on the day, a few past 16
    "sex": st.sampled_from("MF"),
    "ethnicity": st.sampled_from(["Kinh", "Thái", "Mông"]),
    "status": st.sampled_from(["active", "active", "active", "moved", "deceased"]),
    "pid": st.sampled_from(["", "012345678901", "0123", "01234567890X"]),
    "circumstances": st.lists(st.tuples(st.sampled_from(GROUPS), st.sampled_from([None, -400, 10]),
                                        st.sampled_from([None, -10, 30]), st.booleans()), max_size=2),
}), max_size=25)
cases_st = st.lists(st.fixed_dictionaries({
    "commune": st.integers(0, 1),
    "received_days": st.integers(-5, 400),  # days before the day (a few after it)
    "closed_days": st.one_of(st.none(), st.integers(-5, 200)),
    "in_error": st.booleans(),
    "concerns": st.sets(st.sampled_from(ABUSE), max_size=2),
    "children": st.lists(st.integers(0, 24), max_size=2, unique=True),
    "deadlines": st.lists(st.tuples(st.integers(-20, 300), st.one_of(st.none(), st.integers(-3, 3))), max_size=2),
}), max_size=8)


def _in_year(day: date) -> bool:
    return day.year == AS_OF.year and day <= AS_OF


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(children=children_st, cases=cases_st)
def test_computed_values_equal_a_direct_count(children, cases, commune_x, commune_y, lai_chau):
    load_reference()
    communes = [commune_x, commune_y]
    with transaction.atomic():
        expected = defaultdict(Decimal)  # (code, commune_id, disaggregation) -> numerator
        denominators = defaultdict(Decimal)
        made = []
        for c in children:
            birth = AS_OF - timedelta(days=c["age_days"])
            kid = data.child(communes[c["commune"]], birth=birth, sex=c["sex"], ethnicity=c["ethnicity"],
                             status=c["status"], personal_id=c["pid"])
            made.append(kid)
            counted = c["status"] == "active" and birth <= AS_OF and age_on(birth, AS_OF) < 16
            groups, supported = set(), False
            for group, start, end, helped in c["circumstances"]:
                started = AS_OF + timedelta(days=start) if start is not None else None
                ended = AS_OF + timedelta(days=end) if end is not None else None
                data.circumstance(kid, group, started=started, ended=ended, supported=helped)
                if (started is None or started <= AS_OF) and (ended is None or ended >= AS_OF):
                    groups.add(group)
                    supported |= helped
            if not counted:
                continue
            cid = kid.commune_id
            band = age_band(birth, AS_OF)
            for k in (key(), key(sex=c["sex"]), key(age=band), key(ethnicity=c["ethnicity"])):
                expected[("child_population", cid, k)] += 1
            denominators[("personal_id_share", cid, "")] += 1
            expected[("personal_id_share", cid, "")] += 1 if re.fullmatch(r"[0-9]{12}", c["pid"]) else 0
            if groups:
                for k in (key(), key(sex=c["sex"]), key(age=band)):
                    expected[("sc_children", cid, k)] += 1
                for g in groups:
                    expected[("sc_children", cid, key(group=g))] += 1
                denominators[("sc_supported_share", cid, "")] += 1
                expected[("sc_supported_share", cid, "")] += int(supported)
        abused = defaultdict(set)
        for c in cases:
            received = data.aware(AS_OF - timedelta(days=c["received_days"]))
            closed = data.aware(AS_OF - timedelta(days=c["closed_days"])) if c["closed_days"] is not None else None
            linked = [made[i] for i in c["children"] if i < len(made)]
            item = data.case(communes[c["commune"]], received=received, closed=closed, in_error=c["in_error"],
                             concerns=c["concerns"], children=linked)
            for due_days, met_offset in c["deadlines"]:
                due = data.aware(AS_OF - timedelta(days=due_days))
                met = due + timedelta(days=met_offset) if met_offset is not None else None
                data.deadline(item, due=due, met=met)
                if not c["in_error"] and _in_year(due.date()):
                    denominators[("case_steps_on_time_share", item.commune_id, "")] += 1
                    expected[("case_steps_on_time_share", item.commune_id, "")] += int(met is not None and met <= due)
            if c["in_error"]:
                continue
            cid = item.commune_id
            expected[("cases_opened", cid, "")] += int(_in_year(received.date()))
            expected[("cases_closed", cid, "")] += int(closed is not None and _in_year(closed.date()))
            if _in_year(received.date()):
                for kind in c["concerns"] - {"other"}:
                    for kid in (k for k in linked if k.birth_date <= AS_OF):
                        abused[(cid, key())].add(kid.pk)
                        abused[(cid, key(abuse=kind))].add(kid.pk)
                        abused[(cid, key(sex=kid.sex))].add(kid.pk)
                        abused[(cid, key(age=age_band(kid.birth_date, AS_OF)))].add(kid.pk)
        for (cid, k), kids in abused.items():
            expected[("abused_children", cid, k)] = Decimal(len(kids))

        refresh_province(lai_chau, as_of=AS_OF, full=True)

        stored = {(v.indicator.code, v.unit_id, v.disaggregation): v
                  for v in Value.objects.filter(year=AS_OF.year, source="computed").select_related("indicator")}
        for (code, cid, k), number in expected.items():
            if code in ("personal_id_share", "sc_supported_share", "case_steps_on_time_share"):
                value = stored[(code, cid, k)]
                assert (value.numerator, value.denominator) == (number, denominators[(code, cid, k)]), (code, cid)
            elif number:
                assert stored[(code, cid, k)].numerator == number, (code, cid, k)
        # Nothing counted that the records do not hold.
        for (code, cid, k), value in stored.items():
            if code in ("sc_share",):
                continue
            assert value.numerator == expected.get((code, cid, k), Decimal(0)), (code, cid, k)
        # The province's figures are the sums of its communes', rates from the summed parts.
        totals = Counter()
        for (code, _cid, k), value in stored.items():
            if k == "":
                totals[(code, "n")] += value.numerator
                totals[(code, "d")] += value.denominator or 0
        for rollup in Rollup.objects.filter(unit=lai_chau, year=AS_OF.year, disaggregation="",
                                            hierarchy_on=AS_OF).select_related("indicator"):
            if rollup.indicator.method == "derived":
                continue
            assert rollup.numerator == totals[(rollup.indicator.code, "n")]
            if rollup.denominator is not None:
                assert rollup.denominator == totals[(rollup.indicator.code, "d")]
        transaction.set_rollback(True)
