"""The statutory forms 01-07 of a case (Decree 56/2017/NĐ-CP), filled in from the record and laid out by
treem.reports.official (Decree 30/2020 format). The wording of the forms is an approximation of the annex: the
layout and the facts come from the record; officials can edit the DOCX before signing."""

from django.utils import timezone

from treem.core.formats import format_date, format_number
from treem.reports.official import (
    Bullet,
    Heading,
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
)

from . import deadlines
from .access import mask_name
from .models import Case, Confidentiality, PlanStatus
from .reference import assessment_factors

FORMS = {
    1: ("PHIẾU GHI CHÉP", "Thông tin, thông báo, tố giác về trẻ em bị xâm hại hoặc có nguy cơ bị bạo lực, bóc lột, "
                          "bỏ rơi", "PGC"),
    2: ("BIÊN BẢN", "Đánh giá nguy cơ ban đầu đối với trẻ em", "BB"),
    3: ("BIÊN BẢN", "Đánh giá nhu cầu và họp xây dựng kế hoạch hỗ trợ, can thiệp", "BB"),
    4: ("KẾ HOẠCH", "Hỗ trợ, can thiệp đối với trẻ em", "KH"),
    5: ("QUYẾT ĐỊNH", "Phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em", "QĐ"),
    6: ("BÁO CÁO", "Đánh giá kết quả thực hiện kế hoạch hỗ trợ, can thiệp", "BC"),
    7: ("QUYẾT ĐỊNH", "Tạm thời cách ly trẻ em khỏi môi trường hoặc người gây tổn hại", "QĐ"),
}


def _short_commune(name: str) -> str:
    for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _yes(value: bool) -> str:
    return "Có" if value else "Không"


def _d(value) -> str:
    return format_date(value) if value else "—"


def _money(value) -> str:
    return format_number(value or 0, digits=0) + " đồng"


def available(case: Case) -> dict[int, bool]:
    return {
        1: True,
        2: case.initial_assessments.exists(),
        3: case.detailed_assessments.exists(),
        4: case.plans.exists(),
        5: case.plans.filter(status__in=[PlanStatus.APPROVED, PlanStatus.SUPERSEDED]).exists(),
        6: case.reviews.exists(),
        7: case.separations.exists(),
    }


def build(case: Case, number: int, *, names: bool = True, reporter: bool = True) -> OfficialDocument | None:
    """The form as an OfficialDocument, or None when the record it is made from does not exist yet."""
    if number not in FORMS or not available(case)[number]:
        return None
    doc_type, title, code = FORMS[number]
    body = _body(case, number, names=names, reporter=reporter)
    if body is None:
        return None
    day, signature = body.pop(0), body.pop(0)
    if case.confidentiality != Confidentiality.NORMAL:
        body.insert(0, Paragraph("MẬT — Thông tin về trẻ em được giữ bí mật theo Điều 24 Nghị định 56/2017/NĐ-CP.",
                                 bold=True))
    body.insert(0, Paragraph(f"Mẫu số {number:02d} (Nghị định 56/2017/NĐ-CP). Mã hồ sơ: {case.reference}.",
                             italic=True))
    commune = case.commune
    return OfficialDocument(
        issuing_body=f"ỦY BAN NHÂN DÂN\n{commune.name.upper()}", number=f"       /{code}-UBND",
        place=_short_commune(commune.name), date=day, doc_type=doc_type, title=title, body=body,
        signature=signature, recipients=["- Như trên;", "- Lưu: hồ sơ trẻ em (bảo mật)."],
    )


def _children_table(case: Case, names: bool) -> Table:
    rows = []
    for i, link in enumerate(case.case_children.select_related("child").order_by("added_at"), start=1):
        child = link.child
        name = child.full_name if names else mask_name(child.full_name)
        rows.append([str(i), name, child.get_sex_display(), format_date(child.birth_date),
                     "Tạm thời" if child.provisional else "Đã có trong sổ"])
    if not rows:
        rows.append(["—", (case.children_description if names else "") or "Chưa xác định", "", "", ""])
    return Table(["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Sổ theo dõi"], rows)


def _worker_signature(user) -> Signature:
    return Signature(title="NGƯỜI LẬP", name=(getattr(user, "full_name", "") or str(user or "")))


def _chair_signature(user) -> Signature:
    return Signature(authority="TM. ỦY BAN NHÂN DÂN", title="CHỦ TỊCH",
                     name=(getattr(user, "full_name", "") or str(user or "")))


def _local_day(value):
    return timezone.localtime(value).date()


