"""The pages, in Vietnamese, and the scope attacked through them: a record outside the scope answers 404, an action
the role may not take answers 403."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from docx import Document as Word

from treem.accounts.models import Role
from treem.plans.models import Document, Submission, SubmissionStatus, Task

from .conftest import SEED_002, agency, overdue_text


def page(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode() if status == 200 else ""


def test_the_cascade_shows_directive_28_over_the_three_provinces(world, client):
    html = page(client, world.user("quantri"), reverse("plans:index"))
    assert "Hệ thống văn bản từ trên xuống" in html
    for text in ("Chỉ thị 28-CT/TW", "Chương trình 61-CTr/TU", "Công văn 3452/UBND-VX", "Kế hoạch 234/KH-UBND",
                 "Chương trình 48-CTr/TU", "Quyết định 1183/QĐ-TTg", "Tỉnh Sóc Trăng (trước 2025)"):
        assert text in html
    # the provincial documents sit under the directive
    directive, plan = html.index("Chỉ thị 28-CT/TW"), html.index("Kế hoạch 234/KH-UBND")
    assert directive < plan


def test_a_focal_officer_sees_her_province_and_the_national_documents_only(world, client):
    officer = world.user("tinh.laichau")
    html = page(client, officer, reverse("plans:index"))
    assert "48-CTr/TU" in html and "28-CT/TW" in html
    assert "234/KH-UBND" not in html and "3452/UBND-VX" not in html
    page(client, officer, reverse("plans:document", args=[world.document("234/KH-UBND").pk]), 404)
    page(client, officer, reverse("plans:round", args=[world.round("91").pk]), 404)
    submission = world.round("91").submissions.first()
    page(client, officer, reverse("plans:submission", args=[submission.pk]), 404)


def test_the_document_page_shows_the_chain_targets_and_tasks_with_successors(world, client):
    html = page(client, world.user("tinh.cantho"), reverse("plans:document", args=[world.document("61-CTr/TU").pk]))
    assert "Thực hiện văn bản (cấp trên)" in html and "Chỉ thị 28-CT/TW" in html
    assert "Công văn 3452/UBND-VX" in html  # down the chain
    assert "71,3%" in html and "đạt 97,2%" in html and "dưới 0,05%" in html  # decimal comma, directions
    assert "21/10/2024" in html  # dd/mm/yyyy
    html = page(client, world.user("tinh.angiang"), reverse("plans:document", args=[world.document("234/KH-UBND").pk]))
    assert "Sở Lao động - Thương binh và Xã hội" in html and "không còn tồn tại" in html
    assert "Bảo vệ, chăm sóc trẻ em" in html  # the functions the successor took over


def test_an_agency_reporter_sees_only_her_agencys_tasks(world, client):
    reporter = world.user("soyte.angiang")
    html = page(client, reporter, reverse("plans:tasks"))
    assert "Sở Y tế" in html
    assert "Công an tỉnh An Giang" not in html and "Tỉnh đoàn" not in html
    police_task = Task.objects.filter(assignments__agency=agency("91", "Công an tỉnh An Giang")).first()
    page(client, reporter, reverse("plans:task", args=[police_task.pk]), 404)
    html = page(client, reporter, reverse("plans:document", args=[world.document("234/KH-UBND").pk]))
    assert "nhiệm vụ của cơ quan khác không hiển thị" in html
    client.force_login(reporter)
    assert client.post(reverse("plans:task", args=[police_task.pk]), {"text": "x", "status": "done"}).status_code == 404


def test_an_agency_reporter_reports_progress_on_her_task_with_evidence(world, client):
    reporter = world.user("soyte.angiang")
    task = Task.objects.filter(assignments__agency=agency("91", "Sở Y tế")).first()
    client.force_login(reporter)
    word = Word()
    word.add_paragraph("Danh sách trẻ em được khám")
    buffer = io.BytesIO()
    word.save(buffer)
    response = client.post(reverse("plans:task", args=[task.pk]), {
        "text": "Đã khám sàng lọc dinh dưỡng cho 1.200 trẻ em.", "status": "in_progress", "period_year": "2026",
        "figure_1_label": "Số trẻ được khám", "figure_1_value": "1.200",
        "files": [SimpleUploadedFile("danh-sach.docx", buffer.getvalue())],
    })
    assert response.status_code == 302
    update = task.updates.get(text__startswith="Đã khám")
    assert update.figures == [{"label": "Số trẻ được khám", "value": "1200"}] and update.attachments.count() == 1
    html = page(client, reporter, reverse("plans:task", args=[task.pk]))
    assert "1.200" in html and "danh-sach.docx" in html
    download = client.get(reverse("plans:attachment", args=[update.attachments.get().pk]))
    assert download.status_code == 200
    client.force_login(world.user("soyte.cantho"))
    assert client.get(reverse("plans:attachment", args=[update.attachments.get().pk])).status_code == 404


def test_what_i_owe_lists_reports_and_tasks_by_deadline(world, client):
    html = page(client, world.user("soyte.angiang"), reverse("plans:my"))
    assert "Việc tôi phải báo cáo" in html and "Báo cáo năm 2026 thực hiện Chỉ thị 28-CT/TW" in html
    assert "10/11/2026" in html and overdue_text() in html and "Soạn báo cáo" in html
    assert "quá hạn" in html  # the overdue reminder of the demo
    html = page(client, world.user("soyte.cantho"), reverse("plans:my"))
    assert "Sửa và gửi lại" in html  # returned in the demo
    page(client, world.user("tinh.angiang"), reverse("plans:my"), 403)


def test_the_round_page_shows_completeness_and_timeliness(world, client):
    html = page(client, world.user("tinh.angiang"), reverse("plans:round", args=[world.round("91").pk]))
    assert re.search(r'data-stat="received">\s*8/12', html) and "66,7%" in html
    assert re.search(r'data-stat="late">\s*3', html) and re.search(r'data-stat="missing">\s*4', html)
    assert "Chưa gửi" in html and "trễ hạn" in html and "đúng hạn" in html
    html = page(client, world.user("tinh.angiang"), reverse("plans:round_compare", args=[world.round("91").pk]))
    assert "Đối chiếu báo cáo của các cơ quan" in html and "Kết quả năm 2026" not in html
    assert "Tỉnh đoàn An Giang" in html  # an accepted report, side by side with the others


def test_a_reporter_sees_only_her_own_row_and_cannot_compare(world, client):
    reporter = world.user("soyte.angiang")
    html = page(client, reporter, reverse("plans:round", args=[world.round("91").pk]))
    assert "Báo cáo của cơ quan bạn" in html and "Sở Tư pháp" not in html
    page(client, reporter, reverse("plans:round_compare", args=[world.round("91").pk]), 403)
    other = world.round("91").submissions.exclude(agency=agency("91", "Sở Y tế")).first()
    page(client, reporter, reverse("plans:submission", args=[other.pk]), 404)


def test_submit_return_resubmit_through_the_pages(world, client):
    round_ = world.round("91")
    reporter, officer = world.user("soyte.angiang"), world.user("tinh.angiang")
    health = agency("91", "Sở Y tế")
    client.force_login(reporter)
    response = client.post(reverse("plans:submission_begin", args=[round_.pk]), {"agency": health.pk})
    submission = Submission.objects.get(round=round_, agency=health)
    assert response["Location"] == reverse("plans:submission", args=[submission.pk])
    response = client.post(reverse("plans:submission", args=[submission.pk]), {
        "text": "Kết quả năm 2026", "version": submission.version, "submit": "1"}, follow=True)
    assert "tính là trễ hạn" in response.content.decode()
    # a second start goes back to the same report, with a clear message
    response = client.post(reverse("plans:submission_begin", args=[round_.pk]), {"agency": health.pk}, follow=True)
    assert "đã có báo cáo trong đợt này" in response.content.decode()
    assert Submission.objects.filter(round=round_, agency=health).count() == 1
    # the reporter cannot return her own report
    assert client.post(reverse("plans:submission_review", args=[submission.pk, "return"]),
                       {"note": "x"}).status_code == 403
    client.force_login(officer)
    client.post(reverse("plans:submission_review", args=[submission.pk, "return"]), {"note": "Bổ sung số liệu"})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    client.force_login(reporter)
    html = page(client, reporter, reverse("plans:submission", args=[submission.pk]))
    assert "Bổ sung số liệu" in html and "Gửi lại báo cáo đã sửa" in html
    client.post(reverse("plans:submission", args=[submission.pk]), {
        "text": "Kết quả năm 2026, đã bổ sung", "version": submission.version, "submit": "1"})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.events.filter(kind="resubmitted").exists()


def test_a_stale_form_does_not_overwrite_a_newer_save(world, client):
    round_ = world.round("91")
    submission = round_.submissions.get(status=SubmissionStatus.DRAFT)
    from treem.accounts.models import User

    reporter = User.objects.create_user("kh.test", password="Mat-khau-2026!")
    reporter.assignments.create(role=Role.AGENCY_REPORTER, agency=submission.agency)
    client.force_login(reporter)
    old_version = submission.version
    client.post(reverse("plans:submission", args=[submission.pk]), {"text": "Bản A", "version": old_version})
    response = client.post(reverse("plans:submission", args=[submission.pk]), {"text": "Bản B", "version": old_version},
                           follow=True)
    assert "Người khác vừa lưu báo cáo này" in response.content.decode()
    submission.refresh_from_db()
    assert submission.text == "Bản A"


def test_upload_review_and_save_through_the_pages(world, client, lai_chau):
    officer = world.user("tinh.laichau")
    client.force_login(officer)
    text = SEED_002.read_text().replace("Kiên Giang", "Lai Châu").replace("Kiên Gang", "Lai Châu")
    response = client.post(reverse("plans:upload"), {
        "file": SimpleUploadedFile("ke-hoach.txt", text.encode()), "province": lai_chau.pk})
    assert response.status_code == 302
    review_url = response["Location"]
    html = page(client, officer, review_url)
    assert "Kiểm tra, sửa trước khi lưu" in html and "Không tìm thấy số, ký hiệu của văn bản." in html
    assert "không còn tồn tại" in html and "Sở Y tế, cơ quan kế thừa" in html
    assert "Không tìm thấy chỉ tiêu nào trong văn bản" in html  # a plan with no targets: said, not invented
    # Post the form back as rendered, with the number corrected.
    form = _form_values(html)
    form["number"] = "77/KH-UBND"
    response = client.post(review_url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get(number="77/KH-UBND")
    assert document.province == lai_chau and document.tasks.count() == 37
    html = page(client, officer, response["Location"])
    assert "Đã lưu văn bản cùng chỉ tiêu và nhiệm vụ." in html


def _form_values(html: str) -> dict:
    """The values of a rendered form, as a browser would post them (inputs, checked boxes, selected options)."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "type=\"file\"" in tag:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = _unescape(value.group(1)) if value else ("on" if "checkbox" in tag else "")
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = _unescape(body.strip("\n"))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body) or re.search(r'<option value="([^"]*)"',
                                                                                          body)
        values[name] = _unescape(selected.group(1)) if selected else ""
    return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


