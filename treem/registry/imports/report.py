"""The per-row report kept with a batch, for people: Vietnamese labels, dd/mm/yyyy dates."""

from datetime import date

from treem.core.formats import format_date

from ..models import Sex, YesNoUnknown
from ..quality import columns as cols

_CHANGE_LABELS = {**cols.FIELD_LABELS, "carer": cols.FIELD_LABELS[cols.CARER_NAME]}


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    try:
        if name == "birth_date":
            return format_date(date.fromisoformat(value) if isinstance(value, str) else value)
        if name == "sex":
            return str(Sex(value).label)
        if name in ("birth_registered", "disability"):
            return str(YesNoUnknown(value).label)
    except (TypeError, ValueError):
        pass
    return str(value)


def change_lines(changes: dict) -> list[str]:
    """{field: [old, new]} as "Field: old → new" lines, with Vietnamese labels and dd/mm/yyyy dates."""
    return [f"{_CHANGE_LABELS.get(name, name)}: {_shown(name, old)} → {_shown(name, new)}"
            for name, (old, new) in changes.items()]


def report_rows(report: list) -> list[dict]:
    """A batch's report as dicts for the preview page: "row", "action", "errors", "warnings", and for an update row
    "child" (the name on the register) and "changes" (change_lines). Reports kept before the changes were recorded
    (four items a row) show none."""
    rows = []
    for entry in report:
        detail = entry[4] if len(entry) > 4 and isinstance(entry[4], dict) else {}
        rows.append({"row": entry[0], "action": entry[1], "errors": entry[2], "warnings": entry[3],
                     "child": detail.get("child") or "", "changes": change_lines(detail.get("changes") or {})})
    return rows

