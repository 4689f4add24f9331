"""The recognition decision and the list of recognised communes as Decree 30 documents (treem.reports.official)."""

from treem.core.formats import format_number
from treem.reports.official import OfficialDocument, Paragraph, Signature, Table, render_docx, render_pdf

from . import scoring
from .models import RecognitionDecision

RECOGNITION_BASIS = ("Căn cứ Quyết định số 06/2019/QĐ-TTg ngày 03/01/2019 của Thủ tướng Chính phủ ban hành Tiêu chuẩn "
                     "xã, phường, thị trấn phù hợp với trẻ em;")


def _place(province) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if province.name.startswith(prefix):
            return province.name[len(prefix):]
    return province.name


def _rows(decision: RecognitionDecision) -> list[list[str]]:
    rows = []
    assessments = decision.assessments.select_related("commune").prefetch_related("values", "corrections")
    for i, a in enumerate(sorted(assessments, key=lambda a: a.commune.name), start=1):
        score = scoring.assessment_score(a)
        rows.append([str(i), a.commune.name, format_number(score.total, 0), format_number(score.threshold, 0)])
    return rows


def _body(decision):
    return f"{decision.body_name}\n{decision.province.name.upper()}"


def decision_document(decision: RecognitionDecision) -> OfficialDocument:
    rows = _rows(decision)
    return OfficialDocument(
        issuing_body=_body(decision), number=decision.number, place=_place(decision.province),
        date=decision.signed_on, doc_type="QUYẾT ĐỊNH",
        title=f"Về việc công nhận xã, phường đạt tiêu chuẩn phù hợp với trẻ em năm {decision.year}",
        body=[
            Paragraph(RECOGNITION_BASIS, italic=True),
            Paragraph("Căn cứ kết quả tự đánh giá của các xã, phường và kết quả thẩm định;", italic=True),
            Paragraph("QUYẾT ĐỊNH:", bold=True),
            Paragraph(f"Điều 1. Công nhận {len(rows)} xã, phường đạt tiêu chuẩn xã, phường phù hợp với trẻ em năm "
                      f"{decision.year} (danh sách kèm theo)."),
            Table(["STT", "Xã, phường", "Tổng điểm", "Mức điểm công nhận"], rows),
            Paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký."),
            Paragraph("Điều 3. Chánh Văn phòng, Giám đốc Sở Y tế, Chủ tịch Ủy ban nhân dân các xã, phường có tên "
                      "tại Điều 1 chịu trách nhiệm thi hành Quyết định này."),
        ],
        signature=Signature(authority="TM. ỦY BAN NHÂN DÂN", title="CHỦ TỊCH", name=decision.signer),
        recipients=["- Như Điều 3;", "- Lưu: VT."],
    )


def list_document(decision: RecognitionDecision) -> OfficialDocument:
    rows = _rows(decision)
    return OfficialDocument(
        issuing_body=_body(decision), number=decision.number, place=_place(decision.province),
        date=decision.signed_on, doc_type="DANH SÁCH",
        title=(f"Xã, phường đạt tiêu chuẩn phù hợp với trẻ em năm {decision.year} "
               f"(kèm theo Quyết định số {decision.number})"),
        body=[Table(["STT", "Xã, phường", "Tổng điểm", "Mức điểm công nhận"], rows),
              Paragraph(f"Tổng số: {len(rows)} xã, phường.")],
        signature=Signature(authority="TM. ỦY BAN NHÂN DÂN", title="CHỦ TỊCH", name=decision.signer),
    )


def render(decision: RecognitionDecision, which: str, fmt: str) -> bytes:
    doc = decision_document(decision) if which == "decision" else list_document(decision)
    return render_docx(doc) if fmt == "docx" else render_pdf(doc)