@pytest.mark.parametrize("username", ["soyte.angiang", "lanhdao.angiang", "canbo.binhlu"])
def test_only_focal_officers_upload_and_open_rounds(world, client, username):
    user = world.user(username)
    page(client, user, reverse("plans:upload"), 403)
    document = world.document("48-CTr/TU" if username == "canbo.binhlu" else "234/KH-UBND")
    page(client, user, reverse("plans:round_new") + f"?document={document.pk}", 403)


def test_the_commune_worker_sees_plans_but_no_round(world, client):
    worker = world.user("canbo.binhlu")
    html = page(client, worker, reverse("plans:index"))
    assert "48-CTr/TU" in html
    page(client, worker, reverse("plans:round", args=[world.round("12").pk]), 404)
    assert "Báo cáo năm 2026" not in page(client, worker, reverse("plans:rounds"))


def test_the_focal_officer_opens_a_round_with_todays_agencies_proposed(world, client):
    officer = world.user("tinh.angiang")
    document = world.document("234/KH-UBND")
    year = timezone.localdate().year  # the form proposes this year's round
    html = page(client, officer, reverse("plans:round_new") + f"?document={document.pk}")
    assert f"Báo cáo năm {year} thực hiện Kế hoạch 234/KH-UBND" in html and f"10/11/{year}" in html
    health = agency("91", "Sở Y tế")
    client.force_login(officer)
    deadline = f"{timezone.localdate() + timedelta(days=30):%d/%m/%Y}"
    response = client.post(reverse("plans:round_new"), {
        "document": document.pk, "title": f"Báo cáo sơ kết {year}", "period_year": year, "deadline": deadline,
        "agencies": [health.pk], "focal_agency": health.pk, "reminder_days": "7,3,1",
        "timeliness_rule": "first_submit"})
    assert response.status_code == 302
    html = page(client, officer, response["Location"])
    assert f"Báo cáo sơ kết {year}" in html and deadline in html and "0/1" in html


