"""Password-protected exports of case lists: an XLSX encrypted with the password the person chose (ECMA-376 agile
encryption, which Excel and LibreOffice open), made by msoffcrypto-tool. Every export is logged."""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from treem.core.formats import format_date
from treem.core.protect import encrypt_xlsx as encrypt  # noqa: F401 - the views call export.encrypt

from .selectors import case_rows

HEADER = ["Mã hồ sơ", "Ngày tiếp nhận", "Xã", "Tỉnh", "Giai đoạn", "Kênh", "Vấn đề", "Trẻ em", "Mức bảo mật"]


def workbook_bytes(user, qs) -> tuple[bytes, int]:
    book = Workbook()
    sheet = book.active
    sheet.title = "Hồ sơ"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in case_rows(user, qs.order_by("-received_at")):
        case = row["case"]
        sheet.append([case.reference, format_date(case.received_at), case.commune.name, case.province.name,
                      case.get_stage_display(), case.get_channel_display(), ", ".join(row["concerns"]),
                      "; ".join(row["names"]), case.get_confidentiality_display()])
        count += 1
    sheet.append([])
    sheet.append([f"Xuất lúc {format_date(timezone.now())} — dữ liệu trẻ em là dữ liệu cá nhân nhạy cảm."])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
