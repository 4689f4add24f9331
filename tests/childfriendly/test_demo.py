import io

from treem.accounts import demo as accounts_demo
from treem.childfriendly import demo, scoring
from treem.childfriendly.models import Assessment, RecognitionDecision, Status


def test_the_demo_covers_the_cases_the_issue_asks_for_and_loads_once(standard, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    accounts_demo.load(io.StringIO())
    demo.load(io.StringIO())
    count = Assessment.objects.count()
    demo.load(io.StringIO())
    assert Assessment.objects.count() == count == 10
    years = sorted(set(Assessment.objects.values_list("year", flat=True)))
    assert len(years) == 2
    assert Assessment.objects.filter(status=Status.RECOGNISED).count() == 5
    assert Assessment.objects.filter(status=Status.RETURNED).count() == 1
    assert RecognitionDecision.objects.exists()
    short = [scoring.assessment_score(a) for a in Assessment.objects.filter(status=Status.APPRAISED)]
    assert short and all(s.total >= s.threshold and s.verdict.at_zero == (5,) and not s.verdict.recognised
                         for s in short)
