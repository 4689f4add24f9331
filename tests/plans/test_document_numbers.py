"""A document number is unique per issuing body, not across the country (issue 11): Lai Châu's 234/KH-UBND is not
An Giang's; a second upload of one's own document is refused when the file is read; a document issued by another
province's body is flagged on the review page."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as Word

from treem.plans.importing import build_proposal, draft_create, draft_save, review_defaults
from treem.plans.models import Document, DocumentType, PlanDraft


def _docx(issuer: str, number: str, place: str) -> SimpleUploadedFile:
    word = Word()
    for text in [issuer, f"Số: {number}", f"{place}, ngày 05 tháng 01 năm 2026", "KẾ HOẠCH",
                 "Thực hiện Chương trình hành động vì trẻ em năm 2026",
                 "I. MỤC TIÊU", "1. Tỷ lệ trẻ em có hoàn cảnh đặc biệt được trợ giúp đạt 96%.",
                 "II. TỔ CHỨC THỰC HIỆN", "1. Sở Y tế", "- Chủ trì theo dõi, tổng hợp, báo cáo kết quả thực hiện."]:
        word.add_paragraph(text)
    out = io.BytesIO()
    word.save(out)
    return SimpleUploadedFile("ke-hoach.docx", out.getvalue())


@pytest.fixture
def an_giang_234(world, an_giang):
    """An Giang's 234/KH-UBND (the demo's Kiên Giang plan, now An Giang's, when the demo has it)."""
    existing = Document.objects.filter(number_key="234/kh-ubnd", province=an_giang, is_placeholder=False).first()
    return existing or Document.objects.create(
        doc_type=DocumentType.PLAN, number="234/KH-UBND", province=an_giang, area=an_giang,
        issuer_name="Ủy ban nhân dân tỉnh An Giang", title="Kế hoạch của An Giang")


def test_another_provinces_number_does_not_block_an_upload(world, lai_chau, an_giang_234):
    officer = world.user("tinh.laichau")
    before = Document.objects.filter(number_key=an_giang_234.number_key).count()
    draft = draft_create(actor=officer, upload=_docx("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU", "234/KH-UBND", "Lai Châu"),
                         province=lai_chau)
    proposal = build_proposal(draft)
    assert proposal["issuer_elsewhere"] is None
    document = draft_save(actor=officer, draft=draft, review=review_defaults(proposal))
    assert document.pk != an_giang_234.pk and document.province == lai_chau and document.number == "234/KH-UBND"
    assert Document.objects.filter(number_key=an_giang_234.number_key).count() == before + 1


def test_the_same_document_uploaded_again_is_refused_when_read_without_naming_other_provinces(world, lai_chau,
                                                                                            an_giang_234):
    officer = world.user("tinh.laichau")
    upload = _docx("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU", "234/KH-UBND", "Lai Châu")
    first = draft_create(actor=officer, upload=upload, province=lai_chau)
    draft_save(actor=officer, draft=first, review=review_defaults(build_proposal(first)))
    drafts = PlanDraft.objects.count()
    with pytest.raises(ValidationError) as error:
        draft_create(actor=officer, upload=_docx("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU", "234/KH-UBND", "Lai Châu"),
                     province=lai_chau)
    assert "đã có" in " ".join(error.value.messages) and "An Giang" not in " ".join(error.value.messages)
    assert PlanDraft.objects.count() == drafts  # refused at upload, before any review


def test_a_document_of_another_provinces_body_is_flagged(world, client, lai_chau):
    officer = world.user("tinh.laichau")
    draft = draft_create(actor=officer, upload=_docx("ỦY BAN NHÂN DÂN TỈNH AN GIANG", "77/KH-UBND", "An Giang"),
                         province=lai_chau)
    assert build_proposal(draft)["issuer_elsewhere"].name == "Tỉnh An Giang"
    client.force_login(officer)
    page = client.get(f"/plans/drafts/{draft.pk}/").content.decode()
    assert "thuộc Tỉnh An Giang, không thuộc Tỉnh Lai Châu" in page


def test_an_imported_plans_targets_and_tasks_are_audited_one_by_one(world, lai_chau):
    """Issue 11: the import created targets and tasks with audit=False; each is now recorded by its service."""
    from treem.audit.models import AuditEvent

    officer = world.user("tinh.laichau")
    draft = draft_create(actor=officer, upload=_docx("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU", "91/KH-UBND", "Lai Châu"),
                         province=lai_chau)
    document = draft_save(actor=officer, draft=draft, review=review_defaults(build_proposal(draft)))
    targets = AuditEvent.objects.filter(action="plans.target.create", actor=officer)
    tasks = AuditEvent.objects.filter(action="plans.task.create", actor=officer)
    assert set(targets.values_list("object_id", flat=True)) == {str(t.pk) for t in document.targets.all()}
    assert set(tasks.values_list("object_id", flat=True)) == {str(t.pk) for t in document.tasks.all()}
    assert document.targets.exists() and document.tasks.exists()