def _separation_term(case: Case) -> str:
    rule = deadlines.separation_rule(timezone.localtime(case.received_at).date())
    if rule is None:
        return ""
    return (f"Thời hạn tạm thời cách ly không quá {rule.amount} ngày, trừ trường hợp cơ quan có thẩm quyền đề nghị "
            "gia hạn.")


def _body(case: Case, number: int, *, names: bool, reporter: bool) -> list | None:
    concerns = ", ".join(c.get_kind_display() for c in case.concerns.all())
    if number == 1:
        who = "Giấu tên" if case.reporter_anonymous else (
            ", ".join(p for p in (case.reporter_name, case.reporter_phone, case.reporter_relation) if p)
            if reporter else "Được bảo mật")
        return [
            _local_day(case.received_at), _worker_signature(case.recorded_by),
            Heading("I. THÔNG TIN TIẾP NHẬN"),
            Table(["Nội dung", "Thông tin"], [
                ["Thời điểm tiếp nhận", format_date(case.received_at)],
                ["Kênh tiếp nhận", case.get_channel_display()],
                ["Loại yêu cầu", case.get_request_type_display()],
                ["Người báo tin", who or "—"],
                ["Nơi xảy ra", ", ".join(p for p in (case.place_detail, case.commune.name) if p)],
                ["Hình thức xâm hại, vấn đề", concerns],
                ["Mức độ bảo mật", case.get_confidentiality_display()],
                ["Phạm vi chia sẻ", case.get_distribution_display()],
            ]),
            Heading("II. TRẺ EM LIÊN QUAN"), _children_table(case, names),
            Heading("III. NỘI DUNG THÔNG TIN"), Paragraph(case.narrative),
            Paragraph(f"Thông tin đã được chuyển ngay đến {case.commune.name} để xử lý theo quy định."),
        ]
    if number == 2:
        a = case.initial_assessments.order_by("-assessed_at").first()
        return [
            _local_day(a.assessed_at), _worker_signature(a.assessed_by),
            Paragraph(f"Thời điểm đánh giá: {format_date(a.assessed_at)}."),
            Heading("I. TRẺ EM ĐƯỢC ĐÁNH GIÁ"), _children_table(case, names),
            Heading("II. NGUY CƠ VÀ TỔN HẠI"),
            Table(["Nội dung", "Kết quả"], [
                ["Mức độ nguy cơ", a.get_risk_level_display()],
                ["Tính mạng trẻ em bị đe dọa", _yes(a.life_threatened)],
                ["Sức khỏe bị đe dọa hoặc tổn hại nghiêm trọng", _yes(a.health_threatened)],
                ["Nhân phẩm bị đe dọa hoặc tổn hại nghiêm trọng", _yes(a.dignity_threatened)],
                ["Người chăm sóc là người xâm hại", _yes(a.carer_is_abuser)],
                ["Cần bảo vệ khẩn cấp (trong 12 giờ)", _yes(a.emergency_required)],
            ]),
            Paragraph(f"Tổn hại ghi nhận: {a.harm or '—'}"),
            Heading("III. KẾT LUẬN"), Paragraph(a.conclusion or "—"),
        ]
    if number == 3:
        a = case.detailed_assessments.order_by("-assessed_at").first()
        labels = {f["code"]: f["label"] for f in assessment_factors()}
        rows = [[labels.get(code, code), text] for code, text in (a.factors or {}).items()] or [["—", "—"]]
        return [
            _local_day(a.assessed_at), _worker_signature(a.recorded_by),
            Heading("I. ĐÁNH GIÁ NHU CẦU"), Table(["Yếu tố", "Nhận định"], rows),
            Paragraph(f"Nhu cầu của trẻ em: {a.needs_summary}"),
            Heading("II. CUỘC HỌP"),
            Paragraph(f"Thời gian: {_d(a.meeting_at)}. Chủ trì: {a.meeting_chair or '—'}."),
            Paragraph(f"Thành phần tham dự: {a.participants or '—'}"),
            Paragraph(f"Kết luận cuộc họp: {a.conclusions or '—'}"),
        ]
    plan = case.plans.order_by("-number").first()
    if number in (4, 5):
        if number == 5:
            plan = case.plans.filter(status__in=[PlanStatus.APPROVED, PlanStatus.SUPERSEDED]).order_by(
                "-number").first()
        items = list(plan.items.select_related("provider"))
        rows = [[str(i), item.get_kind_display() + ": " + item.description, format_date(item.starts_on),
                 format_date(item.ends_on), item.assignee, item.provider_label or "—", _money(item.cost)]
                for i, item in enumerate(items, start=1)] or [["—", "Chưa có dịch vụ", "", "", "", "", ""]]
        total = _money(sum(item.cost for item in items))
        table = Table(["STT", "Dịch vụ, nhiệm vụ", "Bắt đầu", "Dự kiến kết thúc", "Người thực hiện",
                       "Cơ quan, tổ chức cung cấp", "Kinh phí"], rows)
        if number == 4:
            return [
                _local_day(plan.submitted_at or plan.created_at), _worker_signature(plan.drafted_by),
                Paragraph(f"Kế hoạch số {plan.number} — {plan.get_status_display()}."),
                Heading("I. TRẺ EM ĐƯỢC HỖ TRỢ, CAN THIỆP"), _children_table(case, names),
                Heading("II. MỤC TIÊU"), Paragraph(plan.goals),
                Heading("III. CÁC DỊCH VỤ, NHIỆM VỤ"), table, Paragraph(f"Tổng kinh phí: {total}.", bold=True),
            ]
        return [
            _local_day(plan.decided_at), _chair_signature(plan.decided_by),
            Paragraph("CHỦ TỊCH ỦY BAN NHÂN DÂN " + case.commune.name.upper(), bold=True),
            Paragraph("Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016; căn cứ Nghị định số 56/2017/NĐ-CP ngày 09 tháng "
                      "5 năm 2017 của Chính phủ;", italic=True),
            Paragraph("Xét đề nghị của người làm công tác bảo vệ trẻ em cấp xã,", italic=True),
            Heading("QUYẾT ĐỊNH:"),
            Paragraph(f"Điều 1. Phê duyệt Kế hoạch hỗ trợ, can thiệp số {plan.number} đối với trẻ em trong hồ sơ "
                      f"{case.reference} với các dịch vụ sau:"),
            table, Paragraph(f"Tổng kinh phí: {total}."),
            Paragraph(f"Ý kiến: {plan.decision_note or '—'}"),
            Paragraph("Điều 2. Người làm công tác bảo vệ trẻ em cấp xã và các cơ quan, tổ chức, cá nhân có liên quan "
                      "chịu trách nhiệm thi hành Quyết định này."),
        ]
    if number == 6:
        review = case.reviews.order_by("-reviewed_at").first()
        services = [Bullet(f"{item.get_kind_display()}: {item.description} — {item.get_status_display()}")
                    for item in (plan.items.all() if plan else [])]
        return [
            _local_day(review.reviewed_at), _worker_signature(review.recorded_by),
            Heading("I. KẾT QUẢ THỰC HIỆN KẾ HOẠCH"), *services, Paragraph(review.progress),
            Heading("II. TÌNH HÌNH CỦA TRẺ EM HIỆN NAY"), Paragraph(review.child_situation or "—"),
            Heading("III. ĐỀ XUẤT"), Paragraph(review.get_outcome_display()),
        ]
    if number == 7:
        s = case.separations.order_by("-started_at").first()
        chair = case.plans.filter(decided_by__isnull=False).values_list("decided_by__full_name", flat=True).first()
        return [
            _local_day(s.started_at), Signature(authority="TM. ỦY BAN NHÂN DÂN", title="CHỦ TỊCH", name=chair or ""),
            Paragraph("CHỦ TỊCH ỦY BAN NHÂN DÂN " + case.commune.name.upper(), bold=True),
            Paragraph("Căn cứ Điều 50 Luật Trẻ em ngày 05 tháng 4 năm 2016; căn cứ Điều 32 Nghị định số "
                      "56/2017/NĐ-CP;",
                      italic=True),
            Heading("QUYẾT ĐỊNH:"),
            Paragraph(f"Điều 1. Tạm thời cách ly trẻ em trong hồ sơ {case.reference} khỏi {s.separated_from} "
                      f"kể từ {format_date(s.started_at)} đến hết ngày {format_date(s.end_date)}."),
            _children_table(case, names),
            Paragraph(f"Nơi chăm sóc tạm thời: {s.place_of_care}."),
            Paragraph(f"Lý do: {s.reason}"),
            Paragraph(_separation_term(case) + (f" Đã gia hạn đến {format_date(s.extended_until)} theo đề nghị của "
                                    f"{s.extension_authority}." if s.extended_until else "")),
            Paragraph("Điều 2. Người làm công tác bảo vệ trẻ em cấp xã và các cơ quan, tổ chức, cá nhân có liên quan "
                      "chịu trách nhiệm thi hành Quyết định này."),
        ]
    return None
