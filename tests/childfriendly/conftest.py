from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from treem.accounts.models import Role
from treem.childfriendly import services
from treem.childfriendly.models import Criterion, FileKind, SubmissionWindow
from treem.childfriendly.reference import load_standard

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = 2026
IN_WINDOW = date(YEAR, 10, 15)


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


@pytest.fixture
def standard(db):
    load_standard()
    return Criterion.objects.first().standard


@pytest.fixture
def worker_y(make_user, commune_y):
    return make_user("canbo.y", Role.COMMUNE_WORKER, commune_y)


@pytest.fixture
def other_officer(make_user, an_giang):
    return make_user("tinh.angiang", Role.FOCAL_OFFICER, an_giang)


def pdf(name="bien-ban.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fill(assessment, actor, *, zero=(), low=None):
    """Every value at its best (full points); criteria in `zero` at their worst (0 points)."""
    for criterion in Criterion.objects.filter(standard=assessment.standard).prefetch_related("sub_indicators"):
        values = {}
        for sub in criterion.sub_indicators.all():
            best = sub.min_value if sub.scoring == "at_most" else sub.max_value
            worst = sub.max_value if sub.scoring == "at_most" else sub.min_value
            values[sub.code] = str(worst if criterion.number in zero else best)
        services.values_save(actor=actor, assessment=assessment, criterion=criterion, values=values)


def ready(assessment, actor, **kwargs):
    fill(assessment, actor, **kwargs)
    services.file_add(actor=actor, assessment=assessment, upload=pdf(), kind=FileKind.MINUTES,
                      title="Biên bản hội đồng")
    return assessment


@pytest.fixture
def submitted(standard, commune_x, worker_x, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    a = services.assessment_start(actor=worker_x, commune=commune_x, year=YEAR)
    ready(a, worker_x)
    return services.assessment_submit(actor=worker_x, assessment=a, on=IN_WINDOW)


def window_around(day):
    SubmissionWindow.objects.update(opens_day=1, opens_month=day.month, closes_day=28, closes_month=day.month)
