"""Every page and API route that shows a child's or a carer's name or ID leaves an audit event (issue 12, finding 6).

The inventory is data: READS (walked: the route is requested as a person allowed to see it, and the audit event
expected for that request must appear) and NO_CHILD_DATA (why the route shows no child's data). A URL pattern or
API route in neither list fails `test_every_route_is_classified`: whoever adds one decides which list it joins.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.registry.registry_fixtures import xlsx_bytes
from treem.accounts.models import Agency, AgencyKind, Role
from treem.audit.models import AuditEvent
from treem.cases import reference as case_reference
from treem.cases import services as cases
from treem.cases.models import Case, ConcernType, Stage
from treem.core.actors import SYSTEM
from treem.core.calendar import seed_calendar
from treem.core.files import prepared_file_create
from treem.indicators.models import Indicator
from treem.registry import importing
from treem.registry import services as registry
from treem.registry.models import CircumstanceGroup
from treem.registry.quality import findings
from treem.registry.quality import services as quality
from treem.registry.quality.models import Correction, DuplicatePair, Finding, LinkageRun, RoundStatus
from treem.registry.reference import load_reference

PASSWORD = "Mat-khau-xuat-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Read:
    """A route that shows children's data: who may read it, its arguments, the audit action its read leaves."""

    action: str
    who: str = "worker"
    kwargs: object = None  # a function of the data (SimpleNamespace) giving the URL's kwargs
    method: str = "get"
    data: object = None  # a function of the data giving the GET parameters or the POST body
    query: dict = field(default_factory=dict)


def pk(attr):
    return lambda d: {"pk": getattr(d, attr).pk}


def case_pk(**extra):
    return lambda d: {"pk": d.case.pk, **{k: v(d) for k, v in extra.items()}}


CASE_VIEW = "cases.case.view"

