"""The demo loader: findings and a duplicates pass for the demo communes, a population extract to try linkage on."""

import io
from datetime import date

from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.registry import services as registry
from treem.registry.models import Child
from treem.registry.quality import demo, linkage
from treem.registry.quality.models import CommuneSummary, DuplicatePair, Finding, LinkageRun
from treem.registry.quality.synthetic import generate_children
from treem.registry.reference import load_reference


def test_without_demo_children_nothing_happens(db, settings, tmp_path):
    settings.TREEM_POPULATION_DIR = tmp_path
    out = io.StringIO()
    demo.load(out)
    assert "nothing to do" in out.getvalue()
    assert not Finding.objects.exists() and not list(tmp_path.iterdir())


def test_the_demo_shows_findings_pairs_and_an_extract_and_runs_once(db, settings, tmp_path, commune_x):
    settings.TREEM_POPULATION_DIR = tmp_path
    load_reference()
    records, _pairs = generate_children(60, [commune_x.code], 12, seed=9, planted_duplicates=2,
                                        as_of=date.today())
    for r in records:
        child = registry.child_create(actor=SYSTEM, commune=commune_x, data={
            "full_name": r["full_name"], "sex": r["sex"], "birth_date": r["birth_date"],
            "ethnicity": r["ethnicity"], "village": r["village"]})
        # Planted duplicates share a number, which the services refuse: set it as an old import would have.
        Child.objects.filter(pk=child.pk).update(personal_id=r["personal_id"] or "")
        registry.carer_link(actor=SYSTEM, child=child, full_name=r["carer_name"], relation="mother", primary=True)
    demo.load(io.StringIO())
    assert CommuneSummary.objects.get(commune=commune_x).checked_at is not None
    assert Finding.objects.filter(commune=commune_x).exists()
    assert DuplicatePair.objects.filter(commune=commune_x).count() >= 1
    extract = demo.extract_path(commune_x)
    assert extract.exists() and extract.parent == tmp_path
    people = linkage.CsvPopulationRegistry.from_file(extract, extract.name)
    assert len(people.records) > 62 and all(len(p.personal_id) == 12 for p in people.records)

    checks, content = AuditEvent.objects.filter(action="quality.check.run").count(), extract.read_bytes()
    demo.load(io.StringIO())  # idempotent
    assert AuditEvent.objects.filter(action="quality.check.run").count() == checks
    assert AuditEvent.objects.filter(action=demo.MARKER).count() == 1 and extract.read_bytes() == content

    run = LinkageRun.objects.create(commune=commune_x, province_id=commune_x.province_id, filename=extract.name,
                                    content=content)
    stats = linkage.run_linkage(run)
    assert stats["by_id"] > 40 and stats["proposed"] >= 1  # missing IDs to fill, planted differences
