"""Uploads are checked by content: a file that lies about its type is refused with a clear message."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as Word

from treem.plans.files import EVIDENCE_EXTENSIONS, check_upload


def _docx() -> bytes:
    word = Word()
    word.add_paragraph("Báo cáo kết quả")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def test_a_real_docx_passes_and_gets_a_checksum():
    checked = check_upload(SimpleUploadedFile("bao-cao.docx", _docx()), EVIDENCE_EXTENSIONS)
    assert checked.extension == ".docx" and len(checked.sha256) == 64 and checked.size > 1000


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bao-cao.docx", b"PK\x03\x04 not really a zip", "Tệp DOCX bị hỏng"),
    ("bao-cao.pdf", b"<html>not a pdf</html>", "không phải là tệp PDF"),
    ("anh.png", b"GIF89a....", "không phải là tệp PNG"),
    ("ghi-chu.txt", "Kế hoạch".encode("utf-16"), "không ở mã UTF-8"),
    ("virus.exe", b"MZ\x90\x00", "Không nhận tệp loại .exe"),
    ("rong.pdf", b"", "Tệp rỗng"),
])
def test_files_that_lie_about_their_type_are_refused(name, content, message):
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content), EVIDENCE_EXTENSIONS)
    assert message in error.value.messages[0]