READS: dict[str, Read] = {
    # ---- the child register (pages)
    "registry:list": Read("registry.child.list"),
    "registry:check": Read("registry.child.list", method="post", data=lambda d: {  # the duplicate warning (HTMX)
        "commune": d.commune.code, "full_name": d.child.full_name,
        "birth_date": d.child.birth_date.strftime("%d/%m/%Y")}),
    "registry:create": Read("registry.child.list", method="post", data=lambda d: {  # the form answers with duplicates
        "commune": d.commune.code, "full_name": d.child.full_name, "sex": "M",
        "birth_date": d.child.birth_date.strftime("%d/%m/%Y"), "birth_registered": "unknown",
        "attends_school": "unknown", "immunisation": "unknown", "disability": "unknown", "carer_relation": "mother"}),
    "registry:export": Read("registry.child.export", method="post", data=lambda d: {
        "format": "xlsx", "password": PASSWORD, "password_again": PASSWORD}),
    "registry:incoming": Read("registry.child.list"),
    "registry:import": Read("registry.importbatch.view", kwargs=pk("batch")),
    "registry:import_rejected": Read("registry.import.rejected_download", kwargs=pk("batch")),
    "registry:child": Read("registry.child.view", kwargs=pk("child")),
    "registry:edit": Read("registry.child.view", kwargs=pk("child")),
    "registry:print": Read("registry.child.view", kwargs=pk("child")),
    "registry:move": Read("registry.child.view", kwargs=pk("child")),
    "registry:child_household": Read("registry.child.view", kwargs=pk("child")),
    "registry:households": Read("registry.household.list"),
    "registry:household": Read("registry.household.view", kwargs=pk("household")),
    "core:file": Read("core.file.download", kwargs=pk("prepared")),
    # ---- data quality (pages)
    "quality:commune": Read("quality.finding.list", kwargs=lambda d: {"code": d.commune.code}),
    "quality:duplicates": Read("quality.duplicatepair.list"),
    "quality:pair": Read("registry.child.view", kwargs=pk("pair")),
    "quality:history": Read("registry.child.view", kwargs=pk("child")),
    "quality:linkage_run": Read("quality.correction.list", kwargs=pk("run")),
    "quality:cleaning_round": Read("quality.cleaninground.view", kwargs=pk("cleaning")),
    "quality:cleaning_sheet": Read("quality.cleaninground.export", kwargs=pk("cleaning")),
    "quality:cleaning_review": Read("quality.cleaninground.view", kwargs=pk("reviewing")),
    "quality:recheck": Read("quality.recheck.view", who="province", kwargs=pk("recheck")),
    "quality:recheck_sheet": Read("quality.recheck.export", who="province", kwargs=pk("recheck")),
    # ---- protection cases (pages)
    "cases:dashboard": Read("cases.case.list"),
    "cases:list": Read("cases.case.list"),
    "cases:due": Read("cases.case.list", query={"days": "30"}),
    "cases:export": Read("cases.case.export", method="post", data=lambda d: {
        "password": PASSWORD, "password_again": PASSWORD, "stage": ""}),
    "cases:intake": Read(CASE_VIEW, kwargs=pk("case")),
    "cases:referrals": Read("cases.referral.list", who="agency"),
    "cases:referral": Read("cases.referral.view", who="agency", kwargs=lambda d: {"referral_id": d.referral.pk}),
    "cases:detail": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:edit": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:assign": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:child_add": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:child_identify": Read("registry.child.list", kwargs=case_pk(child_id=lambda d: d.provisional.pk)),
    "cases:assessment": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:emergency": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:separation": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:separation_extend": Read(CASE_VIEW, kwargs=case_pk(separation_id=lambda d: d.separation.pk)),
    "cases:detailed": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:plan_new": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:plan": Read(CASE_VIEW, kwargs=case_pk(plan_id=lambda d: d.plan.pk)),
    "cases:service": Read(CASE_VIEW, kwargs=case_pk(item_id=lambda d: d.item.pk)),
    "cases:referral_new": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:transfer": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:review": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:close": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:reopen": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:in_error": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:document_upload": Read(CASE_VIEW, kwargs=case_pk()),
    "cases:document": Read("cases.document.download", kwargs=case_pk(document_id=lambda d: d.document.pk)),
    "cases:form": Read("cases.form.print", kwargs=case_pk(number=lambda d: 1, fmt=lambda d: "docx")),
    # ---- personal data protection: a parent's request (the search and the form name the child)
    "privacy:access_requests": Read("registry.child.list", query={"q": "Páo"}),
    "privacy:access_request_new": Read("registry.child.view", kwargs=lambda d: {"child_pk": d.child.pk}),
    # ---- the audit log names the children looked at
    "audit:events": Read("audit.auditevent.list", who="auditor"),
    "admin:audit_auditevent_changelist": Read("audit.auditevent.list", who="admin"),
    "admin:audit_auditevent_change": Read("audit.auditevent.view", who="admin",
                                          kwargs=lambda d: {"object_id": d.event.pk}),
    # ---- API: the register
    "api:child-list": Read("registry.child.list"),
    "api:child-incoming": Read("registry.child.list"),
    "api:child-detail": Read("registry.child.view", kwargs=pk("child")),
    "api:child-carers": Read("registry.carer.list", kwargs=pk("child")),
    "api:child-circumstances": Read("registry.childcircumstance.list", kwargs=pk("child")),
    "api:carer-list": Read("registry.carer.list"),
    "api:carer-detail": Read("registry.carer.view", kwargs=pk("carer")),
    "api:household-list": Read("registry.household.list"),
    "api:household-detail": Read("registry.household.view", kwargs=pk("household")),
    "api:circumstance-list": Read("registry.childcircumstance.list"),
    "api:circumstance-detail": Read("registry.childcircumstance.view", kwargs=pk("circumstance")),
    # ---- API: data quality
    "api:quality-finding-list": Read("quality.finding.list"),
    "api:quality-finding-detail": Read("quality.finding.view", kwargs=pk("finding")),
    "api:quality-duplicate-list": Read("quality.duplicatepair.list"),
    "api:quality-duplicate-detail": Read("registry.child.view", kwargs=pk("pair")),
    "api:quality-correction-list": Read("quality.correction.list"),
    "api:quality-correction-detail": Read("quality.correction.view", kwargs=pk("correction")),
    # ---- API: protection cases
    "api:case-intake-list": Read("cases.intake.list"),
    "api:case-intake-detail": Read(CASE_VIEW, kwargs=pk("case")),
    "api:case-list": Read("cases.case.list"),
    "api:case-detail": Read(CASE_VIEW, kwargs=pk("case")),
    "api:case-events": Read(CASE_VIEW, kwargs=pk("case")),
    "api:case-referral-list": Read("cases.referral.list", who="agency"),
    "api:case-referral-detail": Read("cases.referral.view", who="agency", kwargs=pk("referral")),
    # ---- indicators: figures by commune and breakdowns (by sex, age, group, abuse type) can be small counts
    "indicators:commune": Read("indicators.value.list", kwargs=lambda d: {"code": d.commune.code}),
    "indicators:indicator": Read("indicators.value.list", who="province",
                                 kwargs=lambda d: {"code": d.commune.province.code, "indicator_code": "sc_children"}),
    "indicators:export": Read("indicators.value.export", who="province",
                              kwargs=lambda d: {"code": d.commune.province.code, "indicator_code": "sc_children"}),
}