def test_a_target_gets_values_by_year_an_indicator_and_its_agencies(world, client):
    target = world.document("61-CTr/TU").targets.get(text__startswith="Tỷ lệ xã, phường, thị trấn")
    officer = world.user("tinh.cantho")
    url = reverse("plans:target_edit", args=[target.pk])
    page(client, world.user("soyte.cantho"), url, 403)
    page(client, world.user("tinh.laichau"), url, 404)
    html = page(client, officer, url)
    assert 'value="97,2"' in html and 'value="71,3"' in html
    health = agency("92", "Sở Y tế")
    response = client.post(url, {
        "text": target.text, "unit": "%", "baseline_value": "71,3", "baseline_year": "2023", "baseline_source": "",
        "indicator_code": "CFC-01", "agencies": [health.pk],
        "v-0-year": "", "v-0-direction": "at_least", "v-0-value": "97,2",
        "v-1-year": "2026", "v-1-direction": "at_least", "v-1-value": "85",
        "v-2-year": "", "v-2-direction": "", "v-2-value": "",
    })
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.indicator_code == "CFC-01" and target.baseline_year == 2023
    assert sorted((v.year or 0, float(v.value)) for v in target.values.all()) == [(0, 97.2), (2026, 85.0)]
    assert list(target.agencies.all()) == [health]
    bad = client.post(url, {"text": target.text, "v-0-direction": "at_least", "v-0-value": ""})
    assert bad.status_code == 200 and "cần con số và hướng" in bad.content.decode()


