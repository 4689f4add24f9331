"""The pages: intake, locking, forms, lists, alerts, navigation, Vietnamese text and dates."""

import re
from datetime import timedelta

from django.utils import timezone

from treem.cases.models import Case, Stage

from .conftest import version, walk


def intake_post(commune, **extra):
    data = {"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "channel": "hotline_111",
            "request_type": "intervention", "province": commune.province_id, "commune": commune.pk,
            "concern_types": ["violence", "neglect"], "narrative": "Cháu bị bỏ đói và đánh đập.",
            "child_name": "Giàng Thị Mỷ", "child_sex": "F", "child_age": "7", "confidentiality": "confidential",
            "distribution": "province", "reporter_name": "Ông Sùng A Tủa", "reporter_phone": "0987000222"}
    data.update(extra)
    return data


def test_hotline_operator_records_a_report_in_vietnamese(client, hotline, commune_x, worker_x):
    client.force_login(hotline)
    page = client.get("/cases/new/").content.decode()
    assert "Ghi nhận tin báo" in page and "Xã Bình Lư" in page and 'hx-get="/cases/report/communes/"' in page
    response = client.post("/cases/new/", intake_post(commune_x))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/intakes/{case.pk}/"
    assert sorted(case.concerns.values_list("kind", flat=True)) == ["neglect", "violence"]
    page = client.get(response["Location"]).content.decode()
    assert case.reference in page and "đã được chuyển đến Xã Bình Lư" in page


def test_intake_form_errors_are_shown_in_vietnamese(client, hotline, commune_x, commune_y):
    client.force_login(hotline)
    response = client.post("/cases/new/", intake_post(commune_x, narrative="", concern_types=[], child_sex=""))
    page = response.content.decode()
    assert response.status_code == 400 and not Case.objects.exists()
    assert "Trường này là bắt buộc." in page and "Trẻ em mới cần có giới tính." in page


def test_commune_list_follows_the_province(client, lai_chau):
    page = client.get(f"/cases/report/communes/?province={lai_chau.pk}").content.decode()
    assert "Xã Bình Lư" in page and "Xã Sin Suối Hồ" in page and page.count("<option") == 39


def test_dashboard_shows_the_alert_of_a_new_report_and_it_can_be_marked_read(client, new_case, worker_x):
    case = new_case()
    client.force_login(worker_x)
    page = client.get("/cases/").content.decode()
    assert f"Tin báo mới {case.reference} cho Xã Bình Lư" in page
    assert "Hồ sơ đang xử lý của tôi" in page
    client.post("/cases/alerts/read/", {"next": "/cases/"})
    assert "Tin báo mới" not in client.get("/cases/").content.decode()


def test_navigation_offers_the_cases_module(client, worker_x, hotline):
    client.force_login(worker_x)
    home = client.get("/").content.decode()
    assert "Hồ sơ bảo vệ trẻ em" in home and "/cases/" in home
    client.force_login(hotline)
    home = client.get("/").content.decode()
    assert "Ghi nhận tin báo" in home and 'href="/cases/"' not in home.split("<main")[0]


def test_case_page_shows_deadlines_and_dates_dd_mm_yyyy(client, new_case, worker_x):
    from treem.core.workdays import VN_TZ

    from .conftest import vn

    case = new_case(received_at=vn(2026, 2, 13, 10, 0))
    client.force_login(worker_x)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "13/02/2026 10:00" in page and "27/02/2026 23:59" in page
    assert "Xây dựng kế hoạch hỗ trợ, can thiệp" in page and "quá hạn" in page
    assert VN_TZ


def test_second_worker_editing_at_once_is_told_and_nothing_is_overwritten(client, new_case, worker_x, make_user,
                                                                          commune_x):
    from treem.accounts.models import Role
    from treem.cases import services

    second = make_user("canbo.x2", Role.COMMUNE_WORKER, commune_x)
    case = new_case()
    services.case_assign(actor=worker_x, case=case, user=second, expected_version=version(case))
    form_version = version(case)
    common = {"received_at": timezone.localtime(case.received_at).strftime("%Y-%m-%dT%H:%M"),
              "channel": "hotline_111", "request_type": "intervention", "concern_types": ["violence"],
              "confidentiality": "confidential", "distribution": "province", "version": form_version}
    client.force_login(worker_x)
    first = client.post(f"/cases/{case.pk}/edit/", {**common, "narrative": "Bản của người thứ nhất"})
    assert first.status_code == 302
    client.force_login(second)
    late = client.post(f"/cases/{case.pk}/edit/", {**common, "narrative": "Bản của người thứ hai"})
    assert late.status_code == 409
    assert "Người khác đã thay đổi hồ sơ này" in late.content.decode()
    assert Case.objects.get(pk=case.pk).narrative == "Bản của người thứ nhất"


def test_a_report_with_a_script_is_stored_as_text_and_shown_escaped(client, new_case, worker_x):
    case = new_case(narrative='<script>alert("xss")</script> bị đánh', place_detail="<b>Bản</b>")
    assert Case.objects.get(pk=case.pk).narrative.startswith("<script>")
    client.force_login(worker_x)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert '<script>alert("xss")</script>' not in page
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; bị đánh" in page
    assert "<b>Bản</b>" not in page
    nonce_scripts = re.findall(r"<script[^>]*>", page)
    assert all("nonce=" in tag for tag in nonce_scripts)


def test_the_plan_page_refuses_a_plan_without_service_in_vietnamese(client, new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.PLANNING)
    client.force_login(worker_x)
    response = client.post(f"/cases/{case.pk}/plan/", {"version": version(case), "goals": "An toàn"})
    plan = case.plans.get()
    assert response["Location"] == f"/cases/{case.pk}/plan/{plan.pk}/"
    refused = client.post(response["Location"], {"action": "submit", "version": version(case)})
    assert refused.status_code == 400
    assert "Kế hoạch cần có ít nhất một dịch vụ" in refused.content.decode()