POST_WRITE = "a write (POST only), audited by its service; answers with a redirect or the changed record"
PUBLIC = "public or personal data only: no child's name or ID"
PLANS = "plans, targets, tasks and reporting rounds: official documents, no child's data"
COUNTS = "counts per unit only"
CFC = "child-friendly assessments: a commune's scores and counts, no child's name or ID"
ADMIN_NO_CHILD = "administration of a model that holds no child's data"

NO_CHILD_DATA: dict[str, str] = {
    "web:home": "one's work as counts and links (steps overdue, findings open, reports due, targets' status): "
                "no child's name or ID",
    "web:units": PUBLIC, "web:unit": PUBLIC, "web:agencies": PUBLIC,
    "accounts:login": PUBLIC, "accounts:logout": PUBLIC, "accounts:password_change": PUBLIC,
    "accounts:users": "staff accounts of the administrator's scope: no child's data",
    "accounts:user": "one staff account and its assignments: no child's data",
    "accounts:user_new": "the account form (the shown password is the new account's, its creation is audited)",
    "accounts:assignment_new": POST_WRITE, "accounts:assignment_end": POST_WRITE, "accounts:user_lock": POST_WRITE,
    "accounts:user_password_reset": "a write (POST only), audited by its service; shows the new password once",
    "accounts:two_factor_reset": POST_WRITE,
    "accounts:two_factor_verify": PUBLIC, "accounts:two_factor_setup": PUBLIC, "accounts:recovery_codes": PUBLIC,
    "accounts:recovery_codes_download": "one's own recovery codes, right after making them",
    "set_language": PUBLIC, "javascript-catalog": PUBLIC,
    "core:job": "the progress of one's own background job (a link to its result, which is logged)",
    "core:job_retry": "POST only: runs one's own interrupted job again (audited as core.job.retry)",
    # data quality
    "quality:index": COUNTS, "quality:province": COUNTS,
    "quality:check": POST_WRITE, "quality:duplicates_run": POST_WRITE, "quality:job": "a job's progress",
    "quality:pair_merge": POST_WRITE, "quality:pair_not_same": POST_WRITE, "quality:correction_decide": POST_WRITE,
    "quality:linkage": "the comparisons run: commune, file name, counts",
    "quality:cleaning": "the cleaning rounds: commune, date, number of children listed",
    "quality:cleaning_upload": POST_WRITE, "quality:cleaning_apply": POST_WRITE,
    "quality:rechecks": "the re-checks drawn: commune, date, error rates",
    "quality:recheck_new": "the form to draw a sample: communes and how many children each has",
    "quality:recheck_item": POST_WRITE,
    # register
    "registry:export_job": "the export job's progress (the file it makes is logged when made and downloaded)",
    "registry:export_legacy": "a redirect to the export form",
    "registry:communes": "commune names (public) to choose where a child moved",
    "registry:import_start": "the upload form and recent files: file name, commune, status",
    "registry:import_template": "a blank spreadsheet",
    "registry:import_mapping": POST_WRITE, "registry:import_sheet": POST_WRITE, "registry:import_commit": POST_WRITE,
    "registry:cancel_move": POST_WRITE, "registry:accept": POST_WRITE, "registry:status": POST_WRITE,
    "registry:circumstance_add": POST_WRITE, "registry:circumstance_end": POST_WRITE, "registry:risk_add": POST_WRITE,
    "registry:risk_end": POST_WRITE, "registry:carer_add": POST_WRITE, "registry:carer_remove": POST_WRITE,
    "registry:measurement_add": POST_WRITE, "registry:household_new": POST_WRITE,
    "registry:household_join": POST_WRITE, "registry:household_leave": POST_WRITE,
    "registry:household_carer_add": POST_WRITE, "registry:household_carer_remove": POST_WRITE,
    # cases
    "cases:alerts": "one's own alerts: case references and communes, no child's name",
    "cases:alerts_read": POST_WRITE,
    "cases:intake_new": "the empty report form",
    "cases:intakes": "the reports one recorded: reference, channel, commune, date (each opened is logged)",
    "cases:public_report": PUBLIC, "cases:communes": PUBLIC,
    "cases:separation_end": POST_WRITE,
    # indicators
    "indicators:index": "a redirect to one's province or commune, or the list of them",
    "indicators:province": "the province's targets: province totals against plan targets, no commune's figure",
    "indicators:scorecard": "communes' totals per indicator (no breakdown by sex, age, group or abuse type)",
    # personal data protection
    "privacy:processing": "the record of processing: purposes, legal bases, kinds of data; no person's data",
    "privacy:processing_export": "the record of processing as a spreadsheet; no person's data",
    "privacy:retention": "counts per retention rule and a sample as initials, commune and birth year: no name or ID",
    "privacy:retention_edit": "a retention rule's form",
    "privacy:access_request": "one request: the child's initials, dates, relation (the copy is logged when made "
                              "and downloaded)",
    # API
    "api:schema": PUBLIC, "api:docs": PUBLIC, "api:redoc": PUBLIC, "api:me": PUBLIC, "api:token": PUBLIC,
    "api:api-root": PUBLIC, "api:unit-list": PUBLIC, "api:unit-detail": PUBLIC, "api:agency-list": PUBLIC,
    "api:agency-detail": PUBLIC, "api:circumstance-group-list": PUBLIC, "api:circumstance-group-detail": PUBLIC,
    "api:child-accept": POST_WRITE, "api:child-move": POST_WRITE,
    "api:household-add-carer": POST_WRITE, "api:household-add-child": POST_WRITE,
    "api:household-remove-carer": POST_WRITE, "api:household-remove-child": POST_WRITE,
    "api:circumstance-end": POST_WRITE, "api:quality-duplicate-not-same": POST_WRITE,
    "api:quality-correction-accept": POST_WRITE, "api:quality-correction-reject": POST_WRITE,
    "api:case-referral-respond": POST_WRITE,
    "api:indicator-list": PUBLIC, "api:indicator-detail": PUBLIC,
    "api:indicator-value-list": COUNTS + " (GET, scoped); POST: a write audited by its service",
    "api:indicator-value-detail": COUNTS, "api:indicator-target-list": COUNTS, "api:indicator-target-detail": COUNTS,
    "indicators:binding": PLANS + "; the indicator figures are counts per unit only",
    "indicators:submission_values": "an agency's indicator figures for its unit: counts per unit only",
    "api:not-found": "a JSON 404 for an /api/v1/ path no endpoint matches: no data",
    # child-friendly communes: counts per commune and scores, never a child's name or ID
    **{f"childfriendly:{name}": CFC for name in ("index", "standard", "assessment", "criterion", "province")},
    **{f"childfriendly:{name}": POST_WRITE for name in ("start", "file_add", "submit", "return", "correct",
                                                        "appraise", "recognise")},
    "childfriendly:file_download": "an evidence file or the council's minutes (its download is logged as "
                                   "childfriendly.file.download)",
    "childfriendly:decision_document": "the recognition decision or list: communes and scores (download logged)",
    "api:cfc-assessment-list": CFC, "api:cfc-assessment-detail": CFC,
    # the admin site: only the audit events name children (in READS)
    **{f"admin:{name}": PUBLIC for name in ("index", "login", "logout", "password_change", "password_change_done",
                                            "autocomplete", "jsi18n", "view_on_site", "app_list",
                                            "auth_user_password_change")},
    "admin:audit_auditevent_add": "refused: events are never added, changed or deleted by hand",
    "admin:audit_auditevent_delete": "refused: events are never added, changed or deleted by hand",
    "admin:audit_auditevent_history": "the admin's own history of the event (none: it cannot be changed)",
}
PLAN_ROUTES = ("plans:", "api:plan-")
ADMIN_MODELS_WITHOUT_CHILDREN = (
    "auth_group", "django_tasks_database_dbtaskresult", "authtoken_tokenproxy", "core_calendarday", "core_job",
    "geo_unit", "geo_unitconversion", "accounts_user", "accounts_agency", "registry_circumstancegroup",
    "registry_riskflag", "cases_deadlinerule", "plans_document", "plans_target", "plans_task",
    "plans_reportinground", "plans_submission", "privacy_retentionrule", "privacy_processingactivity",
    "childfriendly_standard", "childfriendly_subindicator", "childfriendly_recognitionrule",
    "childfriendly_communeclassification", "childfriendly_submissionwindow", "childfriendly_authority")
