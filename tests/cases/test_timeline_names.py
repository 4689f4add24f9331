"""The case timeline names people, not login names (issue 11: "canbo.binhlu", "system" on the case page)."""

import re

from treem.accounts.models import User


def test_the_timeline_shows_full_names_and_the_system_in_words(client, new_case, worker_x, hotline):
    User.objects.filter(pk=hotline.pk).update(full_name="Nguyễn Thị Tổng Đài")
    case = new_case()
    client.force_login(worker_x)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    timeline = page[page.index('class="timeline"'):]
    assert "Nguyễn Thị Tổng Đài" in timeline
    assert not re.search(r"·\s*(tongdai|system|public)\b", timeline)