def test_the_chair_approves_on_the_plan_page_and_a_worker_cannot(client, new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.APPROVAL)
    plan = case.plans.get()
    client.force_login(worker_x)
    assert client.post(f"/cases/{case.pk}/plan/{plan.pk}/", {"action": "approve",
                                                              "version": version(case)}).status_code == 403
    client.force_login(chair_x)
    page = client.get(f"/cases/{case.pk}/plan/{plan.pk}/").content.decode()
    assert "Phê duyệt kế hoạch" in page
    response = client.post(f"/cases/{case.pk}/plan/{plan.pk}/", {"action": "approve", "version": version(case)})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Stage.IMPLEMENTATION


def test_closing_with_open_services_is_refused_on_the_page(client, new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.IMPLEMENTATION)
    client.force_login(worker_x)
    response = client.post(f"/cases/{case.pk}/close/", {"version": version(case), "reason": "xong"})
    assert response.status_code == 400
    assert "Đánh giá kết quả của kế hoạch (Mẫu 06) trước khi đóng" in response.content.decode() or \
        "vẫn còn dịch vụ" in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == Stage.IMPLEMENTATION


def test_due_list_per_commune_and_province(client, new_case, provincial_case_worker, lai_chau):
    case = new_case(received_at=timezone.now() - timedelta(days=2))
    client.force_login(provincial_case_worker)
    page = client.get(f"/cases/due/?province={lai_chau.code}&days=3").content.decode()
    assert "Xã Bình Lư" in page and case.reference in page and "quá hạn" in page
    page = client.get("/cases/due/?commune=03394").content.decode()
    assert case.reference not in page


def test_alerts_page_lists_alerts_in_vietnamese(client, new_case, worker_x):
    new_case(received_at=timezone.now() - timedelta(days=1))
    client.force_login(worker_x)
    page = client.get("/cases/alerts/").content.decode()
    assert "Đánh giá ban đầu quá hạn từ" in page


def test_every_action_page_renders_for_the_team(client, new_case, worker_x, chair_x, social_work_centre,
                                                provincial_case_worker):
    from treem.cases import services

    case = walk(new_case(), worker_x, chair_x, Stage.IMPLEMENTATION)
    plan = case.plans.get()
    item = plan.items.get()
    client.force_login(worker_x)
    for suffix in ["", "edit/", "assign/", "children/add/", "separation/", "referral/", "transfer/", "review/",
                   "close/", "error/", "documents/", f"plan/{plan.pk}/", f"services/{item.pk}/"]:
        response = client.get(f"/cases/{case.pk}/{suffix}")
        assert response.status_code == 200, suffix
        assert 'name="version"' in response.content.decode() or suffix in {"", f"plan/{plan.pk}/"}, suffix
    for url in ["/cases/", "/cases/list/", "/cases/list/?stage=", "/cases/due/?days=30", "/cases/alerts/",
                "/cases/intakes/", "/cases/referrals/"]:
        assert client.get(url).status_code == 200, url
    referral = services.referral_create(actor=worker_x, case=case, expected_version=version(case),
                                        agency=social_work_centre, kind="social_work", shared_information="x",
                                        consent_by="mẹ", consent_on=timezone.localdate())
    assert client.get(f"/cases/referrals/{referral.pk}/").status_code == 200
    client.force_login(provincial_case_worker)
    assert client.get(f"/cases/{case.pk}/").status_code == 200


def test_a_register_child_is_added_and_a_separation_recorded_through_the_pages(client, new_case, worker_x,
                                                                                commune_x, lai_chau):
    from datetime import date

    from treem.registry.models import Child

    case = new_case()
    child = Child.objects.create(full_name="Hoàng Văn Sình", name_folded="hoang van sinh", sex="M",
                                 birth_date=date(2014, 3, 1), province=lai_chau, commune=commune_x)
    client.force_login(worker_x)
    assert "Hoàng Văn Sình" in client.get(f"/cases/{case.pk}/children/add/?q=sinh").content.decode()
    response = client.post(f"/cases/{case.pk}/children/add/", {"version": version(case), "registered": child.pk})
    assert response.status_code == 302 and case.case_children.filter(child=child).exists()
    client.post(f"/cases/{case.pk}/assessment/", {"version": version(case), "risk_level": "high",
                                                 "assessed_at": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
                                                 "carer_is_abuser": "on"})
    assert Case.objects.get(pk=case.pk).stage == Stage.EMERGENCY
    start = timezone.localtime()
    too_long = client.post(f"/cases/{case.pk}/separation/", {
        "version": version(case), "started_at": start.strftime("%d/%m/%Y %H:%M"),
        "planned_end": (start + timedelta(days=20)).strftime("%d/%m/%Y"), "separated_from": "bố dượng",
        "place_of_care": "nhà bà ngoại", "reason": "bạo lực"})
    assert too_long.status_code == 400 and "tối đa 15 ngày" in too_long.content.decode()
    ok = client.post(f"/cases/{case.pk}/separation/", {
        "version": version(case), "started_at": start.strftime("%d/%m/%Y %H:%M"),
        "planned_end": (start + timedelta(days=10)).strftime("%d/%m/%Y"), "separated_from": "bố dượng",
        "place_of_care": "nhà bà ngoại", "reason": "bạo lực"})
    assert ok.status_code == 302 and case.separations.count() == 1
    assert client.get(f"/cases/{case.pk}/forms/7.docx").status_code == 200