for _model in ADMIN_MODELS_WITHOUT_CHILDREN:
    for _view in ("changelist", "add", "history", "delete", "change"):
        NO_CHILD_DATA[f"admin:{_model}_{_view}"] = ADMIN_NO_CHILD


def route_names() -> set[str]:
    """Every named URL pattern (pages, API router, admin); unnamed ones are the admin's redirects."""
    names = set()

    def walk(patterns, namespace, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace])) if p.namespace else namespace
                walk(p.url_patterns, ns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                if p.name:
                    names.add(f"{namespace}:{p.name}" if namespace else p.name)
                else:
                    assert prefix.startswith("admin/"), f"name the URL pattern {prefix}{p.pattern}"

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_route_is_classified():
    names = route_names()
    plans = {n for n in names if n.startswith(PLAN_ROUTES)}
    unclassified = names - set(READS) - set(NO_CHILD_DATA) - plans
    assert not unclassified, (
        f"New routes: add each to READS (it shows children's or carers' names or IDs: log the read and say which "
        f"audit action it leaves) or to NO_CHILD_DATA (say why not): {sorted(unclassified)}")
    assert not set(READS) & set(NO_CHILD_DATA)
    stale = (set(READS) | set(NO_CHILD_DATA)) - names
    assert not stale, f"routes that no longer exist: {sorted(stale)}"


# ---------------------------------------------------------------- the data every read shows


@pytest.fixture
def data(db, tmp_path, commune_x, commune_y, lai_chau, make_user, worker_x, province_officer, national_admin,
         settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_reference()
    seed_calendar(range(2025, 2029))
    case_reference.load()
    born = date(2017, 5, 20)
    child = registry.child_create(actor=SYSTEM, commune=commune_x, data={
        "full_name": "Lò Văn Páo", "sex": "M", "birth_date": born, "village": "Bản Hô Ta"})
    twin = registry.child_create(actor=SYSTEM, commune=commune_x, data={
        "full_name": "Lò Văn Pao", "sex": "M", "birth_date": born, "village": "Bản Hô Ta"})
    link = registry.carer_link(actor=SYSTEM, child=child, full_name="Lò Thị Dợ", relation="mother", primary=True)
    household = registry.household_create(actor=SYSTEM, child=child, data={"poverty_status": "poor"})
    circumstance = registry.circumstance_add(actor=SYSTEM, child=child, group=CircumstanceGroup.objects.first(),
                                             started_on=date(2025, 1, 1))
    moving = registry.child_create(actor=SYSTEM, commune=commune_y, data={
        "full_name": "Sùng A Chứ", "sex": "M", "birth_date": date(2016, 1, 2)})
    registry.child_record_move(actor=SYSTEM, child=moving, to_commune=commune_x)

    findings.check_commune(commune_x)  # the children have no personal ID: open findings
    finding = child.quality_findings.first()
    a, b = sorted([child.pk, twin.pk])
    now = timezone.now()
    pair = DuplicatePair.objects.create(child_a_id=a, child_b_id=b, commune=commune_x, other_commune=commune_x,
                                        province_id=commune_x.province_id, probability=0.97, match_weight=11,
                                        detected_at=now, last_seen_at=now)
    run = LinkageRun.objects.create(commune=commune_x, province_id=commune_x.province_id, filename="x.csv",
                                    content=b"x", status="done")
    correction = Correction.objects.create(run=run, child=child, commune=commune_x, province_id=commune_x.province_id,
                                           field="personal_id", current_value="", method="match",
                                           proposed_value="012217000001")
    cleaning = quality.cleaning_round_create(actor=worker_x, commune=commune_x)
    reviewing = quality.cleaning_round_create(actor=worker_x, commune=commune_x)
    reviewing.status, reviewing.review = RoundStatus.REVIEWING, []
    reviewing.save()
    recheck = quality.recheck_draw(actor=province_officer, commune=commune_x, size=1, seed=7)

    content = xlsx_bytes(tmp_path, [[1, "Giàng A Dế", "31/02/2015", "Nam", "H'Mông", "", "Bản Hô Ta", "", ""]])
    batch = importing.batch_create(actor=worker_x, commune=commune_x, filename="ds.xlsx", content=content)
    importing.batch_preview(batch)
    prepared = prepared_file_create(owner=worker_x, kind="registry.export", filename="ds.xlsx", content=b"x", rows=1)

    centre = Agency.objects.create(name="Trung tâm Công tác xã hội tỉnh Lai Châu", name_folded="trung tam ctxh",
                                   kind=AgencyKind.SERVICE_PROVIDER, province=lai_chau, valid_from=date(2025, 7, 1))
    case = cases.intake_record(actor=worker_x, commune=commune_x, channel="hotline_111", narrative="Cháu bị đánh.",
                               concern_types=[ConcernType.VIOLENCE], reporter_name="Bà Lò Thị Xuân",
                               reporter_phone="0912000111", children=[{"child": child}])

    def version():
        return Case.objects.get(pk=case.pk).version

    # worker X, the commune's worker, is assigned by the intake
    separation = cases.separation_start(actor=worker_x, case=case, expected_version=version(),
                                        planned_end=timezone.localdate() + timedelta(days=5),
                                        separated_from="bố", reason="an toàn", place_of_care="nhà bà")
    cases.initial_assessment_record(actor=worker_x, case=case, expected_version=version(), risk_level="medium")
    cases.detailed_assessment_record(actor=worker_x, case=case, expected_version=version(),
                                     needs_summary="Cần hỗ trợ tâm lý.", factors={"mental": "lo âu"})
    plan = cases.plan_create(actor=worker_x, case=case, expected_version=version(), goals="An toàn cho trẻ.")
    item = cases.plan_item_add(actor=worker_x, plan=plan, expected_version=version(), kind="psychosocial",
                               description="Tư vấn tâm lý", starts_on=timezone.localdate(),
                               ends_on=timezone.localdate() + timedelta(days=30), assignee="Cán bộ xã", cost=0)
    referral = cases.referral_create(actor=worker_x, case=case, expected_version=version(), agency=centre,
                                     kind="social_work", shared_information="Cần tư vấn.", consent_by="mẹ",
                                     consent_on=timezone.localdate())
    document = cases.document_attach(actor=worker_x, case=case, expected_version=version(), kind="other",
                                     title="Giấy khám", upload=SimpleUploadedFile("giay-kham.pdf", PDF + b" " * 200))
    cases.case_child_add(actor=worker_x, case=case, expected_version=version(), full_name="Giàng Thị Mỷ", sex="F",
                         age=7)
    provisional = case.case_children.get(child__provisional=True).child
    case.refresh_from_db()
    assert case.stage != Stage.CLOSED

    Indicator.objects.get_or_create(code="sc_children", defaults={
        "name_vi": "Số trẻ em có hoàn cảnh đặc biệt", "measure": "count", "method": "computed", "group": "protection"})

    return SimpleNamespace(
        commune=commune_x, child=child, carer=link.carer, household=household, circumstance=circumstance,
        finding=finding, pair=pair, run=run, correction=correction, cleaning=cleaning, reviewing=reviewing,
        recheck=recheck, batch=batch, prepared=prepared, case=case, separation=separation, plan=plan, item=item,
        referral=referral, document=document, provisional=provisional,
        event=AuditEvent.objects.filter(object_id=str(child.pk)).first(),
        users={"worker": worker_x, "province": province_officer, "admin": national_admin,
               "agency": make_user("ctxh.laichau", Role.CASE_WORKER, agency=centre),
               "auditor": make_user("kiemtoan.laichau", Role.AUDITOR, lai_chau)})


def test_every_read_of_childrens_data_leaves_an_audit_event(client, data):
    unlogged, refused = [], []
    for name, read in READS.items():
        user = data.users[read.who]
        client.force_login(user)
        url = reverse(name, kwargs=read.kwargs(data) if read.kwargs else None)
        payload = read.data(data) if read.data else dict(read.query)
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = getattr(client, read.method)(url, payload)
        if response.status_code != 200:
            refused.append(f"{name} {url}: {response.status_code}")
            continue
        if not AuditEvent.objects.filter(id__gt=last, actor=user, action=read.action).exists():
            unlogged.append(f"{name} {url}: no {read.action}")
    assert not refused, refused
    assert not unlogged, f"{len(unlogged)} reads of children's data left no trace: {unlogged}"


def test_the_duplicate_warning_is_logged_when_it_names_children_and_only_then(client, data, worker_x, commune_x):
    """The HTMX check runs while the worker types: a keystroke that finds nobody leaves no event."""
    client.force_login(worker_x)
    typed = {"commune": commune_x.code, "birth_date": data.child.birth_date.strftime("%d/%m/%Y")}
    AuditEvent.objects.all().delete()
    client.post(reverse("registry:check"), {**typed, "full_name": "Hoàng Thị Lan"})
    assert not AuditEvent.objects.exists()
    response = client.post(reverse("registry:check"), {**typed, "full_name": "Lò Văn Páo"})
    assert "Lò Văn Páo" in response.content.decode()
    [event] = AuditEvent.objects.all()
    assert (event.action, event.actor, event.unit) == ("registry.child.list", worker_x, commune_x)
    assert event.summary["filters"] == {"duplicates_of": "Lò Văn Páo", "commune": commune_x.code}
    assert event.summary["shown"] >= 1 and event.summary["via"] == "web"


def test_case_and_quality_lists_are_filed_under_the_unit_their_auditors_read(client, data, worker_x, commune_x,
                                                                              province_officer, lai_chau):
    from treem.audit.selectors import audit_events_visible_to

    client.force_login(worker_x)
    AuditEvent.objects.all().delete()
    client.get(reverse("cases:list"), {"stage": "open"})
    [event] = AuditEvent.objects.filter(action="cases.case.list")
    assert event.unit == commune_x and event.summary == {"filters": {"stage": "open"}, "shown": 1, "page": 1,
                                                         "via": "web"}
    client.force_login(province_officer)
    client.get("/api/v1/quality/findings/", {"commune": commune_x.code})
    [event] = AuditEvent.objects.filter(action="quality.finding.list")
    assert event.unit == commune_x and event.summary["via"] == "api"
    assert event.summary["shown"] == Finding.objects.filter(commune=commune_x, resolved_at__isnull=True).count() > 0
    client.get("/api/v1/quality/duplicates/")
    [event] = AuditEvent.objects.filter(action="quality.duplicatepair.list")
    assert event.unit == lai_chau and event.summary["shown"] == 1
    auditor = data.users["auditor"]
    assert audit_events_visible_to(auditor).filter(action__endswith=".list").count() == 3
