"""Demo cases: seven per demo commune, one in each stage of the workflow, some of them overdue.

Made through the services as the demo users would (hotline operators record, commune workers assess and plan, chairs
approve), with times set in the past so that the deadlines run (and some have run out). Also: a social-work centre
and a provincial hospital per demo province, each with a demo user who receives referrals (ctxh.<province>,
benhvien.<province>), and the hotline service user for the API (hethong.111).
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from treem.accounts.demo import DEMO_PROVINCES, _slug, demo_password, is_city, named_for
from treem.accounts.models import Agency, AgencyKind, Assignment, Role, User
from treem.audit.models import AuditEvent
from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.core.text import fold
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry.models import Child

from . import deadlines, services
from .management.commands.hotline_token import ensure_hotline_user
from .models import (
    Case,
    Channel,
    ConcernType,
    Confidentiality,
    Distribution,
    Plan,
    ReferralKind,
    ReviewOutcome,
    ServiceKind,
)

MARKER = "cases.demo.load"

CHILD_NAMES = [
    ("Lò Văn Páo", "M"), ("Giàng Thị Mỷ", "F"), ("Nguyễn Thị Lan", "F"), ("Trần Văn Nam", "M"),
    ("Lê Thị Hoa", "F"), ("Phạm Minh Khôi", "M"), ("Thạch Thị Sa Rết", "F"), ("Danh Văn Tùng", "M"),
    ("Vàng A Chá", "M"), ("Sùng Thị Dợ", "F"), ("Huỳnh Ngọc Trâm", "F"), ("Võ Thành Đạt", "M"),
    ("Đỗ Thị Mai", "F"), ("Lý Văn Sang", "M"),
]

STORIES = {
    ConcernType.VIOLENCE: "Hàng xóm báo cháu thường xuyên bị bố đánh khi bố say rượu, trên tay có nhiều vết bầm tím.",
    ConcernType.NEGLECT: "Cháu ở nhà một mình nhiều ngày, bố mẹ đi làm ăn xa, không có người chăm sóc, bỏ học.",
    ConcernType.SEXUAL_ABUSE: ("Giáo viên phát hiện cháu có dấu hiệu bị xâm hại tình dục, cháu sợ hãi, "
                               "không dám về nhà."),
    ConcernType.EXPLOITATION: "Cháu phải đi làm thuê ở xưởng gỗ cả ngày, làm việc nặng, không được đi học.",
    ConcernType.TRAFFICKING: "Gia đình báo cháu bị người lạ hứa đưa sang biên giới làm việc, đã mất liên lạc hai ngày.",
}

# (label, concern, channel, days ago received, how far the case goes, emergency?)
SCENARIOS = [
    ("new", ConcernType.NEGLECT, Channel.HOTLINE, 0, "intake", False),
    ("overdue intake", ConcernType.VIOLENCE, Channel.PHONE, 3, "intake", False),
    ("emergency", ConcernType.SEXUAL_ABUSE, Channel.SCHOOL, 1, "emergency", True),
    ("assessment", ConcernType.NEGLECT, Channel.LETTER, 2, "assessment", False),
    ("planning late", ConcernType.EXPLOITATION, Channel.IN_PERSON, 12, "planning", False),
    ("awaiting approval", ConcernType.VIOLENCE, Channel.HOTLINE, 6, "approval", False),
    ("implementation", ConcernType.NEGLECT, Channel.POLICE, 20, "implementation", True),
    ("reviewed", ConcernType.VIOLENCE, Channel.HEALTH, 30, "review", False),
    ("closed", ConcernType.TRAFFICKING, Channel.HOTLINE, 40, "closed", False),
]
# Every confidentiality level and distribution scope, so that anyone can try who sees what in the browser: strict
# cases with a referral to the social-work centre (implementation), a strict commune-only one, a commune-only one.
PRIVACY = {
    "emergency": (Confidentiality.STRICT, Distribution.PROVINCE),
    "implementation": (Confidentiality.STRICT, Distribution.PROVINCE),
    "closed": (Confidentiality.STRICT, Distribution.COMMUNE),
    "planning late": (Confidentiality.CONFIDENTIAL, Distribution.COMMUNE),
    "reviewed": (Confidentiality.NORMAL, Distribution.PROVINCE),
    "assessment": (Confidentiality.NORMAL, Distribution.PROVINCE),
}
ORDER = ["intake", "emergency", "assessment", "planning", "approval", "implementation", "review", "closed"]


def _user(username):
    return User.objects.filter(username=username).first()


def _providers(province: Unit, short: str, password: str) -> dict:
    """A social-work centre and a provincial hospital, each with a user who receives referrals."""
    out = {}
    slug = _slug(short)
    city = is_city(province)
    for key, template, kind in [("ctxh", "Trung tâm Công tác xã hội tỉnh {}", ReferralKind.SOCIAL_WORK),
                                ("benhvien", "Bệnh viện Đa khoa tỉnh {}", ReferralKind.HEALTH)]:
        name = named_for(template.format(short), city)
        if city:  # older demo data named a city's centre as a province's
            old = template.format(short)
            Agency.objects.filter(province=province, name=old).update(name=name, short_name=name,
                                                                      name_folded=fold(name))
            User.objects.filter(username=f"{key}.{slug}", full_name=f"Cán bộ {old}").update(full_name=f"Cán bộ {name}")
        agency, _ = Agency.objects.get_or_create(
            province=province, name=name, valid_from=date(2025, 7, 1),
            defaults={"short_name": name, "name_folded": fold(name), "kind": AgencyKind.SERVICE_PROVIDER})
        user, created = User.objects.get_or_create(username=f"{key}.{slug}",
                                                   defaults={"full_name": f"Cán bộ {name}"})
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        Assignment.objects.get_or_create(user=user, role=Role.CASE_WORKER, agency=agency,
                                         defaults={"valid_from": date(2025, 7, 1)})
        out[key] = (agency, kind)
    return out


def _registered_child(commune: Unit, index: int):
    children = Child.objects.filter(commune=commune, provisional=False, status="active").order_by("id")
    return children[index % 50] if children.count() > 50 else None


def _backdate(case: Case, **plan_fields) -> None:
    if plan_fields:
        Plan.objects.filter(case=case).update(**plan_fields)
    deadlines.refresh_deadlines(case)


def _run_case(index, scenario, commune, province_short, providers, now):
    label, concern, channel, days_ago, goal, emergency = scenario
    confidentiality, distribution = PRIVACY.get(label, (Confidentiality.CONFIDENTIAL, Distribution.PROVINCE))
    slug = _slug(commune.name)
    worker = _user(f"canbo.{slug}")
    chair = _user(f"chutich.{slug}")
    hotline = _user(f"tongdai.{_slug(province_short)}") or worker
    received = now - timedelta(days=days_ago, hours=2 + index % 5)
    name, sex = CHILD_NAMES[index % len(CHILD_NAMES)]
    recorder = hotline if channel == Channel.HOTLINE else worker
    child = {"full_name": name, "sex": sex, "age": 6 + index % 9}
    registered = _registered_child(commune, index) if recorder == worker else None
    if registered is not None:
        child = {"child": registered}  # a child of the register; reports from the hotline create provisional ones
    case = services.intake_record(
        actor=recorder, commune=commune, narrative=STORIES[concern], channel=channel, concern_types=[concern],
        received_at=received, reporter_anonymous=index % 3 == 0, reporter_name="Người báo tin (demo)",
        reporter_phone="0912345678", reporter_relation="hàng xóm", place_detail=f"Thôn {index % 4 + 1}",
        children=[child], confidentiality=confidentiality, distribution=distribution)
    target = ORDER.index(goal)

    def v():
        return Case.objects.get(pk=case.pk).version

    if target < ORDER.index("emergency"):
        return case
    services.initial_assessment_record(
        actor=worker, case=case, expected_version=v(), risk_level="high" if emergency else "medium",
        harm="Có dấu hiệu tổn hại về thể chất và tinh thần.", life_threatened=False, health_threatened=emergency,
        carer_is_abuser=emergency and concern == ConcernType.VIOLENCE,
        conclusion="Cần theo dõi và hỗ trợ.", assessed_at=received + timedelta(hours=5))
    if goal in {"emergency", "assessment"}:
        return case
    if emergency:
        services.emergency_record(actor=worker, case=case, expected_version=v(),
                                  measures="Đưa trẻ đến nơi an toàn tại nhà người thân, khám sức khỏe.",
                                  place_of_care="Nhà bà ngoại", started_at=received + timedelta(hours=8))
    if target < ORDER.index("planning"):
        return case
    services.detailed_assessment_record(
        actor=worker, case=case, expected_version=v(), needs_summary="Trẻ cần hỗ trợ tâm lý, y tế và học tập.",
        factors={"health": "Cần khám sức khỏe", "mental": "Lo âu, sợ hãi", "education": "Nguy cơ bỏ học"},
        meeting_at=received + timedelta(days=2), meeting_chair=chair.full_name if chair else "",
        participants="Chủ tịch UBND xã, cán bộ bảo vệ trẻ em, công an xã, giáo viên chủ nhiệm",
        conclusions="Thống nhất xây dựng kế hoạch hỗ trợ.", assessed_at=received + timedelta(days=2))
    if goal == "planning":
        return case
    plan = services.plan_create(actor=worker, case=case, expected_version=v(),
                                goals="Bảo đảm an toàn, phục hồi sức khỏe và tâm lý, trẻ tiếp tục đi học.")
    agency, kind = providers["ctxh"]
    today = timezone.localdate()
    item = services.plan_item_add(actor=worker, plan=plan, expected_version=v(), kind=ServiceKind.PSYCHOSOCIAL,
                                  description="Tư vấn, trị liệu tâm lý 8 buổi", starts_on=today - timedelta(days=5),
                                  ends_on=today + timedelta(days=30), assignee="Cán bộ Trung tâm CTXH",
                                  provider=agency, cost=2_400_000)
    services.plan_item_add(actor=worker, plan=plan, expected_version=v(), kind=ServiceKind.EDUCATION,
                           description="Phối hợp nhà trường hỗ trợ học bù", starts_on=today - timedelta(days=5),
                           ends_on=today + timedelta(days=60), assignee=worker.full_name,
                           provider_name="Trường THCS trên địa bàn", cost=500_000)
    services.plan_submit(actor=worker, plan=plan, expected_version=v())
    if goal == "approval":
        _backdate(case, submitted_at=now - timedelta(days=4))
        return case
    services.plan_decide(actor=chair, plan=plan, expected_version=v(), approve=True, note="Đồng ý.")
    _backdate(case, submitted_at=received + timedelta(days=4), decided_at=received + timedelta(days=5))
    services.referral_create(actor=worker, case=case, expected_version=v(), agency=agency, kind=kind, item=item,
                             shared_information="Trẻ cần được tư vấn tâm lý sau sự việc; liên hệ cán bộ xã.",
                             consent_by="Trẻ và mẹ của trẻ", consent_on=today - timedelta(days=6))
    services.service_record(actor=worker, item=item, expected_version=v(), delivered_on=today - timedelta(days=2),
                            note="Buổi tư vấn đầu tiên, trẻ hợp tác.")
    if goal == "implementation":
        return case
    for open_item in plan.items.all():
        services.service_record(actor=worker, item=open_item, expected_version=v(), delivered_on=today,
                                note="Hoàn thành dịch vụ.", done=True)
    services.review_record(actor=worker, case=case, expected_version=v(), outcome=ReviewOutcome.CLOSE,
                           progress="Các dịch vụ đã hoàn thành, trẻ ổn định.", child_situation="Trẻ đi học đều.")
    if goal == "review":
        return case
    services.case_close(actor=worker, case=case, expected_version=v(), reason="Trẻ an toàn, mục tiêu đã đạt.")
    return case


@transaction.atomic
def load(stdout) -> None:
    if AuditEvent.objects.filter(action=MARKER).exists():
        stdout.write("cases demo: already loaded\n")
        return
    password = demo_password()
    ensure_hotline_user("hethong.111")
    now = timezone.now()
    count, logins = 0, []
    for code, (short, _legacy, communes) in DEMO_PROVINCES.items():
        province = Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code=code)
        providers = _providers(province, short, password)
        logins += [f"ctxh.{_slug(short)}", f"benhvien.{_slug(short)}"]
        for commune_code in communes:
            commune = Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code=commune_code)
            if _user(f"canbo.{_slug(commune.name)}") is None:
                continue
            with deadlines.alerts_held():
                for index, scenario in enumerate(SCENARIOS):
                    _run_case(count + index, scenario, commune, short, providers, now)
            count += len(SCENARIOS)
    deadlines.check_deadlines()
    record(SYSTEM, MARKER, summary={"cases": count})
    stdout.write(f"cases demo: {count} cases in every stage; referral users: {', '.join(logins)}; "
                 f"hotline API user hethong.111 (token: treem hotline-token)\n")
