"""Command line: python -m treem.registry.quality find-duplicates FILE [--json]

Reads a spreadsheet in the import format and lists likely duplicate children, outside any database.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from treem.core.formats import format_percent

from . import columns
from .dedupe import DEFAULT_THRESHOLD, MIN_RECORDS_TO_TRAIN, Pair, find_duplicates
from .rows import validate_row, written_birth_date
from .tabular import Table, TableError, read_table

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m treem.registry.quality", description="Kiểm tra chất lượng danh sách trẻ em"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    dupes = commands.add_parser("find-duplicates", help="tìm các dòng có thể là cùng một trẻ")
    dupes.add_argument("file", type=Path, help="tệp .xlsx, .xls, .ods hoặc .csv")
    dupes.add_argument("--sheet", help="tên trang tính (mặc định: trang đầu tiên có dữ liệu)")
    dupes.add_argument(
        "--threshold", type=float, default=DEFAULT_THRESHOLD, help="xác suất tối thiểu (0-1), mặc định 0.9"
    )
    dupes.add_argument("--commune", help="mã xã của danh sách (nếu tệp không có cột mã xã)")
    dupes.add_argument("--today", type=date.fromisoformat, help="ngày tính tuổi, YYYY-MM-DD (mặc định: hôm nay)")
    dupes.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    return parser


def _records(table: Table, mapping: dict[int, str], today: date, commune: str | None) -> tuple[list[dict], int]:
    """Records to compare (one per row with a name; id = spreadsheet row number) and rows skipped."""
    headers = table.column_headers(mapping)
    records, skipped = [], 0
    for row, raw in table.records(mapping):
        data = validate_row(raw, today, row.number, headers).data
        if not data.get("full_name"):
            skipped += 1
            continue
        records.append(
            {
                "id": row.number,
                "full_name": data["full_name"],
                # As written: validate_row blanks a date of a 16-year-old or of a birth not yet due, yet two rows
                # of the same child with that date are still a pair.
                "birth_date": written_birth_date(raw),
                "sex": data.get("sex"),
                "personal_id": data.get("personal_id"),
                "carer_name": data.get("carer_name"),
                "village": data.get("village"),
                "commune_code": commune,
            }
        )
    return records, skipped


def _pair_json(pair: Pair) -> dict:
    return {
        "row_a": pair.left_id,
        "row_b": pair.right_id,
        "probability": round(pair.probability, 6),
        "match_weight": round(pair.match_weight, 3),
        "explanation": pair.explanation,
    }


def _find_duplicates(args: argparse.Namespace) -> dict:
    table = read_table(args.file, args.file.name, sheet=args.sheet)
    mapping, unknown = columns.map_headers(table.headers)
    if columns.FULL_NAME not in mapping.values():
        raise TableError(f"Không tìm thấy cột 'Họ và tên' trong tệp '{args.file.name}'.")
    today = args.today or datetime.now(VIETNAM).date()
    records, skipped = _records(table, mapping, today, args.commune)
    pairs = find_duplicates(records, threshold=args.threshold)
    return {
        "pairs": [_pair_json(p) for p in pairs],
        "summary": {
            "file": args.file.name,
            "sheet": table.sheet_name,
            "header_row": table.header_row_number,
            "rows_read": len(table.rows),
            "rows_compared": len(records),
            "rows_without_name": skipped,
            "pairs_found": len(pairs),
            "threshold": args.threshold,
            "model_trained_on_file": len(records) >= MIN_RECORDS_TO_TRAIN,
            "columns": {table.headers[i]: field for i, field in mapping.items()},
            "unknown_headers": unknown,
        },
    }


def _print_text(result: dict) -> None:
    summary = result["summary"]
    found = f"tìm thấy {summary['pairs_found']} cặp có thể trùng"
    print(f"{summary['file']}: so sánh {summary['rows_compared']} dòng, {found}.")
    for pair in result["pairs"]:
        percent = format_percent(pair["probability"] * 100)
        print(f"- Dòng {pair['row_a']} và dòng {pair['row_b']}: {percent} ({pair['explanation']})")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result = _find_duplicates(args)
    except TableError as exc:
        if args.json:
            print(json.dumps({"error": str(exc)}, ensure_ascii=False))
        else:
            print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        _print_text(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
