"""An indicator's figures as a spreadsheet (openpyxl): the series by year and the communes of a year.

Text cells that a spreadsheet would read as a formula (=, +, -, @, tab, carriage return first) get a leading apostrophe;
numbers are written as numbers (the figure as stored, not rounded) with a Vietnamese number format shown by Excel.
"""

import io

from django.utils import timezone
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from treem.core.formats import format_date

from .selectors import MEASURE_LABELS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _number(value):
    return float(value) if value is not None else None


def _sheet(book, title: str, header: list[str], rows: list[list]):
    sheet = book.create_sheet(title[:31])
    sheet.append([neutralise(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    return sheet


def indicator_workbook(indicator, unit, series, communes, year) -> bytes:
    """series: [Figure] of the unit by year; communes: [(Unit, Figure | None)] of `year`."""
    book = Workbook()
    book.remove(book.active)
    header = [pgettext("dashboard", "Year"), pgettext("dashboard", "Value"), pgettext("dashboard", "Numerator"),
              pgettext("dashboard", "Denominator")]
    _sheet(book, pgettext("dashboard", "By year"), [pgettext("dashboard", "Unit"), *header],
           [[unit.name, f.year, _number(f.value), _number(f.numerator), _number(f.denominator)] for f in series])
    _sheet(book, pgettext("dashboard", "By commune"),
           [pgettext("dashboard", "Commune"), pgettext("dashboard", "Code"), *header],
           [[c.name, c.code, year, _number(f.value) if f else None, _number(f.numerator) if f else None,
             _number(f.denominator) if f else None] for c, f in communes])
    about = book.create_sheet(pgettext("dashboard", "About"))
    for line in [indicator.name_vi, indicator.definition_vi, str(MEASURE_LABELS.get(indicator.measure, "")),
                 pgettext("dashboard", "Exported on {when}").format(when=format_date(timezone.now()))]:
        about.append([neutralise(str(line))])
    for sheet in book.worksheets[:2]:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "#,##0.0##"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
