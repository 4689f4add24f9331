"""The access layer's two forms of every rule agree: `restrict` (SQL) and `allows` (Python).

The test is generated from the registry: every model an app registers in its access_rules.py gets records in four
communes of two provinces and in two legacy communes (built from the model's own required fields), and hypothesis draws
scopes (any roles; national, provincial, communal or agency grants) and capabilities. A rule registered later is tested
too.
"""

import uuid
from datetime import date

import pytest
from django.db import models
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treem.access import ROLE_CAPABILITIES, Grant, Scope, allows, registered, restrict
from treem.accounts.models import Agency, AgencyKind, AgencySuccession, Role, User
from treem.geo.models import Unit

from ..conftest import current

CAPABILITIES = sorted(set().union(*ROLE_CAPABILITIES.values()))


def _links(model, obj, commune: Unit, world: dict) -> None:
    """What a rule reads beyond the required fields: a plan's province (the last commune's is national), the agencies
    on a task (one a predecessor of a granted agency: its successor inherits the task), the agencies a round expects
    and the agency a submission is from."""
    from treem.plans.models import Document, ReportingRound, RoundAgency, Submission, Task, TaskAgency

    i = world["communes"].index(commune)
    agencies = world["agencies"]
    if model is Document:
        obj.province = None if i == len(world["communes"]) - 1 else commune.province
        obj.save(update_fields=["province"])
    elif model is Task and i < 3:
        TaskAgency.objects.create(task=obj, agency=[*agencies, world["predecessor"]][i], role="lead")
    elif model is ReportingRound and i < 2:
        RoundAgency.objects.create(round=obj, agency=agencies[i], agency_name=agencies[i].name)
    elif model is Submission and i < 2:
        obj.agency = agencies[i]
        obj.save(update_fields=["agency"])


def _make(model, commune: Unit, made: dict, user: User, world: dict):
    """A record of `model` in `commune`, its required fields filled from their types."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.null or field.has_default():
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if field.is_relation:
            target = field.related_model
            if target is Unit:
                values[field.name] = commune.province if field.name == "province" else commune
            elif target is User:
                values[field.name] = user
            else:
                if (target, commune.pk) not in made:
                    made[(target, commune.pk)] = _make(target, commune, made, user, world)
                values[field.name] = made[(target, commune.pk)]
        elif field.choices:
            values[field.name] = field.choices[0][0]
        elif isinstance(field, models.DateTimeField):
            values[field.name] = timezone.now()
        elif isinstance(field, models.DateField):
            values[field.name] = date(2020, 1, 1)
        elif isinstance(field, models.BinaryField):
            values[field.name] = b""
        elif isinstance(field, (models.IntegerField, models.DecimalField)):
            values[field.name] = 1
        else:
            values[field.name] = f"x{uuid.uuid4().hex[:8]}"[: field.max_length or None]
    obj = model.objects.create(**values)
    _links(model, obj, commune, world)
    return obj


@pytest.mark.django_db
def test_sql_and_python_forms_of_every_rule_agree():
    communes = [current("commune", code) for code in ("03390", "03394")]
    communes += list(current("province", "91").children.filter(system="current", level="commune")[:2])
    provinces = sorted({c.province_id for c in communes})
    # Legacy units too (a commune before 01/07/2025 and its old province): rules that follow conversions meet them.
    communes.append(Unit.objects.filter(conversions_to__current=communes[0]).first())
    communes.append(Unit.objects.filter(system="legacy", level="commune",
                                        province__conversions_to__current_id=provinces[1]).first())
    assert all(communes)
    agencies = [
        Agency.objects.create(name="Sở Y tế (thử)", kind=AgencyKind.DEPARTMENT, province_id=provinces[0]),
        Agency.objects.create(name="UBND xã (thử)", kind=AgencyKind.COMMUNE_COMMITTEE,
                              province_id=communes[0].province_id, unit=communes[0]),
    ]
    predecessor = Agency.objects.create(name="Sở Lao động (cũ)", kind=AgencyKind.DEPARTMENT, province_id=provinces[0])
    AgencySuccession.objects.create(predecessor=predecessor, successor=agencies[0], effective=date(2025, 3, 1))
    world = {"communes": communes, "agencies": agencies, "predecessor": predecessor}
    user = User.objects.create_user(username="nguoi.xu.ly", password="Mat-khau-2026!")
    rules = registered()
    assert len(rules) >= 10, "the registry is empty: access_rules.py modules were not discovered"
    records: dict[type, list] = {}
    made: dict = {}
    for model in rules:
        records[model] = [_make(model, commune, made, user, world) for commune in communes]

    where = st.one_of(
        st.just({"national": True}),
        st.sampled_from(provinces).map(lambda p: {"province_id": p}),
        st.sampled_from([c.pk for c in communes]).map(lambda c: {"commune_id": c}),
        st.sampled_from(agencies).map(lambda a: {"agency_id": a.pk, "commune_id": a.unit_id}),
    )
    grants = st.lists(st.builds(lambda role, at: Grant(role=role, **at), st.sampled_from(Role.values), where),
                      max_size=3)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(grants=grants, capability=st.sampled_from(CAPABILITIES))
    def agree(grants, capability):
        scope = Scope(user_id=user.pk, grants=tuple(grants))
        for model, objects in records.items():
            ids = [o.pk for o in objects]
            in_sql = set(restrict(model.objects.filter(pk__in=ids), scope, capability).values_list("pk", flat=True))
            in_python = {o.pk for o in objects if allows(scope, capability, o)}
            assert in_sql == in_python, (model.__name__, capability, grants)

    agree()


@pytest.mark.django_db
def test_the_rules_do_separate_units(commune_x, commune_y, an_giang):
    """Not vacuous: a commune grant reaches its commune's record and not the neighbour's."""
    user = User.objects.create_user(username="canbo.thu", password="Mat-khau-2026!")
    scope = Scope(user_id=user.pk, grants=(Grant(role=Role.COMMUNE_WORKER, commune_id=commune_x.pk),))
    from treem.registry.models import Household

    mine, theirs = Household.objects.create(commune=commune_x), Household.objects.create(commune=commune_y)
    assert allows(scope, "children.view", mine) and not allows(scope, "children.view", theirs)
    assert list(restrict(Household, scope, "children.view").filter(pk__in=[mine.pk, theirs.pk])) == [mine]
    assert not allows(scope, "plans.edit", mine)
    assert scope.may("children.edit", commune_x) and not scope.may("children.edit", commune_y)
    assert not scope.may("children.edit", an_giang)