def test_another_provinces_upload_is_not_revealed(world, client, an_giang):
    from treem.plans.importing import draft_create

    draft = draft_create(actor=world.user("tinh.angiang"), province=an_giang,
                         upload=SimpleUploadedFile(SEED_002.name, SEED_002.read_bytes()))
    page(client, world.user("tinh.cantho"), reverse("plans:draft", args=[draft.pk]), 404)
    client.force_login(world.user("tinh.cantho"))
    assert client.post(reverse("plans:draft_discard", args=[draft.pk])).status_code == 404
    html = page(client, world.user("tinh.angiang"), reverse("plans:draft", args=[draft.pk]))
    assert "Do văn bản đặt ra" not in html  # no attachment: everything is set by the uploaded document


def test_a_dispatch_with_an_attached_programme_proposes_the_programme_for_its_targets(world, client):
    from treem.plans.models import Document, number_key

    from .conftest import SEED_001

    officer = world.user("tinh.cantho")
    client.force_login(officer)
    province = world.document("61-CTr/TU").province

    def upload():
        return client.post(reverse("plans:upload"), {
            "file": SimpleUploadedFile(SEED_001.name, SEED_001.read_bytes()), "province": province.pk})

    # What the demo already holds is refused clearly when the file is read, before any review.
    refused = upload()
    assert refused.status_code in (200, 400) and "đã có trong hệ thống" in refused.content.decode()
    # As a new document (the demo's copy numbered otherwise), the attached programme sets the targets.
    held = Document.objects.get(number="3452/UBND-VX", province=province)
    Document.objects.filter(pk=held.pk).update(number="3452-cu/UBND-VX", number_key=number_key("3452-cu/UBND-VX"))
    response = upload()
    html = page(client, officer, response["Location"])
    assert "Do văn bản đặt ra" in html and "kèm theo (từ dòng 50)" in html
    form = _form_values(html)
    programme = next(k for k, v in form.items() if k.startswith("tgt-0-set_by"))
    assert form[programme].startswith("impl-")


def test_navigation_entries_by_role(world, client):
    html = page(client, world.user("soyte.angiang"), "/")
    assert "Việc tôi phải báo cáo" in html and "Kế hoạch, chỉ tiêu, nhiệm vụ" in html
    html = page(client, world.user("tinh.angiang"), "/")
    assert "Kế hoạch, chỉ tiêu, nhiệm vụ" in html and "Việc tôi phải báo cáo" not in html
    assert "Kế hoạch, chỉ tiêu, nhiệm vụ" not in page(client, world.user("tongdai.angiang"), "/")


def test_english_is_the_fallback(world, client):
    client.cookies["django_language"] = "en"
    html = page(client, world.user("tinh.angiang"), reverse("plans:round", args=[world.round("91").pk]))
    assert "Agencies expected to report" in html and "Not submitted" in html
